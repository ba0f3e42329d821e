"""Recognition results kept by the pixels of each line, so an unchanged line is read once.

Recognition is most of OCR's cost (on a changed region of ten lines about 90%:
each line crop runs through the recogniser at 48 pixels high). Within a changed
region many lines are often the same as before: a paragraph where one line was
edited, a window brought back to the front, a dialog closed over a page. Their
text is what was read before.

Two things make "the same pixels" loose. Frames are stored lossy (WebP q80) and
read back from the file, and the encoder's noise moves with content elsewhere:
the same line, stored after an edit two lines above it, differs by up to about
20 grey levels here and there (measured: at most 24), while a changed character
differs by 200 or more on its strokes. And the detector's box around the same
line moves by a pixel or three between frames. So a line is compared by its
ink (the crop cut to the pixels that stand out from its background), and counts
as seen when a kept line's ink has the same size within a pixel and, aligned at
a corner, no pixel differs by more than ``MATCH_LEVELS`` (less for faint text).
A box that moved by a fraction of a pixel resamples the glyphs and misses: a
miss costs one recognition, never a wrong line. Lines that moved, as in a
scroll, mostly miss for the same reason. The cache keeps grey ink crops (about
15 kB a line) and their text, bounded, least recently used out first.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

LINES_KEPT = 512  # a few screens of text; about 8 MB of grey crops
MATCH_LEVELS = 48  # the most a pixel of the same line may differ (encoder noise: about 20)


JITTER_PX = 1  # the ink of the same line may measure this much more or less (noise at its edge)
INK_LEVELS = 96  # ink: this far from the background's grey
_NEAR_SIZES = sorted(
    (
        (dh, dw)
        for dh in range(-JITTER_PX, JITTER_PX + 1)
        for dw in range(-JITTER_PX, JITTER_PX + 1)
    ),
    key=lambda d: abs(d[0]) + abs(d[1]),
)


def _spans(a: int, b: int) -> list[tuple[slice, slice]]:
    """Ways to lay a length ``b`` over a length ``a`` (or the reverse), flush to either end."""
    n = min(a, b)
    pairs = [(slice(0, n), slice(0, n))]
    if a != b:
        pairs.append((slice(a - n, a), slice(b - n, b)))
    return pairs


def _same_line(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two ink crops show the same pixels up to encoder noise (which may add or
    take a pixel at the ink's edge): aligned at one of their corners, no pixel differs
    by more than ``MATCH_LEVELS``."""
    # faint text: a changed stroke differs by no more than the text's contrast, so the
    # noise allowed shrinks with it (a miss costs a read; a false match, a wrong line)
    allowed = min(MATCH_LEVELS, (int(b.max()) - int(b.min())) // 3)
    for ya, yb in _spans(a.shape[0], b.shape[0]):
        for xa, xb in _spans(a.shape[1], b.shape[1]):
            if int(np.abs(a[ya, xa].astype(np.int16) - b[yb, xb]).max()) <= allowed:
                return True
    return False


@dataclass
class _Seen:
    grey: np.ndarray
    result: tuple[str, float, Any]


def grey(crop: np.ndarray) -> np.ndarray:
    if crop.ndim == 2:
        return crop.astype(np.uint8)
    return np.asarray(crop[..., :3].mean(axis=2), dtype=np.uint8)


def ink(crop: np.ndarray) -> np.ndarray:
    """The grey crop cut to its ink: the pixels that differ from the background (the
    median of the crop's border) by more than ``INK_LEVELS``, dark text or light. The
    detector's box around the same line moves by a pixel or three from frame to frame;
    the ink does not."""
    g = grey(crop)
    if g.shape[0] < 3 or g.shape[1] < 3:
        return g
    border = np.concatenate([g[0], g[-1], g[:, 0], g[:, -1]])
    mask = np.abs(g.astype(np.int16) - int(np.median(border))) > INK_LEVELS
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return g
    return g[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


class RecognitionCache:
    """Wraps RapidOCR's ``recognize_txt(crops) -> TextRecOutput`` with a bounded cache."""

    def __init__(self, recognize: Callable[[list[np.ndarray]], Any], size: int = LINES_KEPT):
        self._recognize = recognize
        self._size = size
        self._kept: OrderedDict[int, _Seen] = OrderedDict()
        self._by_size: dict[tuple[int, int], list[int]] = {}
        self._ids = itertools.count()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def _find(self, g: np.ndarray) -> tuple[str, float, Any] | None:
        h, w = g.shape[:2]
        for dh, dw in _NEAR_SIZES:
            for key in self._by_size.get((h + dh, w + dw), []):
                seen = self._kept[key]
                if _same_line(seen.grey, g):
                    self._kept.move_to_end(key)
                    return seen.result
        return None

    def _keep(self, g: np.ndarray, result: tuple[str, float, Any]) -> None:
        key = next(self._ids)
        self._kept[key] = _Seen(g, result)
        self._by_size.setdefault(g.shape[:2], []).append(key)
        while len(self._kept) > self._size:
            old, seen = self._kept.popitem(last=False)
            same = self._by_size[seen.grey.shape[:2]]
            same.remove(old)
            if not same:
                del self._by_size[seen.grey.shape[:2]]

    def __call__(self, crops: Sequence[np.ndarray]) -> Any:
        crops = list(crops)
        greys = [ink(c) for c in crops]
        with self._lock:
            results = [self._find(g) for g in greys]
        todo = [i for i, r in enumerate(results) if r is None]
        fresh = self._recognize([crops[i] for i in todo]) if todo else None
        if fresh is not None:
            words = fresh.word_results or [None] * len(todo)
            with self._lock:
                for n, i in enumerate(todo):
                    results[i] = (fresh.txts[n], float(fresh.scores[n]), words[n])
                    self._keep(greys[i], results[i])  # type: ignore[arg-type]
        self.hits += len(crops) - len(todo)
        self.misses += len(todo)
        return _output(crops, [r for r in results if r is not None], fresh)


def _output(crops: list[np.ndarray], results: list[tuple[str, float, Any]], fresh: Any) -> Any:
    """A ``TextRecOutput`` for all crops, in their order (as the recogniser gives it)."""
    from rapidocr.ch_ppocr_rec import TextRecOutput

    out = TextRecOutput(
        imgs=crops,
        txts=tuple(r[0] for r in results),  # type: ignore[arg-type]
        scores=[r[1] for r in results],
        word_results=tuple(r[2] for r in results),
        elapse=fresh.elapse if fresh is not None else 0.0,
    )
    if fresh is not None:
        out.viser = fresh.viser
    return out
