"""``mirix-desktop mcp`` through the MCP SDK's own client, over stdio, against a real store.

The server runs as a subprocess exactly as Claude Desktop starts it; the store is
filled beforehand by this process (frames, memories, vault entries).
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from agents.store.timeutil import now
from mirix_desktop.pipeline.capture.ocr import Ocr
from mirix_desktop.services.context import open_context
from tests.helpers import add_frame

CARD = "4111 1111 1111 1111"  # high sensitivity (a card number)
PASSWORD = "Tr0ub4dor&3-horse"  # high, stored by hand in the vault
EMAIL = "rosa.delgado@example.org"  # medium
TOOLS = {"search_memories", "ask", "list_activity", "get_screenshot", "remember", "recent_context"}


def _env(home: Path, **extra: str) -> dict[str, str]:
    return {
        "MIRIX_HOME": str(home),
        "MIRIX_SECRETS__BACKEND": "file",
        "MIRIX_MODELS__TEXT_EMBEDDER": "none",
        "MIRIX_MODELS__CLIP_PROVIDER": "none",
        **extra,
    }


def _client(home: Path, **extra: str) -> Any:
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "mirix_desktop.cli", "mcp"],
        env=_env(home, **extra),
        cwd=str(Path(__file__).resolve().parents[1]),
    )
    return Client(params, read_timeout_seconds=120)


def _run(home: Path, body: Callable[[Any], Awaitable[None]], **extra: str) -> None:
    async def main() -> None:
        async with _client(home, **extra) as client:
            await body(client)

    asyncio.run(main())


def _data(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    return json.loads(result.content[0].text)


def _text(result: Any) -> str:
    return "\n".join(getattr(c, "text", "") for c in result.content)


@pytest.fixture
def filled(home: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A store with frames of two apps, a fact, an event and three vault entries."""
    for key, value in _env(home).items():
        monkeypatch.setenv(key, value)
    ctx = open_context()
    t = now() - timedelta(minutes=5)
    ids = {
        "flight": add_frame(
            ctx, "Booking LX 318 Zurich to Lisbon seat 14C", at=t, title="Flights — Firefox"
        ),
        "flight2": add_frame(
            ctx, "Booking LX 318 confirmed", at=t + timedelta(seconds=20), title="Flights — Firefox"
        ),
        "card": add_frame(
            ctx,
            f"Checkout total 412 EUR card {CARD}",
            at=t + timedelta(minutes=1),
            title="Checkout — Firefox",
        ),
        "editor": add_frame(
            ctx,
            "def absorb(batch): return agents",
            app="code",
            title="absorb.py — VS Code",
            at=t + timedelta(minutes=2),
        ),
    }
    store = ctx.store
    ids["fact"] = store.add(
        "semantic", {"summary": "The dentist appointment is on Friday at 10", "source": "user"}
    ).id
    ids["event"] = store.add(
        "episodic",
        {"summary": "Booked flight LX 318 to Lisbon", "occurred_at": t, "actor": "user"},
        source_ids=[ids["flight"]],
    ).id
    ids["password"] = store.add(
        "knowledge_vault",
        {"caption": "bank login password", "secret_value": PASSWORD, "sensitivity": "high"},
    ).id
    ids["email"] = store.add(
        "knowledge_vault",
        {"caption": "Rosa's email address", "secret_value": EMAIL, "sensitivity": "medium"},
    ).id
    ids["card_entry"] = store.add(
        "knowledge_vault",
        {"caption": "Visa card seen at checkout", "secret_value": CARD, "sensitivity": "high"},
    ).id
    store.optimize()
    ctx.close()
    return ids


