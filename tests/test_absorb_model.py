"""The absorb step with a memory model, against the fake OpenAI-compatible server."""

from __future__ import annotations

import json
import socket
import time

import pytest

from agents.store import MemoryType
from mirix_desktop.services.context import open_context
from tests.helpers import add_frame, add_turns

META = "meta memory agent"
EPI = "episodic memory agent"
SEM = "semantic memory agent"
CORE = "core memory agent"
VAULT = "knowledge vault memory agent"


def choose(*types: str, when: str = META) -> dict:
    return {
        "when": when,
        "tool_calls": [{"name": "choose_memory_types", "arguments": {"types": list(types)}}],
    }


def call(when: str, name: str, arguments: dict | str, **extra) -> dict:
    return {"when": when, "tool_calls": [{"name": name, "arguments": arguments}], **extra}


def done(when: str) -> dict:
    return call(when, "done", {})


@pytest.fixture
def mctx(fake, monkeypatch):
    monkeypatch.setenv("MIRIX_MEMORY_MODEL__BASE_URL", fake.url)
    monkeypatch.setenv("MIRIX_MEMORY_MODEL__MODEL", "memory-model")
    monkeypatch.setenv("MIRIX_MEMORY_MODEL__MAX_RETRIES", "1")
    monkeypatch.setenv("MIRIX_MEMORY_MODEL__TIMEOUT_S", "5")
    ctx = open_context()
    yield ctx
    ctx.close()


def memories(ctx, mtype) -> list:
    return ctx.store.list_memories(mtype)


def test_the_meta_agent_routes_to_the_chosen_types_only(fake, mctx) -> None:
    ids = add_turns(mctx, "I booked flight LX 318 to Lisbon for Friday.")
    fake.script = [
        choose("episodic"),
        call(
            EPI,
            "insert_memory",
            {"summary": "Booked flight LX 318 to Lisbon", "event_type": "travel"},
        ),
        done(EPI),
    ]
    report = mctx.absorb_job().absorb()
    assert report.items_done == 1 and report.items_failed == 0
    # The meta-agent was asked first, with the forced tool call and the batch.
    first = fake.requests[0]
    assert first["tool_choice"]["function"]["name"] == "choose_memory_types"
    assert ids[0] in json.dumps(first["messages"])
    assert fake.prompts(EPI) and not fake.prompts(SEM) and not fake.prompts(VAULT)
    [event] = memories(mctx, MemoryType.EPISODIC)
    assert event.data.summary == "Booked flight LX 318 to Lisbon"
    assert event.source_ids == ids  # the batch's items, though the model named none
    assert mctx.inbox.counts() == {"pending": 0, "failing": 0, "done": 1}


def test_memory_agents_run_in_parallel(fake, mctx) -> None:
    add_turns(mctx, "Alice is my sister. Yesterday I met her in Porto.")
    fake.script = [
        choose("episodic", "semantic"),
        call(EPI, "insert_memory", {"summary": "Met Alice in Porto"}, delay=1.0),
        call(
            SEM,
            "insert_memory",
            {"name": "Alice", "summary": "Alice is the user's sister"},
            delay=1.0,
        ),
        done(EPI),
        done(SEM),
    ]
    started = time.monotonic()
    mctx.absorb_job().absorb()
    took = time.monotonic() - started
    assert fake.max_in_flight == 2
    assert took < 1.9, f"two 1 s agents took {took:.1f} s: they did not overlap"
    assert len(memories(mctx, MemoryType.EPISODIC)) == 1
    assert len(memories(mctx, MemoryType.SEMANTIC)) == 1


def test_the_agent_sees_related_items_and_merges_instead_of_duplicating(fake, mctx) -> None:
    old = mctx.store.add(
        MemoryType.SEMANTIC, {"name": "Alice", "summary": "Alice works at Acme"}, source_ids=["x1"]
    )
    dup = mctx.store.add(
        MemoryType.SEMANTIC,
        {"name": "Alice", "summary": "Alice is employed by Acme"},
        source_ids=["x2"],
    )
    ids = add_turns(mctx, "Alice left Acme; she works at Globex now.")
    fake.script = [
        choose("semantic"),
        call(
            SEM,
            "merge_memories",
            {
                "keep_id": old.id,
                "other_ids": [dup.id],
                "changes": {"summary": "Alice works at Globex"},
            },
        ),
        done(SEM),
    ]
    mctx.absorb_job().absorb()
    prompt = json.dumps(fake.prompts(SEM)[0]["messages"])
    assert old.id in prompt and dup.id in prompt  # existing items shown with their ids
    [alice] = memories(mctx, MemoryType.SEMANTIC)
    assert alice.id == old.id and alice.data.summary == "Alice works at Globex"
    assert set(alice.source_ids) == {"x1", "x2", *ids}
    assert {h.op for h in mctx.store.history(dup.id)} == {"insert", "merge"}


