"""The tray: pause and resume change the capture state and the menu's label; errors show."""

from __future__ import annotations

from mirix_desktop.config.consent import record_consent
from mirix_desktop.ui.tray import PAUSE_LABEL, RESUME_LABEL


def _started(qtbot, controller) -> None:
    record_consent(controller.ctx.paths)
    with qtbot.waitSignal(controller.capture_started, timeout=10_000):
        controller.start()
    qtbot.waitUntil(
        lambda: controller.status is not None and controller.status.running, timeout=10_000
    )


def test_pause_and_resume_change_capture_and_the_menu_label(qtbot, controller) -> None:
    _started(qtbot, controller)
    tray = controller.tray
    flag = controller.ctx.paths.data_dir / "capture.paused"
    assert tray.pause_action.text() == PAUSE_LABEL
    assert tray.state == "capturing"
    assert "capturing" in tray.icon.toolTip()

    tray.pause_action.trigger()
    qtbot.waitUntil(lambda: tray.pause_action.text() == RESUME_LABEL, timeout=5000)
    assert flag.exists()
    assert controller.runtime.capturer().paused
    assert controller.runtime.capture_now() == ["paused"]  # a round does nothing now
    assert tray.state == "paused"
    assert "paused" in tray.icon.toolTip()
    assert controller.window.pause_action.text() == RESUME_LABEL

    tray.pause_action.trigger()
    qtbot.waitUntil(lambda: tray.pause_action.text() == PAUSE_LABEL, timeout=5000)
    assert not flag.exists()
    assert not controller.runtime.capturer().paused
    assert tray.state == "capturing"


def test_pause_from_another_process_is_seen(qtbot, controller) -> None:
    _started(qtbot, controller)
    (controller.ctx.paths.data_dir / "capture.paused").touch()  # `mirix-desktop pause`
    controller.poll_status()
    qtbot.waitUntil(lambda: controller.tray.pause_action.text() == RESUME_LABEL, timeout=5000)


def test_tooltip_counts_frames_today_and_waiting_items(qtbot, controller) -> None:
    from datetime import timedelta

    from agents.store.timeutil import now
    from tests.helpers import add_frame

    add_frame(controller.ctx, "Last month's page", at=now() - timedelta(days=30), queue=True)
    add_frame(controller.ctx, "Today's page", at=now(), queue=True)
    _started(qtbot, controller)
    qtbot.waitUntil(lambda: "1 frames today" in controller.tray.icon.toolTip(), timeout=5000)
    assert "2 items waiting for absorption" in controller.tray.icon.toolTip()


def test_a_failure_turns_the_tray_to_error_and_is_kept_in_the_tooltip(qtbot, controller) -> None:
    _started(qtbot, controller)

    def broken() -> None:
        raise OSError("disk full")

    with qtbot.waitSignal(controller.error, timeout=5000) as blocker:
        controller.tasks.run(broken)
    assert "disk full" in blocker.args[0]
    assert controller.tray.state == "error"
    assert "last error: OSError: disk full" in controller.tray.icon.toolTip()
    controller.tray.set_error_active(False)
    assert controller.tray.state == "capturing"
    assert "disk full" in controller.tray.icon.toolTip()


def test_menu_has_every_action(controller) -> None:
    labels = [a.text() for a in controller.tray.menu.actions() if not a.isSeparator()]
    assert labels == [
        "Open chat",
        "Memories",
        PAUSE_LABEL,
        "Capture now",
        "Forget last 5 minutes",
        "Forget last hour",
        "Start at login",
        "MCP server for assistants (HTTP)",
        "Settings…",
        "Quit",
    ]


def test_menu_opens_pages_and_quits(qtbot, controller) -> None:
    tray = controller.tray
    tray.memories_action.trigger()
    assert controller.window.isVisible()
    assert controller.window.current_page() == "Memories"
    tray.chat_action.trigger()
    assert controller.window.current_page() == "Chat"
    with qtbot.waitSignal(controller.quit_requested, timeout=1000):
        tray.quit_action.trigger()


def test_forget_last_five_minutes_removes_recent_frames(qtbot, controller) -> None:
    from datetime import timedelta

    from agents.store.timeutil import now
    from tests.helpers import add_frame

    old = add_frame(controller.ctx, "An old page", at=now() - timedelta(hours=2), queue=False)
    recent = add_frame(controller.ctx, "A page seen just now", at=now(), queue=False)
    _started(qtbot, controller)
    with qtbot.waitSignal(controller.message, timeout=10_000) as blocker:
        controller.tray.forget5_action.trigger()
    assert "Forgot 1 screenshots" in blocker.args[0]
    assert [f.id for f in controller.ctx.store.frames([old, recent])] == [old]
