"""Lines whose pixels are unchanged are not recognised again, and read the same.

Pages go through WebP q80 as stored frames do: the encoder's noise differs from
one frame to the next, so an unchanged line is never pixel for pixel the same.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from mirix_desktop.pipeline.capture.ocr import Ocr
from mirix_desktop.pipeline.capture.ocr_engines import RapidEngine

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
LINES = [
    "Flight LX 318 departs 09:40 from gate B12",
    "Invoice number 4471 total 129.50 EUR",
    "Meeting with Dana about the roadmap",
    "Remember to renew the passport in March",
    "会议改到周三下午三点在二楼",
]


def render(
    lines: list[str], ink: tuple[int, int, int] = (20, 20, 20), *, webp: bool = False
) -> Image.Image:
    image = Image.new("RGB", (1000, 420), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    font: Any = (
        ImageFont.truetype(str(CJK_FONT), 28) if CJK_FONT.is_file() else ImageFont.load_default(28)
    )
    for i, line in enumerate(lines):
        draw.text((40, 30 + i * 70), line, fill=ink, font=font)
    if not webp:
        return image
    stored = io.BytesIO()
    image.save(stored, "WEBP", quality=80)  # as frames are stored
    return Image.open(stored).convert("RGB")


class Counting:
    """RapidOCR's recogniser, counting the line crops it is given."""

    def __init__(self, recogniser: Any) -> None:
        self.recogniser = recogniser
        self.crops = 0

    def __call__(self, args: Any) -> Any:
        self.crops += len(args.img) if isinstance(args.img, list) else 1
        return self.recogniser(args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.recogniser, name)


def counting(ocr: Ocr) -> Counting:
    """Count the line crops that ``ocr``'s RapidOCR recogniser is given from now on."""
    rapid = ocr._load()
    assert isinstance(rapid, RapidEngine)
    counter = Counting(rapid.rapid.text_rec)
    rapid.rapid.text_rec = counter
    return counter


def test_only_changed_lines_are_recognised_again() -> None:
    lines = LINES if CJK_FONT.is_file() else LINES[:4]
    ocr = Ocr("accurate")  # the engine with the cache
    first = [ln.text for ln in ocr.read(render(lines))]
    assert first == lines
    counter = counting(ocr)

    again = [ln.text for ln in ocr.read(render(lines))]
    assert again == lines and counter.crops == 0

    edited = [*lines]
    edited[1] = "Invoice number 4471 total 129.56 EUR"  # one digit
    got = [ln.text for ln in ocr.read(render(edited))]
    assert counter.crops == 1  # the edited line only
    assert got == edited
    assert got == [
        ln.text for ln in Ocr("accurate").read(render(edited))
    ]  # as a fresh engine reads it


def test_unchanged_lines_are_known_through_the_encoders_noise() -> None:
    lines = LINES if CJK_FONT.is_file() else LINES[:4]
    ocr = Ocr("accurate")  # the engine with the cache
    assert [ln.text for ln in ocr.read(render(lines, webp=True))] == lines
    counter = counting(ocr)
    edited = [*lines]
    edited[1] = "Invoice number 4471 total 129.56 EUR"
    assert [ln.text for ln in ocr.read(render(edited, webp=True))] == edited
    # the edited line, and at most one whose box the detector drew a pixel apart
    assert 1 <= counter.crops <= 2


def test_a_changed_digit_in_faint_text_is_read_again() -> None:
    lines = LINES[:4]
    light = (215, 215, 215)
    ocr = Ocr("accurate")  # the engine with the cache
    assert [ln.text for ln in ocr.read(render(lines, light, webp=True))] == lines
    counter = counting(ocr)
    edited = [*lines]
    edited[0] = "Flight LX 318 departs 09:48 from gate B12"
    got = [ln.text for ln in ocr.read(render(edited, light, webp=True))]
    assert got == edited  # the changed stroke is fainter than dark text's noise allowance
    assert counter.crops >= 1
