"""English time expressions, by the families of Duckling's English time rules
(``Duckling/Time/EN/Rules.hs``): relative days, weeks, months, quarters and years;
"<n> <unit> ago"; weekdays alone or in a week; ordinals in a month; dates by name
and by number; quarters; holidays; times and parts of a day. The text is lower case."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from agents.timeread.atoms import (
    Atom,
    Clock,
    Rule,
    ago,
    at,
    last_weekday,
    registrar,
    weekday_in_week,
)
from agents.timeread.calendar import (
    FINER,
    Span,
    add,
    floor,
    unit,
)

RULES: list[Rule] = []
rule = registrar(RULES)

NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "couple of": 2,
    "a couple of": 2,
}
FEW = {"few": 3, "a few": 3, "several": 3, "couple": 2, "a couple": 2}
ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
    "5th": 5,
    "last": -1,
}
WEEKDAYS = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tue": 1,
    "tues": 1,
    "wednesday": 2,
    "wed": 2,
    "thursday": 3,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
MONTHS = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
UNITS = {
    "second": "second",
    "sec": "second",
    "minute": "minute",
    "min": "minute",
    "hour": "hour",
    "hr": "hour",
    "day": "day",
    "week": "week",
    "wk": "week",
    "month": "month",
    "quarter": "quarter",
    "qtr": "quarter",
    "year": "year",
    "yr": "year",
}


def _alt(words: dict[str, int] | dict[str, str]) -> str:
    return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"


NUM = r"(?:\d{1,3}|" + _alt(NUMBERS) + ")"
ORD = _alt(ORDINALS)
WD_FULL = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tues|thurs)"
WD = r"(?:" + WD_FULL + r"|(?:mon|tue|wed|thu|fri|sat|sun)(?=[.,]))\.?"
MONTH_FULL = (
    r"(?:january|february|march|april|june|july|august|september|october|november|december)"
)
MONTH = _alt(MONTHS)
UNIT = _alt(UNITS) + "s?"
THIS = {"this": 0, "current": 0, "last": -1, "previous": -1, "past": -1, "prior": -1}
THIS.update({"this past": -1, "the past": -1, "the previous": -1, "the last": -1})
THIS.update({"next": 1, "coming": 1, "following": 1, "the following": 1, "upcoming": 1})
REL = _alt(THIS)
B = r"(?<![\w])"  # a word starts
E = r"(?![\w])"  # a word ends


def number(word: str) -> int:
    word = word.strip()
    return int(word) if word.isdigit() else NUMBERS[word]


def _weekday(word: str) -> int:
    return WEEKDAYS[word.rstrip(".")]


def _month(word: str) -> int:
    return MONTHS[word.rstrip(".")]


# ---- days, weeks, months, quarters, years relative to now ---------------------------


@rule(B + r"(?:the\s+)?day\s+before\s+yesterday" + E)
def _before_yesterday(m: re.Match[str], now: datetime) -> Atom | None:
    return at(unit(now, "day", -2))


@rule(B + r"(?:the\s+)?day\s+after\s+tomorrow" + E)
def _after_tomorrow(m: re.Match[str], now: datetime) -> Atom | None:
    return at(unit(now, "day", 2))


@rule(B + r"(?P<w>yesterday|today|tomorrow|right\s+now|just\s+now|^\W*now(?=\W*$))" + E)
def _near_day(m: re.Match[str], now: datetime) -> Atom | None:
    if m["w"].endswith("now"):  # "now" inside a sentence ("how is she now?") is no filter
        return at(unit(now, "second"))
    return at(unit(now, "day", {"yesterday": -1, "today": 0, "tomorrow": 1}[m["w"]]), "day")


@rule(B + r"(?P<w>tonight|last\s+night)" + E)
def _night(m: re.Match[str], now: datetime) -> Atom | None:
    day = floor(now, "day") - timedelta(days=0 if m["w"] == "tonight" else 1)
    span = Span(day + timedelta(hours=18), day + timedelta(days=1), "hour")
    return at(span, "part-of-day")  # "at 8 tonight": 20:00


@rule(
    B + r"(?:the\s+)?(?P<w>beginning|start|end|early|mid|middle|late)(?:\s+of|-)?\s+"
    r"(?:(?:the\s+)?(?P<rel>this|current|last|previous|next)\s+|the\s+)?(?P<u>month|year)" + E,
    1,
)
def _part_of_period(m: re.Match[str], now: datetime) -> Atom | None:
    """ "the end of the month" (21st to its end), "the beginning of next year"."""
    period = unit(now, m["u"], THIS.get(m["rel"] or "this", 0))
    return at(part_of(period, m["w"]), "range")


def part_of(period: Span, word: str) -> Span:
    """Of a month: days 1-10, 11-20, 21-end; of a year: Jan-Mar, Apr-Aug, Sep-Dec."""
    begin = word in ("beginning", "start", "early")
    middle = word in ("mid", "middle")
    if period.grain == "month":
        first, last = period.start, period.end
        a = first if begin else first + timedelta(days=10 if middle else 20)
        b = first + timedelta(days=10 if begin else 20) if begin or middle else last
        return Span(a, b, "day")
    a = add(period.start, 0 if begin else 3 if middle else 8, "month")
    b = add(period.start, 3 if begin else 8 if middle else 12, "month")
    return Span(a, b, "month")


@rule(B + r"(?:the\s+)?(?P<rel>" + REL + r")\s+(?P<u>" + _alt(UNITS) + r"|weekend)" + E)
def _relative_unit(m: re.Match[str], now: datetime) -> Atom | None:
    shift = THIS[m["rel"]]
    if m["u"] == "weekend":
        return at(weekend(now, shift))
    grain = UNITS[m["u"]]
    if grain in ("second", "minute", "hour"):
        return None
    return at(unit(now, grain, shift))


def weekend(now: datetime, weeks: int) -> Span:
    """Friday 18:00 to Monday 00:00 (Duckling's weekend) of the week ``weeks`` away."""
    monday = floor(now, "week") + timedelta(days=7 * weeks)
    return Span(monday + timedelta(days=4, hours=18), monday + timedelta(days=7), "hour")


@rule(B + r"(?:the\s+)?(?P<u>week|month|year)\s+(?P<w>before\s+last|after\s+next)" + E)
def _two_away(m: re.Match[str], now: datetime) -> Atom | None:
    return at(unit(now, m["u"], -2 if m["w"].startswith("before") else 2))


@rule(
    B + r"(?P<n>" + NUM + r")\s+(?P<u>" + UNIT + r")\s+(?P<w>ago|back|from\s+now|later|hence)" + E
)
def _ago(m: re.Match[str], now: datetime) -> Atom | None:
    grain = UNITS[m["u"].rstrip("s")] if m["u"] not in UNITS else UNITS[m["u"]]
    n = number(m["n"]) * (1 if m["w"] in ("ago", "back") else -1)
    return at(ago(now, n, grain, FINER[grain]))


@rule(B + r"in\s+(?P<n>" + NUM + r")\s+(?P<u>" + UNIT + r")" + E)
def _in(m: re.Match[str], now: datetime) -> Atom | None:
    grain = UNITS[m["u"].rstrip("s")] if m["u"] not in UNITS else UNITS[m["u"]]
    return at(ago(now, -number(m["n"]), grain, FINER[grain]))


@rule(
    B + r"(?:the\s+|over\s+the\s+|in\s+the\s+|within\s+the\s+)?(?P<rel>last|pa"
    r"st|previous|next|coming)\s+(?P<n>" + NUM + "|" + _alt(FEW) + r")\s+(?P<u>" + UNIT + r")" + E
)
def _last_n(m: re.Match[str], now: datetime) -> Atom | None:
    grain = UNITS[m["u"].rstrip("s")] if m["u"] not in UNITS else UNITS[m["u"]]
    n = FEW[m["n"]] if m["n"] in FEW else number(m["n"])
    if n < 1:
        return None
    here = floor(now, grain)
    if THIS[m["rel"]] < 0:
        return at(Span(add(here, -n, grain), here, grain), "range")
    return at(Span(add(here, 1, grain), add(here, n + 1, grain), grain), "range")


# ---- weekdays --------------------------------------------------------------------------


@rule(
    B
    + r"(?:on\s+)?(?:(?P<rel>this\s+past|this|last|next|previous|coming)\s+)?(?P<wd>"
    + WD
    + r")(?:\s+(?:of\s+|from\s+)?(?:the\s+)?(?P<wrel>this|last|next|previous|coming|"
    r"the\s+following)\s+week)?" + E
)
def _weekday_rule(m: re.Match[str], now: datetime) -> Atom | None:
    wd = _weekday(m["wd"])
    if m["wrel"]:
        span = weekday_in_week(now, wd, THIS[m["wrel"].replace("the ", "")])
    elif m["rel"] is None:
        span = last_weekday(now, wd, strictly=False)
    elif m["rel"] in ("last", "previous") or m["rel"].startswith("this "):
        span = last_weekday(now, wd, strictly=True)
    else:
        span = weekday_in_week(now, wd, THIS[m["rel"]])
    return at(span, "weekday", extras={"wd": wd})


@rule(B + r"(?P<wd>" + WD + r")\s+after\s+next" + E)
def _weekday_after_next(m: re.Match[str], now: datetime) -> Atom | None:
    today = floor(now, "day")
    ahead = (_weekday(m["wd"]) - today.weekday()) % 7 or 7
    start = today + timedelta(days=ahead + 7)
    return at(Span(start, start + timedelta(days=1), "day"), "weekday")


@rule(B + r"(?:over\s+|during\s+|on\s+)?the\s+weekend" + E)
def _the_weekend(m: re.Match[str], now: datetime) -> Atom | None:
    span = weekend(now, 0)
    return at(span if span.start <= now else weekend(now, -1))


@rule(B + r"earlier\s+(?P<u>today|this\s+week|this\s+month|this\s+year)" + E)
def _earlier(m: re.Match[str], now: datetime) -> Atom | None:
    grain = "day" if m["u"] == "today" else m["u"].split()[-1]
    return at(Span(floor(now, grain), now, grain))


@rule(B + r"(?P<rel>this|last|next|previous)\s+week'?s\s+(?P<wd>" + WD + ")" + E)
def _weeks_weekday(m: re.Match[str], now: datetime) -> Atom | None:
    wd = _weekday(m["wd"])
    return at(weekday_in_week(now, wd, THIS[m["rel"]]), "weekday", extras={"wd": wd})


@rule(B + r"(?P<wd>" + WD + r")\s+before\s+last" + E)
def _weekday_before_last(m: re.Match[str], now: datetime) -> Atom | None:
    return at(last_weekday(now, _weekday(m["wd"]), strictly=True, nth=2), "weekday")


@rule(B + r"(?P<n>" + NUM + r")\s+(?P<wd>" + WD_FULL + r")s?\s+ago" + E)
def _weekdays_ago(m: re.Match[str], now: datetime) -> Atom | None:
    n = number(m["n"])
    return at(last_weekday(now, _weekday(m["wd"]), strictly=True, nth=n), "weekday") if n else None


# ---- times of day ------------------------------------------------------------------------


def clock(hour: int, minute: int | None, meridiem: str | None) -> Clock | None:
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem.startswith("p") else 0)
    if not 0 <= hour <= 23 or not 0 <= (minute or 0) <= 59:
        return None
    start = timedelta(hours=hour, minutes=minute or 0)
    grain = "hour" if minute is None else "minute"
    step = timedelta(hours=1) if minute is None else timedelta(minutes=1)
    return Clock(start, start + step, grain, ambiguous=meridiem is None and 1 <= hour <= 12)