def test_lists_six_typed_tools_and_answers_each(home: Path, filled: dict[str, str]) -> None:
    async def body(client: Any) -> None:
        listed = {t.name: t for t in (await client.list_tools()).tools}
        assert set(listed) == TOOLS
        for tool in listed.values():
            assert tool.description and len(tool.description) > 40
            assert tool.input_schema["type"] == "object"
        search_schema = listed["search_memories"].input_schema
        assert search_schema["required"] == ["query"]
        assert search_schema["properties"]["k"]["maximum"] == 50
        assert "knowledge_vault" in json.dumps(search_schema["properties"]["types"])
        assert listed["get_screenshot"].input_schema["required"] == ["frame_id"]

        found = _data(await client.call_tool("search_memories", {"query": "Lisbon flight"}))
        ids = [h["id"] for h in found["hits"]]
        assert filled["event"] in ids and filled["flight"] in ids
        event = next(h for h in found["hits"] if h["id"] == filled["event"])
        assert event["type"] == "episodic" and event["source_ids"] == [filled["flight"]]
        assert {"id", "type", "time", "text", "source_ids"} <= set(event)
        frames_only = _data(
            await client.call_tool(
                "search_memories", {"query": "Lisbon", "types": ["frame"], "k": 1}
            )
        )
        assert len(frames_only["hits"]) == 1 and frames_only["hits"][0]["type"] == "frame"

        answer = _data(await client.call_tool("ask", {"question": "When is the dentist?"}))
        assert answer["offline"] is True
        assert "Friday" in answer["answer"]
        assert filled["fact"] in [c["id"] for c in answer["citations"]]
        assert answer["saved"] and answer["conversation_id"]

        since = (now() - timedelta(hours=1)).isoformat()
        activity = _data(await client.call_tool("list_activity", {"since": since}))
        assert activity["frames"] == 4
        by_window = {(g["app"], g["window_title"]): g for g in activity["groups"]}
        flights = by_window[("firefox", "Flights — Firefox")]
        assert flights["frames"] == 2 and flights["frame_ids"][-1] == filled["flight2"]
        assert ("code", "absorb.py — VS Code") in by_window
        assert [e["id"] for e in activity["events"]] == [filled["event"]]

        shot = await client.call_tool(
            "get_screenshot", {"frame_id": filled["flight"], "max_side": 100}
        )
        assert not shot.is_error
        info = json.loads(shot.content[0].text)
        assert info["app"] == "firefox" and "LX 318" in info["ocr_text"]
        image = shot.content[1]
        assert image.mime_type == "image/jpeg"
        with Image.open(io.BytesIO(base64.b64decode(image.data))) as decoded:
            assert max(decoded.size) == 100  # 320x120 downscaled

        added = _data(
            await client.call_tool(
                "remember", {"text": "Rosa prefers window seats", "type": "semantic"}
            )
        )
        assert added["id"].startswith("sem_")
        again = _data(await client.call_tool("search_memories", {"query": "window seats"}))
        assert added["id"] in [h["id"] for h in again["hits"]]

        recent = _data(await client.call_tool("recent_context", {"minutes": 30}))
        assert recent["capture_paused"] is False
        code = next(g for g in recent["groups"] if g["app"] == "code")
        assert "def absorb" in code["latest_text"]

    _run(home, body)
    # The stored memory and the saved conversation are in the store the app reads.
    ctx = open_context()
    try:
        assert any("window seats" in m.text for m in ctx.store.list_memories("semantic"))
        assert ctx.inbox.waiting(("chat",))[0] == 2  # the question and the answer
    finally:
        ctx.close()


def test_errors_are_mcp_errors(home: Path, filled: dict[str, str]) -> None:
    async def body(client: Any) -> None:
        bad_k = await client.call_tool("search_memories", {"query": "x", "k": 0})
        assert bad_k.is_error and "k" in _text(bad_k)
        missing = await client.call_tool("search_memories", {})
        assert missing.is_error and "query" in _text(missing)
        bad_type = await client.call_tool("search_memories", {"query": "x", "types": ["diary"]})
        assert bad_type.is_error and "types" in _text(bad_type)
        bad_date = await client.call_tool("list_activity", {"since": "whenever"})
        assert bad_date.is_error and "ISO 8601" in _text(bad_date)
        backwards = await client.call_tool(
            "list_activity", {"since": "2026-11-02", "until": "2026-11-01"}
        )
        assert backwards.is_error and "before" in _text(backwards)
        unknown = await client.call_tool("get_screenshot", {"frame_id": "frm_doesnotexist"})
        assert unknown.is_error and "no frame with id 'frm_doesnotexist'" in _text(unknown)
        empty = await client.call_tool("remember", {"text": "   "})
        assert empty.is_error and "empty" in _text(empty)
        no_tool = await client.call_tool("delete_everything", {})
        assert no_tool.is_error and "Unknown tool" in _text(no_tool)
        # The server is still there after every error.
        assert _data(await client.call_tool("recent_context", {}))["frames"] == 4

    _run(home, body)


def _everything(client: Any, filled: dict[str, str]) -> Callable[[], Awaitable[str]]:
    """Every tool's output on queries that reach the vault entries and the card frame."""

    async def collect() -> str:
        since = (now() - timedelta(hours=1)).isoformat()
        calls = [
            ("search_memories", {"query": "password"}),
            ("search_memories", {"query": "email address Rosa"}),
            ("search_memories", {"query": "card checkout", "k": 50}),
            ("search_memories", {"query": "Visa card", "types": ["knowledge_vault"]}),
            ("ask", {"question": "What is Rosa's email address and my bank password?"}),
            ("ask", {"question": "Which card did I use at checkout?"}),
            ("list_activity", {"since": since}),
            ("recent_context", {"minutes": 60}),
            ("get_screenshot", {"frame_id": filled["card"]}),
        ]
        out = []
        for name, args in calls:
            result = await client.call_tool(name, args)
            assert not result.is_error, (name, _text(result))
            out.append(_text(result))
        return "\n".join(out)

    return collect


