"""A scripted screen for bench/capture.py: a full-screen window whose text is typed, or still.

python bench/screen_driver.py DISPLAY (typing|still) SECONDS
"""

from __future__ import annotations

import sys
import time

from PIL import Image, ImageDraw
from Xlib import display

TEXT = (
    "Dear Dana, thanks for the notes from Tuesday. The flight LX 318 leaves at 09:40 "
    "from gate B12, so let us meet at the Lisbon office at two. Invoice 4471 is paid. "
    "Please review the quarterly roadmap before Friday and send the budget to Sam. "
)
W, H = 1920, 1080
LINE_H, MARGIN, CHARS_PER_LINE = 34, 80, 90


def main() -> None:
    name, mode, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    d = display.Display(name)
    screen = d.screen()
    win = screen.root.create_window(
        0, 0, W, H, 0, screen.root_depth, background_pixel=screen.white_pixel
    )
    win.set_wm_class("gedit", "Gedit")
    win.change_property(
        d.intern_atom("_NET_WM_NAME"), d.intern_atom("UTF8_STRING"), 8, b"letter.txt - gedit"
    )
    screen.root.change_property(
        d.intern_atom("_NET_ACTIVE_WINDOW"), d.intern_atom("WINDOW"), 32, [win.id]
    )
    win.map()
    gc = win.create_gc(foreground=screen.black_pixel, background=screen.white_pixel)
    page = Image.new("RGB", (W, H), "white")
    draw = ImageDraw.Draw(page)
    draw.rectangle((0, 0, W, 50), fill=(230, 230, 235))
    draw.text((20, 12), "letter.txt - gedit", fill="black", font_size=22)
    d.sync()
    win.put_pil_image(gc, 0, 0, page)
    d.sync()
    typed = 0
    end = time.time() + seconds
    while time.time() < end:
        if mode == "typing":
            typed += 1
            text = (TEXT * 20)[:typed]
            row = (typed - 1) // CHARS_PER_LINE
            line = text[row * CHARS_PER_LINE : (row + 1) * CHARS_PER_LINE]
            y = 70 + (row % 28) * LINE_H
            strip = Image.new("RGB", (W - 2 * MARGIN, LINE_H), "white")
            ImageDraw.Draw(strip).text((0, 4), line, fill="black", font_size=24)
            win.put_pil_image(gc, MARGIN, y, strip)
            d.sync()
            time.sleep(0.2)  # 5 characters a second
        else:
            time.sleep(0.5)


if __name__ == "__main__":
    main()
