"""Capture pipeline figures under Xvfb at 1920x1080 with a scripted screen.

Prints: CPU of the capture loop per minute at 1 frame a second (still screen and
while typing, OCR excluded), capture-plus-gate time per frame, OCR time per
stored frame (full screen against changed region), bytes per stored frame
(WebP and JPEG), and OCR read-back of a rendered screen of known text.

    .venv/bin/python bench/capture.py [--seconds 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw  # noqa: E402

from mirix_desktop.pipeline.capture.frames import encode  # noqa: E402
from mirix_desktop.pipeline.capture.ocr import Ocr  # noqa: E402

DISPLAY = ":77"


def start_xvfb() -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        ["Xvfb", DISPLAY, "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        if Path(f"/tmp/.X11-unix/X{DISPLAY[1:]}").exists():
            break
        time.sleep(0.05)
    os.environ["DISPLAY"] = DISPLAY
    return proc


def session(mode: str, seconds: float) -> dict[str, object]:
    """Capture once a second for ``seconds`` with the screen still or being typed on."""
    from mirix_desktop.services.context import open_context

    driver = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "screen_driver.py"), DISPLAY, mode, str(seconds + 5)]
    )
    time.sleep(1.5)
    with tempfile.TemporaryDirectory() as home:
        ctx = open_context(home)
        capturer = ctx.capturer()
        capturer.capture_once()  # the first frame, and warm-up
        capturer.stats.grab_gate_ms.clear()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        next_tick = time.perf_counter()
        for _ in range(int(seconds)):
            next_tick += 1.0
            capturer.capture_once()
            time.sleep(max(0.0, next_tick - time.perf_counter()))
        cpu = time.process_time() - cpu0
        wall = time.perf_counter() - wall0
        grab_gate_ms = list(capturer.stats.grab_gate_ms)
        queued = [item.payload for item in ctx.inbox.take(10_000, kinds=["ocr"])]
        saved = [(ctx.store.frame(p["frame_id"]), p["changed_box"]) for p in queued[1:]]
        ocr = Ocr()
        ocr.read(Image.new("RGB", (64, 64), "white"))  # load the models before timing
        full_s, region_s = [], []
        for frame, box in saved[:10]:
            with Image.open(frame.image_path) as img:
                image = img.convert("RGB")
            t0 = time.perf_counter()
            ocr.read(image)
            full_s.append(time.perf_counter() - t0)
            if box is not None:
                t0 = time.perf_counter()
                ocr.read(image, tuple(box))
                region_s.append(time.perf_counter() - t0)
        sizes = [frame.size_bytes for frame, _ in saved]
        ctx.close()
    driver.terminate()
    driver.wait()
    return {
        "cpu_pct": 100 * cpu / wall,
        "cpu_s_per_min": 60 * cpu / wall,
        "stored": len(saved),
        "grab_gate_ms_p50": statistics.median(grab_gate_ms),
        "grab_gate_ms_p95": sorted(grab_gate_ms)[int(len(grab_gate_ms) * 0.95) - 1],
        "ocr_full_s": statistics.fmean(full_s) if full_s else float("nan"),
        "ocr_region_s": statistics.fmean(region_s) if region_s else float("nan"),
        "bytes_per_frame": statistics.fmean(sizes) if sizes else float("nan"),
    }


def encoding() -> dict[str, tuple[float, float]]:
    """Encode time and size of a captured typing frame, per format, at quality 80."""
    import mss

    with mss.MSS() if hasattr(mss, "MSS") else mss.mss() as sct:
        shot = sct.grab(sct.monitors[1])
        image = Image.frombytes("RGB", shot.size, shot.bgra, "raw", "BGRX")
    out = {}
    for fmt in ("webp", "jpeg"):
        t0 = time.perf_counter()
        for _ in range(5):
            data = encode(image, fmt, 80)
        out[fmt] = ((time.perf_counter() - t0) / 5 * 1000, len(data))
    return out


LINES = [
    "Flight LX 318 departs 09:40 from gate B12",
    "Invoice number 4471 total 129.50 EUR",
    "Meeting with Dana about the quarterly roadmap",
    "Remember to renew the passport in March",
    "The Wi-Fi password is on the fridge",
    "Dinner at Lucia's on Friday at 8 pm",
    "Send the budget spreadsheet to Sam",
    "Train to Porto leaves at 14:05 platform 3",
    "Dentist appointment moved to Thursday",
    "Quarterly revenue grew by 12 percent",
]


def readback() -> float:
    """Share of known lines read back exactly from a stored (WebP q80) 1080p frame."""
    image = Image.new("RGB", (1920, 1080), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(LINES):
        draw.text((80, 80 + i * 60), line, fill=(20, 20, 20), font_size=24)
    with tempfile.NamedTemporaryFile(suffix=".webp") as fh:
        fh.write(encode(image, "webp", 80))
        fh.flush()
        with Image.open(fh.name) as stored:
            texts = [line.text for line in Ocr().read(stored.convert("RGB"))]
    return sum(1 for line in LINES if line in texts) / len(LINES)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30)
    args = ap.parse_args()
    xvfb = start_xvfb()
    try:
        still = session("still", args.seconds)
        typing = session("typing", args.seconds)
        enc = encoding()
    finally:
        xvfb.terminate()
    rb = readback()
    print(f"{'':<34}{'still':>12}{'typing':>12}")
    rows = [
        ("capture CPU, % of one core", "cpu_pct", "{:.2f}"),
        ("capture CPU, s per minute", "cpu_s_per_min", "{:.2f}"),
        ("frames stored", "stored", "{}"),
        ("capture+gate ms per frame, p50", "grab_gate_ms_p50", "{:.1f}"),
        ("capture+gate ms per frame, p95", "grab_gate_ms_p95", "{:.1f}"),
        ("OCR s per stored frame, full", "ocr_full_s", "{:.3f}"),
        ("OCR s per stored frame, region", "ocr_region_s", "{:.3f}"),
        ("bytes per stored frame (WebP q80)", "bytes_per_frame", "{:,.0f}"),
    ]
    for label, key, fmt in rows:
        print(f"{label:<34}{fmt.format(still[key]):>12}{fmt.format(typing[key]):>12}")
    for fmt, (ms, size) in enc.items():
        print(f"encode 1080p {fmt} q80: {ms:.0f} ms, {size:,} bytes")
    print(f"OCR read-back of a rendered screen: {rb:.0%} of lines exact")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