def test_vault_values_are_withheld(home: Path, filled: dict[str, str]) -> None:
    seen: dict[str, Any] = {}

    async def body(client: Any) -> None:
        seen["text"] = await _everything(client, filled)()
        shot = await client.call_tool("get_screenshot", {"frame_id": filled["card"]})
        seen["shot"] = shot

    _run(home, body)
    text = seen["text"]
    for value in (PASSWORD, EMAIL, CARD, CARD.replace(" ", "")):
        assert value not in text
    assert "[withheld" in text
    assert "Rosa's email address" in text  # the caption is found, only the value is not
    shot = seen["shot"]
    # The screenshot is sent with the card's line painted over: OCR reads no card on it.
    assert json.loads(shot.content[0].text)["image"] == "attached (JPEG)"
    with Image.open(io.BytesIO(base64.b64decode(shot.content[1].data))) as decoded:
        lines = Ocr("accurate").read(decoded.convert("RGB"))
    seen_text = " ".join(line.text for line in lines).replace(" ", "")
    assert "4111" not in seen_text


def test_sharing_lets_medium_values_out_never_high(home: Path, filled: dict[str, str]) -> None:
    seen: dict[str, str] = {}

    async def body(client: Any) -> None:
        seen["text"] = await _everything(client, filled)()
        hits = _data(
            await client.call_tool(
                "search_memories", {"query": "email", "types": ["knowledge_vault"]}
            )
        )["hits"]
        seen["value"] = next(h.get("value") for h in hits if h["id"] == filled["email"])

    _run(home, body, MIRIX_MCP__SHARE_VAULT_VALUES="true")
    assert seen["value"] == EMAIL
    assert PASSWORD not in seen["text"]
    assert CARD not in seen["text"] and CARD.replace(" ", "") not in seen["text"]


def test_paused_capture_records_nothing(home: Path, filled: dict[str, str]) -> None:
    (home / "data" / "capture.paused").touch()

    async def body(client: Any) -> None:
        answer = _data(await client.call_tool("ask", {"question": "When is the dentist?"}))
        assert "Friday" in answer["answer"] and answer["saved"] is False
        refused = await client.call_tool("remember", {"text": "Buy milk"})
        assert refused.is_error and "paused" in _text(refused)
        recent = _data(await client.call_tool("recent_context", {}))
        assert recent["capture_paused"] is True and recent["capture_paused_by"] == "unknown"

    _run(home, body)
    ctx = open_context()
    try:
        assert ctx.inbox.waiting(("chat",))[0] == 0
        assert ctx.store.counts()["chat_turns"] == 0
        assert not any("milk" in m.text for m in ctx.store.list_memories("semantic"))
    finally:
        ctx.close()


def test_stdout_is_protocol_only_and_logs_go_to_the_file(
    home: Path, filled: dict[str, str]
) -> None:
    """A raw JSON-RPC exchange: every line on stdout parses as a JSON-RPC message."""
    import subprocess

    requests = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "raw", "version": "0"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {"name": "get_screenshot", "arguments": {"frame_id": "frm_nope"}},
        },
        {
            "jsonrpc": "2.0",
            "id": 3,
            "method": "tools/call",
            "params": {"name": "search_memories", "arguments": {"query": "Lisbon"}},
        },
    ]
    proc = subprocess.Popen(
        [sys.executable, "-m", "mirix_desktop.cli", "mcp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"PATH": "/usr/bin:/bin", **_env(home)},
        cwd=str(Path(__file__).resolve().parents[1]),
    )
    assert proc.stdin is not None and proc.stdout is not None
    lines = []
    try:
        for request in requests:
            proc.stdin.write(json.dumps(request) + "\n")
            proc.stdin.flush()
            if "id" in request:  # wait for its answer before the next request
                lines.append(json.loads(proc.stdout.readline()))
        proc.stdin.close()
        lines.extend(json.loads(line) for line in proc.stdout.read().splitlines())
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()
        proc.wait()
    assert all(m["jsonrpc"] == "2.0" for m in lines)
    by_id = {m["id"]: m for m in lines if "id" in m}
    assert set(by_id) == {1, 2, 3}
    assert by_id[1]["result"]["serverInfo"]["name"] == "mirix-desktop"
    assert by_id[2]["result"]["isError"] is True
    assert by_id[3]["result"]["isError"] is False
    log = (home / "logs" / "mcp.log").read_text(encoding="utf-8")
    assert "serving over stdio" in log and "frm_nope" in log
