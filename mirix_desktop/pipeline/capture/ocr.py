"""Reading text off frames: the lines of a frame or of its changed region, in frame pixels.

OCR cost follows the changed area: only the changed region of a frame is read,
and the lines of the previous frame outside that region are kept. Two engines
(``ocr_engines.py``): ``fast``, PP-OCRv6 tiny through faster-paddle, about four
times cheaper, and ``accurate``, PP-OCRv6 small through RapidOCR with a cache of
lines read before; ``auto`` (the default, setting ``capture.ocr_engine``) takes
the fast one where it is installed. Freed heap is handed back to the system
after each read (glibc's ``malloc_trim``), so memory stays flat however many
frames of however many shapes are read.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
import threading
from dataclasses import dataclass
from typing import Any

from PIL import Image

from mirix_desktop.pipeline.capture import ocr_engines
from mirix_desktop.pipeline.capture.gate import Box
from mirix_desktop.pipeline.capture.ocr_engines import Engine, EngineChoice
from mirix_desktop.pipeline.capture.rec_cache import RecognitionCache

# What OCR makes of the minimise, maximise and close buttons of a title bar ("一",
# "□×", "二口区"): no text is made only of these few glyphs, at most four of them.
WINDOW_BUTTON_GLYPHS = frozenset("一二口区囗ロ□☐▢◻×✕✖⨯—–─_")
MAX_BUTTON_GLYPHS = 4


def window_buttons(text: str) -> bool:
    """Whether an OCR line is a title bar's buttons read as characters, not text."""
    glyphs = "".join(text.split())
    return 0 < len(glyphs) <= MAX_BUTTON_GLYPHS and set(glyphs) <= WINDOW_BUTTON_GLYPHS


@dataclass(frozen=True)
class OcrLine:
    text: str
    box: Box  # left, top, right, bottom in frame pixels
    score: float


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
    """An OCR engine loaded on first use; one read at a time."""

    def __init__(self, engine: EngineChoice = "auto") -> None:
        self.choice: EngineChoice = engine
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self._trim = _heap_trimmer()

    def _load(self) -> Engine:
        if self._engine is None:
            self._engine = ocr_engines.load(self.choice)
        return self._engine

    @property
    def recognition(self) -> RecognitionCache | None:
        """The accurate engine's cache of lines read before (None before the first read)."""
        return self._engine.recognition if self._engine is not None else None

    @property
    def engine_name(self) -> str:
        return self._load().name

    def read(self, image: Image.Image, region: Box | None = None) -> list[OcrLine]:
        """Lines of text in ``region`` (the whole frame when None), in frame coordinates."""
        left, top = 0, 0
        if region is not None:
            left, top = region[0], region[1]
            image = image.crop(region)
        if image.width < 8 or image.height < 8:
            return []
        image = image.convert("RGB")
        lines = []
        with self._lock:
            engine = self._load()
            row_px = engine.band_px or ocr_engines.TILE_PX
            columns = ocr_engines.bands(
                image.width, ocr_engines.TILE_PX, ocr_engines.TILE_OVERLAP_PX
            )
            for y0, y1, keep_from, keep_to in ocr_engines.bands(image.height, row_px):
                for x0, x1, keep_left, keep_right in columns:
                    whole = (x0, y0, x1, y1) == (0, 0, image.width, image.height)
                    tile = image if whole else image.crop((x0, y0, x1, y1))
                    for text, box, score in engine.read(tile):
                        x_a, y_a, x_b, y_b = box[0] + x0, box[1] + y0, box[2] + x0, box[3] + y0
                        if (
                            text.strip()
                            and not window_buttons(text)
                            and keep_from <= (y_a + y_b) / 2 < keep_to
                            and keep_left <= (x_a + x_b) / 2 < keep_right
                        ):
                            box = (x_a + left, y_a + top, x_b + left, y_b + top)
                            lines.append(OcrLine(text.strip(), box, score))
            if self._trim is not None:
                self._trim(0)
        return order(lines)


def order(lines: list[OcrLine]) -> list[OcrLine]:
    """Reading order: row by row from the top, each row left to right."""
    return [line for row in rows(lines) for line in row]


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def widen(region: Box, previous: list[OcrLine], size: tuple[int, int], margin: int = 6) -> Box:
    """``region`` grown to hold every previous line it touches whole (and the lines those
    touch in turn), plus ``margin`` pixels, within the image: a one-word change is read
    with the rest of its line, so no word is cut at the region's edge."""
    left, top, right, bottom = region
    grown = True
    while grown:
        grown = False
        for line in previous:
            b = line.box
            if _overlaps(b, (left, top, right, bottom)) and not (
                left <= b[0] and top <= b[1] and b[2] <= right and b[3] <= bottom
            ):
                left, top = min(left, b[0]), min(top, b[1])
                right, bottom = max(right, b[2]), max(bottom, b[3])
                grown = True
    width, height = size
    return (
        max(0, left - margin),
        max(0, top - margin),
        min(width, right + margin),
        min(height, bottom + margin),
    )


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
