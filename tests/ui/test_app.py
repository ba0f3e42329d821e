"""Starting the app: one instance at a time, the window where there is no tray."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from mirix_desktop.config.consent import record_consent
from mirix_desktop.ui.app import SingleInstance, run_app
from mirix_desktop.ui.controller import AppController
from mirix_desktop.ui.main_window import MainWindow


def test_a_second_instance_shows_the_first(qtbot, ctx) -> None:
    first = SingleInstance(ctx.paths)
    second = SingleInstance(ctx.paths)
    try:
        assert first.acquire()
        assert not second.acquire()
        with qtbot.waitSignal(first.activated, timeout=5000):
            assert second.ask_running_to_show()
    finally:
        first.release()
    assert second.acquire()  # free again once the first is gone
    second.release()


def test_a_second_launch_exits_0_and_brings_the_first_forward(qtbot, ctx, home) -> None:
    first = SingleInstance(ctx.paths)
    assert first.acquire()
    result: dict[str, subprocess.CompletedProcess[str]] = {}

    def launch() -> None:
        result["run"] = subprocess.run(
            [
                sys.executable,
                "-c",
                "from mirix_desktop.cli import main; raise SystemExit(main(['app']))",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )

    thread = threading.Thread(target=launch)
    try:
        with qtbot.waitSignal(first.activated, timeout=60_000):
            thread.start()
        thread.join(timeout=60)
    finally:
        first.release()
    assert result["run"].returncode == 0, result["run"].stderr


def test_without_a_tray_the_window_opens_and_closing_it_quits(qtbot, ctx) -> None:
    """Offscreen has no system tray: run_app must open the main window instead of failing."""
    record_consent(ctx.paths)
    seen: dict[str, object] = {}

    def check() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        seen["visible"] = [w.isVisible() for w in windows]
        seen["quit_on_close"] = QApplication.quitOnLastWindowClosed()
        for window in windows:
            window.close()  # no tray to come back from: the app quits

    QTimer.singleShot(500, check)
    QTimer.singleShot(20_000, QApplication.quit)  # a safety net, never reached when it works
    assert run_app(ctx, show=False, setup=lambda c: seen.update(controller=c)) == 0
    assert isinstance(seen["controller"], AppController)
    assert True in seen["visible"]
    assert seen["quit_on_close"] is False


def test_the_module_start_is_the_command_lines_app_command(home) -> None:
    """``python -m mirix_desktop app`` goes through the one entry point: its options
    (``--home`` included) and its errors, such as starting without a display."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    run = subprocess.run(
        [sys.executable, "-m", "mirix_desktop", "--home", str(home / "elsewhere"), "app"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert run.returncode == 2
    assert "no display to show the app on" in run.stderr


@pytest.mark.parametrize("timer", ["hourly", "first after start"])
def test_the_app_optimizes_the_store_on_its_timers(qtbot, ctx, monkeypatch, timer) -> None:
    """Capture writes a few LanceDB versions and files a frame; the app compacts them a
    while after start and then hourly (here after 200 ms) instead of leaving every read to
    open them all."""
    from datetime import timedelta

    from mirix_desktop.ui import background
    from tests.helpers import T0, add_frame

    for i in range(5):
        add_frame(
            ctx, f"note {i}: the spare key is under the blue pot", at=T0 + timedelta(seconds=i)
        )

    def fragments() -> int:
        frames = ctx.store._table("frames")
        frames.checkout_latest()
        return int(frames.stats()["fragment_stats"]["num_fragments"])

    assert fragments() >= 5
    if timer == "hourly":
        monkeypatch.setattr(background, "FIRST_OPTIMIZE_MS", 3_600_000)
        app = AppController(ctx, retention_interval_ms=200, confirm_forget=False)
    else:
        monkeypatch.setattr(background, "FIRST_OPTIMIZE_MS", 200)
        app = AppController(ctx, retention_interval_ms=3_600_000, confirm_forget=False)
    try:
        app.resume_timers()
        # one pass merges all but the newest fragment (LanceDB); the next, the rest
        qtbot.waitUntil(lambda: fragments() <= 2, timeout=30_000)
    finally:
        app.shutdown()
        app.window.close()
        app.window.deleteLater()
    assert len(ctx.store.frame_rows()) == 5  # compacted, nothing lost


def test_the_app_makes_the_vectors_an_import_left_for_later(qtbot, monkeypatch) -> None:
    """`ingest chat` (here straight through the store) leaves the turns' vectors for
    later; the running app looks for such turns on its timer and embeds them."""
    from datetime import UTC, datetime, timedelta

    from agents.store import ChatTurn
    from mirix_desktop.services.context import open_context
    from mirix_desktop.ui import background

    monkeypatch.setenv("MIRIX_MODELS__TEXT_EMBEDDER", "multilingual_e5")  # this test's model
    ctx = open_context()

    start = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    turns = [
        ChatTurn(
            id=f"t{i}",
            conversation_id="c",
            speaker="user",
            text=f"note {i}: the spare key is under the blue pot",
            created_at=start + timedelta(seconds=i),
        )
        for i in range(3)
    ]
    ctx.store.add_chat_turns(turns, embed=False)
    assert ctx.store.missing_vectors() == {"chat_turns": 3}
    monkeypatch.setattr(background, "VECTORS_MS", 200)
    app = AppController(ctx, retention_interval_ms=3_600_000, confirm_forget=False)
    try:
        app.resume_timers()
        qtbot.waitUntil(lambda: not ctx.store.missing_vectors(), timeout=60_000)
    finally:
        app.shutdown()
        app.window.close()
        app.window.deleteLater()
        ctx.close()
