"""Reading text off frames with RapidOCR 3 (its models ship inside the package).

OCR cost follows the changed area: only the changed region of a frame is read,
and the lines of the previous frame outside that region are kept.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from mirix_desktop.capture.gate import Box

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OcrLine:
    text: str
    box: Box  # left, top, right, bottom in frame pixels
    score: float


class Ocr:
    """A RapidOCR engine loaded on first use; one read at a time."""

    def __init__(self) -> None:
        self._engine: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._engine is None:
            from rapidocr import RapidOCR

            self._engine = RapidOCR(params={"Global.log_level": "error"})
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
