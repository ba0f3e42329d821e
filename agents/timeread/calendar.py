"""Calendar arithmetic for the time reader: spans of local time, grains, holidays.

Every time here is a naive datetime on the user's local clock; the reader turns
the result into aware times at the end. Weeks start on Monday (as in Duckling's
corpora and ISO 8601).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

GRAINS = ("second", "minute", "hour", "day", "week", "month", "quarter", "year")
# A shift by one of these is read at the next finer grain ("two years ago" is a
# month, "a week ago" a day, "3 days ago" the hour), as Duckling reads "<duration> ago".
FINER = {
    "year": "month",
    "quarter": "month",
    "month": "day",
    "week": "day",
    "day": "hour",
    "hour": "minute",
    "minute": "second",
    "second": "second",
}


@dataclass(frozen=True)
class Span:
    """[start, end) on the local clock, named at ``grain``."""

    start: datetime
    end: datetime
    grain: str


def floor(t: datetime, grain: str) -> datetime:
    """The start of the ``grain`` that holds ``t``."""
    if grain == "second":
        return t.replace(microsecond=0)
    if grain == "minute":
        return t.replace(second=0, microsecond=0)
    if grain == "hour":
        return t.replace(minute=0, second=0, microsecond=0)
    day = t.replace(hour=0, minute=0, second=0, microsecond=0)
    if grain == "day":
        return day
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def add(t: datetime, n: int, grain: str) -> datetime:
    """``t`` moved by ``n`` grains; a month's day is clamped ("Jan 31" + 1 month: Feb 28)."""
    if grain in ("month", "quarter", "year"):
        months = n * {"month": 1, "quarter": 3, "year": 12}[grain]
        index = t.year * 12 + t.month - 1 + months
        year, month = divmod(index, 12)
        day = min(t.day, month_length(year, month + 1))
        return t.replace(year=year, month=month + 1, day=day)
    seconds = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800}[grain]
    return t + timedelta(seconds=n * seconds)


def unit(t: datetime, grain: str, shift: int = 0) -> Span:
    """The ``grain`` that holds ``t``, moved by ``shift`` grains."""
    start = add(floor(t, grain), shift, grain)
    return Span(start, add(start, 1, grain), grain)


def month_length(year: int, month: int) -> int:
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return (nxt - date(year, month, 1)).days


def day_span(year: int, month: int, day: int) -> Span | None:
    """The day, or None when there is no such date."""
    try:
        start = datetime(year, month, day)
    except ValueError:
        return None
    return Span(start, start + timedelta(days=1), "day")


def month_span(year: int, month: int) -> Span | None:
    if not 1 <= month <= 12 or not 1 <= year <= 9998:
        return None
    return unit(datetime(year, month, 1), "month")


def year_span(year: int) -> Span | None:
    return unit(datetime(year, 1, 1), "year") if 1 <= year <= 9998 else None


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> Span | None:
    """The ``nth`` (1-based; -1 the last) ``weekday`` (0 Monday) of a month, or None."""
    if not 1 <= month <= 12:
        return None
    if nth > 0:
        first = date(year, month, 1)
        day = 1 + (weekday - first.weekday()) % 7 + 7 * (nth - 1)
    else:
        length = month_length(year, month)
        last = date(year, month, length)
        day = length - (last.weekday() - weekday) % 7 + 7 * (nth + 1)
    return day_span(year, month, day) if day >= 1 else None


def latest(candidates: Callable[[int], Span | None], now: datetime, back: int = 3) -> Span | None:
    """The past reading of an expression that leaves a period open: of
    ``candidates(k)`` for k = 1, 0, -1, ... -back (the next, this and earlier
    periods), the latest that has begun by ``now``."""
    best = None
    for k in range(1, -back - 1, -1):
        span = candidates(k)
        if span is not None and span.start <= now and (best is None or span.start > best.start):
            best = span
    return best


# ---- holidays --------------------------------------------------------------------------


