"""The app runs the MCP HTTP server in the background when the tray's entry is on."""

from __future__ import annotations

import asyncio
import socket
import tomllib
from typing import Any

import pytest

from mirix_desktop.config.consent import record_consent
from mirix_desktop.ui.tray import MCP_LABEL


async def _recent(url: str, token: str) -> dict[str, Any]:
    import json

    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    async with (
        create_mcp_http_client(headers={"Authorization": f"Bearer {token}"}) as http,
        streamable_http_client(url, http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        result = await session.call_tool("recent_context", {"minutes": 5})
        assert not result.is_error, result.content
        data: dict[str, Any] = json.loads(result.content[0].text)
        return data


def test_the_tray_entry_starts_and_stops_the_server(
    qtbot, controller, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MIRIX_MCP__HTTP_PORT", "0")  # any free port
    from tests.helpers import add_frame

    add_frame(controller.ctx, "Quarterly report draft", app="writer", title="report.odt")
    record_consent(controller.ctx.paths)
    controller.start()
    tray, service = controller.tray, controller.mcp_http
    assert not tray.mcp_action.isChecked() and service.server is None  # off by default

    tray.mcp_action.trigger()
    qtbot.waitUntil(lambda: service.server is not None, timeout=20_000)
    url = service.url
    assert url is not None and url.startswith("http://127.0.0.1:")
    assert tray.mcp_action.isChecked() and url in tray.mcp_action.text()
    config = controller.ctx.paths.config_file
    assert tomllib.loads(config.read_text())["mcp"]["http_in_app"] is True
    token = controller.ctx.secrets.get("mcp-http-token")
    assert token

    recent = asyncio.run(_recent(url, token))
    assert recent["capture_paused"] is False

    port = int(url.split(":")[2].split("/")[0])
    tray.mcp_action.trigger()
    qtbot.waitUntil(
        lambda: service.server is None and not tray.mcp_action.isChecked(), timeout=10_000
    )
    assert tray.mcp_action.text() == MCP_LABEL
    qtbot.waitUntil(lambda: tomllib.loads(config.read_text())["mcp"]["http_in_app"] is False)

    def refused() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        except OSError:
            return True
        return False

    qtbot.waitUntil(refused, timeout=10_000)
