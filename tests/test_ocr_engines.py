"""Both OCR engines read the same screens; the fast one reads tall images in bands without
losing or doubling a line; without faster-paddle the app reads with RapidOCR and says so."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from mirix_desktop.pipeline.capture import ocr_engines
from mirix_desktop.pipeline.capture.ocr import Ocr
from mirix_desktop.pipeline.capture.ocr_engines import BAND_OVERLAP_PX, BAND_PX, bands

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
ENGLISH = [
    "Flight LX 318 departs 09:40 from gate B12",
    "Invoice number 4471 total 129.50 EUR",
    "Meeting with Dana about the roadmap",
]
CHINESE = ["会议改到周三下午三点在二楼", "记得三月份续签护照"]

needs_fast = pytest.mark.skipif(
    not ocr_engines.fast_available(), reason="faster-paddle has no wheel for this machine"
)


def _font(size: int) -> ImageFont.FreeTypeFont:
    if CJK_FONT.is_file():
        return ImageFont.truetype(str(CJK_FONT), size)
    return ImageFont.load_default(size)


def render(lines: list[str], tops: list[int], size: tuple[int, int], font_px: int = 26):
    image = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for line, top in zip(lines, tops, strict=True):
        draw.text((40, top), line, fill=(20, 20, 20), font=_font(font_px))
    return image


@pytest.mark.parametrize("engine", [pytest.param("fast", marks=needs_fast), "accurate"])
def test_each_engine_reads_english_and_chinese(engine: str) -> None:
    lines = ENGLISH + (CHINESE if CJK_FONT.is_file() else [])
    image = render(lines, [40 + i * 60 for i in range(len(lines))], (1000, 400))
    ocr = Ocr(engine)  # type: ignore[arg-type]
    assert [line.text for line in ocr.read(image)] == lines
    assert engine in ocr.engine_name


def test_bands_cover_every_row_and_keep_each_row_once() -> None:
    for height in (BAND_PX, BAND_PX + 1, 900, 1111, 2160):
        parts = bands(height, BAND_PX)
        assert parts[0][0] == 0 and parts[-1][1] == height
        assert all(bottom - top <= BAND_PX for top, bottom, _, _ in parts)
        kept = [(keep_from, keep_to) for _, _, keep_from, keep_to in parts]
        assert kept[0][0] == 0 and kept[-1][1] == height
        assert all(a[1] == b[0] for a, b in zip(kept, kept[1:], strict=False))  # no gap, no twice
        for top, bottom, keep_from, keep_to in parts:  # a kept line of the overlap's height fits
            assert keep_from - BAND_OVERLAP_PX // 2 >= top or top == 0
            assert keep_to + BAND_OVERLAP_PX // 2 <= bottom or bottom == height
    assert bands(500, None) == [(0, 500, 0, 500)]


@needs_fast
def test_a_tall_image_is_read_in_bands_without_losing_or_doubling_a_line() -> None:
    # lines placed across the first cut rows (224, 320), the seams between bands
    # (the test is of the seams, so its words are not ones the tiny model finds ambiguous)
    words = ("Alpha", "Bravo", "Delta", "Echo", "Golf")
    lines = [f"{word} line of the quarterly report" for word in words]
    tops = [205, 300, 440, 520, 860]
    image = render(lines, tops, (900, 940), font_px=30)
    assert len(bands(image.height, BAND_PX)) > 2
    ocr = Ocr("fast")
    engine = ocr._load()
    heights: list[int] = []
    engine_read = engine.read
    engine.read = lambda band: heights.append(band.height) or engine_read(band)  # type: ignore[method-assign]
    read = ocr.read(image)
    assert max(heights) <= BAND_PX and len(heights) == len(bands(image.height, BAND_PX))
    assert [line.text for line in read] == lines
    for line, top in zip(read, tops, strict=True):  # boxes in the image's pixels
        assert abs(line.box[1] - top) < 20
    region = (0, 180, 900, 940)  # a changed region, cut elsewhere: boxes in frame pixels
    again = Ocr("fast").read(image, region)
    assert [line.text for line in again] == lines
    assert all(abs(a.box[1] - b.box[1]) <= 4 for a, b in zip(again, read, strict=True))


def test_without_faster_paddle_auto_reads_with_rapidocr(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "faster_paddle", None)  # as if it were not installed
    assert not ocr_engines.fast_available()
    described = ocr_engines.describe("auto")
    assert described["name"].startswith("accurate") and "not installed" in described["detail"]
    ocr = Ocr("auto")
    assert [line.text for line in ocr.read(render(ENGLISH[:1], [40], (800, 120)))] == ENGLISH[:1]
    assert ocr.engine_name.startswith("accurate") and ocr.recognition is not None


def test_the_engine_is_a_setting_and_doctor_names_it(home, capsys) -> None:
    from agents.errors import InvalidInput
    from mirix_desktop.cli import main
    from mirix_desktop.config.paths import resolve_paths
    from mirix_desktop.config.settings import load_settings

    paths = resolve_paths()
    with pytest.raises(InvalidInput, match="capture.ocr_engine"):
        load_settings(paths, environ={"MIRIX_CAPTURE__OCR_ENGINE": "fastest"})
    assert load_settings(paths, environ={}).capture.ocr_engine == "auto"
    monkey = {"MIRIX_CAPTURE__OCR_ENGINE": "accurate"}
    assert load_settings(paths, environ=monkey).capture.ocr_engine == "accurate"
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    expected = "fast (faster-paddle" if ocr_engines.fast_available() else "accurate (RapidOCR"
    assert expected in out
