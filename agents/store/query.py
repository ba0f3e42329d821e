"""What a question says beyond its words: the time it names and the people it names.

No model is used. A question is read for

- a **time window**: an explicit date ("on 3 June, 2023", "October 13, 2023",
  "in May 2023", "2023-06-03", "2023年6月3日", "2023年6月") or a time relative
  to the reference time ("yesterday", "last week", "last year", "昨天",
  "上周", "去年"). Things are often told some days after they happen, so a
  window reaches ``AFTER_DAYS`` past the time named. Search adds rankings
  taken within the window; it never drops what lies outside it.
- **people**: the speakers of stored chat turns that the question names
  (:func:`named_speakers`), whose turns search favours; the question is also
  searched without their names (:func:`without_names`), so that what is
  asked counts more than who is asked about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from agents.store.timeutil import FIRST_YEAR, LAST_YEAR, as_utc

AFTER_DAYS = 7  # a window reaches this far past the time named
MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>\d{4})"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
# Most specific first: the first pattern that matches gives the window.
_DATE_PATTERNS = [
    re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b"),
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.I),
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.I),
    re.compile(r"(?P<year>\d{4})\s*年\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*[日号]"),
    re.compile(rf"\b{_MONTH},?\s+(?:of\s+)?{_YEAR}\b", re.I),
    re.compile(r"(?P<year>\d{4})\s*年\s*(?P<month>\d{1,2})\s*月"),
    re.compile(r"(?:\bin\s+|\bof\s+|\bduring\s+|\byear\s+)(?P<year>\d{4})\b", re.I),
    re.compile(r"(?P<year>\d{4})\s*年"),
]
# Relative expressions: (pattern, unit, how many units back).
_RELATIVE = [
    (re.compile(r"\byesterday\b|昨天|昨日", re.I), "day", 1),
    (re.compile(r"\btoday\b|今天|今日", re.I), "day", 0),
    (re.compile(r"\blast\s+week(?:end)?\b|上周|上星期|上个星期", re.I), "week", 1),
    (re.compile(r"\bthis\s+week\b|这周|本周|这个星期", re.I), "week", 0),
    (re.compile(r"\blast\s+month\b|上个月|上月", re.I), "month", 1),
    (re.compile(r"\bthis\s+month\b|这个月|本月", re.I), "month", 0),
    (re.compile(r"\blast\s+year\b|去年", re.I), "year", 1),
    (re.compile(r"\bthis\s+year\b|今年", re.I), "year", 0),
]


@dataclass(frozen=True)
class TimeWindow:
    start: datetime
    end: datetime  # the end of the window


def _month_end(year: int, month: int) -> datetime:
    return datetime(year + 1, 1, 1) if month == 12 else datetime(year, month + 1, 1)


def _window(start: datetime, end: datetime) -> TimeWindow:
    return TimeWindow(as_utc(start), as_utc(end + timedelta(days=AFTER_DAYS)))


def _explicit(match: re.Match[str]) -> TimeWindow | None:
    parts = match.groupdict()
    year = int(parts["year"])
    if not FIRST_YEAR <= year < LAST_YEAR:
        return None
    month_raw = parts.get("month")
    if month_raw is None:
        return _window(datetime(year, 1, 1), datetime(year + 1, 1, 1))
    month = int(month_raw) if month_raw.isdigit() else MONTHS[month_raw.lower()]
    if not 1 <= month <= 12:
        return None
    if parts.get("day") is None:
        return _window(datetime(year, month, 1), _month_end(year, month))
    try:
        day = datetime(year, month, int(parts["day"]))
    except ValueError:
        return None
    return _window(day, day + timedelta(days=1))


def _relative(unit: str, back: int, reference: datetime) -> TimeWindow:
    ref = reference.astimezone().replace(tzinfo=None)  # calendar days of the local clock
    today = ref.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "day":
        start = today - timedelta(days=back)
        return _window(start, start + timedelta(days=1))
    if unit == "week":
        start = today - timedelta(days=today.weekday() + 7 * back)
        return _window(start, start + timedelta(days=7))
    if unit == "month":
        year, month = today.year, today.month - back
        while month < 1:
            year, month = year - 1, month + 12
        return _window(datetime(year, month, 1), _month_end(year, month))
    return _window(datetime(today.year - back, 1, 1), datetime(today.year - back + 1, 1, 1))


def time_window(question: str, reference: datetime) -> TimeWindow | None:
    """The time a question names, or None; relative times count back from ``reference``."""
    for pattern in _DATE_PATTERNS:
        match = pattern.search(question)
        if match:
            window = _explicit(match)
            if window is not None:
                return window
    for pattern, unit, back in _RELATIVE:
        if pattern.search(question):
            return _relative(unit, back, reference)
    return None


# ---- people --------------------------------------------------------------------------


def _word(name: str) -> re.Pattern[str]:
    if re.search(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", name):
        return re.compile(re.escape(name))
    return re.compile(rf"(?<![\w]){re.escape(name)}(?![\w])", re.I)


def named_speakers(question: str, speakers: Iterable[str]) -> set[str]:
    """The speakers (of found chat turns) that the question names, by whole word.

    A speaker is named by their full name or by its first word ("Jon" for "Jon
    Smith"); single letters and the generic roles "user" and "assistant" are
    not names.
    """
    out = set()
    for speaker in set(speakers):
        name = (speaker or "").strip()
        if len(name) < 2 or name.lower() in ("user", "assistant", "system", "me", "i"):
            continue
        first = name.split()[0]
        if _word(name).search(question) or (len(first) >= 2 and _word(first).search(question)):
            out.add(speaker)
    return out


def without_names(question: str, speakers: Iterable[str]) -> str:
    """The question with the names of ``speakers`` (full or first, with a possessive "'s")
    taken out."""
    text = question
    for speaker in speakers:
        for name in dict.fromkeys([speaker.strip(), speaker.strip().split()[0]]):
            pattern = _word(name)
            text = re.sub(rf"{pattern.pattern}(?:'s|’s)?", " ", text, flags=pattern.flags)
    return re.sub(r"\s+", " ", text).strip()
