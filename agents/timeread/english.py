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
    full_year,
    last_weekday,
    past_day_of_month,
    past_month,
    past_month_day,
    registrar,
    weekday_in_week,
)
from agents.timeread.calendar import (
    FINER,
    HOLIDAYS,
    Span,
    add,
    day_span,
    floor,
    latest,
    month_span,
    nth_weekday,
    unit,
    year_span,
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
    "few": 3,
    "a few": 3,
}
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


def _day_number(word: str) -> int:
    return int(re.sub(r"(st|nd|rd|th)$", "", word))


# ---- days, weeks, months, quarters, years relative to now ---------------------------


@rule(B + r"(?:the\s+)?day\s+before\s+yesterday" + E)
def _before_yesterday(m: re.Match[str], now: datetime) -> Atom | None:
    return at(unit(now, "day", -2))


@rule(B + r"(?:the\s+)?day\s+after\s+tomorrow" + E)
def _after_tomorrow(m: re.Match[str], now: datetime) -> Atom | None:
    return at(unit(now, "day", 2))


@rule(B + r"(?P<w>yesterday|today|tomorrow|now)" + E)
def _near_day(m: re.Match[str], now: datetime) -> Atom | None:
    if m["w"] == "now":
        return at(unit(now, "second"))
    return at(unit(now, "day", {"yesterday": -1, "today": 0, "tomorrow": 1}[m["w"]]), "day")


@rule(B + r"(?P<w>tonight|last\s+night)" + E)
def _night(m: re.Match[str], now: datetime) -> Atom | None:
    day = floor(now, "day") - timedelta(days=0 if m["w"] == "tonight" else 1)
    return at(Span(day + timedelta(hours=18), day + timedelta(days=1), "hour"))


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
    r"st|previous|next|coming)\s+(?P<n>" + NUM + r")\s+(?P<u>" + UNIT + r")" + E
)
def _last_n(m: re.Match[str], now: datetime) -> Atom | None:
    grain = UNITS[m["u"].rstrip("s")] if m["u"] not in UNITS else UNITS[m["u"]]
    n = number(m["n"])
    if n < 1:
        return None
    here = floor(now, grain)
    if THIS[m["rel"]] < 0:
        return at(Span(add(here, -n, grain), here, grain), "range")
    return at(Span(add(here, 1, grain), add(here, n + 1, grain), grain), "range")


# ---- weekdays --------------------------------------------------------------------------


@rule(
    B
    + r"(?:on\s+)?(?:(?P<rel>this|last|next|previous|coming)\s+)?(?P<wd>"
    + WD
    + r")(?:\s+(?:of\s+)?(?:the\s+)?(?P<wrel>this|last|next|previous|coming|"
    r"the\s+following)\s+week)?" + E
)
def _weekday_rule(m: re.Match[str], now: datetime) -> Atom | None:
    wd = _weekday(m["wd"])
    if m["wrel"]:
        return at(weekday_in_week(now, wd, THIS[m["wrel"].replace("the ", "")]), "weekday")
    rel = m["rel"]
    if rel is None:
        return at(last_weekday(now, wd, strictly=False), "weekday")
    if rel in ("last", "previous"):
        return at(last_weekday(now, wd, strictly=True), "weekday")
    return at(weekday_in_week(now, wd, THIS[rel]), "weekday")


@rule(B + r"(?P<rel>this|last|next|previous)\s+week'?s\s+(?P<wd>" + WD + ")" + E)
def _weeks_weekday(m: re.Match[str], now: datetime) -> Atom | None:
    return at(weekday_in_week(now, _weekday(m["wd"]), THIS[m["rel"]]), "weekday")


@rule(B + r"(?P<wd>" + WD + r")\s+before\s+last" + E)
def _weekday_before_last(m: re.Match[str], now: datetime) -> Atom | None:
    return at(last_weekday(now, _weekday(m["wd"]), strictly=True, nth=2), "weekday")


@rule(B + r"(?P<n>" + NUM + r")\s+(?P<wd>" + WD_FULL + r")s?\s+ago" + E)
def _weekdays_ago(m: re.Match[str], now: datetime) -> Atom | None:
    n = number(m["n"])
    return at(last_weekday(now, _weekday(m["wd"]), strictly=True, nth=n), "weekday") if n else None


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
    + r"|day|week)\s+(?:of|in)\s+"
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
    if m["what"] == "week":  # the week that holds the month's first (or last) day
        day = month.start if nth > 0 else month.end - timedelta(days=1)
        return at(unit(day, "week", nth - 1 if nth > 0 else 0))
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

DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
YEAR_TAIL = r"(?:,?\s+(?:of\s+)?(?P<year>\d{4})|\s+'(?P<yy>\d{2}))?"


