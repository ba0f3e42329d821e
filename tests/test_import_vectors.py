"""Imports are found by full text at once and by meaning once their vectors are made in
the background (or by ``optimize``); a long turn is embedded as passages that each point
back to it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from agents.store import ChatTurn, SearchOptions
from agents.store.passages import approx_tokens, split_passages
from mirix_desktop.cli import main
from mirix_desktop.services.context import open_context

CHATS = Path(__file__).parent / "fixtures" / "chats"
ONLY_VECTORS = SearchOptions(k=3, types=["chat"], weights={"fts": 0.0, "vector": 1.0})
FILLER = (
    "The tax return lists salary, dividends and the interest of the savings account. "
    "Receipts for the home office go in the blue folder until the accountant asks. "
)
KEY = "The spare key to the shed hangs on a nail behind the rain barrel."


def _turn(tid: str, text: str, minutes: int = 0) -> ChatTurn:
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    return ChatTurn(
        id=tid,
        conversation_id="garden",
        speaker="user",
        text=text,
        created_at=start + timedelta(minutes=minutes),
    )


def test_split_passages_fits_the_limit_and_keeps_every_word() -> None:
    text = FILLER * 30 + KEY
    parts = split_passages(text, max_tokens=120, count=approx_tokens)
    assert len(parts) > 3
    assert all(approx_tokens(p) <= 120 for p in parts)
    assert " ".join(parts).split() == text.split()
    assert split_passages("short", max_tokens=120, count=approx_tokens) == ["short"]
    # No spaces (Chinese), no sentence ends: cut between characters.
    cjk = "我们明天去公园散步然后吃午饭" * 40
    parts = split_passages(cjk, max_tokens=50, count=approx_tokens)
    assert "".join(parts) == cjk and all(approx_tokens(p) <= 50 for p in parts)


def test_an_import_is_searchable_by_text_now_and_by_meaning_after_optimize(capsys) -> None:
    assert main(["ingest", "chat", str(CHATS / "telegram" / "result.json")]) == 2
    ctx = open_context()
    try:
        assert ctx.store.missing_vectors() == {"chat_turns": 4}
        from mirix_desktop.services.doctor import report

        assert report(ctx)["models"]["text"]["waiting_for_vectors"] == {"chat_turns": 4}
        hits = ctx.store.search("Rua das Flores", SearchOptions(k=1))
        assert hits[0].id == "telegram:4242424242:102"
        rankings = ctx.store.search_rankings("where is the climbing gym now", ONLY_VECTORS)
        assert not rankings.get("vector")  # no vectors yet: none compared
    finally:
        ctx.close()
    capsys.readouterr()
    assert main(["optimize"]) == 0
    assert "made the vectors of 4 rows" in capsys.readouterr().err
    ctx = open_context()
    try:
        assert ctx.store.missing_vectors() == {}
        hits = ctx.store.search("wireless password of the cabin", ONLY_VECTORS)
        assert hits[0].id == "telegram:5011223344:7"
    finally:
        ctx.close()


def test_the_background_fills_missing_vectors_with_the_passages_of_long_turns(ctx) -> None:
    long_text = FILLER * 25 + KEY  # well past the encoder's 512 tokens
    turns = [
        _turn("long", long_text),
        _turn("soup", "Leek and potato soup needs an hour on a low heat.", 1),
        _turn("bike", "The bike shop on Elm Street fixes punctures while you wait.", 2),
    ]
    assert ctx.store.add_chat_turns(turns, embed=False) == 3
    assert ctx.store.missing_vectors() == {"chat_turns": 3}
    thread = ctx.store.start_filling_vectors(chat_only=True)
    assert thread is not None
    thread.join(timeout=300)
    assert ctx.store.missing_vectors() == {}
    passages = ctx.store._tables.table("chat_passages").to_arrow().to_pylist()
    assert len(passages) >= 2
    assert {tuple(p["source_ids"]) for p in passages} == {("long",)}
    assert all(p["vector"] is not None for p in passages)
    assert KEY in passages[-1]["text"]
    # The key is said past the encoder's limit: found through its passage, as its turn,
    # nearer than the turn's own vector (its first passage) would put it.
    query = "where does the spare key to the shed hang?"
    hits = ctx.store.search(query, ONLY_VECTORS)
    assert hits[0].id == "long" and hits[0].type == "chat"
    assert [h.id for h in hits].count("long") == 1
    found = dict(ctx.store.search_rankings(query, ONLY_VECTORS)["vector"][0][1])
    own = ctx.store._tables.table("chat_turns").search().where("id = 'long'").to_list()[0]
    asked = ctx.store._vectors.embed([query], query=True)[0]
    own_distance = 1 - sum(a * b for a, b in zip(asked, own["vector"], strict=True))
    assert found["id"] == "long" and found["_distance"] < own_distance - 0.02


def test_turns_stored_with_vectors_get_their_passages_at_once(ctx) -> None:
    ctx.store.add_chat_turns([_turn("long", FILLER * 25 + KEY), _turn("x", "hello", 1)])
    assert ctx.store.missing_vectors() == {}
    rows = ctx.store._tables.table("chat_passages").to_arrow().to_pylist()
    assert rows and all(r["turn_id"] == "long" for r in rows)
