"""Settings persist across a restart (keys in the secret store, never in the TOML), the
connection test talks to the endpoint, and capture changes apply without a restart."""

from __future__ import annotations

import pytest

from mirix_desktop.services.context import open_context
from mirix_desktop.services.preferences import Preferences
from mirix_desktop.ui.settings_dialog import SettingsDialog
from tests.fake_openai import FakeOpenAI


@pytest.fixture
def fake_server():
    server = FakeOpenAI([{"content": "OK"}])
    yield server
    server.close()


def _dialog(qtbot, backend, tasks) -> SettingsDialog:
    dialog = SettingsDialog(backend, Preferences(backend.ctx), tasks)
    qtbot.addWidget(dialog)
    qtbot.waitSignal(dialog.models_checked, timeout=10_000).wait()
    return dialog


def test_settings_persist_across_a_restart(
    qtbot, ctx, backend, tasks, fake_server, monkeypatch
) -> None:
    monkeypatch.delenv("MIRIX_CAPTURE__INTERVAL_S")  # the restart reads the file's value
    dialog = _dialog(qtbot, backend, tasks)
    dialog.chat.base_url.setText(fake_server.url)
    dialog.chat.model.setText("llama3.2")
    dialog.chat.vision.setChecked(True)
    dialog.chat.key.setText("sk-test-123456")
    dialog.memory.base_url.setText("http://127.0.0.1:9/v1")
    dialog.memory.model.setText("qwen2.5")
    dialog.interval.setValue(5.0)
    dialog.monitors.setCurrentIndex(1)
    dialog.excluded_apps.setPlainText("keepassxc\nsignal")
    dialog.excluded_titles.setPlainText("(?i)bank")
    dialog.budget.setValue(2.5)
    dialog.retention.setValue(30)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert ctx.settings.chat_model.model == "llama3.2"  # in effect at once

    ctx.close()
    again = open_context()
    try:
        s = again.settings
        assert (s.chat_model.base_url, s.chat_model.model, s.chat_model.vision) == (
            fake_server.url,
            "llama3.2",
            True,
        )
        assert (s.memory_model.base_url, s.memory_model.model) == (
            "http://127.0.0.1:9/v1",
            "qwen2.5",
        )
        assert s.capture.interval_s == 5.0
        assert s.capture.monitors == "primary"
        assert s.capture.excluded_apps == ["keepassxc", "signal"]
        assert s.capture.excluded_title_patterns == ["(?i)bank"]
        assert s.capture.storage_budget_bytes == 2_500_000_000
        assert s.capture.max_age_days == 30
        assert again.secrets.get("chat-api-key") == "sk-test-123456"
        assert again.secrets.get("memory-api-key") is None
        toml = again.paths.config_file.read_text()
        assert "sk-test-123456" not in toml
        assert "interval_s = 5.0" in toml
        # The test's environment overrides were not written into the file.
        assert 'text_embedder = "none"' not in toml
    finally:
        again.close()


def test_a_stored_key_is_kept_unless_replaced_or_removed(qtbot, ctx, backend, tasks) -> None:
    ctx.secrets.set("chat-api-key", "sk-old")
    dialog = _dialog(qtbot, backend, tasks)
    qtbot.waitUntil(lambda: dialog.chat.has_key, timeout=5000)
    assert "stored" in dialog.chat.key.placeholderText()
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save()
    assert ctx.secrets.get("chat-api-key") == "sk-old"

    dialog = _dialog(qtbot, backend, tasks)
    qtbot.waitUntil(lambda: dialog.chat.has_key, timeout=5000)
    dialog.chat.forget_key.setChecked(True)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save()
    assert ctx.secrets.get("chat-api-key") is None


def test_bad_values_are_refused_before_saving(qtbot, ctx, backend, tasks) -> None:
    dialog = _dialog(qtbot, backend, tasks)
    dialog.excluded_titles.setPlainText("([unclosed")
    dialog.save()
    assert "not a regular expression" in dialog.error.text()
    dialog.excluded_titles.setPlainText("")
    dialog.chat.base_url.setText("http://localhost:11434/v1")
    dialog.save()
    assert "enter the model name" in dialog.error.text()
    assert not ctx.paths.config_file.exists()


