"""What a question says beyond its words: the time it names and the people it names.

No model is used. A question is read for

- a **time window**: the time the question names, as the time reader
  (:mod:`agents.timeread`) reads it at the reference time ("on 3 June, 2023",
  "the first Monday of last month", "上周日", "从去年9月起"). Things are often
  told some days after they happen, so a window reaches ``AFTER_DAYS`` past
  the time named. Search adds rankings
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
from agents.timeread import read_time

AFTER_DAYS = 7  # a window reaches this far past the time named


@dataclass(frozen=True)
class TimeWindow:
    start: datetime
    end: datetime  # the end of the window


def time_window(question: str, reference: datetime) -> TimeWindow | None:
    """The time a question names (:func:`agents.timeread.read_time`, read at
    ``reference``), widened for search: from the start of its first day to
    ``AFTER_DAYS`` past its end; None when it names no time."""
    found = read_time(question, reference)
    if found is None or not FIRST_YEAR <= found.start.year < LAST_YEAR:
        return None
    start = found.start.replace(hour=0, minute=0, second=0, microsecond=0)
    return TimeWindow(as_utc(start), as_utc(found.end + timedelta(days=AFTER_DAYS)))


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
