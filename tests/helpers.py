"""Builders shared by the agent tests: frames and chat turns stored and queued like capture does."""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image, ImageDraw

from agents.store import ChatTurn, Frame
from mirix_desktop.pipeline.inbox import store_turns
from mirix_desktop.services.context import Context

T0 = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def add_frame(
    ctx: Context,
    text: str,
    *,
    app: str = "firefox",
    title: str = "Flights — Mozilla Firefox",
    at: datetime | None = None,
    queue: bool = True,
) -> str:
    """A stored frame (with a real WebP showing ``text``) queued for absorption."""
    when = at or T0
    fid = "frm_" + hashlib.sha256(f"{text}{app}{title}{when}".encode()).hexdigest()[:24]
    folder = ctx.paths.frames_dir
    folder.mkdir(parents=True, exist_ok=True)
    path = Path(folder) / f"{fid}.webp"
    image = Image.new("RGB", (320, 120), "white")
    ImageDraw.Draw(image).text((10, 10), text[:60], fill="black")
    image.save(path, "WEBP")
    ctx.store.add_frame(
        Frame(
            id=fid,
            captured_at=when,
            app=app,
            window_title=title,
            image_path=str(path),
            width=320,
            height=120,
            size_bytes=path.stat().st_size,
            ocr_text=text,
        )
    )
    if queue:
        ctx.inbox.queue_read_frame(fid, app)
    return fid


def add_turns(
    ctx: Context, *texts: str, speaker: str = "user", conversation: str = "c1"
) -> list[str]:
    """Chat turns stored and queued, a minute apart."""
    turns = [
        ChatTurn(
            id=f"{conversation}-t{i}-{hashlib.sha1(text.encode()).hexdigest()[:8]}",
            conversation_id=conversation,
            speaker=speaker,
            text=text,
            created_at=T0 + timedelta(minutes=i),
        )
        for i, text in enumerate(texts)
    ]
    store_turns(ctx.store, ctx.inbox, turns)
    return [t.id for t in turns]


def start_xvfb(width: int, height: int, *, first: int) -> tuple[str, subprocess.Popen[bytes]]:
    """An Xvfb server on the first free display number from ``first``: (":N", process)."""
    for number in range(first, first + 50):
        if (
            not Path(f"/tmp/.X11-unix/X{number}").exists()
            and not Path(f"/tmp/.X{number}-lock").exists()
        ):
            break
    proc = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 10
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        if time.time() > deadline or proc.poll() is not None:
            proc.kill()
            raise RuntimeError("Xvfb did not start")
        time.sleep(0.05)
    return f":{number}", proc


@contextlib.contextmanager
def local_zone(tz: str) -> Iterator[None]:
    """The process's time zone set to ``tz`` (POSIX TZ) while the block runs."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = tz
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()
