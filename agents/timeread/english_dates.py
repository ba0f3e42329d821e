"""English dates, by the families of Duckling's English time rules: ordinals in a
month ("the first Monday of last month", "the last day of October 2015"), dates by
name and by number ("Sunday, Feb 10", "10/31/1974"), the day of a relative month
("the 20th of next month"), years, decades and ranges of them, quarters ("2018Q4")
and holidays with a year ("Thanksgiving 2019"). The text is lower case."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from agents.timeread.atoms import (
    Atom,
    Rule,
    at,
    full_year,
    past_day_of_month,
    past_month,
    past_month_day,
    registrar,
)
from agents.timeread.calendar import (
    HOLIDAYS,
    Span,
    day_span,
    latest,
    month_span,
    nth_weekday,
    unit,
    year_span,
)
from agents.timeread.english import (
    MONTH,
    MONTH_FULL,
    ORD,
    ORDINALS,
    THIS,
    WD,
    WD_FULL,
    WEEKDAYS,
    B,
    E,
    _month,
    _weekday,
    part_of,
)

RULES: list[Rule] = []
rule = registrar(RULES)

# ---- ordinals within a month -------------------------------------------------------------

MONTH_EXPR = (
    r"(?:(?:the\s+)?(?P<mrel>this|last|next|previous|current)\s+month|the\s+month"
    r"|(?P<mname>" + MONTH + r")\.?(?:,?\s+(?P<myear>\d{4}))?)"
)


def _month_of(m: re.Match[str], now: datetime) -> Span | None:
    if m["mname"]:
        month = _month(m["mname"])
        if m["myear"]:
            return month_span(int(m["myear"]), month)
        return past_month(now, month)
    return unit(now, "month", THIS.get(m["mrel"] or "this", 0))


@rule(
    B
    + r"(?:the\s+)?(?P<ord>"
    + ORD
    + r")\s+(?P<what>"
    + WD_FULL
    + r"|day|weekend|week)\s+(?:of|in)\s+"
    + MONTH_EXPR
    + E,
    2,
)
def _ordinal_in_month(m: re.Match[str], now: datetime) -> Atom | None:
    month = _month_of(m, now)
    if month is None:
        return None
    nth = ORDINALS[m["ord"]]
    y, mo = month.start.year, month.start.month
    if m["what"] == "day":
        length = (month.end - month.start).days
        return at(day_span(y, mo, length if nth < 0 else nth))
    if m["what"] == "week":  # weeks that lie wholly in the month
        first = unit(month.start + timedelta(days=6), "week").start
        last = unit(month.end, "week").start - timedelta(days=7)
        start = first + timedelta(days=7 * (nth - 1)) if nth > 0 else last
        if not month.start <= start <= last:
            return None
        return at(Span(start, start + timedelta(days=7), "week"))
    if m["what"] == "weekend":  # Friday 18:00 to Monday, by the month's nth Friday
        friday = nth_weekday(y, mo, 4, nth)
        if friday is None:
            return None
        return at(
            Span(friday.start + timedelta(hours=18), friday.start + timedelta(days=3), "hour")
        )
    return at(nth_weekday(y, mo, _weekday(m["what"]), nth))


@rule(
    B
    + r"(?:the\s+)?(?P<ord>"
    + ORD
    + r")\s+day\s+of\s+(?:(?P<yrel>this|last|next)\s+year|(?P<year>\d{4}))"
    + E,
    1,
)
def _ordinal_day_of_year(m: re.Match[str], now: datetime) -> Atom | None:
    year = int(m["year"]) if m["year"] else now.year + THIS[m["yrel"]]
    nth = ORDINALS[m["ord"]]
    return at(day_span(year, 12, 31) if nth < 0 else day_span(year, 1, nth))


# ---- dates -------------------------------------------------------------------------------

_UNITS = "first second third fourth fifth sixth seventh eighth ninth".split()
DAY_WORDS = {w: i for i, w in enumerate(_UNITS, 1)}
DAY_WORDS.update({"tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13})
DAY_WORDS.update({"fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17})
DAY_WORDS.update({"eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30})
DAY_WORDS.update({f"twenty[- ]?{w}": 20 + i for w, i in list(DAY_WORDS.items())[:9]})
DAY_WORDS.update({"thirty[- ]?first": 31})
_DAY_WORD = "(?:" + "|".join(sorted(DAY_WORDS, key=len, reverse=True)) + ")"
DAY = r"(?P<day>\d{1,2}(?:st|nd|rd|th)?|" + _DAY_WORD + ")"
YEAR_TAIL = r"(?:,?\s+(?:of\s+)?(?P<year>\d{4})|\s+'(?P<yy>\d{2}))?"


def day_number(word: str) -> int:
    """ "3rd" -> 3, "twenty-first" -> 21."""
    digits = re.sub(r"(st|nd|rd|th)$", "", word)
    if digits.isdigit():
        return int(digits)
    for pattern, value in DAY_WORDS.items():
        if re.fullmatch(pattern, word):
            return value
    raise ValueError(word)


def closest_with_weekday(
    make: Callable[[int], Span | None], weekday: int, ks: range, now: datetime
) -> Span | None:
    """Of ``make(k)`` for k in ``ks``, the one nearest ``now`` that falls on ``weekday``
    ("Monday, Feb 18": the Feb 18 that is a Monday)."""
    found = [s for s in map(make, ks) if s is not None and s.start.weekday() == weekday]
    return min(found, key=lambda s: abs(s.start - now)) if found else None


def _dated(m: re.Match[str], now: datetime) -> Atom | None:
    month, day = _month(m["month"]), day_number(m["day"])
    year = int(m["year"]) if m["year"] else full_year(int(m["yy"]), now) if m["yy"] else None
    if year:
        return at(day_span(year, month, day), "day", year=year, month=month)

    def redo(y: int, _m: int | None) -> Span | None:
        return day_span(y, month, day)

    span = past_month_day(now, month, day)
    if m["wd"]:
        weekday = WEEKDAYS[m["wd"].rstrip(".")]
        years = range(now.year + 1, now.year - 12, -1)
        span = closest_with_weekday(lambda y: day_span(y, month, day), weekday, years, now) or span
    return at(span, "day", month=month, redo=redo)


@rule(
    B
    + r"(?:(?P<wd>"
    + WD
    + r"),?\s+)?(?:the\s+)?(?P<month>"
    + MONTH
    + r")\.?\s*(?:the\s+)?"
    + DAY
    + YEAR_TAIL
    + E,
    1,
)
def _month_day(m: re.Match[str], now: datetime) -> Atom | None:
    return _dated(m, now)


@rule(
    B
    + r"(?:the\s+)?week\s+of\s+(?:(?:the\s+)?(?P<day>\d{1,2}(?:st|nd|rd|th)?|"
    + _DAY_WORD
    + r")\s+(?:of\s+)?(?P<month>"
    + MONTH
    + r")|(?P<month2>"
    + MONTH
    + r")\.?\s+(?:the\s+)?"
    + r"(?P<day2>\d{1,2}(?:st|nd|rd|th)?|"
    + _DAY_WORD
    + r"))(?:,?\s+(?P<year>\d{4}))?"
    + E,
    2,
)
def _week_of(m: re.Match[str], now: datetime) -> Atom | None:
    month, day = _month(m["month"] or m["month2"]), day_number(m["day"] or m["day2"])
    year = int(m["year"]) if m["year"] else None
    span = day_span(year, month, day) if year else past_month_day(now, month, day)
    return at(unit(span.start, "week") if span else None)


@rule(
    B
    + r"(?:(?P<wd>"
    + WD
    + r"),?\s+)?(?:the\s+)?"
    + DAY
    + r"\s*(?:of\s+)?(?P<month>"
    + MONTH
    + r")\.?"
    + r"(?:,?\s+(?:of\s+)?(?P<year>\d{4})|\s+'?(?P<yy>\d{2}))?"
    + E,
    1,
)
def _day_month(m: re.Match[str], now: datetime) -> Atom | None:
    return _dated(m, now)


def _days(m: re.Match[str], now: datetime) -> Atom | None:
    month, d1, d2 = _month(m["month"]), int(m["d1"]), int(m["d2"])
    if d2 < d1:
        return None
    year = int(m["year"]) if m["year"] else None
    if year is None:
        first = past_month_day(now, month, d1)
        year = first.start.year if first else None
    a = day_span(year, month, d1) if year else None
    b = day_span(year, month, d2) if year else None
    return at(Span(a.start, b.end, "day") if a and b else None, "range")


DASH = r"\s*(?:-|–|to|through|till|until|and)\s*"


@rule(
    B
    + r"(?:from\s+|between\s+)?(?P<month>"
    + MONTH
    + r")\.?\s+(?P<d1>\d{1,2})(?:st|nd|rd|th)?"
    + DASH
    + r"(?P<d2>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{4}))?"
    + E,
    2,
)
def _month_days(m: re.Match[str], now: datetime) -> Atom | None:
    return _days(m, now)


@rule(
    B
    + r"(?:from\s+|between\s+)?(?:the\s+)?(?P<d1>\d{1,2})(?:st|nd|rd|th)?"
    + DASH
    + r"(?:the\s+)?(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>"
    + MONTH
    + r")\.?(?:,?\s+(?P<year>\d{4}))?"
    + E,
    2,
)
def _days_month(m: re.Match[str], now: datetime) -> Atom | None:
    return _days(m, now)


@rule(
    B
    + r"(?:on\s+)?(?:(?P<wd>"
    + WD
    + r"),?\s+)?the\s+(?P<day>\d{1,2}(?:st|nd|rd|th)|"
    + _DAY_WORD
    + r")"
    + E
)
def _the_nth(m: re.Match[str], now: datetime) -> Atom | None:
    if not m["day"][0].isdigit() and not m["wd"]:
        return None  # "the first email" names no day
    day = day_number(m["day"])
    span = past_day_of_month(now, day)
    if m["wd"]:  # "Tuesday the 19th": the month whose 19th is a Tuesday, nearest now

        def make(k: int) -> Span | None:
            index = now.year * 12 + now.month - 1 + k
            return day_span(index // 12, index % 12 + 1, day)

        span = closest_with_weekday(make, _weekday(m["wd"]), range(12, -13, -1), now) or span
    return at(span, "day")


@rule(
    B
    + r"(?:the\s+)?"
    + DAY
    + r"(?:\s+day)?\s+(?:of|in)\s+(?:the\s+)?(?:(?P<rel>this|current|last|previous|next|com"
    r"ing)\s+)?month" + E,
    2,
)
def _day_of_relative_month(m: re.Match[str], now: datetime) -> Atom | None:
    first = unit(now, "month", THIS[m["rel"] or "this"]).start
    return at(day_span(first.year, first.month, day_number(m["day"])), "day")


@rule(
    B + r"(?:the\s+)?(?P<w>beginning|start|end|early|mid|middle|late)(?:\s+of|-)?\s*"
    r"(?P<month>" + MONTH_FULL + r"|may)(?:,?\s+(?P<year>\d{4}))?" + E,
    1,
)
def _part_of_month(m: re.Match[str], now: datetime) -> Atom | None:
    """ "early March", "the end of October 2015", "mid-May"."""
    month = _month(m["month"])
    if m["year"]:
        span = month_span(int(m["year"]), month)
    else:
        span = latest(lambda k: month_span(now.year + k, month), now)
    return at(part_of(span, m["w"]) if span else None, "range")


@rule(B + r"(?P<month>" + MONTH + r")\.?,?\s+(?:of\s+)?(?P<year>\d{4})" + E)
def _month_year(m: re.Match[str], now: datetime) -> Atom | None:
    return at(month_span(int(m["year"]), _month(m["month"])), "month", year=int(m["year"]))


@rule(
    B + r"(?:(?P<prep>in|of|during|since|until|from|through|early|late|mid)\s+)?"
    r"(?P<core>(?:(?P<rel>last|this|next)\s+)?(?P<month>" + MONTH_FULL + r"|may))" + E
)
def _month_alone(m: re.Match[str], now: datetime) -> Atom | None:
    pre = m["rel"] or m["prep"]
    if m["month"] == "may" and pre is None:
        return None  # "May I ...": a month only after a preposition
    month = _month(m["month"])
    if pre == "last":
        return at(latest(lambda k: month_span(now.year + k - 1, month), now), "month")
    if pre in ("this", "next"):
        return at(month_span(now.year + (pre == "next"), month), "month")
    span = past_month(now, month)
    redo = (lambda y, _m: month_span(y, month)) if pre != "last" else None
    return at(span, "month", month=month, redo=redo)


@rule(r"(?<![\d/.:-])(?P<m>\d{1,2})/(?P<y>\d{4})(?![\d/:])")
def _month_slash_year(m: re.Match[str], now: datetime) -> Atom | None:
    return at(month_span(int(m["y"]), int(m["m"])), "month", year=int(m["y"]))


@rule(
    r"(?<![\d/.:-])(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})"
    r"(?:(?P=sep)(?P<year>\d{4}|\d{2}))?(?![\d/:]|[.-]\d)"
)
def _slashed(m: re.Match[str], now: datetime) -> Atom | None:
    a, b = int(m["a"]), int(m["b"])
    month, day = (a, b) if a <= 12 else (b, a)  # month first, as in the US, unless it cannot be
    if m["year"]:
        year = int(m["year"]) if len(m["year"]) == 4 else full_year(int(m["year"]), now)
        return at(day_span(year, month, day), "day", year=year)
    if m["sep"] != "/" or not (1 <= month <= 12 and 1 <= day <= 31):
        return None  # "3.5" and "3-5" are no dates without a year
    return at(past_month_day(now, month, day), "day")


@rule(r"(?<![\d/.-])(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?![\d/-]|\.\d)", 1)
def _iso(m: re.Match[str], now: datetime) -> Atom | None:
    return at(day_span(int(m["y"]), int(m["m"]), int(m["d"])), "day", year=int(m["y"]))


@rule(r"(?<![\d/.-])(?P<y>\d{4})-(?P<m>\d{1,2})(?![\d/-]|\.\d)")
def _iso_month(m: re.Match[str], now: datetime) -> Atom | None:
    return at(month_span(int(m["y"]), int(m["m"])), "month", year=int(m["y"]))


@rule(
    B + r"(?:in\s+|of\s+|during\s+|since\s+|from\s+|until\s+|before\s+|after\s"
    r"+|the\s+year\s+|year\s+)(?P<core>(?P<year>1[0-9]\d\d|2[0-9]\d\d))" + E
)
def _year(m: re.Match[str], now: datetime) -> Atom | None:
    year = int(m["year"])
    return at(year_span(year), "year", year=year)


@rule(B + r"(?:the\s+)?(?P<c>1[0-9]|2[0-9])(?P<d>\d)0'?s" + E)
def _decade(m: re.Match[str], now: datetime) -> Atom | None:
    start = datetime(int(m["c"]) * 100 + int(m["d"]) * 10, 1, 1)
    return at(Span(start, start.replace(year=start.year + 10), "year"))


@rule(
    B + r"(?:(?P<a>1[0-9]\d\d|2[0-9]\d\d)\s*(?:-|–|to|through|until|till)\s*(?"
    r"P<b>1[0-9]\d\d|2[0-9]\d\d))" + E,
    1,
)
def _year_range(m: re.Match[str], now: datetime) -> Atom | None:
    a, b = int(m["a"]), int(m["b"])
    if b < a:
        return None
    return at(Span(datetime(a, 1, 1), datetime(b + 1, 1, 1), "year"), "range")


# ---- quarters ------------------------------------------------------------------------


def quarter(year: int, q: int) -> Span | None:
    if not 1 <= q <= 4:
        return None
    return unit(datetime(year, 3 * q - 2, 1), "quarter")


@rule(B + r"(?:q(?P<q1>[1-4])\s*(?P<y1>\d{4})|(?P<y2>\d{4}|\d{2})\s*q(?P<q2>[1-4]))" + E, 1)
def _q_year(m: re.Match[str], now: datetime) -> Atom | None:
    raw = m["y1"] or m["y2"]
    year = int(raw) if len(raw) == 4 else full_year(int(raw), now)
    return at(quarter(year, int(m["q1"] or m["q2"])))


@rule(
    B + r"(?:the\s+)?(?:(?P<ord>first|second|third|fourth|last|1st|2nd|3rd|4th"
    r")\s+(?:quarter|qtr)|q(?P<q>[1-4]))(?:\s+(?:of\s+)?(?:(?P<year>\d{4})|(?P<yrel>this|last|next)\s+year))?"
    + E
)
def _quarter(m: re.Match[str], now: datetime) -> Atom | None:
    q = int(m["q"]) if m["q"] else ORDINALS[m["ord"]]
    q = 4 if q < 0 else q
    if m["year"] or m["yrel"]:
        year = int(m["year"]) if m["year"] else now.year + THIS[m["yrel"]]
        return at(quarter(year, q))
    return at(latest(lambda k: quarter(now.year + k, q), now))


# ---- holidays ------------------------------------------------------------------------

EN_HOLIDAYS = {name: make for name, make in HOLIDAYS.items() if name.isascii()}
HOLIDAY = (
    r"(?P<name>"
    + "|".join(
        re.escape(n).replace("'", "'?").replace(r"st\ ", r"st\.?\ ")
        for n in sorted(EN_HOLIDAYS, key=len, reverse=True)
    )
    + ")"
)


def _holiday_named(text: str) -> str:
    key = re.sub(r"\s+", " ", text).replace("st. ", "st ")
    for name in EN_HOLIDAYS:
        if name.replace("'", "") == key.replace("'", ""):
            return name
    return key


@rule(
    B
    + r"(?:(?P<rel>this|last|next)\s+)?(?:(?P<y1>\d{4})\s+)?"
    + HOLIDAY
    + r"(?:,?\s+(?:of\s+|in\s+)?(?P<y2>\d{4}))?"
    + E,
    1,
)
def _holiday(m: re.Match[str], now: datetime) -> Atom | None:
    make = EN_HOLIDAYS[_holiday_named(m["name"])]
    year = m["y1"] or m["y2"]
    if year:
        return at(make(int(year)), "day")
    if m["rel"] == "this":
        return at(make(now.year), "day")
    if m["rel"] == "next":
        return at(latest(lambda k: make(now.year + k + 1), now + timedelta(days=366)), "day")
    span = latest(lambda k: make(now.year + k), now)
    if m["rel"] == "last" and span is not None and span.end > now:
        span = make(span.start.year - 1)
    return at(span, "day")