def _dated(m: re.Match[str], now: datetime) -> Atom | None:
    month, day = _month(m["month"]), _day_number(m["day"])
    year = int(m["year"]) if m["year"] else full_year(int(m["yy"]), now) if m["yy"] else None
    span = day_span(year, month, day) if year else past_month_day(now, month, day)

    def redo(y: int, _m: int | None) -> Span | None:
        return day_span(y, month, day)

    return at(span, "day", year=year, month=month, redo=None if year else redo)


@rule(
    B
    + r"(?:(?P<wd>"
    + WD
    + r"),?\s+)?(?:the\s+)?(?P<month>"
    + MONTH
    + r")\.?\s+(?:the\s+)?"
    + DAY
    + YEAR_TAIL
    + E,
    1,
)
def _month_day(m: re.Match[str], now: datetime) -> Atom | None:
    return _dated(m, now)


@rule(
    B
    + r"(?:(?P<wd>"
    + WD
    + r"),?\s+)?(?:the\s+)?"
    + DAY
    + r"\s+(?:of\s+)?(?P<month>"
    + MONTH
    + r")\.?"
    + YEAR_TAIL
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


@rule(B + r"(?:on\s+)?the\s+(?P<day>\d{1,2})(?:st|nd|rd|th)" + E)
def _the_nth(m: re.Match[str], now: datetime) -> Atom | None:
    return at(past_day_of_month(now, int(m["day"])), "day")


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


@rule(r"(?<![\d/.:-])(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<year>\d{4}|\d{2}))?(?![\d/:])")
def _slashed(m: re.Match[str], now: datetime) -> Atom | None:
    a, b = int(m["a"]), int(m["b"])
    month, day = (a, b) if a <= 12 else (b, a)  # month first, as in the US, unless it cannot be
    if m["year"]:
        year = int(m["year"]) if len(m["year"]) == 4 else full_year(int(m["year"]), now)
        return at(day_span(year, month, day), "day", year=year)
    if m["year"] is None and not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return at(past_month_day(now, month, day), "day")


@rule(r"(?<![\d/.-])(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?![\d/-]|\.\d)", 1)
def _iso(m: re.Match[str], now: datetime) -> Atom | None:
    return at(day_span(int(m["y"]), int(m["m"]), int(m["d"])), "day", year=int(m["y"]))


@rule(r"(?<![\d/.-])(?P<y>\d{4})-(?P<m>\d{1,2})(?![\d/-]|\.\d)")
def _iso_month(m: re.Match[str], now: datetime) -> Atom | None:
    return at(month_span(int(m["y"]), int(m["m"])), "month", year=int(m["y"]))


@rule(B + r"at\s+(?P<h>\d{1,2})(?![\d:.])(?!\s*(?:am|pm|a\.m|p\.m|o'?clock|%|percent))")
def _at_hour(m: re.Match[str], now: datetime) -> Atom | None:
    c = clock(int(m["h"]), None, None)
    return Atom(0, 0, clock=c) if c else None


@rule(r"(?<![\d.])(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})(?![\d.])")
def _dotted(m: re.Match[str], now: datetime) -> Atom | None:
    return at(day_span(int(m["y"]), int(m["m"]), int(m["d"])), "day", year=int(m["y"]))


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


@rule(B + r"(?:q(?P<q1>[1-4])\s*(?P<y1>\d{4})|(?P<y2>\d{4})\s*q(?P<q2>[1-4]))" + E, 1)
def _q_year(m: re.Match[str], now: datetime) -> Atom | None:
    return at(quarter(int(m["y1"] or m["y2"]), int(m["q1"] or m["q2"])))


@rule(
    B + r"(?:the\s+)?(?:(?P<ord>first|second|third|fourth|last|1st|2nd|3rd|4th"
    r")\s+quarter|q(?P<q>[1-4]))(?:\s+(?:of\s+)?(?:(?P<year>\d{4})|(?P<yrel>this|last|next)\s+year))?"
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
    r"?:-|–|to|till|until)\s*(?P<h2>\d{1,2})(?::(?P<m2>\d{2}))?\s*" + AMPM,
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
    B + r"(?:(?P<this>this)\s+|(?:in|at|during)\s+the\s+|at\s+)?(?P<part>morni"
    r"ng|afternoon|evening|night|lunch(?:time)?)" + E
)
def _part_of_day(m: re.Match[str], now: datetime) -> Atom | None:
    a, b = PARTS[m["part"]]
    c = Clock(timedelta(hours=a), timedelta(hours=b), "hour")
    if m["this"]:
        return at(c.on(floor(now, "day")))
    return Atom(0, 0, clock=c, kind="part")
