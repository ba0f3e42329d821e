"""The offline reader names only a value of the kind asked for (a quantity in the unit
asked, a duration, a kind of place, a code, a yes or no), across English and Chinese;
answers say who said what, once, and a greeting is no question."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.answer.asked import is_greeting
from agents.answer.compose import compose
from agents.answer.reader import read
from agents.store import SearchHit

T = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def _hit(hid: str, text: str, kind: str = "frame") -> SearchHit:
    return SearchHit(id=hid, type=kind, score=1.0, text=text, source_ids=[], time=T, app="x")


SCREENS = [
    _hit(
        "frm_cake",
        "Firefox - Lemon cake - Home Baking\nLemon cake (serves 8)\nBake 40 min at 180 °C\n"
        "220 g caster sugar\n250 ml buttermilk\n3 eggs, 1 lemon",
    ),
    _hit(
        "frm_ci",
        "GitLab - Pipeline #7731 - payments-api\nPipeline #7731 passed for payments-api\n"
        "Triggered by: Omar Haddad\nCommit: 5e1c9ab Retry card captures\n"
        "build  passed  2m05s\nintegration-tests  passed  7m22s\nrelease  passed  0m58s",
    ),
    _hit(
        "frm_trip",
        "Thunderbird - Sales kickoff - travel\nThe sales kickoff is in Porto, Portugal.\n"
        "Guests stay at the Grande Hotel do Porto, Rua de Santa Catarina 197.\n"
        "Breakfast is not included in the rate.",
    ),
    _hit(
        "frm_g",
        "浏览器 - 12306 - 车票详情\nG7345次 上海虹桥 → 杭州东\n发车时间：12月9日 07:12\n"
        "历时：1小时02分\n座位：08车 09D 二等座",
    ),
    _hit(
        "frm_hyatt",
        "Firefox - Booking.com - Grand Hyatt Berlin\nYour booking at Grand Hyatt Berlin is "
        "confirmed\nConfirmation number: 7712093\nCheck-out: Fri 12 Dec 2026, until 12:00",
    ),
    _hit(
        "frm_pkg",
        "菜鸟 - 包裹详情\n京东快递 包裹状态：已签收\n签收时间 12月2日 10:05\n代收人：物业 吴志强",
    ),
]


@pytest.mark.parametrize(
    ("question", "value"),
    [
        # A quantity in the unit asked: not the minutes or the degrees on the same screen.
        ("How many grams of sugar go into the lemon cake?", "220 g"),
        ("How much buttermilk does the lemon cake need?", "250 ml"),
        ("What temperature does the lemon cake bake at?", "180 °C"),
        # A duration as build tools write it.
        ("How long did the integration tests of payments-api take?", "7m22s"),
        ("G7345 要坐多长时间？", "1小时02分"),
        # The place of the kind named: the hotel, not the city.
        ("Which hotel do the sales kickoff guests stay at?", "Grande Hotel do Porto"),
        # A code: a commit, a train.
        ("Which commit did the payments-api pipeline build?", "5e1c9ab"),
        ("Who triggered the payments-api pipeline?", "Omar Haddad"),
        ("包裹是谁代收的？", "吴志强"),
        # Across languages: an English question over a Chinese screen and back.
        ("Which train goes from Shanghai Hongqiao to Hangzhou?", "G7345"),
        ("What seat do I have on the train to Hangzhou?", "09D"),
        ("Grand Hyatt 酒店的确认号是多少？", "7712093"),
    ],
)
def test_the_value_named_is_of_the_kind_asked(question: str, value: str) -> None:
    reading = read(question, SCREENS)
    assert reading.confident, reading.to_json()
    assert value in reading.best.value  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("question", "yes", "lead"),
    [
        ("Is breakfast included at the kickoff hotel?", False, "No — "),
        ("Did the payments-api pipeline pass?", True, "Yes — "),
        ("京东的包裹签收了吗？", True, "是的 —— "),
        ("Was the lemon cake recipe for 8 people?", True, "Yes — "),
    ],
)
def test_a_yes_or_no_question_is_answered_yes_or_no(question: str, yes: bool, lead: str) -> None:
    reading = read(question, SCREENS)
    assert reading.kinds == ["yesno"] and reading.confident and reading.yes is yes
    assert compose(question, "t", SCREENS, reading, {}).startswith(lead)


def test_it_says_so_when_nothing_of_the_kind_is_found() -> None:
    question = "How many kilometres is the drive to the kickoff?"
    reading = read(question, SCREENS)
    assert not reading.confident
    text = compose(question, "drive kickoff", SCREENS, reading, {})
    assert text.startswith("I found no quantity that clearly answers this.")
    zh = "去杭州的火车票多少钱？"
    reading = read(zh, SCREENS)
    assert compose(zh, "杭州 火车票", SCREENS, reading, {}).startswith("没有找到明确的金额。")


def test_what_someone_said_is_theirs_and_said_once() -> None:
    said = [_hit("turn_1", "Lena: The plumber comes on Thursday at 8:30.", kind="chat")]
    question = "When does the plumber come?"
    text = compose(question, "plumber", said, read(question, said), {})
    assert text == (
        "Thursday at 8:30 — “The plumber comes on Thursday at 8:30.”, as Lena said on "
        "2026-12-02 09:00 [turn_1]."
    )
    mine = [_hit("turn_2", "user: The plumber comes on Thursday at 8:30.", kind="chat")]
    text = compose(question, "plumber", mine, read(question, mine), {})
    assert "as you said on" in text and "you said you said" not in text
    assert "我在" not in compose("水管工什么时候来？", "水管工", said, read(question, said), {})


@pytest.mark.parametrize("text", ["hi", "Hello!", "thanks", "你好", "谢谢！", "good morning"])
def test_a_greeting_is_no_question(text: str) -> None:
    assert is_greeting(text)


@pytest.mark.parametrize("text", ["hi, what is my seat?", "Hello Kitty bag price", "你好吗"])
def test_a_question_that_greets_is_still_a_question(text: str) -> None:
    assert not is_greeting(text)


def test_hi_gets_a_greeting_not_a_value(ctx, capsys) -> None:
    import json

    from mirix_desktop.cli import main

    ctx.store.add("semantic", {"summary": "Ana's phone number is +351 912 345 678"})
    ctx.close()
    assert main(["ask", "hi", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["answer"].startswith("Hello!") and out["citations"] == []
    assert "912" not in out["answer"]


def test_a_statement_is_acknowledged_offline_not_searched(ctx, capsys) -> None:
    import json

    from mirix_desktop.cli import main

    ctx.close()
    assert main(["ask", "Remember that the bike lock code is 3391", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["answer"] == "Noted: the bike lock code is 3391."
    assert main(["ask", "记住：自行车停在3号楼东侧", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["answer"] == "好的，我记住了：自行车停在3号楼东侧。"
    assert main(["absorb"]) == 0
    capsys.readouterr()
    assert main(["ask", "What is the bike lock code?", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["answer"].startswith("3391")


def test_an_events_stamps_are_not_values_on_its_screens() -> None:
    event = _hit(
        "epi_1",
        "When: 2026-12-02 15:10:10 – 15:12:40 UTC, in Firefox\n"
        "15:10:10  Firefox - Booking.com - Grand Hyatt Berlin\n"
        "15:12:40  Check-out: Fri 12 Dec 2026, until 12:00",
        kind="episodic",
    )
    reading = read("When do I check out of the Grand Hyatt?", [event])
    assert reading.confident and reading.best.value == "Fri 12 Dec 2026"  # type: ignore[union-attr]
