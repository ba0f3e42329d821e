"""Capture on a desktop with a window manager (Xvfb + openbox): excluded windows that are
visible but not focused, and this program's own windows, are painted over before anything
is stored or read; changes in panels and in hidden windows store no frame."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests.helpers import start_xvfb

pytestmark = pytest.mark.skipif(
    shutil.which("Xvfb") is None or shutil.which("openbox") is None,
    reason="Xvfb and openbox are needed (make system installs them)",
)

W, H = 1280, 720
SECRET = "Zebra-Quartz-5150"
DOC = ["Quarterly harbor plan", "Budget review on Monday"]
OWN = ["Ask about what you saw", "12 frames today"]


class Desk:
    """Windows drawn from pixmaps, managed by openbox."""

    def __init__(self, name: str) -> None:
        from Xlib import display

        self.d: Any = display.Display(name)
        self.screen = self.d.screen()
        self.root = self.screen.root

    def atom(self, name: str) -> int:
        return int(self.d.intern_atom(name))

    def window(
        self,
        rect: tuple[int, int, int, int],
        wm_class: tuple[str, str],
        title: str,
        *,
        pid: int | None = None,
        dock: bool = False,
    ) -> Any:
        x, y, w, h = rect
        win = self.root.create_window(x, y, w, h, 0, self.screen.root_depth)
        win.set_wm_class(*wm_class)
        win.set_wm_normal_hints(flags=1 | 4, x=x, y=y)
        utf8 = self.atom("UTF8_STRING")
        win.change_property(self.atom("_NET_WM_NAME"), utf8, 8, title.encode())
        if pid is not None:
            win.change_property(self.atom("_NET_WM_PID"), self.atom("CARDINAL"), 32, [pid])
        if dock:
            win.change_property(
                self.atom("_NET_WM_WINDOW_TYPE"),
                self.atom("ATOM"),
                32,
                [self.atom("_NET_WM_WINDOW_TYPE_DOCK")],
            )
        win.map()
        self.d.sync()
        return win

    def paint(self, win: Any, lines: list[str], font_size: int = 30) -> None:
        geom = win.get_geometry()
        page = Image.new("RGB", (geom.width, geom.height), "white")
        draw = ImageDraw.Draw(page)
        for i, line in enumerate(lines):
            draw.text((16, 12 + i * int(font_size * 1.6)), line, fill="black", font_size=font_size)
        pixmap = win.create_pixmap(geom.width, geom.height, self.screen.root_depth)
        pixmap.put_pil_image(pixmap.create_gc(), 0, 0, page)
        win.change_attributes(background_pixmap=pixmap)
        win.clear_area(0, 0, 0, 0, True)
        pixmap.free()
        self.d.sync()

    def client_box(self, win: Any) -> tuple[int, int, int, int]:
        origin = self.root.translate_coords(win, 0, 0)
        geom = win.get_geometry()
        return (origin.x, origin.y, origin.x + geom.width, origin.y + geom.height)

    def activate(self, win: Any, display: str) -> None:
        subprocess.run(
            ["xdotool", "windowactivate", "--sync", str(win.id)],
            env={**os.environ, "DISPLAY": display},
            timeout=10,
            check=False,
        )
        time.sleep(0.3)


@pytest.fixture
def desktop(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Desk, dict[str, Any]]]:
    name, xvfb = start_xvfb(W, H, first=230)
    monkeypatch.setenv("DISPLAY", name)
    monkeypatch.setenv("MIRIX_MODELS__TEXT_EMBEDDER", "none")
    monkeypatch.setenv("MIRIX_MODELS__CLIP_PROVIDER", "none")
    wm = subprocess.Popen(
        ["openbox"],
        env={**os.environ, "DISPLAY": name},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        desk = Desk(name)
        check = desk.atom("_NET_SUPPORTING_WM_CHECK")
        deadline = time.monotonic() + 15
        while desk.root.get_full_property(check, 0) is None:
            assert time.monotonic() < deadline, "openbox did not start"
            time.sleep(0.1)
        wins = {
            "panel": desk.window((0, 0, W, 28), ("panel", "Panel"), "panel", dock=True),
            "doc": desk.window((20, 60, 600, 380), ("gedit", "Gedit"), "plan.txt - gedit"),
            "keepass": desk.window(
                (660, 60, 580, 260), ("keepassxc", "KeePassXC"), "personal.kdbx - KeePassXC"
            ),
            # One of this program's windows by its class, one by its process id.
            "own": desk.window((660, 380, 580, 300), ("mirix-desktop", "mirix-desktop"), "Mirix"),
            "popup": desk.window((20, 500, 560, 180), ("helper", "Helper"), "x", pid=os.getpid()),
        }
        desk.paint(wins["panel"], ["09:41  net  vol"], font_size=16)
        desk.paint(wins["doc"], DOC)
        desk.paint(wins["keepass"], ["Entry: Harbor Bank", f"Password: {SECRET}"])
        desk.paint(wins["own"], OWN)
        desk.paint(wins["popup"], ["Capture now", "Pause capture"])
        desk.activate(wins["doc"], name)
        yield name, desk, wins
        desk.d.close()
    finally:
        wm.terminate()
        wm.wait(timeout=10)
        xvfb.terminate()
        xvfb.wait(timeout=10)


def _flat(pixels: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """Whether ``box`` of an RGB image is one flat colour (WebP leaves a little noise)."""
    left, top, right, bottom = box
    area = pixels[top + 2 : bottom - 2, left + 2 : right - 2].astype(float)
    return bool(area.std() < 4.0)


def test_hidden_windows_are_painted_over_in_every_stored_image_and_never_read(
    desktop, home: Path
) -> None:
    from mirix_desktop.services.context import open_context

    name, desk, wins = desktop
    ctx = open_context()
    capturer = ctx.capturer()
    assert capturer.capture_once() == ["stored"]
    assert capturer.window_list_readable is True
    desk.paint(wins["doc"], [*DOC, "Ferry leaves at noon"])
    assert capturer.capture_once() == ["stored"]
    ctx.ocr_worker().drain()
    rows = ctx.store.frame_rows()
    frames = ctx.store.frames([r["id"] for r in rows])
    assert len(frames) == 2
    hidden = [desk.client_box(wins[k]) for k in ("keepass", "own", "popup")]
    doc_box = desk.client_box(wins["doc"])
    for frame in frames:
        pixels = np.asarray(Image.open(frame.image_path).convert("RGB"))
        for box in hidden:
            assert _flat(pixels, box), f"a hidden window shows in {frame.image_path}"
        assert not _flat(pixels, doc_box)  # the document itself is kept
        text = frame.ocr_text.lower()
        assert "zebra" not in text and "5150" not in text and "harbor bank" not in text
        assert "ask about" not in text and "frames today" not in text
        assert "capture now" not in text and "pause capture" not in text
        assert "quarterly harbor plan" in text
        # The focused window's rectangle is recorded with the frame, and its text comes first.
        assert frame.focus_box is not None
        left, top, right, bottom = frame.focus_box
        assert left <= doc_box[0] and top <= doc_box[1]
        assert right >= doc_box[2] and bottom >= doc_box[3]
        assert text.startswith("quarterly harbor plan") or text.index("quarterly") < 40
    assert "leaves at noon" in frames[-1].ocr_text.lower()
    ctx.close()


def test_a_change_in_a_panel_or_a_hidden_window_stores_no_frame(desktop, home: Path) -> None:
    from mirix_desktop.services.context import open_context

    name, desk, wins = desktop
    ctx = open_context()
    capturer = ctx.capturer()
    assert capturer.capture_once() == ["stored"]
    assert capturer.capture_once() == ["unchanged"]
    desk.paint(wins["panel"], ["09:42  net  vol  ●"], font_size=16)  # the clock and the tray
    assert capturer.capture_once() == ["unchanged"]
    desk.paint(wins["own"], ["Ask about what you saw", "13 frames today · 2 waiting"])
    desk.paint(wins["keepass"], ["Entry: Harbor Bank", "Password: Other-Secret-77"])
    assert capturer.capture_once() == ["unchanged"]
    desk.paint(wins["doc"], ["Minutes of the harbor meeting", "Ferry leaves at noon"])
    assert capturer.capture_once() == ["stored"]
    ctx.close()


def test_a_focused_excluded_window_is_not_captured_at_all(desktop, home: Path) -> None:
    from mirix_desktop.services.context import open_context

    name, desk, wins = desktop
    ctx = open_context()
    desk.activate(wins["keepass"], name)
    assert ctx.capturer().capture_once() == ["excluded"]
    assert ctx.store.frame_rows() == []
    ctx.close()


def test_doctor_says_whether_windows_can_be_listed(desktop, home: Path, monkeypatch) -> None:
    from mirix_desktop.pipeline.capture.desktop import window_privacy

    assert window_privacy()["window_list"] is True
    monkeypatch.delenv("DISPLAY")
    state = window_privacy()
    assert state["window_list"] is False and "only the focused window" in state["detail"]


class _Flaky:
    """The X server's window list, failing when told to (a window manager restarting)."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.fail = False

    def windows(self) -> Any:
        return None if self.fail else self.real.windows()


