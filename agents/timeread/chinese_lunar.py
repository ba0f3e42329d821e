"""Dates of the Chinese calendar: "农历八月十五", "腊月初八", "正月十五", "2023年农历二月初二".
The month and day are those of the lunar year; lunar-python turns them into the
Gregorian day. What leaves the year open is read in the past, like other dates."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from agents.timeread.atoms import Atom, Rule, at, registrar
from agents.timeread.calendar import Span, latest, lunar_date
from agents.timeread.chinese import REL_YEAR, numeral

RULES: list[Rule] = []
rule = registrar(RULES)

LUNAR_MONTHS = {"正": 1, "冬": 11, "腊": 12}
_NUM = "一二两三四五六七八九十"
_DAY = rf"(?P<d>初[{_NUM}]+|廿[{_NUM}]?|[{_NUM}]+|\d{{1,2}})"
_YEAR = r"(?:(?P<y>\d{4})\s*年|(?P<ry>" + "|".join(sorted(REL_YEAR, key=len, reverse=True)) + "))"


def _lunar_day(text: str) -> int | None:
    """初八 -> 8, 十五 -> 15, 廿三 -> 23, 三十 -> 30."""
    if text.isdigit():
        return int(text)
    if text.startswith("初"):
        return numeral(text[1:])
    if text.startswith("廿"):
        rest = numeral(text[1:]) if len(text) > 1 else 0
        return None if rest is None else 20 + rest
    return numeral(text)


@rule(
    _YEAR
    + r"?\s*的?\s*(?P<nl>农历|阴历)?\s*(?P<m>[正冬腊]|\d{1,2}|["
    + _NUM
    + r"]+)月"
    + _DAY
    + r"(?![日号\d])",
    3,
)
def _lunar(m: re.Match[str], now: datetime) -> Atom | None:
    month_text, day_text = m["m"], m["d"]
    # Lunar when said so, by a lunar month's name, or by a day in numerals without 日/号
    # ("八月十五", "腊月初八"); "8月15" and "8月15日" are Gregorian.
    if day_text.isdigit() and not m["nl"]:
        return None
    month = LUNAR_MONTHS.get(month_text) or (
        int(month_text) if month_text.isdigit() else numeral(month_text)
    )
    day = _lunar_day(day_text)
    if not month or not day or not 1 <= month <= 12 or not 1 <= day <= 30:
        return None

    def make(year: int) -> Span | None:
        found = lunar_date(year, month, day)
        if found is None:
            return None
        start = datetime.combine(found, datetime.min.time())
        return Span(start, start + timedelta(days=1), "day")

    if m["y"]:
        return at(make(int(m["y"])), "day")
    if m["ry"]:
        return at(make(now.year + REL_YEAR[m["ry"]]), "day")
    return at(latest(lambda k: make(now.year + k), now), "day")
