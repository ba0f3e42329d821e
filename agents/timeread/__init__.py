"""The time reader: the interval a text names, in English and Chinese.

A rule set after Duckling's time grammar (and JioNLP's for Chinese), in plain
regular expressions: nothing to download, a few milliseconds to import. An
expression is read on the local clock of the user (the process's time zone) at a
reference time; where it leaves the period open ("Monday", "3月5日",
"Thanksgiving"), the past reading is taken, since memories lie in the past.
docs/time-reader.md compares it with the parsers on PyPI.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from agents.errors import InvalidInput

MAX_READ_CHARS = 4000  # of a text read for the time it names (a question, a line)


@dataclass(frozen=True)
class Interval:
    """[start, end), timezone-aware on the local clock; ``grain`` the unit it was named in."""

    start: datetime
    end: datetime
    grain: str

    def to_json(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def local(value: datetime) -> datetime:
    """``value`` as a naive time on the local clock (a naive ``value`` is local already)."""
    return value.astimezone().replace(tzinfo=None) if value.tzinfo else value


def read_time(text: str, as_of: datetime | None = None) -> Interval | None:
    """The interval ``text`` names, read at ``as_of`` (default: now), or None when it
    names no time. The first expression found counts."""
    from agents.timeread.compose import read_span  # the grammars compile on first use

    now = local(as_of) if as_of is not None else datetime.now()
    span = read_span(text[:MAX_READ_CHARS], now)
    if span is None:
        return None
    return Interval(span.start.astimezone(), span.end.astimezone(), span.grain)


def parse_as_of(text: str) -> datetime:
    """An ISO 8601 reference time (naive: local); raises InvalidInput."""
    raw = text.strip()
    try:
        value = datetime.fromisoformat(raw[:-1] + "+00:00" if raw.endswith("Z") else raw)
    except ValueError:
        raise InvalidInput(f"--as-of is not an ISO 8601 date or time: {text!r}") from None
    return value if value.tzinfo else value.astimezone()


def parse_bound(text: str, *, end: bool, as_of: datetime | None = None) -> datetime:
    """A bound of a time filter: an ISO 8601 date or time, or an expression the reader
    reads ("yesterday", "上周"), whose start (or end, for an upper bound) it is. Raises
    InvalidInput with the text when it is neither."""
    from agents.store.timeutil import parse_time

    try:
        return parse_time(text)
    except InvalidInput as iso_error:
        if "out of range" in str(iso_error):
            raise
    interval = read_time(text, as_of)
    if interval is None:
        raise InvalidInput(
            f"not an ISO 8601 date or time, nor a time the reader understands: {text!r}"
        )
    return (interval.end if end else interval.start).astimezone(UTC)