def test_every_written_memory_cites_its_sources(fake, mctx) -> None:
    fid = add_frame(mctx, "Checkout: card 4111 1111 1111 1111, support@shop.example")
    tid = add_turns(mctx, "That shop's support address is support@shop.example")[0]
    fake.script = [
        choose("knowledge_vault", "resource"),
        call(
            VAULT,
            "insert_memory",
            {
                "entry_type": "email",
                "secret_value": "support@shop.example",
                "caption": "shop support email",
                "sensitivity": "low",
                "source_ids": [tid, fid],
            },
        ),
        done(VAULT),
        call(
            "resource memory agent",
            "insert_memory",
            {"title": "Shop checkout", "resource_type": "web page"},
        ),
        done("resource memory agent"),
    ]
    mctx.absorb_job().absorb()
    written = memories(mctx, MemoryType.KNOWLEDGE_VAULT) + memories(mctx, MemoryType.RESOURCE)
    # The model's two, and the card number on screen, sealed into the vault when the
    # frame's text was stored.
    assert len(written) == 3
    for memory in written:
        assert memory.source_ids and set(memory.source_ids) <= {fid, tid}
    [vault] = [
        m for m in memories(mctx, MemoryType.KNOWLEDGE_VAULT) if m.data.entry_type == "email"
    ]
    assert vault.data.secret_value == "support@shop.example" and vault.data.sensitivity == "low"
    raw = mctx.store._table("knowledge_vault").search().limit(None).to_list()[0]
    assert "support@shop.example" not in json.dumps(raw, default=str)  # encrypted at rest


def test_core_blocks_keep_their_limit(fake, mctx, monkeypatch) -> None:
    monkeypatch.setenv("MIRIX_ABSORB__CORE_LIMIT", "100")
    ctx = open_context()
    add_turns(ctx, "I'm Sam, a nurse in Leeds; I prefer short answers and metric units.")
    long_fact = (
        "Sam is a nurse who lives in Leeds and works night shifts at the general hospital " * 2
    )
    fake.script = [
        choose("core"),
        call(CORE, "core_append", {"label": "human", "text": long_fact}),
        call(
            CORE, "core_rewrite", {"label": "human", "value": "Sam; nurse in Leeds; short answers"}
        ),
        done(CORE),
    ]
    ctx.absorb_job().absorb()
    [block] = [m for m in memories(ctx, MemoryType.CORE) if m.data.label == "human"]
    assert block.data.value == "Sam; nurse in Leeds; short answers"
    assert block.data.char_limit == 100
    second = fake.prompts(CORE)[1]["messages"]
    assert "its limit is 100" in second[-1]["content"]  # the error went back to the model
    ctx.close()


def test_a_tool_call_printed_as_text_is_recognised(fake, mctx) -> None:
    add_turns(mctx, "Remember: the wifi password at the cabin is on the fridge.")
    fake.script = [
        {
            "when": META,
            "content": "Here you go:\n```json\n"
            + json.dumps({"name": "choose_memory_types", "arguments": {"types": ["semantic"]}})
            + "\n```",
        },
        {
            "when": SEM,
            "content": "<tool_call>"
            + json.dumps(
                {
                    "name": "insert_memory",
                    "arguments": {"summary": "Cabin wifi password is on the fridge"},
                }
            )
            + "</tool_call>",
        },
        done(SEM),
    ]
    report = mctx.absorb_job().absorb()
    assert report.items_done == 1
    [fact] = memories(mctx, MemoryType.SEMANTIC)
    assert fact.data.summary == "Cabin wifi password is on the fridge"


def test_invalid_arguments_are_corrected_after_one_round(fake, mctx) -> None:
    add_turns(mctx, "Note that the Berlin office moved to Alexanderplatz 1.")
    fake.script = [
        choose("semantic"),
        call(SEM, "insert_memory", {"name": "Berlin office"}),  # summary missing
        call(SEM, "insert_memory", {"name": "Berlin office", "summary": "At Alexanderplatz 1"}),
        done(SEM),
    ]
    report = mctx.absorb_job().absorb()
    assert report.items_done == 1
    second = fake.prompts(SEM)[1]["messages"]
    assert second[-1]["role"] == "tool" and "summary" in second[-1]["content"]
    [fact] = memories(mctx, MemoryType.SEMANTIC)
    assert fact.data.summary == "At Alexanderplatz 1"


def test_unknown_tools_twice_keep_the_batch_with_its_reason(fake, mctx) -> None:
    add_turns(mctx, "Some chatter.")
    fake.script = [
        choose("semantic"),
        call(SEM, "store_fact", {"text": "x"}),
        call(SEM, "store_fact", {"text": "x"}),
    ]
    report = mctx.absorb_job().absorb()
    assert report.items_failed == 1
    [failure] = mctx.inbox.failing()
    assert "unknown tool 'store_fact'" in failure.error and failure.attempts == 1
    assert mctx.inbox.counts()["pending"] == 1


