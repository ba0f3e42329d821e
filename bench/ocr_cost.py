"""What OCR costs and how well it reads: CPU per read, RSS, exact lines (English and Chinese).

Three parts, each in this process with the app's OCR settings and the engine
asked for (``--engine``: auto, fast or accurate; see ocr_engines.py):

- accuracy: pages of known lines (English, Chinese, mixed, a document like the
  desktop session's) at four font sizes, stored as WebP q80 as frames are, read
  whole; the share of lines read back exactly.
- cost: 30 reads of random regions of a rendered 1600x900 screen (the changed
  regions of a session), CPU time of the process (user and system: the fast
  engine reads on threads of its own) and RSS after each read; then the same
  page edited in one line, read again, with the recogniser's line count (the
  accurate engine does not recognise lines it has seen before);
- a keyframe: a whole screen of small dense text, CPU and RSS after it.

    .venv/bin/python bench/ocr_cost.py [--engine fast|accurate] [--batch N]

``--batch`` sets RapidOCR's recognition batch (the app uses 1) to compare.
"""

from __future__ import annotations

import argparse
import difflib
import io
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from bench.capture import LINES as ENGLISH  # noqa: E402
from bench.desktop_session import _document  # noqa: E402
from mirix_desktop.pipeline.capture import ocr as ocr_module  # noqa: E402
from mirix_desktop.pipeline.capture import ocr_engines  # noqa: E402

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # has Latin and CJK glyphs
CHINESE = [
    "会议改到周三下午三点在二楼",
    "发票号码4471金额129.50元",
    "记得三月份续签护照",
    "去波尔图的火车14:05从三号站台出发",
    "季度收入增长了百分之十二",
    "把预算表发给小王",
    "牙医预约改到星期四上午",
    "无线网络密码贴在冰箱上",
    "晚上八点在露西亚餐厅吃饭",
    "明天早上九点四十分从B12登机口起飞",
]
MIXED = ["项目 Mirix 周报: 完成 OCR 缓存", "Invoice 4471 发票 已付款", "Zoom 会议 ID 845 2291 0033"]


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _page(lines: list[str], size: int, width: int = 1400) -> Image.Image:
    image = Image.new("RGB", (width, 60 + len(lines) * size * 2), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), size)
    for i, line in enumerate(lines):
        draw.text((30, 30 + i * size * 2), line, fill=(20, 20, 20), font=font)
    buf = io.BytesIO()
    image.save(buf, "WEBP", quality=80)
    return Image.open(buf).convert("RGB")


def accuracy(ocr: ocr_module.Ocr) -> None:
    document = [line for n in range(3) for line in _document(n)[1]]
    for name, lines in (
        ("English", ENGLISH),
        ("Chinese", CHINESE),
        ("mixed", MIXED),
        ("document", document),
    ):
        exact, similar = 0, 0.0
        for size in (14, 18, 24, 30):
            got = [line.text for line in ocr.read(_page(lines, size))]
            exact += sum(1 for want in lines if want in got)
            similar += sum(
                max((difflib.SequenceMatcher(None, w, g).ratio() for g in got), default=0.0)
                for w in lines
            )
        n = 4 * len(lines)
        print(f"{name:<9} exact lines {exact:3d}/{n:<3d}  mean similarity {similar / n:.4f}")


def cost(ocr: ocr_module.Ocr) -> None:
    rnd = random.Random(1)
    screen = Image.new("RGB", (1600, 900), "white")
    draw = ImageDraw.Draw(screen)
    for column in range(3):
        for i, line in enumerate(_document(column)[1]):
            draw.text((20 + column * 530, 20 + i * 90), line[:40], fill="black", font_size=18)
    ocr.read(screen, (0, 0, 400, 200))
    before = resource.getrusage(resource.RUSAGE_SELF)
    rss = []
    for _ in range(30):
        x, y = rnd.randrange(0, 1000), rnd.randrange(0, 500)
        ocr.read(screen, (x, y, x + rnd.randrange(200, 600), y + rnd.randrange(40, 400)))
        rss.append(_rss_mb())
    after = resource.getrusage(resource.RUSAGE_SELF)
    user, system = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
    print(f"30 region reads: CPU {user + system:.1f} s (user {user:.1f}, system {system:.1f})")
    print("RSS MB after reads 1, 10, 20, 30:", " ".join(f"{rss[i]:.0f}" for i in (0, 9, 19, 29)))
    lines = _document(7)[1]
    page = _page(lines, 22, 900)
    ocr.read(page)
    lines[4] = lines[4].replace(lines[4].split()[0], "edited", 1)
    cache = ocr.recognition
    seen = cache.misses if cache is not None else 0
    start = time.process_time()
    ocr.read(_page(lines, 22, 900))
    took = time.process_time() - start
    fresh = (cache.misses - seen) if cache is not None else len(lines)
    print(f"page of {len(lines)} lines, one edited: {fresh} recognised, {took:.2f} s CPU")


def full_screen(ocr: ocr_module.Ocr) -> None:
    """A keyframe: a whole 1600x900 screen of small dense text, read by a fresh engine."""
    screen = Image.new("RGB", (1600, 900), "white")
    draw = ImageDraw.Draw(screen)
    for i in range(40):
        draw.text((10, 10 + i * 22), " ".join(_document(i)[1])[:200], fill="black", font_size=14)
    start = time.process_time()
    lines = ocr.read(screen)
    took = time.process_time() - start
    print(f"full screen, 40 lines of 14 px text: {len(lines)} lines, {took:.1f} s CPU, ", end="")
    print(f"RSS {_rss_mb():.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=["auto", "fast", "accurate"], default="auto")
    parser.add_argument("--batch", type=int, help="RapidOCR's recognition batch size")
    args = parser.parse_args()
    if args.batch:
        ocr_engines.RAPID_PARAMS["Rec.rec_batch_num"] = args.batch
    ocr = ocr_module.Ocr(args.engine)
    print(f"engine: {ocr.engine_name}")
    accuracy(ocr)
    cost(ocr_module.Ocr(args.engine))
    full_screen(ocr_module.Ocr(args.engine))


if __name__ == "__main__":
    main()
