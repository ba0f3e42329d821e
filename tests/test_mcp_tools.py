"""The MCP server's filters, paging, context resource, prompts and request checks,
through the SDK's own client over stdio (the server a subprocess, as clients start it)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from agents.store import ChatTurn
from agents.store.timeutil import now
from mirix_desktop.services.context import open_context
from tests.test_mcp import _data, _env, _run, _text, filled  # noqa: F401 - filled: a fixture

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def chatted(filled: dict[str, str]) -> dict[str, str]:  # noqa: F811
    """``filled`` plus a saved conversation about a hotel in Lisbon."""
    ctx = open_context()
    t = now() - timedelta(minutes=30)
    turns = [
        ("user", "Which hotel did we pick in Lisbon for the conference?"),
        ("assistant", "The Hotel Avenida Palace, three nights from the 12th."),
        ("user", "Good, remind me to ask for a quiet room on the courtyard side."),
    ]
    ctx.store.add_chat_turns(
        [
            ChatTurn(
                id=f"turn-{i}",
                conversation_id="conv-lisbon",
                speaker=role,
                text=text,
                created_at=t + timedelta(seconds=i),
            )
            for i, (role, text) in enumerate(turns)
        ]
    )
    ctx.close()
    return {**filled, "conversation": "conv-lisbon"}


def test_search_filters_by_kind_app_and_window_and_pages(
    home: Path, chatted: dict[str, str]
) -> None:
    async def body(client: Any) -> None:
        async def search(**args: Any) -> dict[str, Any]:
            return _data(await client.call_tool("search_memories", args))

        screens = await search(query="Lisbon", kinds=["screens"])
        assert screens["hits"] and {h["type"] for h in screens["hits"]} == {"frame"}
        chat = await search(query="hotel Lisbon", kinds=["chat"])
        assert chat["hits"] and {h["type"] for h in chat["hits"]} == {"chat"}
        memories = await search(query="Lisbon flight", kinds=["memories"])
        assert {h["type"] for h in memories["hits"]} <= {
            "core",
            "episodic",
            "semantic",
            "procedural",
            "resource",
            "knowledge_vault",
        }
        assert chatted["event"] in [h["id"] for h in memories["hits"]]
        both = await search(query="Lisbon", kinds=["chat"], types=["frame"])
        assert {h["type"] for h in both["hits"]} == {"chat", "frame"}

        # app: any case; only that app's hits.
        code = await search(query="absorb batch agents", app="Code")
        assert [h["id"] for h in code["hits"]] == [chatted["editor"]]
        assert (await search(query="absorb batch agents", app="FIREFOX"))["hits"] == []
        fox = await search(query="Lisbon LX 318 def absorb", app="FIREFOX", kinds=["screens"])
        assert {h["app"] for h in fox["hits"]} == {"firefox"}
        assert {chatted["flight"], chatted["flight2"]} <= {h["id"] for h in fox["hits"]}
        unfiltered = await search(query="Lisbon LX 318 def absorb", kinds=["screens"])
        assert chatted["editor"] in {h["id"] for h in unfiltered["hits"]}
        # window: frames with the title, and the memories made from them.
        checkout = await search(query="LX 318 card Lisbon", window="checkout")
        assert [h["id"] for h in checkout["hits"]] == [chatted["card"]]
        flights = await search(query="LX 318 Lisbon", window="FLIGHTS")
        ids = {h["id"] for h in flights["hits"]}
        assert {chatted["flight"], chatted["flight2"], chatted["event"]} <= ids
        assert chatted["card"] not in ids

        # offset pages through the same ranking without repeats.
        everything = await search(query="Lisbon", k=50)
        assert len(everything["hits"]) >= 4 and everything["next_offset"] is None
        first = await search(query="Lisbon", k=2)
        second = await search(query="Lisbon", k=2, offset=first["next_offset"])
        assert first["next_offset"] == 2 and second["offset"] == 2
        paged = [h["id"] for h in first["hits"] + second["hits"]]
        assert paged == [h["id"] for h in everything["hits"][:4]]
        past = await search(query="Lisbon", k=5, offset=len(everything["hits"]))
        assert past["hits"] == [] and past["next_offset"] is None

    _run(home, body)


def test_activity_and_recent_context_by_app(home: Path, chatted: dict[str, str]) -> None:
    async def body(client: Any) -> None:
        since = (now() - timedelta(hours=1)).isoformat()
        fox = _data(await client.call_tool("list_activity", {"since": since, "app": "Firefox"}))
        assert fox["frames"] == 3 and {g["app"] for g in fox["groups"]} == {"firefox"}
        assert [e["id"] for e in fox["events"]] == [chatted["event"]]  # made from its frame
        code = _data(await client.call_tool("list_activity", {"since": since, "app": "code"}))
        assert code["frames"] == 1 and code["events"] == []
        recent = _data(await client.call_tool("recent_context", {"minutes": 30, "app": "CODE"}))
        assert [g["app"] for g in recent["groups"]] == ["code"]
        assert "def absorb" in recent["groups"][0]["latest_text"]
        nothing = _data(await client.call_tool("recent_context", {"app": "gimp"}))
        assert nothing["frames"] == 0 and nothing["groups"] == []

    _run(home, body)


def test_context_resource_gives_the_time_and_ranges(home: Path) -> None:
    seen: dict[str, Any] = {}

    async def body(client: Any) -> None:
        listed = (await client.list_resources()).resources
        assert [(str(r.uri), r.name, r.mime_type) for r in listed] == [
            ("mirix://context", "context", "application/json")
        ]
        before = datetime.now().astimezone()
        read = await client.read_resource("mirix://context")
        seen["data"] = json.loads(read.contents[0].text)
        seen["before"] = before

    _run(home, body)
    data = seen["data"]
    current = datetime.fromisoformat(data["now"])
    assert current.tzinfo is not None and abs(current - seen["before"]) < timedelta(seconds=30)
    assert data["time_zone"] and data["utc_offset"][0] in "+-"
    ranges = {
        k: {e: datetime.fromisoformat(v) for e, v in r.items()} for k, r in data["ranges"].items()
    }
    assert set(ranges) == {"today", "yesterday", "this_week", "last_week", "last_hour"}
    today = ranges["today"]["since"]
    assert (today.hour, today.minute, today.date()) == (0, 0, current.date())
    assert ranges["yesterday"]["until"] == today
    assert ranges["this_week"]["since"].weekday() == 0 and ranges["this_week"]["since"] <= today
    assert ranges["last_week"]["until"] == ranges["this_week"]["since"]


def test_prompts(home: Path, chatted: dict[str, str]) -> None:
    async def body(client: Any) -> None:
        prompts = {p.name: p for p in (await client.list_prompts()).prompts}
        assert set(prompts) == {"what_did_i_do_today", "find_in_app", "summarise_conversation"}
        assert [a.name for a in prompts["find_in_app"].arguments] == ["app", "what"]

        today = await client.get_prompt("what_did_i_do_today", {})
        text = today.messages[0].content.text
        midnight = datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
        assert "list_activity" in text and f"since={midnight.isoformat()}" in text

        find = await client.get_prompt("find_in_app", {"app": "firefox", "what": "seat 14C"})
        text = find.messages[0].content.text
        assert '"app": "firefox"' in text and '"query": "seat 14C"' in text

        by_id = await client.get_prompt("summarise_conversation", {"conversation": "conv-lisbon"})
        text = by_id.messages[0].content.text
        assert "conv-lisbon, 3 turns" in text and "Hotel Avenida Palace" in text
        assert text.index("Which hotel") < text.index("quiet room")  # oldest first
        by_words = await client.get_prompt("summarise_conversation", {"conversation": "quiet room"})
        assert "conv-lisbon, 3 turns" in by_words.messages[0].content.text
        with pytest.raises(Exception, match="no conversation"):
            await client.get_prompt("summarise_conversation", {"conversation": "conv-none-such"})

    _run(home, body)


def test_unknown_arguments_are_refused_and_the_schemas_say_so(
    home: Path,
    filled: dict[str, str],  # noqa: F811
) -> None:
    async def body(client: Any) -> None:
        for tool in (await client.list_tools()).tools:
            assert tool.input_schema["additionalProperties"] is False, tool.name
        typo = await client.call_tool("search_memories", {"query": "Lisbon", "limit": 3})
        assert typo.is_error
        assert "search_memories takes no argument 'limit'" in _text(typo)
        assert "k, offset" in _text(typo)  # what it does take
        extra = await client.call_tool("recent_context", {"minutes": 5, "since": "x", "app": "a"})
        assert extra.is_error and "'since'" in _text(extra)
        assert not (await client.call_tool("search_memories", {"query": "Lisbon"})).is_error

    _run(home, body)


def test_a_lone_surrogate_gets_an_error_reply(home: Path, filled: dict[str, str]) -> None:  # noqa: F811
    """Raw JSON-RPC: ``\\ud800`` in an argument, a tool name and a prompt argument."""
    lines = [
        '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",'
        '"capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}',
        '{"jsonrpc":"2.0","method":"notifications/initialized"}',
        '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"search_memories",'
        '"arguments":{"query":"Lis\\ud800bon"}}}',
        '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"x\\udfff",'
        '"arguments":{}}}',
        '{"jsonrpc":"2.0","id":"p","method":"prompts/get","params":{"name":"find_in_app",'
        '"arguments":{"app":"\\ud83d","what":"x"}}}',
        '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"search_memories",'
        '"arguments":{"query":"Lisbon \\ud83d\\ude00"}}}',  # a whole pair is fine
    ]
    proc = subprocess.Popen(
        [sys.executable, "-m", "mirix_desktop.cli", "mcp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"PATH": "/usr/bin:/bin", **_env(home)},
        cwd=str(ROOT),
    )
    assert proc.stdin is not None and proc.stdout is not None
    replies: dict[Any, Any] = {}
    try:
        for line in lines:
            proc.stdin.write(line + "\n")
            proc.stdin.flush()
            if '"id"' in line:  # each request's answer before the next one
                reply = json.loads(proc.stdout.readline())
                replies[reply["id"]] = reply
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()
        proc.wait()
    for rid, where in (
        (2, "params.arguments.query"),
        (3, "params.name"),
        ("p", "params.arguments.app"),
    ):
        error = replies[rid]["error"]
        assert error["code"] == -32602 and error["message"].startswith(where), replies[rid]
        assert "not valid Unicode" in error["message"]
    assert replies[4]["result"]["isError"] is False


@pytest.fixture
def berlin(monkeypatch: pytest.MonkeyPatch) -> Any:
    import time

    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.skipif(sys.platform == "win32", reason="time.tzset is POSIX only")
def test_ranges_take_each_days_own_offset(berlin: Any) -> None:
    """The Tuesday after summer time ended (2026-10-25): last week began at +02:00."""
    from mirix_desktop.services.mcp_protocol import time_context

    data = time_context(datetime(2026, 10, 27, 9, 30).astimezone())
    assert data["now"] == "2026-10-27T09:30:00+01:00" and data["utc_offset"] == "+01:00"
    assert data["weekday"] == "Tuesday"
    ranges = data["ranges"]
    assert ranges["today"]["since"] == "2026-10-27T00:00:00+01:00"
    assert ranges["yesterday"] == {
        "since": "2026-10-26T00:00:00+01:00",
        "until": "2026-10-27T00:00:00+01:00",
    }
    assert ranges["this_week"]["since"] == "2026-10-26T00:00:00+01:00"
    assert ranges["last_week"] == {
        "since": "2026-10-19T00:00:00+02:00",
        "until": "2026-10-26T00:00:00+01:00",
    }