def test_a_model_that_answers_nothing_leaves_items_pending(fake, mctx) -> None:
    add_turns(mctx, "Hello there.")
    fake.script = [{"when": META, "content": ""}]
    report = mctx.absorb_job().absorb()
    assert report.items_failed == 1 and mctx.inbox.counts()["pending"] == 1
    assert "answered nothing" in mctx.inbox.failing()[0].error


def test_choosing_no_types_absorbs_the_batch_without_writes(fake, mctx) -> None:
    add_turns(mctx, "ok")
    fake.script = [choose()]
    report = mctx.absorb_job().absorb()
    assert report.items_done == 1 and report.writes == 0
    assert len(fake.requests) == 1


def _doctor(capsys) -> str:
    from mirix_desktop.cli import main

    assert main(["doctor"]) == 0
    return capsys.readouterr().out


def test_a_timeout_leaves_items_pending_and_reported(fake, mctx, capsys, monkeypatch) -> None:
    monkeypatch.setenv("MIRIX_MEMORY_MODEL__TIMEOUT_S", "0.5")
    ctx = open_context()
    add_turns(ctx, "Meeting with Bo at 4.")
    fake.script = [{"delay": 1.5, "content": ""}, {"delay": 1.5, "content": ""}]
    report = ctx.absorb_job().absorb()
    assert report.items_failed == 1 and ctx.inbox.counts()["pending"] == 1
    assert "ModelUnavailable" in report.errors[0]
    out = _doctor(capsys)
    assert "1 waiting (1 failing)" in out and "timed out" in out.lower()


def test_a_429_storm_leaves_items_pending_and_reported(fake, mctx, capsys) -> None:
    add_turns(mctx, "Pay the rent on Monday.")
    fake.script = [{"status": 429}] * 5
    report = mctx.absorb_job().absorb()
    assert report.items_failed == 1
    [failure] = mctx.inbox.failing()
    assert "RateLimitError" in failure.error and failure.next_try_at > time.time()
    assert "again in" in _doctor(capsys)


def test_a_dead_endpoint_leaves_items_pending_and_reported(monkeypatch, capsys) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("MIRIX_MEMORY_MODEL__BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("MIRIX_MEMORY_MODEL__MODEL", "m")
    monkeypatch.setenv("MIRIX_MEMORY_MODEL__MAX_RETRIES", "0")
    ctx = open_context()
    add_turns(ctx, "Dentist on Tuesday.")
    report = ctx.absorb_job().absorb()
    assert report.items_failed == 1 and ctx.inbox.counts()["pending"] == 1
    assert "APIConnectionError" in ctx.inbox.failing()[0].error
    assert "1 failing" in _doctor(capsys)
    ctx.close()


def test_a_retried_batch_writes_nothing_twice(fake, mctx) -> None:
    add_turns(mctx, "I finished the quarterly report and sent it to Dana.")
    insert = call(EPI, "insert_memory", {"summary": "Sent the quarterly report to Dana"})
    fake.script = [
        choose("episodic", "semantic"),
        insert,
        done(EPI),
        call(SEM, "bogus", {}),
        call(SEM, "bogus", {}),  # the semantic agent fails: the batch is kept
    ]
    assert mctx.absorb_job().absorb().items_failed == 1
    assert memories(mctx, MemoryType.EPISODIC) == []  # rolled back with the failed batch
    mctx.inbox._db.execute("UPDATE items SET next_try_at = 0")  # the backoff has passed
    fake.script = [
        choose("episodic", "semantic"),
        insert,
        done(EPI),
        call(
            SEM, "insert_memory", {"name": "Dana", "summary": "Dana receives the quarterly report"}
        ),
        done(SEM),
    ]
    assert mctx.absorb_job().absorb().items_done == 1
    assert len(memories(mctx, MemoryType.EPISODIC)) == 1  # not twice
    assert len(memories(mctx, MemoryType.SEMANTIC)) == 1


def test_frames_go_to_a_vision_model_as_images(fake, monkeypatch) -> None:
    monkeypatch.setenv("MIRIX_MEMORY_MODEL__BASE_URL", fake.url)
    monkeypatch.setenv("MIRIX_MEMORY_MODEL__MODEL", "vision-model")
    monkeypatch.setenv("MIRIX_MEMORY_MODEL__VISION", "true")
    ctx = open_context()
    fid = add_frame(ctx, "Boarding pass LX 318 gate B12")
    fake.script = [choose()]
    ctx.absorb_job().absorb()
    content = fake.requests[0]["messages"][1]["content"]
    kinds = [part["type"] for part in content]
    assert "image_url" in kinds and content[2]["image_url"]["url"].startswith("data:image/jpeg")
    assert fid in content[0]["text"] and "## Screens in firefox" in content[0]["text"]
    ctx.close()
