"""Recognition results kept by the pixels of each line crop, so a line is read once.

Recognition is most of OCR's cost (on a changed region of ten lines about 90%:
each line crop runs through the recogniser at 48 pixels high). Within a changed
region many lines are often the same as before: a paragraph where one line was
edited, a window brought back to the front, a dialog closed over a page. Their
crops are pixel for pixel what was read before, so their text is too. (Lines
that moved, as in a scroll, mostly miss: the detector's boxes land on other
sub-pixel positions, so their crops differ.)
The cache keys a line by a digest of its crop (shape and pixels) and asks the
recogniser only for crops it has not seen; it holds text, not images, and is
bounded (least recently used out first).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

LINES_KEPT = 4096  # about 100 screens of text; a few hundred kilobytes of strings


def crop_key(crop: np.ndarray) -> bytes:
    digest = hashlib.blake2b(repr(crop.shape).encode(), digest_size=16)
    digest.update(np.ascontiguousarray(crop).data)
    return digest.digest()


class RecognitionCache:
    """Wraps RapidOCR's ``recognize_txt(crops) -> TextRecOutput`` with a bounded cache."""

    def __init__(self, recognize: Callable[[list[np.ndarray]], Any], size: int = LINES_KEPT):
        self._recognize = recognize
        self._size = size
        self._kept: OrderedDict[bytes, tuple[str, float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __call__(self, crops: Sequence[np.ndarray]) -> Any:
        crops = list(crops)
        keys = [crop_key(c) for c in crops]
        with self._lock:
            known = {k: self._kept[k] for k in keys if k in self._kept}
            for k in known:
                self._kept.move_to_end(k)
        todo = [i for i, k in enumerate(keys) if k not in known]
        fresh = self._recognize([crops[i] for i in todo]) if todo else None
        if fresh is not None:
            words = fresh.word_results or [None] * len(todo)
            with self._lock:
                for n, i in enumerate(todo):
                    known[keys[i]] = (fresh.txts[n], float(fresh.scores[n]), words[n])
                    self._kept[keys[i]] = known[keys[i]]
                while len(self._kept) > self._size:
                    self._kept.popitem(last=False)
        self.hits += len(crops) - len(todo)
        self.misses += len(todo)
        return _output(crops, [known[k] for k in keys], fresh)


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