def test_a_window_list_that_fails_after_working_skips_the_round(desktop, home: Path) -> None:
    from mirix_desktop.pipeline.capture.desktop import NoWindows
    from mirix_desktop.services.context import open_context

    name, desk, wins = desktop
    ctx = open_context()
    capturer = ctx.capturer()
    flaky = capturer.lister = _Flaky(capturer.lister)
    assert capturer.capture_once() == ["stored"]
    flaky.fail = True
    desk.paint(wins["doc"], ["Minutes of the harbor meeting"])
    assert capturer.capture_once() == ["unlisted"]
    assert len(ctx.store.frame_rows()) == 1
    # A platform where no list can ever be read keeps the focused-window check only.
    fallback = ctx.capturer()
    fallback.lister = NoWindows()
    assert fallback.capture_once() == ["stored"]
    assert fallback.window_list_readable is False
    ctx.close()


def test_a_question_about_the_screen_sees_it_as_a_stored_frame_would(desktop, home: Path) -> None:
    """The chat's "ask about my screen" reads the screen through the same mask: excluded
    windows and the program's own are painted over, and a focused excluded window stops it."""
    from agents.errors import InvalidInput
    from mirix_desktop.services.backend import Backend
    from mirix_desktop.services.context import open_context

    name, desk, wins = desktop
    ctx = open_context()
    backend = Backend(ctx)
    pixels = np.asarray(Image.open(backend.screen_now()).convert("RGB"))
    assert pixels.shape[:2] == (H, W)
    for key in ("keepass", "own", "popup"):
        assert _flat(pixels, desk.client_box(wins[key])), f"{key} shows in the screen asked about"
    assert not _flat(pixels, desk.client_box(wins["doc"]))
    desk.activate(wins["keepass"], name)
    with pytest.raises(InvalidInput, match="excluded"):
        backend.screen_now()
    ctx.close()
