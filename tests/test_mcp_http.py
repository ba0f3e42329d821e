"""``mirix-desktop mcp --http`` through the SDK's own streamable HTTP client.

The server runs as a subprocess exactly as a user starts it; the token is the one
it prints. Requests without it, or with another, are refused; the server is not
reachable on any address but 127.0.0.1; two clients work at once.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_mcp import _data, _env, filled  # noqa: F401 - filled: a fixture

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "mirix_desktop.cli"]


class Running:
    def __init__(self, proc: subprocess.Popen[str], url: str, token: str) -> None:
        self.proc, self.url, self.token = proc, url, token

    @property
    def port(self) -> int:
        return int(self.url.split(":")[2].split("/")[0])


def _start(home: Path, *args: str) -> tuple[subprocess.Popen[str], list[str]]:
    proc = subprocess.Popen(
        [*CLI, "mcp", "--http", "--port", "0", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"PATH": "/usr/bin:/bin", **_env(home)},
        cwd=str(ROOT),
    )
    assert proc.stdout is not None
    lines = [proc.stdout.readline() for _ in range(3)]
    return proc, lines


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    finally:
        proc.kill()


@pytest.fixture
def server(home: Path, filled: dict[str, str]) -> Iterator[Running]:  # noqa: F811
    proc, lines = _start(home)
    try:
        assert lines[0].startswith("MCP over streamable HTTP at http://127.0.0.1:"), lines
        url = lines[0].split(" at ")[1].split()[0]
        assert "shown once" in lines[1]
        token = lines[1].rsplit(": ", 1)[1].strip()
        yield Running(proc, url, token)
    finally:
        _stop(proc)


async def _session(url: str, token: str | None, body: Any) -> Any:
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    headers = {"Authorization": f"Bearer {token}"} if token is not None else None
    async with (
        create_mcp_http_client(headers=headers) as http,
        streamable_http_client(url, http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        return await body(session)


def _post(url: str, headers: dict[str, str], body: str | None = None) -> Any:
    import httpx2

    request = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "raw", "version": "0"},
        },
    }
    return httpx2.post(
        url,
        content=body if body is not None else json.dumps(request),
        headers={
            "content-type": "application/json",
            "accept": "application/json, text/event-stream",
            **headers,
        },
        timeout=30,
    )


def test_the_token_is_required(server: Running, filled: dict[str, str]) -> None:  # noqa: F811
    async def search(session: Any) -> dict[str, Any]:
        tools = {t.name for t in (await session.list_tools()).tools}
        assert "search_memories" in tools and "recent_context" in tools
        return _data(await session.call_tool("search_memories", {"query": "Lisbon", "k": 3}))

    found = asyncio.run(_session(server.url, server.token, search))
    assert filled["event"] in [h["id"] for h in found["hits"]]

    for token in (None, "not-the-token", server.token + "x", server.token.upper()):
        with pytest.raises(Exception) as refused:
            asyncio.run(_session(server.url, token, search))
        assert "Server returned an error response" in repr(refused.value)  # the 401 below
    assert _post(server.url, {}).status_code == 401
    wrong = _post(server.url, {"authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"].startswith("Bearer")
    assert "result" not in wrong.text
    assert _post(server.url, {"authorization": f"Basic {server.token}"}).status_code == 401
    right = _post(server.url, {"authorization": f"Bearer {server.token}"})
    assert right.status_code == 200 and "serverInfo" in right.text
    # A lone surrogate gets an error reply here too (the SDK's parse error).
    odd = _post(
        server.url,
        {"authorization": f"Bearer {server.token}"},
        '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"search_memories",'
        '"arguments":{"query":"a\\ud800b"}}}',
    )
    assert odd.status_code == 400 and odd.json()["error"]["code"] == -32700
    # A page in a browser cannot reach it by another host name (DNS rebinding).
    rebound = _post(
        server.url, {"authorization": f"Bearer {server.token}", "host": "attacker.example"}
    )
    assert rebound.status_code in (400, 403, 421)


def _other_addresses() -> list[str]:
    """Addresses of this machine other than 127.0.0.1 (127.0.0.2 routes here on Linux)."""
    found = {"127.0.0.2"} if sys.platform.startswith("linux") else set()
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.254.254.254", 1))  # no packet is sent; picks the outbound address
        found.add(probe.getsockname()[0])
    except OSError:
        pass
    finally:
        probe.close()
    found.discard("127.0.0.1")
    found.discard("0.0.0.0")
    return sorted(found)


def test_not_reachable_on_another_address(server: Running) -> None:
    others = _other_addresses()
    if not others:
        pytest.skip("this machine has no address but 127.0.0.1")
    for address in others:
        with pytest.raises(OSError):
            socket.create_connection((address, server.port), timeout=5).close()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5):
        pass  # and it is listening


def test_two_clients_at_once(server: Running, filled: dict[str, str]) -> None:  # noqa: F811
    both_in = asyncio.Event()
    inside = 0

    async def client(query: str) -> list[str]:
        async def body(session: Any) -> list[str]:
            nonlocal inside
            inside += 1
            if inside == 2:
                both_in.set()
            await asyncio.wait_for(both_in.wait(), 60)  # both sessions open together
            ids = []
            for _ in range(3):
                found = _data(await session.call_tool("search_memories", {"query": query}))
                ids.append(found["hits"][0]["id"])
            recent = _data(await session.call_tool("recent_context", {"minutes": 30}))
            assert recent["frames"] == 4
            return ids

        result: list[str] = await _session(server.url, server.token, body)
        return result

    async def main() -> tuple[list[str], list[str]]:
        a, b = await asyncio.gather(client("dentist Friday"), client("def absorb"))
        return a, b

    dentist, editor = asyncio.run(main())
    assert dentist == [filled["fact"]] * 3
    assert editor == [filled["editor"]] * 3


def test_token_is_kept_shown_again_and_rotated(home: Path) -> None:
    proc, lines = _start(home)
    _stop(proc)
    first = lines[1].rsplit(": ", 1)[1].strip()
    assert len(first) >= 32

    shown = subprocess.run(
        [*CLI, "mcp", "--show-token"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", **_env(home)},
        cwd=str(ROOT),
        timeout=120,
    )
    assert shown.returncode == 0 and shown.stdout.strip() == first
    proc, lines = _start(home)  # the same token again, not printed this time
    _stop(proc)
    assert first not in "".join(lines) and "--show-token" in lines[1]
    secrets = (home / "config" / "secrets.enc").read_text()
    assert first not in secrets  # kept encrypted

    config = home / "config" / "config.toml"
    config.write_text("[mcp]\nrotate_http_token = true\n")
    proc, lines = _start(home)
    _stop(proc)
    second = lines[1].rsplit(": ", 1)[1].strip()
    assert second != first and len(second) >= 32
    assert "rotate_http_token" not in config.read_text()  # done once
