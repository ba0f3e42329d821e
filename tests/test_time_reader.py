"""The time reader (agents/timeread): each family of expression, in English and Chinese,
read on the local clock at a reference time; the past reading where a period is left open."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import datetime

import pytest

from agents.errors import InvalidInput
from agents.timeread import parse_bound, read_time
from tests.helpers import local_zone as zone

AS_OF = datetime.fromisoformat("2026-03-18T15:00:00+01:00")  # a Wednesday afternoon
NOW = "2026-03-18T15:00:00"


@pytest.fixture(autouse=True)
def local_zone() -> Iterator[None]:
    """The process's time zone set to UTC+1 (the reader reads on the local clock)."""
    with zone("<+01>-1"):
        yield


def _read(text: str, as_of: datetime = AS_OF) -> tuple[str, str] | None:
    found = read_time(text, as_of)
    if found is None:
        return None
    assert found.start.utcoffset() == found.end.utcoffset() == AS_OF.utcoffset()
    return (
        found.start.replace(tzinfo=None).isoformat(),
        found.end.replace(tzinfo=None).isoformat(),
    )


def _day(d: str) -> tuple[str, str]:
    start = datetime.fromisoformat(d)
    end = datetime.fromordinal(start.toordinal() + 1)
    return start.isoformat(), end.isoformat()


