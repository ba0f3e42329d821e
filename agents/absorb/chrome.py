"""Interface chrome in screen text: what offline memories leave out.

OCR reads everything on screen, including what does not change from one frame
of an app to the next: menus, toolbars, sidebars, status bars, tab strips; and
stray glyphs read off icons. The frame's own OCR text keeps all of it (search
finds it); the text of episodic events and resources made offline does not.

A line is chrome for an app when it appears on most of the app's recent frames
(``share``, at least ``min_frames`` of them) and under at least two different
window titles: a document's own text stays, however long it stays on screen,
because it shows under one title only. A line is glyph noise when it has no
run of three Latin letters, fewer than two CJK characters and fewer than three
digits ("O", "-0网", "»").
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import timedelta

from agents.absorb.batch import BatchItem
from agents.store import MemoryStore

SHARE = 0.6
MIN_FRAMES = 3
HISTORY = 40  # earlier frames of the app looked at, at most
LOOKBACK = timedelta(hours=12)
_LETTERS = re.compile(r"[A-Za-zÀ-ɏЀ-ӿ]{3,}")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_DIGIT = re.compile(r"\d")


def is_noise(line: str) -> bool:
    """A line too short or too symbol-like to carry meaning (icons read as text)."""
    text = line.strip()
    if _LETTERS.search(text):
        return False
    return len(_CJK.findall(text)) < 2 and len(_DIGIT.findall(text)) < 3


def _lines(text: str) -> set[str]:
    return {ln.strip() for ln in text.splitlines() if ln.strip()}


def chrome_lines(
    frames: Iterable[tuple[str, str]], *, share: float = SHARE, min_frames: int = MIN_FRAMES
) -> set[str]:
    """The lines that repeat across most of one app's frames, given as (title, text) pairs."""
    frames = list(frames)
    if len(frames) < min_frames:
        return set()
    count: dict[str, int] = defaultdict(int)
    titles: dict[str, set[str]] = defaultdict(set)
    for title, text in frames:
        for line in _lines(text):
            count[line] += 1
            titles[line].add(title)
    needed = max(2, math.ceil(share * len(frames)))
    return {ln for ln, n in count.items() if n >= needed and len(titles[ln]) >= 2}


def clean(text: str, chrome: set[str]) -> str:
    """``text`` without chrome lines and glyph noise."""
    kept = [ln for ln in text.splitlines() if ln.strip() not in chrome and not is_noise(ln)]
    return "\n".join(kept)


def _history(store: MemoryStore, app: str, batch: Sequence[BatchItem]) -> list[tuple[str, str]]:
    """(title, text) of the app's frames stored shortly before the batch, newest last."""
    first = min(item.time for item in batch)
    earlier = store.recent_frames(app, first - LOOKBACK, first, limit=HISTORY)
    return [(f.window_title, f.ocr_text) for f in earlier if f.ocr_text.strip()]


def without_chrome(store: MemoryStore, frames: Sequence[BatchItem]) -> list[BatchItem]:
    """The frames of a batch with chrome and glyph noise left out of their text."""
    by_app: dict[str, list[BatchItem]] = defaultdict(list)
    for item in frames:
        by_app[item.app].append(item)
    chrome: dict[str, set[str]] = {}
    for app, items in by_app.items():
        seen = _history(store, app, items) + [(it.title, it.text) for it in items]
        chrome[app] = chrome_lines(seen)
    return [dataclasses.replace(it, text=clean(it.text, chrome[it.app])) for it in frames]
