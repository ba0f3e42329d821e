"""The tray's Start at login toggle and the settings dialog's checkbox write and remove the
freedesktop autostart entry, and save the setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from mirix_desktop.services.context import open_context


@pytest.fixture
def entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "autostart" / "mirix-desktop.desktop"


def _saved_setting() -> bool:
    ctx = open_context()
    try:
        return ctx.settings.desktop.start_at_login
    finally:
        ctx.close()


def test_tray_toggle(qtbot, controller, entry: Path) -> None:
    action = controller.tray.login_action
    assert action.isCheckable() and not action.isChecked()
    with qtbot.waitSignal(controller.settings_changed, timeout=10_000):
        action.trigger()
    assert entry.is_file() and action.isChecked() and _saved_setting() is True
    with qtbot.waitSignal(controller.settings_changed, timeout=10_000):
        action.trigger()
    assert not entry.exists() and not action.isChecked() and _saved_setting() is False


def test_settings_checkbox(qtbot, controller, entry: Path) -> None:
    dialog = controller.open_settings()
    qtbot.waitSignal(dialog.models_checked, timeout=10_000).wait()
    dialog.start_at_login.setChecked(True)
    with qtbot.waitSignal(controller.settings_changed, timeout=10_000):
        dialog.save()
    assert entry.is_file()
    assert controller.tray.login_action.isChecked()
