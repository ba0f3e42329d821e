"""Reading text off frames with RapidOCR 3 (its models ship inside the package).

OCR cost follows the changed area: only the changed region of a frame is read,
and the lines of the previous frame outside that region are kept.

Memory stays flat however many frames are read. RapidOCR already turns
onnxruntime's CPU arena off; what grew (measured: 330 MB to 710 MB over 60
reads of random regions) was the C heap, fragmented by tensors of a new shape
on every read, and made larger by the detector's default of scaling a region up
until its short side is 736 pixels (a 1600x60 strip became 19,600x736). Here
regions are read at their own scale (screen text needs no enlarging; only sides
over 2,000 pixels are scaled down), and freed heap is handed back to the system
after each read (glibc's ``malloc_trim``): 196 MB, flat, over the same reads.
One onnxruntime thread: the worker runs in the background, and a thread pool
that spins while waiting costs CPU time on a small machine. Lines whose ink
matches a line read before (up to the encoder's noise) are not recognised again
(rec_cache.py).

Lines are recognised one at a time, not in RapidOCR's batches of six: a batch
is padded to its widest line, and its larger tensors are what the heap trim
hands back and the next read faults in again. One at a time took 30 reads of
random regions from 7.6 s to 5.7 s of CPU (system time halved) at the same RSS,
and read the same lines (199 of 200 exact, English, Chinese and mixed, four
font sizes, through WebP q80, either way): ``bench/ocr_cost.py [--batch 6]``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from mirix_desktop.pipeline.capture.gate import Box
from mirix_desktop.pipeline.capture.rec_cache import RecognitionCache

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OcrLine:
    text: str
    box: Box  # left, top, right, bottom in frame pixels
    score: float


ENGINE_PARAMS = {
    "Global.log_level": "error",
    "Det.limit_type": "max",
    "Det.limit_side_len": 2000,
    "Rec.rec_batch_num": 1,
    "EngineConfig.onnxruntime.intra_op_num_threads": 1,
    "EngineConfig.onnxruntime.inter_op_num_threads": 1,
}


def _heap_trimmer() -> Any:
    """glibc's ``malloc_trim``, or None elsewhere (other allocators return memory themselves)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):
        return None


class Ocr:
    """A RapidOCR engine loaded on first use; one read at a time."""

    def __init__(self) -> None:
        self._engine: Any = None
        self.recognition: RecognitionCache | None = None  # set when the engine loads
        self._lock = threading.Lock()
        self._trim = _heap_trimmer()

    def _load(self) -> Any:
        if self._engine is None:
            from rapidocr import RapidOCR

            engine: Any = RapidOCR(params=ENGINE_PARAMS)
            if callable(getattr(engine, "recognize_txt", None)):  # RapidOCR 3's recognition step
                self.recognition = RecognitionCache(engine.recognize_txt)
                engine.recognize_txt = self.recognition
            self._engine = engine
        return self._engine

    def read(self, image: Image.Image, region: Box | None = None) -> list[OcrLine]:
        """Lines of text in ``region`` (the whole frame when None), in frame coordinates."""
        left, top = 0, 0
        if region is not None:
            left, top = region[0], region[1]
            image = image.crop(region)
        if image.width < 8 or image.height < 8:
            return []
        with self._lock:
            result = self._load()(np.asarray(image.convert("RGB")), use_cls=False)
            if self._trim is not None:
                self._trim(0)
        if result.boxes is None or result.txts is None:
            return []
        lines = []
        for quad, text, score in zip(result.boxes, result.txts, result.scores, strict=True):
            xs = [int(p[0]) + left for p in quad]
            ys = [int(p[1]) + top for p in quad]
            if text.strip():
                lines.append(
                    OcrLine(text.strip(), (min(xs), min(ys), max(xs), max(ys)), float(score))
                )
        return order(lines)


def order(lines: list[OcrLine]) -> list[OcrLine]:
    """Reading order: row by row from the top, each row left to right."""
    return [line for row in rows(lines) for line in row]


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def merge(previous: list[OcrLine], fresh: list[OcrLine], region: Box) -> list[OcrLine]:
    """The previous frame's lines outside ``region`` plus the lines just read inside it."""
    kept = [line for line in previous if not _overlaps(line.box, region)]
    return order(kept + fresh)


def focused_first(lines: list[OcrLine], focus: Box | None) -> list[OcrLine]:
    """The lines inside the focused window first (each part in reading order)."""
    if focus is None:
        return lines
    inside = [ln for ln in lines if _inside(ln, focus)]
    return inside + [ln for ln in lines if not _inside(ln, focus)]


def focused_text(lines: list[OcrLine], focus: Box | None) -> str:
    """A frame's text with the focused window's rows first, then the rest of the screen
    (rows are grouped within each part, so that the order of the parts holds)."""
    if focus is None:
        return as_text(lines)
    inside = [ln for ln in lines if _inside(ln, focus)]
    outside = [ln for ln in lines if not _inside(ln, focus)]
    return "\n".join(part for part in (as_text(inside), as_text(outside)) if part)


def _inside(line: OcrLine, box: Box) -> bool:
    x = (line.box[0] + line.box[2]) / 2
    y = (line.box[1] + line.box[3]) / 2
    return box[0] <= x < box[2] and box[1] <= y < box[3]


def as_text(lines: list[OcrLine]) -> str:
    """The text of a frame: one line a visual row, its boxes left to right, two spaces
    apart ("Seat  23A  Economy"), so that a value stays beside its label."""
    return "\n".join("  ".join(line.text for line in row) for row in rows(lines))


def _same_row(a: OcrLine, b: OcrLine) -> bool:
    """Boxes that overlap vertically by half the smaller height sit on one row."""
    overlap = min(a.box[3], b.box[3]) - max(a.box[1], b.box[1])
    smaller = min(a.box[3] - a.box[1], b.box[3] - b.box[1])
    return smaller > 0 and overlap >= smaller / 2


def rows(lines: list[OcrLine]) -> list[list[OcrLine]]:
    """Lines grouped into visual rows, top to bottom, each row left to right."""
    out: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda ln: (ln.box[1] + ln.box[3], ln.box[0])):
        row = next((r for r in out[-3:] if any(_same_row(line, o) for o in r)), None)
        if row is None:
            out.append([line])
        else:
            row.append(line)
    return [sorted(r, key=lambda ln: ln.box[0]) for r in out]
