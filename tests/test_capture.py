"""Capture under Xvfb: changed screens are stored, still ones not, excluded windows never."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import start_xvfb

pytestmark = pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed")


@pytest.fixture
def xvfb(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    display, proc = start_xvfb(1280, 720, first=90)
    monkeypatch.setenv("DISPLAY", display)
    monkeypatch.setenv("MIRIX_CAPTURE__INTERVAL_S", "0.3")
    yield display
    proc.terminate()
    proc.wait(timeout=10)


class FakeDesktop:
    """A window on the X server, made active the way a window manager would (EWMH)."""

    def __init__(self, display: str) -> None:
        from Xlib import X
        from Xlib import display as xdisplay

        self.X = X
        self.d: Any = xdisplay.Display(display)
        screen = self.d.screen()
        self.root = screen.root
        self.win = self.root.create_window(
            0, 0, 1280, 720, 0, screen.root_depth, background_pixel=screen.white_pixel
        )
        self.win.map()
        self.d.sync()

    def activate(self, app: str, title: str) -> None:
        utf8 = self.d.intern_atom("UTF8_STRING")
        self.win.set_wm_class(app.lower(), app)
        self.win.change_property(self.d.intern_atom("_NET_WM_NAME"), utf8, 8, title.encode("utf-8"))
        self.root.change_property(
            self.d.intern_atom("_NET_ACTIVE_WINDOW"),
            self.d.intern_atom("WINDOW"),
            32,
            [self.win.id],
        )
        self.d.sync()

    def paint(self, pixel: int) -> None:
        self.win.change_attributes(background_pixel=pixel)
        self.win.clear_area(0, 0, 1280, 720)
        self.d.sync()


def _frames(home: Path) -> list[Path]:
    root = home / "data" / "frames"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_still_screen_is_stored_once_and_changes_are_stored(xvfb, home: Path, capsys) -> None:
    from mirix_desktop.cli import main
    from mirix_desktop.services.context import open_context

    desk = FakeDesktop(xvfb)
    desk.activate("Gedit", "notes.txt - gedit")
    assert main(["capture", "--for", "1.5"]) == 0
    out = capsys.readouterr().out
    assert "stored 1 frames" in out and "0 excluded" in out
    assert len(_frames(home)) == 1
    ctx = open_context()
    capturer = ctx.capturer()
    assert capturer.capture_once() == ["stored"]  # a new process starts with a keyframe
    assert capturer.capture_once() == ["unchanged"]
    desk.paint(0x336699)
    assert capturer.capture_once() == ["stored"]
    rows = ctx.store.search("gedit notes", ctx.search_options(types=("frame",)))
    assert rows and rows[0].app == "Gedit"
    assert ctx.inbox.counts()["pending"] == 2
    frame_row = ctx.store._table("frames").search().limit(5).to_list()[0]
    assert frame_row["window_title"] == "notes.txt - gedit"
    assert frame_row["width"] == 1280 and frame_row["height"] == 720
    ctx.close()


@pytest.mark.parametrize(
    ("app", "title"),
    [("KeePassXC", "Passwords.kdbx - KeePassXC"), ("Firefox", "Bank — Private Browsing")],
)
def test_an_excluded_window_is_never_written(xvfb, home: Path, capsys, app, title) -> None:
    from mirix_desktop.cli import main

    desk = FakeDesktop(xvfb)
    desk.activate(app, title)
    assert main(["capture", "--once"]) == 0
    assert "stored 0 frames" in capsys.readouterr().out
    assert _frames(home) == []
    assert not (home / "data" / "memory.lance" / "frames.lance").exists()


def test_capture_without_a_screen_is_a_clear_error(home: Path, monkeypatch, capsys) -> None:
    from mirix_desktop.cli import main

    monkeypatch.setenv("DISPLAY", ":999")
    assert main(["capture", "--once"]) == 2
    err = capsys.readouterr().err
    assert "cannot take a screenshot" in err and "Traceback" not in err


def test_pause_and_resume(xvfb, home: Path, capsys) -> None:
    from mirix_desktop.cli import main

    FakeDesktop(xvfb).activate("Gedit", "todo.txt")
    assert main(["pause"]) == 0
    assert main(["capture", "--once"]) == 0
    out = capsys.readouterr().out
    assert "stored 0 frames" in out and "1 while paused" in out
    assert _frames(home) == []
    assert main(["resume"]) == 0
    assert main(["capture", "--once"]) == 0
    assert "stored 1 frames" in capsys.readouterr().out


def test_the_loop_slows_down_when_idle_and_speeds_up_on_change(xvfb, home: Path) -> None:
    from mirix_desktop.pipeline.scheduler import CaptureSchedule
    from mirix_desktop.services.context import open_context

    desk = FakeDesktop(xvfb)
    desk.activate("Gedit", "todo.txt")
    ctx = open_context()
    schedule = CaptureSchedule(ctx.capturer(), interval_s=0.1, idle_interval_s=5, idle_after_s=0.3)
    schedule.round()
    assert not schedule.idle
    time.sleep(0.4)
    schedule.round()
    assert schedule.idle
    desk.paint(0x884422)
    schedule.round()
    assert not schedule.idle
    ctx.close()


def test_kill_9_during_capture_and_ocr_loses_no_stored_frame(xvfb, home: Path) -> None:
    import signal
    import sys

    from PIL import Image

    from mirix_desktop.services.context import open_context

    desk = FakeDesktop(xvfb)
    desk.activate("Gedit", "draft.txt")
    proc = subprocess.Popen(
        [sys.executable, "-m", "mirix_desktop", "capture", "--for", "60"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**__import__("os").environ, "MIRIX_CAPTURE__INTERVAL_S": "0.1"},
    )
    deadline = time.time() + 60
    colour = 0
    while len(_frames(home)) < 8 and time.time() < deadline:
        colour = (colour + 0x131313) % 0xFFFFFF
        desk.paint(colour)
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert len(_frames(home)) >= 8

    ctx = open_context()
    rows = ctx.store.frame_rows()
    assert rows, "no frame row survived"
    for row in rows:  # every row is whole and its image readable
        with Image.open(row["image_path"]) as img:
            img.load()
    ctx.ocr_worker().drain()  # finishes what the killed process left, re-storing queued frames
    stored = {row["id"] for row in ctx.store.frame_rows()}
    assert len(stored) >= len(rows)
    queued = {item.id for item in ctx.inbox.take(10_000, kinds=["frame"])}
    assert stored <= queued, "a stored frame never reached the inbox"
    ctx.close()