def test_test_connection_calls_the_model(qtbot, backend, tasks) -> None:
    server = FakeOpenAI(
        [{"tool_calls": [{"name": "reply", "arguments": {"text": "OK"}}]}],
        models=["llama3.2", "qwen2.5"],
    )
    try:
        dialog = _dialog(qtbot, backend, tasks)
        dialog.chat.base_url.setText(server.url)
        dialog.chat.model.setText("llama3.2")
        with qtbot.waitSignal(dialog.chat.tested, timeout=10_000) as blocker:
            dialog.chat.test_button.click()
        assert blocker.args[0] is True
        assert "llama3.2 answers and calls tools" in dialog.chat.result.text()
        assert server.requests[0]["model"] == "llama3.2"
        assert dialog.chat.models.currentText() == "llama3.2"
    finally:
        server.close()


def test_a_preset_fills_the_url_and_the_served_models_can_be_picked(qtbot, backend, tasks) -> None:
    server = FakeOpenAI(
        [{"tool_calls": [{"name": "reply", "arguments": {"text": "OK"}}]}],
        models=["qwen2.5:0.5b", "llama3.2"],
    )
    try:
        dialog = _dialog(qtbot, backend, tasks)
        box = dialog.memory
        assert box.preset.currentText() == "Offline (no model)"
        box.preset.setCurrentIndex(box.preset.findText("Ollama"))
        box.preset.activated.emit(box.preset.currentIndex())
        assert box.base_url.text() == "http://localhost:11434/v1"
        box.base_url.setText(server.url)
        box.base_url.textEdited.emit(server.url)
        assert box.preset.currentText() == "Custom…"
        # No model yet: Test connection lists what is served.
        with qtbot.waitSignal(box.tested, timeout=10_000) as blocker:
            box.test_button.click()
        assert blocker.args[0] is False and "2 models served" in blocker.args[1]
        assert [box.models.itemText(i) for i in range(box.models.count())] == [
            "llama3.2",
            "qwen2.5:0.5b",
        ]
        box.models.setCurrentIndex(1)
        box.models.activated.emit(1)
        assert box.model.text() == "qwen2.5:0.5b"
        with qtbot.waitSignal(box.tested, timeout=10_000) as blocker:
            box.test_button.click()
        assert blocker.args[0] is True
        # A model the server does not serve is named as missing.
        box.model.setText("mistral")
        with qtbot.waitSignal(box.tested, timeout=10_000) as blocker:
            box.test_button.click()
        assert blocker.args[0] is False
        assert box.result.text().startswith("Model missing:")
    finally:
        server.close()


def test_test_connection_reports_a_failure(qtbot, backend, tasks) -> None:
    dialog = _dialog(qtbot, backend, tasks)
    dialog.memory.base_url.setText("http://127.0.0.1:9/v1")  # nothing listens there
    dialog.memory.model.setText("qwen2.5")
    with qtbot.waitSignal(dialog.memory.tested, timeout=30_000) as blocker:
        dialog.memory.test_button.click()
    assert blocker.args[0] is False
    assert dialog.memory.result.text().startswith("Connection refused:")


def test_model_status_is_shown(qtbot, backend, tasks) -> None:
    dialog = _dialog(qtbot, backend, tasks)
    assert dialog.text_model.text().startswith("not available")
    assert "turned off in settings" in dialog.text_model.text()
    assert "turned off in settings" in dialog.clip_model.text()
    assert "encrypted file" in dialog.secrets_label.text()
    assert dialog.data_dir.isReadOnly()
    assert dialog.data_dir.text() == str(backend.paths.data_dir)


def test_saved_capture_settings_apply_without_a_restart(qtbot, ctx, controller) -> None:
    from mirix_desktop.config.consent import record_consent

    record_consent(ctx.paths)
    with qtbot.waitSignal(controller.capture_started, timeout=10_000):
        controller.start()
    before = controller.runtime._schedule
    assert before is not None and before.interval_s == 3600
    dialog = controller.open_settings()
    qtbot.waitSignal(dialog.models_checked, timeout=10_000).wait()
    dialog.excluded_apps.setPlainText("firefox")
    with qtbot.waitSignal(controller.capture_reconfigured, timeout=10_000):
        dialog.save()
    after = controller.runtime._schedule
    assert after is not None and after is not before
    assert controller.runtime.running
    from mirix_desktop.pipeline.capture.window import ActiveWindow

    assert controller.runtime.capturer().privacy.excluded(ActiveWindow(app="firefox", title="x"))


