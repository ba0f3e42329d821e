"""The settings dialog's "Assistants (MCP)" tab: it saves the ``mcp`` section, refuses a
bad port, hands out the bearer token without showing it, and the running app starts,
moves and stops its MCP HTTP server to match what was saved."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import tomllib
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QLineEdit

from mirix_desktop.config.consent import record_consent
from mirix_desktop.config.keystore import SecretStore
from mirix_desktop.services.mcp_transport import http_token
from mirix_desktop.services.preferences import Preferences
from mirix_desktop.ui.settings_dialog import SettingsDialog
from mirix_desktop.ui.settings_mcp import HIDDEN
from mirix_desktop.ui.tray import MCP_LABEL
from tests.test_mcp_http import _post
from tests.ui.test_mcp_http_toggle import _recent


def _dialog(qtbot, backend, tasks) -> SettingsDialog:
    dialog = SettingsDialog(backend, Preferences(backend.ctx), tasks)
    qtbot.addWidget(dialog)
    qtbot.waitSignal(dialog.models_checked, timeout=10_000).wait()
    dialog.tabs.setCurrentWidget(dialog.mcp)
    return dialog


def _save(qtbot, dialog: SettingsDialog) -> None:
    with qtbot.waitSignal(dialog.saved, timeout=15_000):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()


def _save_in_app(qtbot, controller: Any, **values: Any) -> str:
    """Open the app's dialog, enter ``values`` on the MCP tab (in_app, port), save; return
    what the tab said of the server when it opened.

    The dialog lives in this frame only: a test frame kept by an exception cycle (asyncio's)
    would otherwise hold it until a garbage collection on some worker thread frees it there.
    """
    with qtbot.waitSignal(controller.tasks.idle, timeout=15_000):  # its reads are done
        dialog: SettingsDialog = controller.open_settings()
    tab = dialog.mcp
    dialog.tabs.setCurrentWidget(tab)
    state = tab.state.text()
    if "in_app" in values:
        tab.in_app.setChecked(values["in_app"])
    if "port" in values:
        tab.port.setValue(values["port"])
    _save(qtbot, dialog)
    dialog.deleteLater()
    return state


def _texts(dialog: SettingsDialog) -> list[str]:
    """Every text the dialog shows in a label or a line edit."""
    labels = [w.text() for w in dialog.findChildren(QLabel)]
    return labels + [w.text() for w in dialog.findChildren(QLineEdit)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError:
        return True
    return False


def test_saving_the_tab_writes_the_mcp_settings(qtbot, ctx, backend, tasks) -> None:
    dialog = _dialog(qtbot, backend, tasks)
    tab = dialog.mcp
    assert not tab.in_app.isChecked() and not tab.share.isChecked()  # the defaults
    assert tab.url.text() == "http://127.0.0.1:8765/mcp"
    tab.in_app.setChecked(True)
    tab.port.setValue(9123)
    assert tab.url.text() == "http://127.0.0.1:9123/mcp"
    tab.share.setChecked(True)
    _save(qtbot, dialog)

    saved = tomllib.loads(ctx.paths.config_file.read_text())["mcp"]
    assert (saved["http_in_app"], saved["http_port"], saved["share_vault_values"]) == (
        True,
        9123,
        True,
    )
    assert ctx.settings.mcp.share_vault_values is True  # in effect at once

    again = _dialog(qtbot, backend, tasks)  # shows what is saved; 0 is any free port
    assert again.mcp.in_app.isChecked() and again.mcp.port.value() == 9123
    again.mcp.port.setValue(0)
    _save(qtbot, again)
    assert tomllib.loads(ctx.paths.config_file.read_text())["mcp"]["http_port"] == 0


def test_a_port_below_1024_is_refused_and_nothing_is_saved(qtbot, ctx, backend, tasks) -> None:
    dialog = _dialog(qtbot, backend, tasks)
    dialog.mcp.in_app.setChecked(True)
    dialog.mcp.port.setValue(80)
    saved: list[Any] = []
    dialog.saved.connect(saved.append)
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    message = dialog.error.text()
    assert "MCP port 80" in message and "1024 to 65535" in message and "0 for any" in message
    assert dialog.buttons.isEnabled()  # no save under way
    qtbot.wait(300)
    assert saved == []
    config = ctx.paths.config_file
    assert not config.exists() or "mcp" not in tomllib.loads(config.read_text())


def test_the_token_is_copied_without_being_shown(
    qtbot, ctx, backend, tasks, monkeypatch: pytest.MonkeyPatch
) -> None:
    token, _ = http_token(ctx.secrets)
    readers: list[threading.Thread] = []
    original = SecretStore.get

    def recorded(self: SecretStore, name: str) -> str | None:
        readers.append(threading.current_thread())
        return original(self, name)

    monkeypatch.setattr(SecretStore, "get", recorded)
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("something else")
    dialog = _dialog(qtbot, backend, tasks)
    tab = dialog.mcp
    assert tab.token.text() == HIDDEN
    assert not any(token in text for text in _texts(dialog))

    tab.copy_token.click()
    qtbot.waitUntil(lambda: clipboard.text() == token, timeout=10_000)
    assert "Token copied" in tab.note.text()
    assert not any(token in text for text in _texts(dialog))  # copied, still not shown
    assert readers and threading.main_thread() not in readers  # read on a worker

    tab.show_token.click()  # Show: now it is there to read
    qtbot.waitUntil(lambda: tab.token.text() == token, timeout=10_000)
    assert tab.show_token.text() == "Hide"
    tab.show_token.click()
    assert tab.token.text() == HIDDEN
    assert not any(token in text for text in _texts(dialog))


def test_the_stdio_client_config_is_copied(qtbot, ctx, backend, tasks) -> None:
    dialog = _dialog(qtbot, backend, tasks)
    copy = next(
        b for b in dialog.mcp.findChildren(type(dialog.mcp.copy_token)) if "JSON" in b.text()
    )
    copy.click()
    entry = json.loads(QGuiApplication.clipboard().text())["mcpServers"]["mirix"]
    assert entry["args"] == ["--home", str(ctx.paths.home), "mcp"]
    assert entry["command"].endswith("mirix-desktop")


def test_saved_settings_start_move_and_stop_the_server(qtbot, controller) -> None:
    from tests.helpers import add_frame

    ctx = controller.ctx
    add_frame(ctx, "Quarterly report draft", app="writer", title="report.odt")
    record_consent(ctx.paths)
    controller.start()
    tray, service = controller.tray, controller.mcp_http
    assert service.server is None and not tray.mcp_action.isChecked()  # off by default

    first = _free_port()
    assert _save_in_app(qtbot, controller, in_app=True, port=first) == "not running"
    url = f"http://127.0.0.1:{first}/mcp"
    qtbot.waitUntil(lambda: service.url == url, timeout=20_000)
    qtbot.waitUntil(lambda: tray.mcp_action.isChecked(), timeout=10_000)
    assert url in tray.mcp_action.text()
    token = ctx.secrets.get("mcp-http-token")
    assert token
    assert asyncio.run(_recent(url, token))["capture_paused"] is False  # answers with the token
    assert _post(url, {}).status_code == 401  # and not without it

    second = _free_port()  # a new port while it runs: it moves there
    assert _save_in_app(qtbot, controller, port=second) == f"running at {url}"
    moved = f"http://127.0.0.1:{second}/mcp"
    qtbot.waitUntil(lambda: service.url == moved, timeout=20_000)
    qtbot.waitUntil(lambda: _refused(first), timeout=10_000)
    assert asyncio.run(_recent(moved, token))["capture_paused"] is False
    qtbot.waitUntil(lambda: moved in tray.mcp_action.text(), timeout=10_000)

    _save_in_app(qtbot, controller, in_app=False)
    qtbot.waitUntil(
        lambda: service.server is None and not tray.mcp_action.isChecked(), timeout=10_000
    )
    assert tray.mcp_action.text() == MCP_LABEL
    qtbot.waitUntil(lambda: _refused(second), timeout=10_000)
    assert tomllib.loads(ctx.paths.config_file.read_text())["mcp"]["http_in_app"] is False
    qtbot.waitUntil(lambda: controller.tasks.pending == 0, timeout=20_000)  # the stop is done
