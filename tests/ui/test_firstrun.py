"""The first-run page gates capture: nothing is captured before the user agrees."""

from __future__ import annotations

from mirix_desktop.config.consent import has_consent


def test_capture_starts_only_after_agreeing(qtbot, ctx, controller) -> None:
    with qtbot.waitSignal(controller.status_changed, timeout=10_000):
        controller.start()
    dialog = controller.first_run
    assert dialog is not None and dialog.isVisible()
    assert not controller.runtime.running
    assert not controller.status.running
    assert not has_consent(ctx.paths)
    assert str(ctx.paths.data_dir) in dialog.text.text()
    assert "Nothing." in dialog.text.text()  # no remote model: nothing leaves the machine

    with qtbot.waitSignal(controller.capture_started, timeout=10_000):
        dialog.agree_button.click()
    assert controller.runtime.running
    assert has_consent(ctx.paths)
    qtbot.waitUntil(lambda: controller.status.running, timeout=5000)
    assert controller.tray.state == "capturing"


def test_declining_quits_without_capturing(qtbot, ctx, controller) -> None:
    controller.start()
    with qtbot.waitSignal(controller.quit_requested, timeout=5000):
        controller.first_run.decline_button.click()
    assert not controller.runtime.running
    assert not has_consent(ctx.paths)


def test_the_page_is_shown_once(qtbot, ctx, controller) -> None:
    from mirix_desktop.ui.controller import AppController

    controller.start()
    with qtbot.waitSignal(controller.capture_started, timeout=10_000):
        controller.first_run.agree_button.click()
    controller.shutdown()

    again = AppController(ctx)
    try:
        with qtbot.waitSignal(again.capture_started, timeout=10_000):
            again.start()
        assert again.first_run is None
    finally:
        again.shutdown()


def test_the_page_names_a_remote_model(ctx) -> None:
    from mirix_desktop.ui.firstrun import first_run_text

    ctx.settings.memory_model.base_url = "https://api.openai.com/v1"
    text = first_run_text(ctx.paths, ctx.settings)
    assert "https://api.openai.com/v1" in text
    assert "Nothing." not in text
