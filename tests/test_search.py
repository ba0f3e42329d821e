"""Hybrid search: Chinese and English, filters, recency, fusion, and frames found by CLIP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PIL import Image

from agents.store import ChatTurn, Frame, SearchOptions
from agents.store.search import fuse
from agents.store.text import index_text, query_text

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _turn(i: int, text: str, *, days: int = 0, conv: str = "c") -> ChatTurn:
    return ChatTurn(
        id=f"t{i}",
        conversation_id=conv,
        speaker="Ada",
        text=text,
        created_at=T0 + timedelta(days=days, seconds=i),
    )


def test_cjk_text_is_indexed_without_spaces() -> None:
    # And in pinyin, two syllables a word: "Beijing" finds 北京.
    assert index_text("北京天气") == " 北 京 天 气 北京 京天 天气 \nbeijing jingtian tianqi"
    assert query_text("天气") == "天气"
    assert query_text("猫") == "猫"
    assert index_text("hello world") == "hello world"


def test_chinese_queries_find_chinese_text(ctx) -> None:
    store = ctx.store
    store.add_chat_turns(
        [
            _turn(1, "我明天要去北京开会，记得带护照"),
            _turn(2, "今天晚饭吃了火锅，很辣"),
            _turn(3, "The meeting in Berlin moved to Friday"),
            _turn(4, "我的猫叫味噌"),
        ]
    )
    only_text = SearchOptions(k=3, weights={"fts": 1.0, "vector": 0.0})
    assert store.search("北京", only_text)[0].id == "t1"
    assert store.search("护照", only_text)[0].id == "t1"
    assert store.search("火锅", only_text)[0].id == "t2"
    assert store.search("猫", only_text)[0].id == "t4"
    assert store.search("去北京开会是哪天", only_text)[0].id == "t1"
    assert store.search("Berlin meeting", only_text)[0].id == "t3"


def test_filters_by_type_time_and_app(ctx) -> None:
    store = ctx.store
    store.add_chat_turns([_turn(1, "coffee with Sam"), _turn(2, "coffee with Kim", days=10)])
    sem = store.add("semantic", {"summary": "Sam likes coffee"}, app="Slack")
    res = store.add("resource", {"title": "coffee brewing guide"}, app="Firefox")
    opts = SearchOptions(k=10, types=["chat"])
    assert {h.type for h in store.search("coffee", opts)} == {"chat"}
    opts = SearchOptions(k=10, types=["semantic", "resource"])
    assert {h.id for h in store.search("coffee", opts)} == {sem.id, res.id}
    opts = SearchOptions(k=10, types=["chat"], since=T0 + timedelta(days=5))
    assert [h.id for h in store.search("coffee", opts)] == ["t2"]
    opts = SearchOptions(k=10, types=["chat"], until=T0 + timedelta(days=5))
    assert [h.id for h in store.search("coffee", opts)] == ["t1"]
    opts = SearchOptions(k=10, app="Firefox")
    assert [h.id for h in store.search("coffee", opts)] == [res.id]


def test_recency_weighting_prefers_newer_memories(ctx) -> None:
    store = ctx.store
    store.add_chat_turns(
        [_turn(1, "project kickoff notes", days=0), _turn(2, "project kickoff notes", days=60)]
    )
    plain = SearchOptions(k=2, weights={"fts": 1.0, "vector": 0.0}, recency_weight=0.0)
    recent = SearchOptions(
        k=2, weights={"fts": 1.0, "vector": 0.0}, recency_weight=0.9, recency_half_life_days=7
    )
    scores = {h.id: h.score for h in store.search("kickoff", plain)}
    assert abs(scores["t1"] - scores["t2"]) < 0.002
    assert store.search("kickoff", recent)[0].id == "t2"


def test_fusion_rewards_agreement_between_retrievers() -> None:
    rows = {name: {"id": name, "time": T0} for name in "abc"}
    rankings = {
        "fts": [("x", rows["a"]), ("x", rows["b"])],
        "vector": [("x", rows["c"]), ("x", rows["b"])],
    }
    fused = fuse(rankings, SearchOptions())
    assert fused[0].row["id"] == "b"
    assert fused[0].ranks == {"fts": 2, "vector": 2}


def test_frames_are_found_by_ocr_text_and_by_clip(ctx, use_tiny_clip, tmp_path) -> None:
    from mirix_desktop.services.context import open_context

    context = open_context()
    store = context.store
    clip = context.image_embedder.get()
    assert clip is not None and clip.dim == 32
    red = Image.new("RGB", (64, 48), (220, 10, 10))
    path = tmp_path / "red.png"
    red.save(path)
    frame = Frame(
        id="frm_red",
        captured_at=T0,
        app="Firefox",
        window_title="Flights",
        image_path=str(path),
        width=64,
        height=48,
        size_bytes=path.stat().st_size,
        ocr_text="Flight LX 318 departs 09:40 gate B12",
        source_path=str(path),
    )
    store.add_frame(frame, clip_vector=clip.embed_images([red])[0].tolist())
    hits = store.search("flight number gate", SearchOptions(k=5))
    assert hits[0].id == "frm_red" and hits[0].type == "frame"
    assert hits[0].source_path == str(path)
    assert "LX 318" in hits[0].text
    by_clip = store.search(
        "zzzz qqqq",
        SearchOptions(k=5, types=["frame"], weights={"fts": 0, "vector": 0, "clip": 1.0}),
    )
    assert [h.id for h in by_clip] == ["frm_red"]
    context.close()


def test_a_search_sees_this_process_writes_at_once(monkeypatch) -> None:
    from mirix_desktop.services.context import open_context

    # Searches read through their own connection; a long read-consistency interval
    # must not hide what this store itself has just written, updated or deleted.
    monkeypatch.setenv("MIRIX_STORE__READ_CONSISTENCY_S", "60")
    ctx = open_context()
    store = ctx.store
    only_text = SearchOptions(k=5, weights={"fts": 1.0, "vector": 0.0})
    first = store.add("semantic", {"summary": "the boiler code is in the blue folder"})
    assert [h.id for h in store.search("boiler", only_text)] == [first.id]
    second = store.add("semantic", {"summary": "boiler service booked for March"})
    assert {h.id for h in store.search("boiler", only_text)} == {first.id, second.id}
    store.update(second.id, {"summary": "heating service booked for March"}, actor="user")
    assert [h.id for h in store.search("boiler", only_text)] == [first.id]
    store.delete(first.id, actor="user")
    assert store.search("boiler", only_text) == []
    ctx.close()


def test_the_sensitivity_filter_applies_to_the_vault_only(ctx) -> None:
    store = ctx.store
    fact = store.add("semantic", {"summary": "the dentist portal moved to a new address"})
    low = store.add(
        "knowledge_vault",
        {"caption": "dentist portal user name", "secret_value": "sam81", "sensitivity": "low"},
    )
    store.add(
        "knowledge_vault",
        {"caption": "dentist portal password", "secret_value": "hunter2", "sensitivity": "high"},
    )
    opts = SearchOptions(
        k=10, types=["semantic", "knowledge_vault"], sensitivities=["low", "medium"]
    )
    assert {h.id for h in store.search("dentist portal", opts)} == {fact.id, low.id}


def test_conversation_context_lifts_the_turns_beside_a_strong_hit(ctx) -> None:
    t0 = datetime(2026, 3, 1, 19, 0, tzinfo=UTC)
    turns = [
        ChatTurn(
            id="trip-1",
            conversation_id="trip",
            speaker="Ana",
            text="Are we still doing the Lisbon weekend in May?",
            created_at=t0,
        ),
        ChatTurn(
            id="trip-2",
            conversation_id="trip",
            speaker="me",
            text="Yes, I booked the small place by the river, two nights.",
            created_at=t0 + timedelta(seconds=40),
        ),
        ChatTurn(
            id="work-1",
            conversation_id="work",
            speaker="Bo",
            text="Which hotel do we stay at for the sales weekend? The Hilton, I think.",
            created_at=t0 + timedelta(days=3),
        ),
    ]
    ctx.store.add_chat_turns(turns)
    question = "where do we stay for the Lisbon weekend, which hotel?"
    alone = SearchOptions(k=3, types=["chat"], neighbour_weight=0.0)
    beside = SearchOptions(k=3, types=["chat"], neighbour_weight=0.5, neighbour_window_s=300)
    ranked_alone = [h.id for h in ctx.store.search(question, alone)]
    ranked_beside = [h.id for h in ctx.store.search(question, beside)]
    # The answer sits beside the turn that names the trip: context lifts it above the
    # other conversation's turn that shares more words with the question.
    assert ranked_alone.index("work-1") < ranked_alone.index("trip-2")
    assert ranked_beside.index("trip-2") < ranked_beside.index("work-1")
    far = SearchOptions(k=3, types=["chat"], neighbour_weight=0.5, neighbour_window_s=10)
    scores_far = {h.id: h.score for h in ctx.store.search(question, far)}
    scores_alone = {h.id: h.score for h in ctx.store.search(question, alone)}
    assert scores_far == scores_alone  # 40 s apart is outside a 10 s window


def test_questions_and_answers_never_outrank_their_sources(ctx, capsys) -> None:
    import json

    from mirix_desktop.cli import main

    fact = ctx.store.add("semantic", {"summary": "The garage gate code is 4417"})
    later = datetime.now(UTC)
    turns = [
        ChatTurn(
            id=f"t{i}",
            conversation_id="c",
            speaker=speaker,
            text=text,
            created_at=later + timedelta(seconds=i),
        )
        for i, (speaker, text) in enumerate(
            [
                ("user", "What is the garage gate code? The garage gate code?"),
                ("assistant", f"The garage gate code is 4417 [{fact.id}]. Garage gate code."),
                ("Lena", "The garage gate code changes in May"),
            ]
        )
    ]
    ctx.store.add_chat_turns(turns)
    ctx.close()
    assert main(["search", "garage gate code", "--json"]) == 0
    ids = [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()]
    # The source and what Lena stated first; the question and the answer after them.
    assert set(ids[:2]) == {fact.id, "t2"} and ids[2:] == ["t0", "t1"]
