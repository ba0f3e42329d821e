"""Live OCR reads whole lines: a one-word edit through the live capture path keeps its
line whole, very wide and very tall images are read in tiles both ways, and a title
bar's buttons are not text."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from mirix_desktop.pipeline.capture.ocr import Ocr, as_text, window_buttons
from tests.helpers import start_xvfb

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
needs_font = pytest.mark.skipif(not FONT.exists(), reason="DejaVu Sans is not installed")
FLIGHT = "Flight LH1172 departs Madrid at 14:35 from gate B17"


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), size)


class Screen:
    """A window on an Xvfb server that shows a picture (put with the X protocol)."""

    def __init__(self, display: str, size: tuple[int, int]) -> None:
        from Xlib import X
        from Xlib import display as xdisplay

        self.X = X
        self.size = size
        self.d = xdisplay.Display(display)
        screen = self.d.screen()
        root = screen.root
        self.win = root.create_window(
            0, 0, *size, 0, screen.root_depth, background_pixel=screen.white_pixel
        )
        self.win.map()
        utf8 = self.d.intern_atom("UTF8_STRING")
        self.win.set_wm_class("gedit", "Gedit")
        self.win.change_property(self.d.intern_atom("_NET_WM_NAME"), utf8, 8, b"trip.txt")
        root.change_property(
            self.d.intern_atom("_NET_ACTIVE_WINDOW"),
            self.d.intern_atom("WINDOW"),
            32,
            [self.win.id],
        )
        self.gc = self.win.create_gc()
        self.d.sync()

    def show(self, lines: list[str]) -> None:
        width, height = self.size
        image = Image.new("RGB", self.size, "white")
        draw = ImageDraw.Draw(image)
        for number, line in enumerate(lines):
            draw.text((40, 60 + 40 * number), line, fill="black", font=_font(22))
        data = image.convert("RGBX").tobytes("raw", "BGRX")
        step = 40  # rows a request (the protocol's request size is bounded)
        for y in range(0, height, step):
            chunk = data[y * width * 4 : (y + step) * width * 4]
            self.win.put_image(self.gc, 0, y, width, step, self.X.ZPixmap, 24, 0, chunk)
        self.d.sync()
        time.sleep(0.2)


@needs_font
@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed")
def test_a_one_word_edit_is_stored_with_its_whole_line(home, monkeypatch) -> None:
    from mirix_desktop.services.context import open_context

    display, proc = start_xvfb(1280, 720, first=170)
    monkeypatch.setenv("DISPLAY", display)
    screen = Screen(display, (1280, 720))
    rest = ["Boarding closes twenty minutes before departure", "Seat 23A Economy"]
    ctx = open_context()
    try:
        capturer, worker = ctx.capturer(), ctx.ocr_worker()
        screen.show([FLIGHT, *rest])
        assert capturer.capture_once() == ["stored"]
        worker.drain()
        screen.show([FLIGHT.replace("Madrid", "Munich"), *rest])
        assert capturer.capture_once() == ["stored"]  # a changed region, not a keyframe
        box = ctx.inbox._db.execute(
            "SELECT payload FROM items WHERE kind = 'ocr' ORDER BY created_at DESC LIMIT 1"
        ).fetchone()[0]
        assert '"changed_box": [' in box
        worker.drain()
        rows = ctx.store.frame_rows()
        latest = ctx.store.frame(max(rows, key=lambda r: r["time"])["id"])
        lines = latest.ocr_text.splitlines()
        assert lines[0] == FLIGHT.replace("Madrid", "Munich")
        assert lines[1:] == rest
    finally:
        ctx.close()
        proc.terminate()
        proc.wait(timeout=10)


@needs_font
def test_a_30000_by_300_image_is_read_in_tiles() -> None:
    wide = Image.new("RGB", (30_000, 300), "white")
    draw = ImageDraw.Draw(wide)
    for x, text in (
        (500, "Invoice 1042 from Acme"),
        (15_000, "Total 9310 EUR"),
        (28_500, "Paid by card"),
    ):
        draw.text((x, 120), text, fill="black", font=_font(28))
    text = as_text(Ocr("auto").read(wide))
    for expected in ("Invoice 1042 from Acme", "Total 9310 EUR", "Paid by card"):
        assert expected in text


@needs_font
@pytest.mark.parametrize("engine", ["auto", "accurate"])  # the accurate engine had no bands
def test_a_300_by_30000_image_is_read_in_bands(engine) -> None:
    tall = Image.new("RGB", (300, 30_000), "white")
    draw = ImageDraw.Draw(tall)
    for y, text in ((500, "Invoice 1042"), (15_000, "Total 9310"), (29_500, "Paid by card")):
        draw.text((10, y), text, fill="black", font=_font(28))
    assert as_text(Ocr(engine).read(tall)).splitlines() == [
        "Invoice 1042",
        "Total 9310",
        "Paid by card",
    ]


@needs_font
def test_title_bar_buttons_are_not_text() -> None:
    bar = Image.new("RGB", (900, 120), (235, 235, 235))
    draw = ImageDraw.Draw(bar)
    draw.text((20, 8), "Flights - Mozilla Firefox", fill="black", font=_font(16))
    x = 760  # minimise, maximise and close as many themes draw them
    draw.line((x, 20, x + 12, 20), fill="black")
    draw.rectangle((x + 46, 8, x + 58, 20), outline="black")
    draw.line((x + 92, 8, x + 104, 20), fill="black")
    draw.line((x + 92, 20, x + 104, 8), fill="black")
    draw.text((20, 60), "Flight LH1172 departs Madrid at 14:35", fill="black", font=_font(16))
    text = as_text(Ocr("auto").read(bar))
    assert text.splitlines() == [
        "Flights - Mozilla Firefox",
        "Flight LH1172 departs Madrid at 14:35",
    ]
    assert window_buttons("二口区") and window_buttons("□ ×") and window_buttons("一")
    assert not window_buttons("入口") and not window_buttons("二区域") and not window_buttons("X")