AMPM = r"(?P<ap>a\.?m\.?|p\.?m\.?)(?![\w])"


@rule(B + r"(?:at\s+|@\s*)?(?P<h>\d{1,2})(?::(?P<mi>\d{2}))?\s*" + AMPM)
def _ampm(m: re.Match[str], now: datetime) -> Atom | None:
    c = clock(int(m["h"]), int(m["mi"]) if m["mi"] else None, m["ap"][0])
    return Atom(0, 0, clock=c) if c else None


@rule(r"(?<![\d:/.-])(?:at\s+|@\s*)?(?P<h>\d{1,2}):(?P<mi>\d{2})(?![\d:])")
def _hhmm(m: re.Match[str], now: datetime) -> Atom | None:
    c = clock(int(m["h"]), int(m["mi"]), None)
    return Atom(0, 0, clock=c) if c else None


@rule(B + r"(?:at\s+)?(?P<h>\d{1,2}|" + _alt(NUMBERS) + r")\s*o'?clock" + E)
def _oclock(m: re.Match[str], now: datetime) -> Atom | None:
    c = clock(number(m["h"]), None, None)
    return Atom(0, 0, clock=c) if c else None


@rule(B + r"(?:at\s+)?(?P<w>noon|midday|midnight)" + E)
def _noon(m: re.Match[str], now: datetime) -> Atom | None:
    hour = 0 if m["w"] == "midnight" else 12
    c = Clock(timedelta(hours=hour), timedelta(hours=hour + 1), "hour")
    return Atom(0, 0, clock=c)


