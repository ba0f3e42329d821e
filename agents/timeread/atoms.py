"""What the grammars find in a text: atoms (a time, or a time of day that waits for
its day), and the helpers that read them the way the corpora do."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from agents.timeread.calendar import Span, add, day_span, floor, latest, month_span, unit

FIRST_YEAR, LAST_YEAR = 1000, 2999


@dataclass(frozen=True)
class Clock:
    """A time of day, [start, end) after midnight, that needs a day. ``ambiguous``:
    an hour from 1 to 12 said without am/pm or a part of the day."""

    start: timedelta
    end: timedelta
    grain: str
    ambiguous: bool = False

    def on(self, day: datetime) -> Span:
        return Span(day + self.start, day + self.end, self.grain)

    def latest(self, now: datetime) -> Span | None:
        """The past reading: the last such time of day that has begun by ``now``."""
        shifts = [timedelta(0), timedelta(hours=12)] if self.ambiguous else [timedelta(0)]
        today = floor(now, "day")
        options = [
            Span(d + self.start + s, d + self.end + s, self.grain)
            for d in (today, today - timedelta(days=1))
            for s in shifts
        ]
        begun = [o for o in options if o.start <= now]
        return max(begun, key=lambda o: o.start) if begun else None


# A re-reading of an atom whose year (and month) a range's other end gives
# ("2019年4月12日到5月3日": the end is read in 2019).
Redo = Callable[[int, int | None], Span | None]


@dataclass
class Atom:
    begin: int
    end: int
    span: Span | None = None
    clock: Clock | None = None
    kind: str = ""  # "weekday", "date", "day" (a day named by date), "range", ...
    year: int | None = None  # the year the text itself gave
    month: int | None = None
    redo: Redo | None = None
    priority: int = 0  # among atoms of the same length, the higher wins
    extras: dict[str, object] = field(default_factory=dict)

    @property
    def length(self) -> int:
        return self.end - self.begin


Handler = Callable[[re.Match[str], datetime], Atom | None]


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    handler: Handler
    priority: int = 0


def registrar(rules: list[Rule]) -> Callable[..., Callable[[Handler], Handler]]:
    """A decorator that adds a handler, with its pattern, to ``rules``."""

    def rule(regex: str, priority: int = 0) -> Callable[[Handler], Handler]:
        def wrap(handler: Handler) -> Handler:
            rules.append(Rule(re.compile(regex), handler, priority))
            return handler

        return wrap

    return rule


def find(rules: Sequence[Rule], text: str, now: datetime) -> Iterator[Atom]:
    for r in rules:
        for m in r.pattern.finditer(text):
            if m.end() == m.start():
                continue
            atom = r.handler(m, now)
            if atom is None:
                continue
            # A preposition the pattern needs ("in May") is not part of the time.
            core = "core" if "core" in r.pattern.groupindex and m["core"] else 0
            atom.begin, atom.end = m.start(core), m.end(core)
            atom.priority = r.priority
            yield atom


def at(span: Span | None, kind: str = "", **extra: object) -> Atom | None:
    """An atom for ``span`` (its place is set by :func:`find`)."""
    if span is None or not FIRST_YEAR <= span.start.year <= LAST_YEAR:
        return None
    return Atom(0, 0, span=span, kind=kind, **extra)  # type: ignore[arg-type]


def ago(now: datetime, n: int, grain: str, finer: str) -> Span:
    """``n`` grains before (or after, for negative n) ``now``, read at ``finer``."""
    return unit(add(now, -n, grain), finer)


def weekday_in_week(now: datetime, weekday: int, weeks: int) -> Span:
    """``weekday`` (0 Monday) of the week ``weeks`` from this one."""
    start = floor(now, "week") + timedelta(days=7 * weeks + weekday)
    return Span(start, start + timedelta(days=1), "day")


def last_weekday(now: datetime, weekday: int, strictly: bool, nth: int = 1) -> Span:
    """The ``nth`` latest ``weekday`` before today (or on it, unless ``strictly``)."""
    today = floor(now, "day")
    back = (today.weekday() - weekday) % 7
    if strictly and back == 0:
        back = 7
    start = today - timedelta(days=back + 7 * (nth - 1))
    return Span(start, start + timedelta(days=1), "day")


def past_month_day(now: datetime, month: int, day: int) -> Span | None:
    return latest(lambda k: day_span(now.year + k, month, day), now)


def past_month(now: datetime, month: int) -> Span | None:
    return latest(lambda k: month_span(now.year + k, month), now)


def past_day_of_month(now: datetime, day: int) -> Span | None:
    def make(k: int) -> Span | None:
        first = add(floor(now, "month"), k, "month")
        return day_span(first.year, first.month, day)

    return latest(make, now, back=12)


def full_year(two_digits: int, now: datetime) -> int:
    """A two-digit year: 19 -> 2019, 87 -> 1987 (the 2000s up to 20 years ahead)."""
    year = 2000 + two_digits
    return year if year <= now.year + 20 else 1900 + two_digits
