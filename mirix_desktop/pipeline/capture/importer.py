"""Importing a folder of screenshots through the same gate, OCR and store as live capture."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from agents.errors import InvalidInput
from agents.store.timeutil import as_utc, checked_utc
from mirix_desktop.pipeline.capture.frames import FrameStore
from mirix_desktop.pipeline.capture.gate import ChangeGate
from mirix_desktop.pipeline.capture.worker import OcrWorker, queue_for_ocr

SUFFIXES = {".png", ".jpg", ".jpeg", ".webp"}
_STAMP = re.compile(r"(\d{8})[_-](\d{6})")


@dataclass
class ImportReport:
    stored: int = 0
    unchanged: int = 0
    unreadable: list[tuple[Path, str]] = field(default_factory=list)


def taken_at(path: Path) -> datetime:
    """The time in a ``YYYYMMDD_HHMMSS`` file name (local time), else the file's time."""
    match = _STAMP.search(path.stem)
    if match:
        try:
            return checked_utc(datetime.strptime("".join(match.groups()), "%Y%m%d%H%M%S"))
        except ValueError:
            pass
    return as_utc(datetime.fromtimestamp(path.stat().st_mtime))


def screenshot_files(folder: Path) -> list[Path]:
    if not folder.exists():
        raise InvalidInput(f"no such folder: {folder}")
    if not folder.is_dir():
        raise InvalidInput(f"{folder} is not a folder")
    files = [p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES]
    return sorted(files, key=lambda p: (taken_at(p), p.name))


def import_screenshots(
    files: list[Path],
    frames: FrameStore,
    worker: OcrWorker,
    *,
    gate: ChangeGate,
    on_file: Callable[[Path, str], None] = lambda path, outcome: None,
) -> ImportReport:
    """Store each readable, changed image as a frame with its source path, and read its text."""
    report = ImportReport()
    for path in files:
        try:
            with Image.open(path) as img:
                image = img.convert("RGB")
        except (OSError, UnidentifiedImageError, Image.DecompressionBombError, SyntaxError) as exc:
            reason = f"cannot read the image ({type(exc).__name__})"
            report.unreadable.append((path, reason))
            on_file(path, reason)
            continue
        when = taken_at(path)
        decision = gate.check(image, when.timestamp())
        if not decision.keep:
            report.unchanged += 1
            on_file(path, "unchanged")
            continue
        try:
            # The whole image is read: an archive is not a live screen, and a changed region
            # would cut words at its edge and carry lines over from the file before it.
            frames.save(
                image,
                captured_at=when,
                window_title=path.name,
                source_path=str(path.resolve()),
                before_row=queue_for_ocr(worker.inbox, None),
            )
        except (OSError, ValueError) as exc:  # this file only: the others still come in
            reason = f"cannot store the image ({type(exc).__name__}: {exc})"
            report.unreadable.append((path, reason))
            on_file(path, reason)
            continue
        worker.drain()
        report.stored += 1
        on_file(path, "stored")
    return report
