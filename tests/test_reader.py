"""The extractive reader: the value line for each kind of question, in English and Chinese."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agents.answer.compose import compose
from agents.answer.reader import is_question, read
from agents.answer.retrieval import keywords
from agents.answer.terms import terms
from agents.answer.values import question_kinds
from agents.store import SearchHit

WHEN = datetime(2026, 12, 2, 8, 12, tzinfo=UTC)


def hit(hid: str, text: str, kind: str = "frame", score: float = 1.0) -> SearchHit:
    return SearchHit(id=hid, type=kind, score=score, text=text, source_ids=[hid], time=WHEN)


FLIGHT = hit(
    "frm_flight",
    "Thunderbird - Your flight is confirmed\n"
    "Flight LH 431 Frankfurt (FRA) to Chicago (ORD)\n"
    "Departure  Tue 2 Dec 2026, 10:05  Terminal 1, Gate B56\n"
    "Seat  23A  Economy\n"
    "Booking reference  K7XQ2M\n"
    "Passenger: Anna Weber",
)
RETURN = hit(
    "frm_return",
    "Thunderbird - Your return flight is confirmed\n"
    "Flight LH 430 Chicago (ORD) to Frankfurt (FRA)\n"
    "Departure  Fri 12 Dec 2026, 17:25  Terminal 5\n"
    "Seat  31B  Economy\n"
    "Booking reference  F5DHQD",
)
BUDGET = hit(
    "frm_budget",
    "household-budget-2026.ods\nHousehold budget 2026  Monthly  Yearly\n"
    "Rent  1,450.00  17,400.00\nElectricity  96.40\nInternet  39.99  479.88",
)
HOTEL = hit(
    "frm_hotel",
    "Booking.com - Palmer House Chicago\nCheck-in: Tue 2 Dec 2026, from 15:00\n"
    "Length of stay: 4 nights\nAddress: 17 East Monroe Street, Chicago\n"
    "Lunch with Priya Shah at 12:30",
)
NOTES = hit(
    "frm_notes",
    "文档 - 会议纪要 - 青鸟项目\n会议纪要：青鸟项目启动会\n项目负责人：王芳\n预算：三十五万元\n"
    "上线日期：2027年1月15日\n开发周期：六周\n地点：3号会议室",
)
OTHER_NOTES = hit(
    "frm_other",
    "文档 - 会议纪要 - 白鹭项目\n会议纪要：白鹭项目周会\n项目负责人：陈刚\n预算：二十万元\n"
    "上线日期：2027年3月1日",
)
ORDER = hit(
    "frm_order",
    "浏览器 - 订单详情 - 淘宝\n商品：机械键盘  实付款：¥549.10\n预计送达：12月4日\n"
    "快递单号：SF123456789012\n明天下午三点在星巴克（国贸店）见",
)
TICKETS = hit(
    "frm_tickets",
    "Your tickets - Ticketmaster\nVenue: Festhalle Frankfurt\nOrder no.: TM-88213\n"
    "大麦 - 演唱会\n场馆：国家体育场（鸟巢）\n药师：刘洋  处方取药通知",
)
SOURCES = [RETURN, FLIGHT, BUDGET, HOTEL, OTHER_NOTES, NOTES, ORDER, TICKETS]

CASES = [
    # (question, expected value, expected source)
    ("Which seat do I have on the flight to Chicago?", "23A", "frm_flight"),
    ("What's the booking reference of the flight to Chicago?", "K7XQ2M", "frm_flight"),
    ("How much is my monthly rent?", "1,450.00", "frm_budget"),
    ("When does my flight to Chicago depart?", "10:05", "frm_flight"),
    ("Who is the passenger on the Chicago flight?", "Anna Weber", "frm_flight"),
    ("What is the address of the Palmer House?", "17 East Monroe Street", "frm_hotel"),
    ("How many nights is the Palmer House stay?", "4 nights", "frm_hotel"),
    ("What time is lunch with Priya?", "12:30", "frm_hotel"),
    ("青鸟项目的预算是多少？", "三十五万元", "frm_notes"),
    ("青鸟项目的负责人是谁？", "王芳", "frm_notes"),
    ("青鸟项目什么时候上线？", "2027年1月15日", "frm_notes"),
    ("青鸟项目的开发周期要多久？", "六周", "frm_notes"),
    ("青鸟项目的会在哪里开？", "3号会议室", "frm_notes"),
    ("淘宝 order 的快递单号是多少", "SF123456789012", "frm_order"),
    ("机械键盘花了多少钱？", "549.10", "frm_order"),
    ("明天在哪里见面？", "星巴克（国贸店）", "frm_order"),
    # A generic label of the kind asked for gives the value; a label is never the value.
    ("Where is the concert venue?", "Festhalle Frankfurt", "frm_tickets"),
    ("What is the ticket order number?", "TM-88213", "frm_tickets"),
    ("演唱会在哪里？", "国家体育场（鸟巢）", "frm_tickets"),
    ("药师是谁？", "刘洋", "frm_tickets"),
]


@pytest.mark.parametrize("segmenter", ["jieba", "ngram"])
@pytest.mark.parametrize(("question", "value", "source"), CASES)
def test_the_reader_picks_the_value_line(question, value, source, segmenter) -> None:
    reading = read(question, SOURCES, segmenter=segmenter)
    assert reading.best is not None and reading.confident, reading
    assert value in reading.best.value, (reading.best.value, reading.best.line)
    assert reading.best.source.id == source
    assert reading.best.line[reading.best.span[0] : reading.best.span[1]] == reading.best.value


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("How much did the order cost?", ["amount"]),
        ("When is the rent due?", ["date", "time"]),
        ("What time does the train leave?", ["time"]),
        ("How long is the ride?", ["duration"]),
        ("How many nights did I book?", ["duration"]),
        ("Who sent the invoice?", ["person"]),
        ("Where is the dentist?", ["place"]),
        ("What is the tracking number?", ["identifier"]),
        ("青鸟项目的预算是多少？", ["amount"]),
        ("会议几点开始？", ["time"]),
        ("哪天退房？", ["date"]),
        ("坐车要多长时间？", ["duration"]),
        ("负责人是谁？", ["person"]),
        ("在哪里见面？", ["place"]),
        ("订单号是什么", ["identifier"]),
    ],
)
def test_the_kind_of_value_asked_for(question, kinds) -> None:
    assert question_kinds(question)[: len(kinds)] == kinds


def test_full_width_and_mixed_questions() -> None:
    # Full-width letters, digits and punctuation read as their ASCII forms.
    assert terms("ＬＨ４３１航班的座位？") == ["lh431", "航班", "座位"]
    reading = read("ＬＨ４３１ 的 Seat 是多少？", [FLIGHT, RETURN])
    assert reading.best is not None and reading.best.value == "23A"
    line = hit("frm_fw", "预算：三十五万元（含税）")
    reading = read("预算是多少", [line])
    assert reading.best is not None and reading.best.value == "三十五万元"


def test_chinese_keywords_are_words_not_the_whole_question() -> None:
    assert keywords("青鸟项目的预算是多少？") == "青鸟 项目 预算"
    assert keywords("青鸟项目的预算是多少？", "ngram") == "青鸟 鸟项 项目 预算"
    assert keywords("我的 LH431 航班几点起飞？") == "LH431 航班 起飞"
    assert keywords("Where did I eat sushi last week?") == "eat sushi last week"


def test_low_confidence_says_no_direct_answer_and_lists_what_it_found() -> None:
    question = "What is the name of my cat?"
    reading = read(question, SOURCES)
    assert not reading.confident
    text = compose(question, "name cat", SOURCES, reading, {})
    assert text.startswith("I found no direct answer to that.")
    assert "[frm_return]" in text  # what it found is still listed, with citations
    zh = "我的猫叫什么名字？"
    reading = read(zh, SOURCES)
    assert not reading.confident
    assert compose(zh, "猫 名字", SOURCES, reading, {}).startswith("没有找到直接的答案。")


def test_a_confident_answer_leads_with_the_value_and_cites_its_source_first() -> None:
    question = "Which seat do I have on the flight to Chicago?"
    reading = read(question, SOURCES)
    text = compose(question, "seat flight Chicago", SOURCES, reading, {})
    first = text.split("\n", 1)[0]
    assert first.startswith("23A — “Seat  23A  Economy”")
    assert "2026-12-02 08:12 [frm_flight]" in first
    assert text.index("[frm_flight]") < text.index("[frm_return]")  # others follow
    zh = compose(
        "青鸟项目的预算是多少？",
        "青鸟 项目 预算",
        SOURCES,
        read("青鸟项目的预算是多少？", SOURCES),
        {},
    )
    assert zh.startswith("三十五万元 —— 来自你在 2026-12-02 08:12") and "[frm_notes]" in zh
    assert "其他来源：" in zh


def test_a_question_is_not_evidence_but_a_statement_is() -> None:
    asked = hit("turn_q", "user: Which seat do I have on the flight?", kind="chat", score=9.0)
    said = hit("turn_s", "user: my locker code is 4417", kind="chat", score=0.5)
    reading = read("Which seat do I have on the flight?", [asked, FLIGHT, said])
    assert reading.best is not None and reading.best.source.id == "frm_flight"
    assert "turn_q" not in reading.per_source
    reading = read("What is my locker code?", [asked, FLIGHT, said])
    assert reading.best is not None and reading.best.source.id == "turn_s"
    assert reading.best.value == "4417" and reading.confident
    assert is_question("青鸟项目的预算是多少") and is_question("is it 23A")
    assert not is_question("my seat is 23A") and not is_question("预算是三十五万元。")


def test_the_benchmark_days_have_enough_questions_and_look_alikes(tmp_path: Path) -> None:
    from bench.answer_screens import generate

    folders = generate(tmp_path, seed=3)
    for lang in ("en", "zh"):
        rows = [json.loads(x) for x in (folders[lang] / "questions.jsonl").read_text().splitlines()]
        assert len(rows) >= 24
        assert {r["split"] for r in rows} == {"dev", "held", "fresh", "typed", "cross"}
        screens = list((folders[lang] / "screens").glob("*.png"))
        assert len(screens) >= 12 and all(r["file"] in {p.name for p in screens} for r in rows)
