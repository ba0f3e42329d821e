"""A chat turn's words are stored in a column called ``text``, as the model's field, and what
it is found by in ``search_text``; a store made when they were ``content`` and ``text`` is
renamed by a named migration that keeps every turn, its vector and the full-text index."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import lancedb
import pytest

from agents.store import ChatTurn, SearchOptions
from agents.store import schema as S
from mirix_desktop.config.paths import resolve_paths
from mirix_desktop.services.context import open_context
from tests.test_speaker_column import _indexes, _rows

CHAT = S.TABLE[S.RecordType.CHAT]


def _turns() -> list[ChatTurn]:
    start = datetime(2026, 4, 2, 18, 0, tzinfo=UTC)
    said = [
        ("Ravi", "The allotment's water tap is switched on again from the first of May."),
        ("user", "Where did I leave the spare secateurs?"),
        ("Ravi", "In the green tool box under the potting bench, next to the twine."),
    ]
    return [
        ChatTurn(
            id=f"g{i}",
            conversation_id="garden",
            speaker=speaker,
            text=text,
            created_at=start + timedelta(minutes=i),
        )
        for i, (speaker, text) in enumerate(said)
    ]


@pytest.mark.parametrize("opened_before", [False, True])
def test_a_store_with_the_old_chat_columns_keeps_every_turn_after_the_rename(
    home, opened_before: bool
) -> None:
    ctx = open_context()
    try:
        ctx.store.add_chat_turns(_turns())
        assert ctx.store.missing_vectors() == {}
    finally:
        ctx.close()
    store_dir = resolve_paths(home).store_dir
    db = lancedb.connect(str(store_dir))
    before = _rows(db, CHAT)
    indexes = _indexes(db, CHAT)
    assert before["g2"]["text"] == _turns()[2].text
    assert before["g2"]["search_text"] == _turns()[2].search_text()
    assert any(cols == ["fts"] for _, cols in indexes)
    # Back to the store as it was made before: "content" and "text", migration not applied.
    table = db.open_table(CHAT)
    table.alter_columns(
        {"path": "text", "rename": "content"}, {"path": "search_text", "rename": "text"}
    )
    if opened_before:  # as the store's tables add a column they lack when opened
        db.open_table(CHAT).add_columns({"search_text": "CAST(NULL AS STRING)"})
    marker = store_dir / "_migrations.json"
    applied = json.loads(marker.read_text(encoding="utf-8"))
    marker.write_text(json.dumps([m for m in applied if m != "chat_text_columns"]), "utf-8")
    assert "content" in db.open_table(CHAT).schema.names

    ctx = open_context()
    try:
        turns = ctx.store.chat_turns(["g0", "g1", "g2"])  # opening the store migrates it
        names = db.open_table(CHAT).schema.names
        assert "content" not in names and {"text", "search_text"} <= set(names)
        assert _indexes(db, CHAT) == indexes
        assert _rows(db, CHAT) == before  # every row, vector and text as before
        assert [t.text for t in turns] == [t.text for t in _turns()]
        by_text = SearchOptions(k=5, types=["chat"], weights={"fts": 1.0, "vector": 0.0})
        hits = ctx.store.search("allotment water tap", by_text)
        assert hits and hits[0].id == "g0" and hits[0].text.startswith("Ravi: ")
        by_meaning = SearchOptions(k=3, types=["chat"], weights={"fts": 0.0, "vector": 1.0})
        hits = ctx.store.search("a green tool box under the potting bench", by_meaning)
        assert hits[0].id == "g2"
        # A turn stored now goes into the renamed columns, and the export names them so.
        ctx.store.add_chat_turns(
            [
                ChatTurn(
                    id="g3",
                    conversation_id="garden",
                    speaker="user",
                    text="Thanks, found them.",
                    created_at=datetime(2026, 4, 2, 18, 5, tzinfo=UTC),
                )
            ]
        )
        exported = {t["id"]: t for t in ctx.store.iter_chat_turns()}
        assert exported["g3"]["text"] == "Thanks, found them."
        assert _rows(db, CHAT)["g3"]["search_text"] == "user: Thanks, found them."
    finally:
        ctx.close()
    assert "chat_text_columns" in json.loads(marker.read_text(encoding="utf-8"))
