"""End to end under Xvfb with trayer as the tray host: the app, started by its console
script as the README's command does, captures a window showing known text, absorbs it
offline, and a question typed into its chat window is answered citing that frame."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from tests.helpers import start_xvfb

pytestmark = pytest.mark.skipif(
    shutil.which("Xvfb") is None or shutil.which("trayer") is None,
    reason="Xvfb and trayer are needed (make system installs them)",
)

W, H = 1280, 800
TEXT = ["Project ZEPHYR budget review", "Approved total: 48200 EUR", "Owner: Dana Whitfield"]
QUESTION = "what was the zephyr budget total"
APP = Path(sys.executable).with_name("mirix-desktop")  # the console script `make run` starts


def _wait(what: str, check: Callable[[], Any], timeout: float, proc: Any = None) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the app exited ({proc.returncode}) while waiting for {what}")
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[Any]:
    """An X server with a tray host (trayer) and no window manager."""
    from Xlib import display as xdisplay

    name, xvfb = start_xvfb(W, H, first=140)
    procs = [xvfb]
    try:
        env = {**os.environ, "DISPLAY": name}
        procs.append(
            subprocess.Popen(
                ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        d = xdisplay.Display(name)
        tray = d.intern_atom("_NET_SYSTEM_TRAY_S0")
        _wait("the tray host", lambda: d.get_selection_owner(tray) != 0, 10)
        d.name = name  # type: ignore[attr-defined]
        yield d
        d.close()
    finally:
        for proc in reversed(procs):
            proc.terminate()
            proc.wait(timeout=10)


def _text_window(d: Any) -> Any:
    """A gedit-like window showing TEXT, made active the way a window manager would."""
    screen = d.screen()
    win = screen.root.create_window(0, 0, W, H, 0, screen.root_depth)
    page = Image.new("RGB", (W, H), "white")
    draw = ImageDraw.Draw(page)
    for i, line in enumerate(TEXT):
        draw.text((60, 160 + i * 80), line, fill="black", font_size=44)
    pixmap = win.create_pixmap(W, H, screen.root_depth)
    pixmap.put_pil_image(pixmap.create_gc(), 0, 0, page)
    win.change_attributes(background_pixmap=pixmap)  # the server repaints it when exposed
    win.set_wm_class("gedit", "Gedit")
    utf8 = d.intern_atom("UTF8_STRING")
    win.change_property(d.intern_atom("_NET_WM_NAME"), utf8, 8, b"budget.txt - gedit")
    win.map()
    screen.root.change_property(
        d.intern_atom("_NET_ACTIVE_WINDOW"), d.intern_atom("WINDOW"), 32, [win.id]
    )
    d.sync()
    return win


def _find_window(d: Any, title: str) -> Any:
    for child in d.screen().root.query_tree().children:
        try:
            name = child.get_full_text_property(d.intern_atom("_NET_WM_NAME"))
            attrs = child.get_attributes()
        except Exception:  # noqa: BLE001 - a window that went away meanwhile
            continue
        if name == title and attrs.map_state == 2:  # viewable
            return child
    return None


def _type(d: Any, window: Any, text: str) -> None:
    """Type ``text`` and Return into ``window`` through the XTEST extension."""
    from Xlib import XK, X
    from Xlib.ext import xtest

    window.set_input_focus(X.RevertToParent, X.CurrentTime)
    d.sync()
    time.sleep(0.5)
    for ch in [*text, "\n"]:
        keysym = XK.string_to_keysym("space" if ch == " " else "Return" if ch == "\n" else ch)
        code = d.keysym_to_keycode(keysym)
        xtest.fake_input(d, X.KeyPress, code)
        xtest.fake_input(d, X.KeyRelease, code)
        d.sync()
        time.sleep(0.02)


def _screenshot(d: Any, path: Path) -> None:
    root = d.screen().root
    raw = root.get_image(0, 0, W, H, 2, 0xFFFFFFFF)  # ZPixmap
    Image.frombytes("RGB", (W, H), raw.data, "raw", "BGRX").save(path)


def test_the_app_captures_absorbs_and_answers_with_a_citation(desktop, home, tmp_path) -> None:
    from mirix_desktop.config.consent import record_consent
    from mirix_desktop.config.paths import resolve_paths
    from mirix_desktop.services.context import open_context

    env = {
        **os.environ,
        "DISPLAY": desktop.name,
        "QT_QPA_PLATFORM": "xcb",
        "MIRIX_HOME": str(home),
        "MIRIX_CAPTURE__INTERVAL_S": "1",
        "MIRIX_ABSORB__MAX_WAIT_S": "0",  # a batch is due as soon as a frame waits
        "MIRIX_MODELS__TEXT_EMBEDDER": "none",
        "MIRIX_MODELS__CLIP_PROVIDER": "none",
    }
    for key, value in env.items():
        if key.startswith("MIRIX_"):
            os.environ[key] = value  # this process reads the same store
    record_consent(resolve_paths(home))  # the first-run page was agreed to
    _text_window(desktop)
    log = (tmp_path / "app.log").open("w")
    app = subprocess.Popen(
        [str(APP), "app", "--background"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        ctx = open_context()

        def frame_with_text() -> Any:
            opts = ctx.search_options(types=("frame",))
            hits = [h for h in ctx.store.search("zephyr budget", opts) if h.type == "frame"]
            return hits[0] if hits else None

        frame = _wait("a frame whose OCR text has the budget", frame_with_text, 120, app)
        assert frame.app == "Gedit"

        def absorbed() -> bool:
            events = ctx.store.list_memories("episodic", limit=50)
            return any(frame.id in m.source_ids for m in events)

        _wait("an episodic memory made from that frame", absorbed, 90, app)

        # A second launch of the README's command brings the running app's window forward.
        again = subprocess.run([str(APP)], env=env, timeout=60, capture_output=True, text=True)
        assert again.returncode == 0, again.stderr
        window = _wait("the chat window", lambda: _find_window(desktop, "Mirix"), 30, app)
        # The app's windows are never captured: its window class is excluded by default.
        from mirix_desktop.config.settings import DEFAULT_EXCLUDED_APPS

        assert window.get_wm_class()[1].lower() in DEFAULT_EXCLUDED_APPS
        time.sleep(1.0)
        _type(desktop, window, QUESTION)

        def answer() -> str:
            turns = list(ctx.store.iter_chat_turns())
            asked = [t for t in turns if t["speaker"] == "user" and QUESTION in t["text"]]
            said = [t["text"] for t in turns if t["speaker"] == "assistant"]
            return said[0] if asked and said else ""

        text = _wait("the answer", answer, 60, app)
        _screenshot(desktop, tmp_path / "answered.png")
        assert "48200" in text
        assert f"[{frame.id}]" in text  # the answer cites the frame
        ctx.close()
    finally:
        app.terminate()
        code = app.wait(timeout=30)
        log.close()
    output = (tmp_path / "app.log").read_text()
    assert code == 0, output  # SIGTERM quits the app the normal way
    assert "Traceback" not in output, output