FAMILIES = {
    "relative days": [
        ("What did I read the day before yesterday?", _day("2026-03-16")),
        ("Who called me yesterday?", _day("2026-03-17")),
        ("前天和谁聊过天？", _day("2026-03-16")),
        ("大前天我在哪里？", _day("2026-03-15")),
        ("今天打开过哪些文档？", _day("2026-03-18")),
    ],
    "relative weeks": [
        ("What did I cook last week?", ("2026-03-09T00:00:00", "2026-03-16T00:00:00")),
        ("the week before last", ("2026-03-02T00:00:00", "2026-03-09T00:00:00")),
        ("上周我改过哪些代码？", ("2026-03-09T00:00:00", "2026-03-16T00:00:00")),
        ("上上周的会议", ("2026-03-02T00:00:00", "2026-03-09T00:00:00")),
        ("这个星期花了多少钱", ("2026-03-16T00:00:00", "2026-03-23T00:00:00")),
    ],
    "relative months and years": [
        ("What did I buy last month?", ("2026-02-01T00:00:00", "2026-03-01T00:00:00")),
        ("Which laptop did I order last yr?", ("2025-01-01T00:00:00", "2026-01-01T00:00:00")),
        ("the year before last", ("2024-01-01T00:00:00", "2025-01-01T00:00:00")),
        ("上上个月的账单", ("2026-01-01T00:00:00", "2026-02-01T00:00:00")),
        ("前年我们去哪里度假了？", ("2024-01-01T00:00:00", "2025-01-01T00:00:00")),
        ("去年用的手机套餐", ("2025-01-01T00:00:00", "2026-01-01T00:00:00")),
    ],
    "shifts": [
        ("What did I search for three weeks ago?", _day("2026-02-25")),
        ("two years ago", ("2024-03-01T00:00:00", "2024-04-01T00:00:00")),
        ("3 days ago", ("2026-03-15T15:00:00", "2026-03-15T16:00:00")),  # Duckling's hour
        ("三天前看的网页", _day("2026-03-15")),
        ("over the past 3 days", ("2026-03-15T00:00:00", "2026-03-18T00:00:00")),
        ("最近三天的截图", ("2026-03-15T15:00:00", NOW)),
        ("两个月前", ("2026-01-01T00:00:00", "2026-02-01T00:00:00")),
        ("两周前的邮件", ("2026-03-02T00:00:00", "2026-03-09T00:00:00")),
    ],
    "weekdays in a week": [
        ("What did I watch last week's Sunday?", _day("2026-03-15")),
        ("monday of this week", _day("2026-03-16")),
        ("last tuesday", _day("2026-03-17")),
        ("2 thursdays ago", _day("2026-03-05")),
        ("What did I do on Friday?", _day("2026-03-13")),  # past reading
        ("上周日我看了哪部电影？", _day("2026-03-15")),
        ("上星期天我在哪里？", _day("2026-03-15")),
        ("这周二处理了哪些工单？", _day("2026-03-17")),
        ("周五开了什么会", _day("2026-03-13")),
    ],
    "ordinals": [
        ("the first Monday of last month", _day("2026-02-02")),
        ("the last Friday of last month", _day("2026-02-27")),
        ("the second Tuesday of March 2024", _day("2024-03-12")),
        ("the last day of October 2015", _day("2015-10-31")),
        ("first wednesday of october 2014", _day("2014-10-01")),
        ("the last weekend of January", ("2026-01-30T18:00:00", "2026-02-02T00:00:00")),
    ],
    "times and parts of a day": [
        ("What was on screen yesterday 8am?", ("2026-03-17T08:00:00", "2026-03-17T09:00:00")),
        ("yesterday at 3:30pm", ("2026-03-17T15:30:00", "2026-03-17T15:31:00")),
        ("yesterday evening", ("2026-03-17T18:00:00", "2026-03-18T00:00:00")),
        ("last night", ("2026-03-17T18:00:00", "2026-03-18T00:00:00")),
        ("上个月23号晚上九点", ("2026-02-23T21:00:00", "2026-02-23T22:00:00")),
        ("昨天下午3点半", ("2026-03-17T15:30:00", "2026-03-17T15:31:00")),
        ("昨天晚上看了什么", ("2026-03-17T18:00:00", "2026-03-18T00:00:00")),
    ],
    "dates": [
        ("What happened on March 3rd 2015?", _day("2015-03-03")),
        ("10/31/1974", _day("1974-10-31")),
        ("List screenshots from 2015-03-03.", _day("2015-03-03")),
        ("What did I cook on Tuesday, Feb 10?", _day("2026-02-10")),
        ("December 9", _day("2025-12-09")),  # past reading
        ("What did I plant in May?", ("2025-05-01T00:00:00", "2025-06-01T00:00:00")),
        ("2015年3月3号有什么记录？", _day("2015-03-03")),
        ("周二, 二月十号我做了什么菜？", _day("2026-02-10")),
        ("the 20th of last month", _day("2026-02-20")),
        ("2/2013", ("2013-02-01T00:00:00", "2013-03-01T00:00:00")),
        ("the week of October 6th 2014", ("2014-10-06T00:00:00", "2014-10-13T00:00:00")),
    ],
    "parts of a month or year": [
        ("the end of last month", ("2026-02-21T00:00:00", "2026-03-01T00:00:00")),
        ("early March 2024", ("2024-03-01T00:00:00", "2024-03-11T00:00:00")),
        ("上个月底", ("2026-02-25T00:00:00", "2026-03-01T00:00:00")),
        ("2019年3月下旬", ("2019-03-21T00:00:00", "2019-04-01T00:00:00")),
        ("去年上半年", ("2025-01-01T00:00:00", "2025-07-01T00:00:00")),
        ("去年年底", ("2025-11-01T00:00:00", "2026-01-01T00:00:00")),
    ],
    "chinese numerals": [
        ("十二月九日的会议纪要", _day("2025-12-09")),
        ("二零一五年三月三號有什么记录？", _day("2015-03-03")),
        ("二〇一九年十月", ("2019-10-01T00:00:00", "2019-11-01T00:00:00")),
        ("上个月二十三号", _day("2026-02-23")),
        ("昨天三点一刻", ("2026-03-17T03:15:00", "2026-03-17T03:16:00")),
        ("昨天晚上十点二十", ("2026-03-17T22:20:00", "2026-03-17T22:21:00")),
        ("二月二十八日下午四点三十分二十九秒", ("2026-02-28T16:30:29", "2026-02-28T16:30:30")),
    ],
    "quarters": [
        ("4th quarter 2018", ("2018-10-01T00:00:00", "2019-01-01T00:00:00")),
        ("2018Q4", ("2018-10-01T00:00:00", "2019-01-01T00:00:00")),
        ("2018年第四季度", ("2018-10-01T00:00:00", "2019-01-01T00:00:00")),
    ],
    "ranges": [
        ("Which articles cover 1960 - 1961?", ("1960-01-01T00:00:00", "1962-01-01T00:00:00")),
        ("from March 3 to March 5 2012", ("2012-03-03T00:00:00", "2012-03-06T00:00:00")),
        ("July 13-15", ("2025-07-13T00:00:00", "2025-07-16T00:00:00")),
        ("between Monday and Wednesday", ("2026-03-16T00:00:00", "2026-03-19T00:00:00")),
        ("from 2 to 5pm yesterday", ("2026-03-17T14:00:00", "2026-03-17T18:00:00")),
        ("昨天晚上8点到今天上午10点", ("2026-03-17T20:00:00", "2026-03-18T11:00:00")),
        ("since last September", ("2025-09-01T00:00:00", NOW)),
        ("2019年4月12-19日的行程", ("2019-04-12T00:00:00", "2019-04-20T00:00:00")),
        ("2018年2——4月的报销", ("2018-02-01T00:00:00", "2018-05-01T00:00:00")),
        ("前年11月到去年3月", ("2024-11-01T00:00:00", "2025-04-01T00:00:00")),
        ("从去年9月起我读了哪些书？", ("2025-09-01T00:00:00", NOW)),
        ("2015年2月3日到3月5日", ("2015-02-03T00:00:00", "2015-03-06T00:00:00")),
    ],
    "holidays": [
        ("What did we eat on Thanksgiving 2019?", _day("2019-11-28")),
        ("Easter 2024", _day("2024-03-31")),
        ("What did I buy for Christmas?", _day("2025-12-25")),  # the last one
        ("2024年冬至吃了什么？", _day("2024-12-21")),
        ("去年中秋在哪里过的", _day("2025-10-06")),
        ("春节那天", _day("2026-02-17")),
        ("农历八月十五", _day("2025-10-06")),  # the Chinese calendar's days
        ("前年腊月初八", _day("2025-01-07")),
        ("2023年农历二月初二", _day("2023-02-21")),
    ],
}


