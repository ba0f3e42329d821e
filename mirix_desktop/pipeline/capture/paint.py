"""Pixels too: the lines of a screenshot that show a value only the vault may hold are
painted over, so the stored image (and what MCP or a vision model is sent) shows no more
than the stored text.

The text of a frame is sealed by the store (:mod:`agents.privacy`); this module finds
the OCR lines whose text holds such a value and paints their boxes flat grey. A value
that spans lines (a private-key block) paints every line it touches.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw

from agents import privacy
from mirix_desktop.pipeline.capture.gate import Box
from mirix_desktop.pipeline.capture.ocr import OcrLine, rows

log = logging.getLogger(__name__)

FILL = (96, 96, 96)  # the grey the window mask paints with
PAD = 3  # pixels around a line's box: anti-aliased edges carry no readable glyphs


def boxes_to_paint(lines: Sequence[OcrLine], *, contacts: bool = False) -> list[Box]:
    """The boxes of the lines that show a high value (and contact values with
    ``contacts``), found in the frame's text as rows, the way it is stored."""
    pieces: list[tuple[int, int, OcrLine]] = []
    parts: list[str] = []
    at = 0
    for row in rows(list(lines)):
        for number, line in enumerate(row):
            if number:
                parts.append("  ")
                at += 2
            pieces.append((at, at + len(line.text), line))
            parts.append(line.text)
            at += len(line.text)
        parts.append("\n")
        at += 1
    text = "".join(parts)
    out: list[Box] = []
    for found in privacy.detect(text):
        if not (found.high or contacts):
            continue
        for start, end, line in pieces:
            if start < found.end and found.start < end and line.box not in out:
                out.append(line.box)
    return out


def paint(image: Image.Image, boxes: Sequence[Box]) -> Image.Image:
    """A copy of ``image`` with ``boxes`` filled flat grey."""
    out = image.convert("RGB").copy()
    draw = ImageDraw.Draw(out)
    for left, top, right, bottom in boxes:
        draw.rectangle(
            (max(left - PAD, 0), max(top - PAD, 0), right + PAD, bottom + PAD), fill=FILL
        )
    return out


def save_over(path: Path, image: Image.Image, *, quality: int = 80) -> None:
    """Write ``image`` over the file at ``path`` (its format from the suffix), atomically:
    the new file replaces the old one whole, so a crash leaves one or the other."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.paint.tmp")
    with open(tmp, "wb") as fh:
        if path.suffix.lower() in (".jpg", ".jpeg"):
            image.save(fh, "JPEG", quality=quality)
        else:
            image.save(fh, "WEBP", quality=quality, method=0)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def paint_stored(path: Path, image: Image.Image, boxes: Sequence[Box]) -> Image.Image:
    """Paint ``boxes`` over a stored frame's image (``image`` is its pixels) and write it
    back in place; returns the painted image."""
    painted = paint(image, boxes)
    save_over(path, painted)
    log.info("painted %d line(s) that show sealed values over %s", len(boxes), path.name)
    return painted