@rule(
    B + r"(?:from\s+)?(?P<h1>\d{1,2})(?::(?P<m1>\d{2}))?\s*(?P<ap1>am|pm)?\s*("
    r"?:-|–|to|till|until|and)\s*(?P<h2>\d{1,2})(?::(?P<m2>\d{2}))?\s*" + AMPM,
    1,
)
def _clock_range(m: re.Match[str], now: datetime) -> Atom | None:
    first = clock(int(m["h1"]), int(m["m1"]) if m["m1"] else None, (m["ap1"] or m["ap"])[0])
    second = clock(int(m["h2"]), int(m["m2"]) if m["m2"] else None, m["ap"][0])
    if first is None or second is None or second.end <= first.start:
        return None
    return Atom(0, 0, clock=Clock(first.start, second.end, first.grain), kind="range")


PARTS = {
    "morning": (4, 12),
    "afternoon": (12, 19),
    "evening": (18, 24),
    "night": (18, 24),
    "lunch": (12, 14),
    "lunchtime": (12, 14),
}


@rule(
    B + r"(?:(?P<this>this)\s+|(?P<pre>(?:in|at|during)\s+the|at)\s+)?(?P<part>morni"
    r"ng|afternoon|evening|night|lunch(?:time)?)" + E
)
def _part_of_day(m: re.Match[str], now: datetime) -> Atom | None:
    """A part of a day; said alone ("good morning", "opening night") it names no time
    unless a day stands beside it ("yesterday morning") or "in the" comes before it."""
    a, b = PARTS[m["part"]]
    c = Clock(timedelta(hours=a), timedelta(hours=b), "hour")
    if m["this"]:
        return at(c.on(floor(now, "day")))
    return Atom(0, 0, clock=c, kind="part", extras={} if m["pre"] else {"needs_day": True})


@rule(B + r"at\s+(?P<h>\d{1,2})(?![\d:.])(?!\s*(?:am|pm|a\.m|p\.m|o'?clock|%|percent))")
def _at_hour(m: re.Match[str], now: datetime) -> Atom | None:
    c = clock(int(m["h"]), None, None)
    return Atom(0, 0, clock=c) if c else None
