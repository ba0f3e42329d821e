"""A batch to absorb: frames and chat turns from the inbox, and the message that shows it
to the memory model (frames grouped by app with time stamps; images when the model
can see them, else OCR text; chat turns as text)."""

from __future__ import annotations

import base64
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from agents.store import MemoryStore
from agents.store.timeutil import as_utc

log = logging.getLogger(__name__)
MAX_FRAME_TEXT = 1500  # OCR characters of one frame shown to the model
IMAGE_SIDE = 768  # longest side of a frame sent to a vision model


@dataclass(frozen=True)
class BatchItem:
    """One frame or chat turn; ``id`` is what memories cite in ``source_ids``."""

    id: str
    kind: Literal["frame", "chat"]
    time: datetime
    text: str
    app: str = ""
    title: str = ""
    speaker: str = ""
    conversation_id: str = ""
    image_path: str | None = None


@dataclass
class AbsorbResult:
    """What absorbing one batch did, with a model or offline."""

    mode: Literal["model", "offline"]
    chosen: list[str] = field(default_factory=list)  # memory types routed to (or written)
    writes: list[tuple[str, str]] = field(default_factory=list)  # (operation, memory id)

    @property
    def memory_ids(self) -> list[str]:
        return list(dict.fromkeys(mid for _, mid in self.writes))


class Absorber(Protocol):
    """Turns a batch into memories. ``absorb`` returns after every write is committed, or
    raises a MirixError (the batch is kept and tried again; a retry writes nothing twice)."""

    mode: Literal["model", "offline"]

    def absorb(self, items: Sequence[BatchItem]) -> AbsorbResult: ...


def load_items(store: MemoryStore, refs: Sequence[tuple[str, str]]) -> list[BatchItem]:
    """The stored frames and chat turns named by ``(kind, id)`` pairs, oldest first.

    Ids with no row (a frame forgotten meanwhile) are left out.
    """
    frame_ids = [i for kind, i in refs if kind == "frame"]
    chat_ids = [i for kind, i in refs if kind == "chat"]
    items = [
        BatchItem(
            id=f.id,
            kind="frame",
            time=as_utc(f.captured_at),
            text=f.ocr_text,
            app=f.app,
            title=f.window_title,
            image_path=f.image_path,
        )
        for f in store.frames(frame_ids)
    ]
    items += [
        BatchItem(
            id=t.id,
            kind="chat",
            time=as_utc(t.created_at),
            text=t.text + (f" [shared image: {t.image_caption}]" if t.image_caption else ""),
            speaker=t.speaker,
            conversation_id=t.conversation_id,
        )
        for t in store.chat_turns(chat_ids)
    ]
    items.sort(key=lambda it: (it.time, it.id))
    return items


def _stamp(when: datetime) -> str:
    return as_utc(when).strftime("%Y-%m-%d %H:%M:%S UTC")


def render_text(items: Sequence[BatchItem], *, max_frame_text: int = MAX_FRAME_TEXT) -> str:
    """The batch as text: screens grouped by app, then chat turns by conversation."""
    parts: list[str] = []
    frames = [it for it in items if it.kind == "frame"]
    by_app: dict[str, list[BatchItem]] = {}
    for it in frames:
        by_app.setdefault(it.app or "unknown", []).append(it)
    for app, group in by_app.items():
        parts.append(f"## Screens in {app}")
        for it in group:
            text = it.text.strip()
            if len(text) > max_frame_text:
                text = text[:max_frame_text] + " …"
            parts.append(f"[{it.id}] {_stamp(it.time)} — window: {it.title or '(untitled)'}")
            if text:
                parts.append(text)
    chats = [it for it in items if it.kind == "chat"]
    by_conv: dict[str, list[BatchItem]] = {}
    for it in chats:
        by_conv.setdefault(it.conversation_id, []).append(it)
    for conv, group in by_conv.items():
        parts.append(f"## Chat (conversation {conv})")
        for it in group:
            parts.append(f"[{it.id}] {_stamp(it.time)} {it.speaker}: {it.text}")
    return "\n".join(parts)


def image_url(path: str | Path, *, side: int = IMAGE_SIDE) -> str | None:
    """A downscaled JPEG data URL of a screenshot, or None when it cannot be read."""
    from PIL import Image

    try:
        with Image.open(path) as opened:
            img = opened.convert("RGB")
        img.thumbnail((side, side))
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=80)
    except (OSError, ValueError) as exc:
        log.info("cannot read %s for the model: %s", path, exc)
        return None
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def render_content(
    items: Sequence[BatchItem], *, vision: bool, max_images: int = 4
) -> str | list[dict[str, Any]]:
    """The user message content for a batch: text, plus downscaled images of the most
    recent frame of each app (up to ``max_images``) when the model can see images."""
    text = render_text(items)
    if not vision:
        return text
    latest: dict[str, BatchItem] = {}
    for it in items:
        if it.kind == "frame" and it.image_path:
            latest[it.app] = it
    parts: list[dict[str, Any]] = [{"type": "text", "text": text}]
    for it in sorted(latest.values(), key=lambda i: i.time, reverse=True)[:max_images]:
        assert it.image_path is not None
        url = image_url(it.image_path)
        if url is not None:
            parts.append({"type": "text", "text": f"Screenshot {it.id} ({it.app}):"})
            parts.append({"type": "image_url", "image_url": {"url": url}})
    return parts
