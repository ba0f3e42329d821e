"""Chat turns' speaker is stored in a column called ``speaker``, as the model's field; a
store made when it was called ``role`` is renamed by a named migration that keeps every
turn, its vectors and the full-text index."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import lancedb
import pytest

from agents.store import ChatTurn, SearchOptions
from agents.store import schema as S
from mirix_desktop.config.paths import resolve_paths
from mirix_desktop.services.context import open_context

FILLER = (
    "The tax return lists salary, dividends and the interest of the savings account. "
    "Receipts for the home office go in the blue folder until the accountant asks. "
)
KEY = "The spare key to the shed hangs on a nail behind the rain barrel."
TABLES = (S.TABLE[S.RecordType.CHAT], S.PASSAGE_TABLE)


def _turns() -> list[ChatTurn]:
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    said = [
        ("Nina", "The boiler service is booked for the third of April."),
        ("user", "Remind me where the plumber parks: behind the bakery."),
        ("Nina", FILLER * 25 + KEY),  # long: its further passages get their own rows
    ]
    return [
        ChatTurn(
            id=f"t{i}",
            conversation_id="house",
            speaker=speaker,
            text=text,
            created_at=start + timedelta(minutes=i),
        )
        for i, (speaker, text) in enumerate(said)
    ]


def _rows(db: lancedb.DBConnection, name: str) -> dict[str, dict[str, object]]:
    rows = db.open_table(name).to_arrow().to_pylist()
    return {str(r["id"]): r for r in rows}


def _indexes(db: lancedb.DBConnection, name: str) -> list[tuple[str, list[str]]]:
    return sorted((i.name, list(i.columns)) for i in db.open_table(name).list_indices())


@pytest.mark.parametrize("opened_before", [False, True])
def test_a_store_with_the_old_role_column_keeps_every_turn_after_the_rename(
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
    before = {name: _rows(db, name) for name in TABLES}
    indexes = {name: _indexes(db, name) for name in TABLES}
    assert any(cols == ["fts"] for _, cols in indexes[TABLES[0]])
    assert before[S.PASSAGE_TABLE], "the long turn has further passages"
    # Back to the store as it was made before the rename: "role", migration not applied.
    for name in TABLES:
        db.open_table(name).alter_columns({"path": "speaker", "rename": "role"})
        if opened_before:  # as the store's tables add a column they lack when opened
            db.open_table(name).add_columns({"speaker": "CAST(NULL AS STRING)"})
    marker = store_dir / "_migrations.json"
    applied = json.loads(marker.read_text(encoding="utf-8"))
    marker.write_text(json.dumps([m for m in applied if m != "speaker_column"]), "utf-8")
    assert "role" in db.open_table(TABLES[0]).schema.names

    ctx = open_context()
    try:
        turns = ctx.store.chat_turns(["t0", "t1", "t2"])  # opening the store migrates it
        for name in TABLES:
            names = db.open_table(name).schema.names
            assert "speaker" in names and "role" not in names
            assert _indexes(db, name) == indexes[name]
            after = _rows(db, name)
            assert after == before[name]  # every row, vector and speaker as before
        assert [t.speaker for t in turns] == ["Nina", "user", "Nina"]
        assert [t.text for t in turns] == [t.text for t in _turns()]
        by_text = SearchOptions(k=5, types=["chat"], weights={"fts": 1.0, "vector": 0.0})
        hits = ctx.store.search("boiler service booked", by_text)
        assert hits and hits[0].id == "t0" and hits[0].text.startswith("Nina: ")
        by_meaning = SearchOptions(k=3, types=["chat"], weights={"fts": 0.0, "vector": 1.0})
        hits = ctx.store.search("where does the spare key to the shed hang?", by_meaning)
        assert hits[0].id == "t2"
        # A turn said by a name in the question is favoured: the renamed column is read.
        assert ctx.store.search("What did Nina say about the boiler?", by_text)[0].id == "t0"
    finally:
        ctx.close()
    assert "speaker_column" in json.loads(marker.read_text(encoding="utf-8"))


def test_exported_chat_turns_are_read_back_by_ingest_chat(home, tmp_path, monkeypatch) -> None:
    from mirix_desktop.cli import main

    ctx = open_context()
    try:
        ctx.store.add_chat_turns(_turns())
    finally:
        ctx.close()
    out = tmp_path / "export.jsonl"
    assert main(["export", "-o", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    turns = tmp_path / "turns.jsonl"
    turns.write_text("".join(json.dumps(o) + "\n" for o in lines if o["kind"] == "chat_turn"))

    monkeypatch.setenv("MIRIX_HOME", str(tmp_path / "elsewhere"))
    assert main(["ingest", "chat", str(turns)]) == 0
    ctx = open_context()
    try:
        back = ctx.store.chat_turns(["t0", "t1", "t2"])
    finally:
        ctx.close()
    assert [(t.speaker, t.text, t.created_at) for t in back] == [
        (t.speaker, t.text, t.created_at) for t in _turns()
    ]
