"""Search reads questions: the time they name and the people they name."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from agents.store import ChatTurn, SearchOptions
from agents.store.query import named_speakers, time_window, without_names

REF = datetime(2026, 3, 18, 15, 0, tzinfo=UTC)  # a Wednesday


def _day(window) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    start = window.start.astimezone().replace(tzinfo=None)
    return start.date().isoformat(), (window.end - window.start).days


def test_explicit_dates_in_english_and_chinese() -> None:
    for question, first in [
        ("What did Maria donate on 3 June, 2023?", "2023-06-03"),
        ("What painting did she show on October 13, 2023?", "2023-10-13"),
        ("What happened on 2023-06-03?", "2023-06-03"),
        ("我2023年6月3日买了什么？", "2023-06-03"),
    ]:
        window = time_window(question, REF)
        assert window is not None, question
        assert _day(window) == (first, 8), question  # the day and the week after it
    month = time_window("What workout did Maria start in December 2023?", REF)
    assert month is not None and _day(month) == ("2023-12-01", 38)
    assert time_window("2023年12月去了哪里？", REF) == month
    year = time_window("How many times did she go to the beach in 2023?", REF)
    assert year is not None and _day(year) == ("2023-01-01", 372)


def test_relative_times_count_back_from_the_reference() -> None:
    yesterday = time_window("Who called me yesterday?", REF)
    assert yesterday is not None and _day(yesterday) == ("2026-03-17", 8)
    assert time_window("昨天谁给我打电话了？", REF) == yesterday
    last_week = time_window("What did I cook last week?", REF)
    assert last_week is not None and _day(last_week) == ("2026-03-09", 14)
    last_year = time_window("去年我们去哪里度假了？", REF)
    assert last_year is not None and _day(last_year) == ("2025-01-01", 372)


def test_questions_without_a_time_have_no_window() -> None:
    for question in ["What does Ann collect?", "May I see the 300 photos?", "我的猫叫什么？"]:
        assert time_window(question, REF) is None, question


def test_speakers_named_by_full_or_first_name() -> None:
    speakers = ["Ann Lee", "Bob", "user", "李华"]
    assert named_speakers("What does Ann collect?", speakers) == {"Ann Lee"}
    assert named_speakers("what did bob cook", speakers) == {"Bob"}
    assert named_speakers("李华喜欢什么？", speakers) == {"李华"}
    assert named_speakers("What did the user say about Annie?", speakers) == set()


def test_names_are_taken_out_of_a_question() -> None:
    assert without_names("What pets does Nate have? Nate's dog?", ["Nate"]) == (
        "What pets does have? dog?"
    )
    assert without_names("What did Ann Lee say?", ["Ann Lee"]) == "What did say?"
    assert without_names("李华喜欢什么？", ["李华"]) == "喜欢什么？"


FTS_ONLY = SearchOptions(k=3, weights={"fts": 1.0, "vector": 0.0}, neighbour_weight=0.0)


def _turns(rows: list[tuple[str, str, str, datetime]]) -> list[ChatTurn]:
    return [
        ChatTurn(
            id=tid, conversation_id=f"c-{when.date()}", speaker=who, text=text, created_at=when
        )
        for tid, who, text, when in rows
    ]


def test_a_question_with_a_date_finds_the_turn_of_that_date(ctx) -> None:
    t = datetime(2023, 5, 3, 19, 0, tzinfo=UTC)
    ctx.store.add_chat_turns(
        _turns(
            [
                (
                    "old",
                    "Maria",
                    "Dinner with my sister and her dinner guests, a dinner to remember",
                    t - timedelta(days=60),
                ),
                (
                    "other",
                    "Maria",
                    "Another dinner party with the dinner club",
                    t + timedelta(days=40),
                ),
                ("right", "Maria", "I had dinner with my mom tonight", t),
                ("noise", "Maria", "The weather was nice", t + timedelta(minutes=1)),
            ]
        )
    )
    question = "Who did Maria have dinner with on May 3, 2023?"
    plain = ctx.store.search(question, FTS_ONLY)
    assert plain[0].id != "right"  # the words alone favour the other dinners
    dated = ctx.store.search(question, replace(FTS_ONLY, k=4, time_weight=1.0))
    assert dated[0].id == "right"
    assert {h.id for h in dated} >= {"old", "other"}  # outside the date: ranked lower, not dropped


def test_a_question_naming_a_person_favours_their_turns(ctx) -> None:
    t = datetime(2023, 5, 3, 19, 0, tzinfo=UTC)
    ctx.store.add_chat_turns(
        _turns(
            [
                ("bob", "Bob", "Ann, do you collect anything? I collect stamps and coins", t),
                (
                    "ann",
                    "Ann",
                    "Vinyl records, I collect old jazz and soul pressings from the shop nearby",
                    t + timedelta(days=9),
                ),
            ]
        )
    )
    question = "What does Ann collect?"
    one = replace(FTS_ONLY, k=1)
    assert [h.id for h in ctx.store.search(question, one)] == ["bob"]
    assert [h.id for h in ctx.store.search(question, replace(one, speaker_weight=1.0))] == ["ann"]


def test_what_is_asked_counts_more_than_who_is_asked_about(ctx) -> None:
    # Vectors only: the name in "What pets does Nate have?" pulls the question's vector
    # towards the turns that greet Nate; searched again without it, the question also
    # finds the turn about a pet that names nobody.
    t = datetime(2023, 5, 3, 19, 0, tzinfo=UTC)
    ctx.store.add_chat_turns(
        _turns(
            [
                ("d1", "Joanna", "Nate! So good to hear from you, Nate.", t),
                ("d2", "Joanna", "Nate, you are the best, Nate. Talk soon!", t + timedelta(days=1)),
                ("d3", "Joanna", "Hey Nate, how have you been?", t + timedelta(days=2)),
                ("d4", "Nate", "Hey Joanna, thanks, Nate here, all good!", t + timedelta(days=3)),
                (
                    "right",
                    "Nate",
                    "My two turtles keep me busy every morning.",
                    t + timedelta(days=4),
                ),
                ("cats", "Joanna", "I am allergic to cats, sadly.", t + timedelta(days=5)),
            ]
        )
    )
    assert ctx.text_embedder.get() is not None
    question = "What pets does Nate have?"
    vectors = SearchOptions(k=3, weights={"fts": 0.0, "vector": 1.0}, neighbour_weight=0.0)
    plain = [h.id for h in ctx.store.search(question, vectors)]
    assert "cats" not in plain
    rankings = ctx.store.search_rankings(question, replace(vectors, content_weight=1.0))
    assert set(rankings) == {"vector", "vector:content"}
    content = [h.id for h in ctx.store.search(question, replace(vectors, content_weight=1.0))]
    assert "right" in content and "cats" in content