@pytest.mark.parametrize(
    ("text", "interval"),
    [case for cases in FAMILIES.values() for case in cases],
    ids=[f"{family}: {text}" for family, cases in FAMILIES.items() for text, _ in cases],
)
def test_each_family_reads_to_its_interval(text: str, interval: tuple[str, str]) -> None:
    assert _read(text) == interval


@pytest.mark.parametrize(
    "text",
    [
        "What does Ann collect?",
        "May I see the 300 photos?",
        "我的猫叫什么？",
        "一起去吃饭吧",
        "I paid 3.50 for 2 coffees",
    ],
)
def test_texts_without_a_time_read_none(text: str) -> None:
    assert read_time(text, AS_OF) is None


def test_a_weekday_picks_the_year_of_a_date_without_one() -> None:
    as_of = datetime.fromisoformat("2013-02-12T04:30:00+01:00")  # a Tuesday
    assert _read("Monday, Feb 18", as_of) == _day("2013-02-18")  # the Feb 18 that is a Monday
    assert _read("Feb 18", as_of) == _day("2012-02-18")  # without it: the past reading
    assert _read("Tuesday the 19th", as_of) == _day("2013-02-19")
    assert _read("周日, 二月十号", as_of) == _day("2013-02-10")


def test_the_local_clock_decides_the_day() -> None:
    as_of = datetime.fromisoformat("2026-03-18T01:00:00+00:00")  # 2026-03-17 20:00 at UTC-5
    os.environ["TZ"] = "<-05>5"
    time.tzset()
    found = read_time("yesterday", as_of)
    assert found is not None
    assert found.to_json() == {
        "start": "2026-03-16T00:00:00-05:00",
        "end": "2026-03-17T00:00:00-05:00",
    }
    os.environ["TZ"] = "UTC"
    time.tzset()
    found = read_time("昨天", as_of)
    assert found is not None and found.start.isoformat() == "2026-03-17T00:00:00+00:00"


def test_bounds_take_iso_or_what_the_reader_reads() -> None:
    assert parse_bound("2026-03-01", end=False).isoformat() == "2026-02-28T23:00:00+00:00"
    since = parse_bound("yesterday", end=False, as_of=AS_OF)
    until = parse_bound("yesterday", end=True, as_of=AS_OF)
    assert (since.isoformat(), until.isoformat()) == (
        "2026-03-16T23:00:00+00:00",
        "2026-03-17T23:00:00+00:00",
    )
    with pytest.raises(InvalidInput, match="nor a time the reader understands"):
        parse_bound("whenever", end=False)