def easter(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ll = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ll) // 451
    month, day = divmod(h + ll - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _fixed(month: int, day: int) -> Callable[[int], Span | None]:
    return lambda year: day_span(year, month, day)


def _nth(month: int, weekday: int, nth: int, plus: int = 0) -> Callable[[int], Span | None]:
    def make(year: int) -> Span | None:
        span = nth_weekday(year, month, weekday, nth)
        if span is None or not plus:
            return span
        start = span.start + timedelta(days=plus)
        return Span(start, start + timedelta(days=1), "day")

    return make


def _from_easter(days: int) -> Callable[[int], Span | None]:
    def make(year: int) -> Span:
        start = datetime.combine(easter(year), datetime.min.time()) + timedelta(days=days)
        return Span(start, start + timedelta(days=1), "day")

    return make


@lru_cache(maxsize=512)
def lunar_date(year: int, month: int, day: int) -> date | None:
    """The Gregorian date of a day of the Chinese calendar (month 12 of ``year``
    may fall in the next Gregorian year); None outside the library's range."""
    try:
        from lunar_python import Lunar  # lazily: only for Chinese festivals
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    try:
        solar = Lunar.fromYmd(year, month, day).getSolar()
    except Exception:  # noqa: BLE001 - out of the tables' range: not a date we can name
        return None
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


@lru_cache(maxsize=512)
def _solar_term(year: int, name: str) -> date | None:
    """The day of a solar term (节气, e.g. 冬至) in the Gregorian ``year``."""
    try:
        from lunar_python import Lunar
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    for lunar_year in (year, year + 1):  # a lunar year's table runs from the winter solstice
        try:
            solar = Lunar.fromYmd(lunar_year, 6, 1).getJieQiTable().get(name)
        except Exception:  # noqa: BLE001 - out of the tables' range
            return None
        if solar is not None and solar.getYear() == year:
            return date(solar.getYear(), solar.getMonth(), solar.getDay())
    return None


def _lunar_day(month: int, day: int, before: int = 0) -> Callable[[int], Span | None]:
    def make(year: int) -> Span | None:
        found = lunar_date(year, month, day)
        if found is None:
            return None
        start = datetime.combine(found, datetime.min.time()) - timedelta(days=before)
        return Span(start, start + timedelta(days=1), "day")

    return make


def _term(name: str) -> Callable[[int], Span | None]:
    def make(year: int) -> Span | None:
        found = _solar_term(year, name)
        if found is None:
            return None
        start = datetime.combine(found, datetime.min.time())
        return Span(start, start + timedelta(days=1), "day")

    return make


def _new_years_eve_lunar(year: int) -> Span | None:
    """除夕: the day before the Spring Festival that falls in ``year``."""
    found = lunar_date(year, 1, 1)
    if found is None:
        return None
    start = datetime.combine(found, datetime.min.time()) - timedelta(days=1)
    return Span(start, start + timedelta(days=1), "day")


# Names (already normalised: lower case, simplified Chinese) -> the day in a year.
HOLIDAYS: dict[str, Callable[[int], Span | None]] = {
    "new year's day": _fixed(1, 1),
    "new year's eve": _fixed(12, 31),
    "valentine's day": _fixed(2, 14),
    "st patrick's day": _fixed(3, 17),
    "april fools' day": _fixed(4, 1),
    "independence day": _fixed(7, 4),
    "halloween": _fixed(10, 31),
    "veterans day": _fixed(11, 11),
    "christmas eve": _fixed(12, 24),
    "christmas": _fixed(12, 25),
    "christmas day": _fixed(12, 25),
    "boxing day": _fixed(12, 26),
    "martin luther king day": _nth(1, 0, 3),
    "mlk day": _nth(1, 0, 3),
    "presidents day": _nth(2, 0, 3),
    "mother's day": _nth(5, 6, 2),
    "memorial day": _nth(5, 0, -1),
    "father's day": _nth(6, 6, 3),
    "labor day": _nth(9, 0, 1),
    "columbus day": _nth(10, 0, 2),
    "thanksgiving": _nth(11, 3, 4),
    "thanksgiving day": _nth(11, 3, 4),
    "black friday": _nth(11, 3, 4, plus=1),
    "easter": _from_easter(0),
    "easter sunday": _from_easter(0),
    "easter monday": _from_easter(1),
    "good friday": _from_easter(-2),
    "元旦": _fixed(1, 1),
    "情人节": _fixed(2, 14),
    "妇女节": _fixed(3, 8),
    "植树节": _fixed(3, 12),
    "愚人节": _fixed(4, 1),
    "劳动节": _fixed(5, 1),
    "五一": _fixed(5, 1),
    "青年节": _fixed(5, 4),
    "儿童节": _fixed(6, 1),
    "六一": _fixed(6, 1),
    "建党节": _fixed(7, 1),
    "建军节": _fixed(8, 1),
    "教师节": _fixed(9, 10),
    "国庆节": _fixed(10, 1),
    "国庆": _fixed(10, 1),
    "万圣节": _fixed(10, 31),
    "光棍节": _fixed(11, 11),
    "双十一": _fixed(11, 11),
    "平安夜": _fixed(12, 24),
    "圣诞节": _fixed(12, 25),
    "圣诞": _fixed(12, 25),
    "母亲节": _nth(5, 6, 2),
    "父亲节": _nth(6, 6, 3),
    "感恩节": _nth(11, 3, 4),
    "复活节": _from_easter(0),
    "春节": _lunar_day(1, 1),
    "大年初一": _lunar_day(1, 1),
    "除夕": _new_years_eve_lunar,
    "元宵节": _lunar_day(1, 15),
    "端午节": _lunar_day(5, 5),
    "端午": _lunar_day(5, 5),
    "七夕": _lunar_day(7, 7),
    "七夕节": _lunar_day(7, 7),
    "中元节": _lunar_day(7, 15),
    "中秋节": _lunar_day(8, 15),
    "中秋": _lunar_day(8, 15),
    "重阳节": _lunar_day(9, 9),
    "腊八节": _lunar_day(12, 8),
    "腊八": _lunar_day(12, 8),
    "小年": _lunar_day(12, 23),
}
for _name in (
    "立春 雨水 惊蛰 春分 清明 谷雨 立夏 小满 芒种 夏至 小暑 大暑 "
    "立秋 处暑 白露 秋分 寒露 霜降 立冬 小雪 大雪 冬至 小寒 大寒"
).split():
    HOLIDAYS[_name] = _term(_name)
HOLIDAYS["清明节"] = _term("清明")
