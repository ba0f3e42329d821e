"""OCR reads rendered text back, reads only the changed region, and feeds search and the inbox."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PIL import Image, ImageDraw

from mirix_desktop.pipeline.capture.frames import FrameStore
from mirix_desktop.pipeline.capture.ocr import Ocr, OcrLine, as_text, merge, order
from mirix_desktop.pipeline.inbox import OCR_KIND, ocr_item

LINES = [
    "Flight LX 318 departs 09:40 from gate B12",
    "Invoice number 4471 total 129.50 EUR",
    "Meeting with Dana about the roadmap",
    "Remember to renew the passport in March",
    "Quarterly revenue grew by 12 percent",
]


def render(lines: list[str], size: tuple[int, int] = (1280, 720)) -> Image.Image:
    image = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((60, 60 + i * 70), line, fill=(20, 20, 20), font_size=28)
    return image


@pytest.fixture(scope="module")
def ocr() -> Ocr:
    return Ocr()


def test_ocr_reads_a_rendered_screen_back(ocr: Ocr) -> None:
    lines = ocr.read(render(LINES))
    texts = [line.text for line in lines]
    exact = sum(1 for want in LINES if want in texts)
    assert exact / len(LINES) >= 0.95, texts
    assert lines[0].box[1] < lines[-1].box[1]


def test_only_the_changed_region_is_read(ocr: Ocr) -> None:
    before = ocr.read(render(LINES))
    changed = LINES[:4] + ["Quarterly revenue grew by 15 percent"]
    region = (40, 60 + 4 * 70 - 10, 900, 60 + 4 * 70 + 50)
    fresh = ocr.read(render(changed), region)
    assert [line.text for line in fresh] == ["Quarterly revenue grew by 15 percent"]
    merged = merge(before, fresh, region)
    assert [line.text for line in merged] == changed


def test_merge_keeps_lines_outside_the_region() -> None:
    old = [OcrLine("top", (0, 0, 100, 20), 1.0), OcrLine("bottom", (0, 200, 100, 220), 1.0)]
    new = [OcrLine("new bottom", (0, 200, 120, 220), 1.0)]
    assert [line.text for line in merge(old, new, (0, 190, 300, 230))] == ["top", "new bottom"]


def test_the_text_of_a_frame_keeps_each_visual_row_together() -> None:
    # A table row read as three boxes whose tops differ by a few pixels (across a
    # multiple of ten), and a label whose value sits to its right.
    lines = [
        OcrLine("Economy", (900, 201, 1010, 229), 1.0),
        OcrLine("Seat", (60, 198, 120, 226), 1.0),
        OcrLine("23A", (520, 203, 580, 231), 1.0),
        OcrLine("Booking reference", (60, 254, 290, 282), 1.0),
        OcrLine("K7XQ2M", (520, 250, 640, 278), 1.0),
        OcrLine("Your flight is confirmed", (60, 90, 400, 118), 1.0),
    ]
    assert as_text(lines) == (
        "Your flight is confirmed\nSeat  23A  Economy\nBooking reference  K7XQ2M"
    )
    assert [line.text for line in order(lines)][:4] == [
        "Your flight is confirmed",
        "Seat",
        "23A",
        "Economy",
    ]


def test_worker_records_text_and_hands_frames_to_absorption(ctx) -> None:
    frames = FrameStore(ctx.paths.frames_dir, ctx.store)
    first = frames.save(
        render(LINES),
        captured_at=datetime(2026, 5, 1, 9, tzinfo=UTC),
        app="Firefox",
        window_title="Trip",
    )
    ctx.inbox.put(OCR_KIND, *ocr_item(first.id, None))
    worker = ctx.ocr_worker()
    assert worker.drain() == 1
    assert "gate B12" in ctx.store.frame(first.id).ocr_text
    hits = ctx.store.search("flight gate B12", ctx.search_options(types=("frame",)))
    assert hits[0].id == first.id and "LX 318" in hits[0].text
    changed = LINES[:4] + ["Quarterly revenue grew by 15 percent"]
    second = frames.save(
        render(changed),
        captured_at=datetime(2026, 5, 1, 9, 1, tzinfo=UTC),
        app="Firefox",
        window_title="Trip",
    )
    ctx.inbox.put(OCR_KIND, *ocr_item(second.id, [40, 330, 900, 390]))
    assert worker.drain() == 1
    text = ctx.store.frame(second.id).ocr_text
    assert "15 percent" in text and "gate B12" in text and "12 percent" not in text
    waiting = ctx.inbox.take(10, kinds=["frame"])
    assert [item.id for item in waiting] == [first.id, second.id]


def test_ingest_screenshots_imports_the_rest_and_reports_a_corrupt_file(tmp_path, capsys) -> None:
    import json

    from mirix_desktop.cli import main

    folder = tmp_path / "shots"
    folder.mkdir()
    render(LINES[:2]).save(folder / "Screenshot_20260501_090000.png")
    render(LINES[:2]).save(folder / "Screenshot_20260501_090005.jpg", quality=95)  # no change
    render(["Dinner at Lucia's on Friday at 8 pm"]).save(folder / "20260501_101500.webp")
    (folder / "Screenshot_20260501_093000.png").write_bytes(b"\x89PNG\r\n\x1a\n not an image")
    (folder / "notes.txt").write_text("ignored")
    assert main(["ingest", "screenshots", str(folder)]) == 2
    captured = capsys.readouterr()
    assert "imported 2 screenshots (1 unchanged, 1 unreadable skipped)" in captured.out
    assert "Screenshot_20260501_093000.png: skipped: cannot read the image" in captured.err
    assert "Traceback" not in captured.err
    assert main(["search", "dinner Lucia Friday", "--json", "-k", "1", "--type", "frame"]) == 0
    hit = json.loads(capsys.readouterr().out)
    assert hit["type"] == "frame" and "Lucia" in hit["text"]
    assert hit["source_path"] == str((folder / "20260501_101500.webp").resolve())
    assert hit["time"].startswith("2026-05-01")


def test_ingest_screenshots_from_a_missing_folder_is_one_line(tmp_path, capsys) -> None:
    from mirix_desktop.cli import main

    assert main(["ingest", "screenshots", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such folder" in err


def test_worker_adds_a_clip_vector_when_a_model_is_available(use_tiny_clip) -> None:
    from mirix_desktop.services.context import open_context

    ctx = open_context()
    frames = FrameStore(ctx.paths.frames_dir, ctx.store)
    frame = frames.save(render(LINES[:1]), captured_at=datetime(2026, 5, 1, 9, tzinfo=UTC))
    ctx.inbox.put(OCR_KIND, *ocr_item(frame.id, None))
    assert ctx.ocr_worker().drain() == 1
    hits = ctx.store.search(
        "zzzz", ctx.search_options(types=("frame",), weights={"fts": 0, "vector": 0, "clip": 1})
    )
    assert [h.id for h in hits] == [frame.id]
    ctx.close()
