"""The store's public verbs: add, get, update, merge, delete, search, history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agents.errors import InvalidInput, NotFound
from agents.store import ChatTurn, MemoryType, SearchOptions
from agents.store.schema import CoreData, ProceduralData, SemanticData


def test_add_and_get_return_typed_memories(ctx) -> None:
    store = ctx.store
    mem = store.add(
        "semantic",
        {"name": "Miso", "summary": "The user's cat, a grey tabby", "source": "chat"},
        source_ids=["turn-2", "turn-1"],
        actor="semantic_agent",
    )
    assert mem.id.startswith("sem_")
    assert mem.type is MemoryType.SEMANTIC
    assert isinstance(mem.data, SemanticData)
    assert mem.source_ids == ["turn-1", "turn-2"]
    again = store.get(mem.id)
    assert again.data == mem.data and again.text == mem.text
    proc = store.add(
        MemoryType.PROCEDURAL,
        ProceduralData(entry_type="workflow", summary="Deploy the site", steps=["build", "push"]),
    )
    assert isinstance(store.get(proc.id).data, ProceduralData)
    assert store.get(proc.id).data.steps == ["build", "push"]  # type: ignore[union-attr]


def test_every_type_can_be_added_and_searched(ctx) -> None:
    store = ctx.store
    samples = {
        "core": {"label": "human", "value": "Name: Ada. Likes rock climbing."},
        "episodic": {
            "summary": "Booked a flight to Lisbon",
            "event_type": "booking",
            "occurred_at": "2026-11-20T09:30:00+00:00",
        },
        "semantic": {"summary": "Lisbon is the capital of Portugal"},
        "procedural": {"summary": "Renew the passport", "steps": ["fill the form", "pay"]},
        "resource": {"title": "Lisbon travel guide", "content": "Trams, tiles and pastries"},
        "knowledge_vault": {"caption": "Airline loyalty number", "secret_value": "TP-991"},
    }
    ids = {t: store.add(t, data).id for t, data in samples.items()}
    counts = store.counts()
    for t in samples:
        assert counts[t] == 1
    hits = store.search("Lisbon", SearchOptions(k=10))
    found = {h.type for h in hits}
    assert {"episodic", "semantic", "resource"} <= found
    episodic = store.get(ids["episodic"])
    assert episodic.time == datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def test_update_records_history_with_old_and_new(ctx) -> None:
    store = ctx.store
    mem = store.add("semantic", {"summary": "Ada works at Initech"}, source_ids=["t1"])
    updated = store.update(
        mem.id, {"summary": "Ada works at Globex"}, source_ids=["t9"], actor="semantic_agent"
    )
    assert updated.data.summary == "Ada works at Globex"  # type: ignore[union-attr]
    assert updated.source_ids == ["t1", "t9"]
    assert updated.created_at == mem.created_at
    history = store.history(mem.id)
    assert [h.op for h in history] == ["update", "insert"]
    assert history[0].actor == "semantic_agent"
    assert history[0].old is not None and "Initech" in history[0].old["text"]
    assert history[0].new is not None and "Globex" in history[0].new["text"]
    assert store.search("Globex", SearchOptions(k=3))[0].id == mem.id


def test_merge_unions_sources_and_deletes_the_others(ctx) -> None:
    store = ctx.store
    a = store.add("semantic", {"summary": "Ada likes tea"}, source_ids=["t1"])
    b = store.add("semantic", {"summary": "Ada drinks green tea daily"}, source_ids=["t2"])
    merged = store.merge(a.id, [b.id], {"summary": "Ada drinks green tea every day"})
    assert merged.id == a.id
    assert merged.source_ids == ["t1", "t2"]
    with pytest.raises(NotFound):
        store.get(b.id)
    assert store.counts()["semantic"] == 1
    ops = {(h.memory_id, h.op) for h in store.history()}
    assert (a.id, "merge") in ops and (b.id, "merge") in ops
    into = [h for h in store.history(b.id) if h.op == "merge"][0]
    assert into.new == {"merged_into": a.id}


def test_merge_refuses_different_types(ctx) -> None:
    store = ctx.store
    a = store.add("semantic", {"summary": "x"})
    b = store.add("episodic", {"summary": "y"})
    with pytest.raises(InvalidInput):
        store.merge(a.id, [b.id])


def test_delete_keeps_history_and_raises_not_found_after(ctx) -> None:
    store = ctx.store
    mem = store.add("resource", {"title": "Quarterly report", "content": "revenue up"})
    store.delete(mem.id)
    with pytest.raises(NotFound):
        store.get(mem.id)
    with pytest.raises(NotFound):
        store.delete(mem.id)
    ops = [h.op for h in store.history(mem.id)]
    assert ops == ["delete", "insert"]
    assert store.search("Quarterly report", SearchOptions(k=5)) == []


def test_core_block_limit_is_enforced(ctx) -> None:
    store = ctx.store
    block = store.add("core", CoreData(label="human", value="Ada", char_limit=20))
    with pytest.raises(InvalidInput, match="limit is 20"):
        store.update(block.id, {"value": "x" * 21})
    assert store.get(block.id).data.value == "Ada"  # type: ignore[union-attr]


def test_invalid_data_and_unknown_fields_are_refused(ctx) -> None:
    store = ctx.store
    with pytest.raises(InvalidInput):
        store.add("semantic", {"summary": ""})
    with pytest.raises(InvalidInput):
        store.add("procedural", {"summary": "x", "entry_type": "poem"})
    with pytest.raises(InvalidInput):
        store.add("planet", {"summary": "x"})
    mem = store.add("semantic", {"summary": "x"})
    with pytest.raises(InvalidInput, match="no field colour"):
        store.update(mem.id, {"colour": "red"})
    with pytest.raises(NotFound):
        store.get("sem_doesnotexist")
    with pytest.raises(NotFound):
        store.get("nonsense")


def test_add_with_an_id_is_idempotent(ctx) -> None:
    store = ctx.store
    first = store.add("semantic", {"summary": "once"}, memory_id="sem_fixed1")
    second = store.add("semantic", {"summary": "twice"}, memory_id="sem_fixed1")
    assert second.id == first.id and second.data.summary == "once"  # type: ignore[union-attr]
    assert store.counts()["semantic"] == 1


def test_chat_turns_are_idempotent_and_cite_themselves(ctx) -> None:
    store = ctx.store
    t0 = datetime(2026, 5, 8, 13, 56, tzinfo=UTC)
    turns = [
        ChatTurn(
            id="c1",
            conversation_id="x",
            speaker="Ada",
            text="I adopted a puppy named Rex",
            created_at=t0,
        ),
        ChatTurn(
            id="c2",
            conversation_id="x",
            speaker="Bob",
            text="What breed is he?",
            created_at=t0 + timedelta(seconds=5),
        ),
    ]
    assert store.add_chat_turns(turns) == 2
    assert store.add_chat_turns(turns) == 0
    assert store.counts()["chat_turns"] == 2
    hit = store.search("puppy Rex", SearchOptions(k=1))[0]
    assert hit.id == "c1" and hit.type == "chat" and hit.source_ids == ["c1"]


def test_a_short_reply_is_found_by_the_question_it_answers(ctx) -> None:
    store = ctx.store
    t0 = datetime(2026, 5, 8, 13, 56, tzinfo=UTC)
    store.add_chat_turns(
        [
            ChatTurn(
                id="q",
                conversation_id="x",
                speaker="Bob",
                text="When is your dentist visit?",
                created_at=t0,
            ),
        ]
    )
    store.add_chat_turns(
        [  # a later batch: the context comes from the stored turn
            ChatTurn(
                id="a",
                conversation_id="x",
                speaker="Ada",
                text="Next Tuesday at nine.",
                created_at=t0 + timedelta(seconds=3),
            ),
        ]
    )
    ids = [
        h.id
        for h in store.search("dentist", SearchOptions(k=5, weights={"fts": 1.0, "vector": 0.0}))
    ]
    assert "a" in ids


def test_add_many_stores_all_or_nothing_with_history(ctx) -> None:
    store = ctx.store
    ids = store.add_many(
        "episodic",
        [
            {"summary": f"opened report {i}", "occurred_at": "2026-01-02T10:00:00Z"}
            for i in range(5)
        ],
        source_ids=[[f"frm_{i}"] for i in range(5)],
        actor="episodic_agent",
    )
    assert len(ids) == 5 and store.counts()["episodic"] == 5
    assert store.get(ids[3]).source_ids == ["frm_3"]
    assert {h.memory_id for h in store.history(limit=50)} == set(ids)
    with pytest.raises(InvalidInput, match="item 1"):
        store.add_many("episodic", [{"summary": "fine"}, {"summary": ""}])
    assert store.counts()["episodic"] == 5


def test_history_old_and_new_have_the_same_shape(ctx) -> None:
    store = ctx.store
    mem = store.add("semantic", {"summary": "v1"})
    store.update(mem.id, {"summary": "v2"})
    update, insert = store.history(mem.id)
    assert insert.old is None and insert.new is not None
    assert update.old is not None and update.new is not None
    assert set(update.old) == set(update.new) == set(insert.new)
    assert update.old["data"]["summary"] == "v1" and update.new["data"]["summary"] == "v2"


def test_the_status_bars_frame_count_follows_writes_and_sees_other_processes(
    ctx, monkeypatch
) -> None:
    from agents.store.timeutil import now
    from mirix_desktop.services import backend as backend_module
    from mirix_desktop.services.backend import Backend
    from mirix_desktop.services.context import open_context
    from tests.helpers import add_frame

    backend = Backend(ctx)
    add_frame(ctx, "Yesterday's page", at=now() - timedelta(days=1))
    add_frame(ctx, "Today's page", at=now())
    assert backend.frames_today() == 1
    add_frame(ctx, "Another page today", at=now() + timedelta(seconds=1))
    assert backend.frames_today() == 2  # this process wrote: counted again at once
    other = open_context()  # as another process: a store of its own
    try:
        assert other.store.count_frames() == 3
        add_frame(other, "A page the other process stored", at=now() + timedelta(seconds=2))
        assert backend.frames_today() == 2  # cached: nothing written here
        monkeypatch.setattr(backend_module, "TODAY_STALE_S", 0.0)
        ctx.store.catch_up()
        assert backend.frames_today() == 3  # read again once the count may be stale
    finally:
        other.close()


def test_optimize_removes_the_files_of_versions_past_the_window(ctx, monkeypatch) -> None:
    """Compaction rewrites a table into a new file; the files only old versions use go once
    those versions are older than KEEP_VERSIONS (an hour; here at once), so hourly upkeep
    does not keep a copy of the table for every hour of a day."""
    import warnings

    from agents.store import indexes
    from tests.helpers import T0, add_frame

    for i in range(6):
        add_frame(ctx, f"page {i} of the lease", at=T0 + timedelta(seconds=i))
    data = ctx.store.path / "frames.lance" / "data"
    assert len(list(data.iterdir())) >= 6
    ctx.store.optimize()  # the hour has not passed: every file is still referenced
    kept = len(list(data.iterdir()))
    assert kept >= 7
    monkeypatch.setattr(indexes, "KEEP_VERSIONS", timedelta(0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # LanceDB warns that 0 drops every older version
        ctx.store.optimize()
    assert len(list(data.iterdir())) <= 2 < kept
    assert len(ctx.store.frame_rows()) == 6
