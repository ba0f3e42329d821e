"""From atoms to the one interval a text names: the longest atoms win where they
overlap; a day and a time of day beside it make one time ("yesterday 8am",
"上个月23号晚上九点"); a weekday beside a date is the date ("Sunday, Feb 10");
two times joined by "to", "-" or 到 make a range ("from X to Y", "前年11月到去年3月"),
"since X" and "从X起" run until now."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from agents.timeread import english, english_dates
from agents.timeread.atoms import Atom, Clock, Rule, find
from agents.timeread.calendar import Span, floor
from agents.timeread.english_dates import closest_with_weekday

_CJK = re.compile(r"[\u3400-\u9fff]")
# What may stand between a day and its time of day, or a weekday and its date.
_JOIN = re.compile(r"^\s*(?:,|at|on|in\s+the|the|of|of\s+the|的|，|@)?\s*$")
_HALF_DAY = timedelta(hours=12)
_RANGE = re.compile(r"^\s*(?:-+|–|—+|~|～|to|till|until|through|thru|and|到|至|一直到)\s*$")
_FROM = re.compile(r"(?:\bfrom|\bbetween|从|自从|自|由)\s*$")
_SINCE_BEFORE = re.compile(r"(?:\bsince|\bever\s+since|自从|自打)\s*$")
_SINCE_AFTER = re.compile(
    r"^\s*(?:起|开始|以来|至今|迄今|到现在|到目前为止|到目前|到今天|onwards?|on\b)"
)
_FROM_ONLY = re.compile(r"(?:\bfrom|从|自)\s*$")


_ENGLISH = english.RULES + english_dates.RULES


def _select(atoms: Sequence[Atom]) -> list[Atom]:
    """Non-overlapping atoms, longest (then highest priority, then first) first."""
    chosen: list[Atom] = []
    for atom in sorted(atoms, key=lambda a: (-a.length, -a.priority, a.begin)):
        if all(atom.end <= c.begin or atom.begin >= c.end for c in chosen):
            chosen.append(atom)
    return sorted(chosen, key=lambda a: a.begin)


def _merge(a: Atom, b: Atom, now: datetime) -> Atom | None:
    """One atom for two neighbours, or None when they do not make one time."""
    day, clock = (a, b) if a.clock is None else (b, a)
    if day.clock is None and clock.clock is not None and day.span is not None:
        if day.kind == "part-of-day" and clock.kind != "part":  # "monday evening at 9"
            span = clock.clock.on(floor(day.span.start, "day"))
            if clock.clock.ambiguous and day.span.start.hour >= 12 and span.start.hour < 12:
                span = Span(span.start + _HALF_DAY, span.end + _HALF_DAY, span.grain)
            return Atom(a.begin, b.end, span=span, kind="time")
        if day.span.grain != "day" and day.kind not in ("day", "weekday"):
            return None
        span = clock.clock.on(floor(day.span.start, "day"))
        kind = "part-of-day" if clock.kind == "part" else "time"
        return Atom(a.begin, b.end, span=span, kind=kind)
    if a.clock is not None and b.clock is not None:
        if a.kind == "part" and b.kind != "part":  # "the morning at 8": the hour
            return Atom(a.begin, b.end, clock=b.clock)
        return None
    if a.span is None or b.span is None:
        return None
    if {a.kind, b.kind} == {"weekday", "day"}:  # "Sunday, Feb 10": the date says it
        date, weekday = (a, b) if a.kind == "day" else (b, a)
        dated = date.span
        wd = weekday.extras.get("wd")
        if date.redo is not None and isinstance(wd, int):  # no year: the one on that weekday
            redo = date.redo
            years = range(now.year + 1, now.year - 12, -1)
            dated = closest_with_weekday(lambda y: redo(y, None), wd, years, now) or dated
        return Atom(a.begin, b.end, span=dated, kind="day", year=date.year)
    return None


def _resolve(atom: Atom, now: datetime) -> Span | None:
    if atom.span is not None:
        return atom.span
    if atom.extras.get("needs_day"):
        return None
    return atom.clock.latest(now) if atom.clock is not None else None


def _range(a: Atom, b: Atom, now: datetime) -> Span | None:
    if a.clock is not None and b.clock is not None:  # "9点到11点": one time of day
        end = b.clock
        if end.ambiguous and end.start <= a.clock.start:
            end = Clock(end.start + timedelta(hours=12), end.end + timedelta(hours=12), end.grain)
        if end.end <= a.clock.start:  # "晚上8点到上午10点": into the next morning
            end = Clock(end.start + 2 * _HALF_DAY, end.end + 2 * _HALF_DAY, end.grain)
        return Clock(a.clock.start, end.end, a.clock.grain, a.clock.ambiguous).latest(now)
    first, last = _resolve(a, now), _resolve(b, now)
    if b.clock is not None and a.span is not None and last is not None:
        last = b.clock.on(floor(a.span.start, "day"))  # "yesterday 9am to 11am"
        if b.clock.ambiguous and last.end <= a.span.start:  # "下午3点到5点": 17:00
            last = Span(
                last.start + timedelta(hours=12), last.end + timedelta(hours=12), last.grain
            )
    if a.year is not None and b.year is None and b.redo is not None:
        last = b.redo(a.year, a.month) or last  # "2015年2月3日到3月5日": 3月5日 of 2015
    if b.year is not None and a.year is None and a.redo is not None:
        first = a.redo(b.year, b.month) or first  # "from March 3 to March 5 2012"
    if first is None or last is None:
        return None
    if last.end <= first.start and b.redo is not None:  # "December to March": the next March
        last = b.redo(last.start.year + 1, None) or last
    if last.end <= first.start and b.kind == "weekday":  # "Friday to Monday"
        last = Span(last.start + timedelta(days=7), last.end + timedelta(days=7), last.grain)
    if last.end <= first.start:
        return None
    return Span(first.start, last.end, first.grain)


def compose(text: str, rules: Sequence[Rule], now: datetime) -> Span | None:
    atoms = _select(list(find(rules, text, now)))
    merged: list[Atom] = []
    for atom in atoms:
        if merged:
            prev = merged[-1]
            if _JOIN.match(text[prev.end : atom.begin]):
                both = _merge(prev, atom, now)
                if both is not None:
                    merged[-1] = both
                    continue
        merged.append(atom)
    for i, atom in enumerate(merged):
        before = text[: atom.begin]
        if i + 1 < len(merged):
            nxt = merged[i + 1]
            between = text[atom.end : nxt.begin]
            joined = _RANGE.match(between)
            if joined and (between.strip() != "and" or re.search(r"\bbetween\s*$", before)):
                span = _range(atom, nxt, now)
                if span is not None:
                    return span
        span = _resolve(atom, now)
        if span is None:
            continue
        after = text[atom.end :]
        since = _SINCE_BEFORE.search(before) or (
            _SINCE_AFTER.match(after) and (_FROM_ONLY.search(before) or _CJK.search(after[:3]))
        )
        if since and span.start < now:
            return Span(span.start, now, span.grain)
        return span
    return None


def read_span(text: str, now: datetime) -> Span | None:
    """The interval ``text`` names, read at ``now`` (naive local time), or None."""
    lower = text.lower().replace("\u2019", "'")
    if _CJK.search(text):
        from agents.timeread import chinese, chinese_lunar  # compiled for Chinese text only

        rules = chinese.RULES + chinese_lunar.RULES
        found = compose(chinese.normalise(lower), rules, now)
        if found is not None:
            return found
    return compose(lower, _ENGLISH, now)