def test_a_chat_model_saved_in_settings_answers_the_next_question(
    qtbot, controller, fake_server
) -> None:
    # The chat page starts offline (retrieval answers); after the chat model is saved
    # in the dialog, the next question goes to that model without a restart.
    assert controller.window.chat_widget is controller.chat
    chat = controller.chat
    chat.input.setText("anything about invoices?")
    with qtbot.waitSignal(chat.answered, timeout=20_000) as offline:
        chat.ask_button.click()
    assert fake_server.requests == [] and offline.args[0].topic

    dialog = controller.open_settings()
    qtbot.waitSignal(dialog.models_checked, timeout=10_000).wait()
    dialog.chat.base_url.setText(fake_server.url)
    dialog.chat.model.setText("chat-model")
    with qtbot.waitSignal(controller.settings_changed, timeout=10_000):
        dialog.save()
    fake_server.script = [
        {"tool_calls": [{"name": "update_topic", "arguments": {"topic": "invoices"}}]},
        {"content": "Nothing about invoices yet."},
    ]
    chat.input.setText("anything about invoices?")
    with qtbot.waitSignal(chat.answered, timeout=20_000) as online:
        chat.ask_button.click()
    assert online.args[0].answer == "Nothing about invoices yet."
    assert [r["model"] for r in fake_server.requests] == ["chat-model", "chat-model"]


def test_the_data_folder_moves_and_the_app_starts_again_on_it(qtbot, ctx, tmp_path) -> None:
    from mirix_desktop.config.consent import record_consent
    from mirix_desktop.ui.controller import AppController
    from tests.helpers import add_frame

    fact = ctx.store.add("semantic", {"summary": "the spare key is under the blue pot"})
    fid = add_frame(ctx, "Boarding pass LX 318", app="firefox")
    record_consent(ctx.paths)
    controller = AppController(ctx, confirm_forget=False, confirm_move=False)
    try:
        with qtbot.waitSignal(controller.capture_started, timeout=10_000):
            controller.start()
        dialog = controller.open_settings()
        target = tmp_path / "moved data"
        percents: list[int] = []
        controller.data_move.progress.connect(percents.append)
        with qtbot.waitSignal(controller.restart_requested, timeout=30_000):
            dialog.move_requested.emit(target)  # what choosing a folder with Move… sends
        assert percents and percents[-1] == 100
        assert not controller.runtime.running  # nothing writes to the old folder any more
        old = ctx.paths.data_dir
        controller.poll_status()  # late readers must not bring files back to the old folder
        controller.background.absorb()
        qtbot.wait(500)
        assert [p.name for p in old.rglob("*") if p.is_file()] == []
    finally:
        controller.shutdown()
        controller.window.close()
        controller.window.deleteLater()
    moved = open_context()
    assert moved.paths.data_dir == target.resolve()
    assert moved.store.get(fact.id).data.summary == "the spare key is under the blue pot"
    assert [f.id for f in moved.store.frames([fid])] == [fid]
    moved.close()


def test_moving_into_a_folder_that_is_not_empty_is_refused(qtbot, ctx, tmp_path) -> None:
    from mirix_desktop.ui.controller import AppController

    ctx.store.add("semantic", {"summary": "x"})
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    controller = AppController(ctx, confirm_forget=False, confirm_move=False)
    try:
        with qtbot.waitSignal(controller.error, timeout=10_000) as error:
            controller.data_move.start(busy)
        assert "not empty" in error.args[0]
        assert ctx.store.counts()["semantic"] == 1
    finally:
        controller.shutdown()
        controller.window.close()
        controller.window.deleteLater()


def test_only_what_was_changed_is_saved(qtbot, ctx, backend, tasks) -> None:
    # MIRIX_CAPTURE__INTERVAL_S=3600 (this suite's environment) is what the dialog shows;
    # saving another change must not write that override into the file.
    from mirix_desktop.config.settings import load_settings

    dialog = _dialog(qtbot, backend, tasks)
    assert dialog.interval.value() == 3600
    dialog.excluded_apps.setPlainText("keepassxc\nsignal")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save()
    stored = load_settings(ctx.paths, environ={})
    assert stored.capture.excluded_apps == ["keepassxc", "signal"]
    assert stored.capture.interval_s == 2.0  # the default, not the environment's 3600
