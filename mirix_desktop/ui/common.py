"""Helpers shared by the windows: times, memory summaries, images read on a worker."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QImageReader

from agents.ids import TITLES
from agents.store import Memory
from agents.store.schema import (
    CoreData,
    EpisodicData,
    ProceduralData,
    ResourceData,
    SemanticData,
    VaultData,
)

MASK = "••••••••"
TYPE_TITLES = TITLES  # the vocabulary's short titles, by memory type


def fmt_time(value: datetime | None, *, seconds: bool = False) -> str:
    """A stored (UTC) time in the user's local time."""
    if value is None:
        return ""
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def shortened(text: str, limit: int = 160) -> str:
    """``text`` on one line (its whitespace runs made single spaces), cut to ``limit``
    characters with "…" at the end when longer."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def memory_title(memory: Memory) -> str:
    """The memory in one line; a vault value never appears here."""
    data = memory.data
    if isinstance(data, VaultData):
        return data.caption
    if isinstance(data, EpisodicData):
        return shortened(data.summary)
    if isinstance(data, SemanticData):
        return shortened(f"{data.name}: {data.summary}" if data.name else data.summary)
    if isinstance(data, ProceduralData):
        steps = f" ({len(data.steps)} steps)" if data.steps else ""
        return shortened(data.summary) + steps
    if isinstance(data, ResourceData):
        return shortened(f"{data.title}: {data.summary}" if data.summary else data.title)
    if isinstance(data, CoreData):
        return shortened(f"{data.label}: {data.value}")
    return shortened(memory.text)


def memory_fields(memory: Memory, *, reveal: bool = False) -> list[tuple[str, str]]:
    """(field, value) pairs to show; the vault value masked unless ``reveal``."""
    out: list[tuple[str, str]] = []
    for name, value in memory.data.model_dump().items():
        if name == "secret_value" and not reveal:
            out.append((name, MASK))
        elif isinstance(value, list):
            out.append((name, "\n".join(f"{i}. {v}" for i, v in enumerate(value, 1))))
        elif isinstance(value, datetime):
            out.append((name, fmt_time(value)))
        else:
            out.append((name, "" if value is None else str(value)))
    return out


def field_label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def history_summary(old: dict[str, Any] | None, new: dict[str, Any] | None) -> str:
    """What one history entry changed, in a line (vault values are not shown)."""
    if old is None and new is not None:
        return "added: " + shortened(str(new.get("text", "")), 100)
    if new is None and old is not None:
        return "deleted: " + shortened(str(old.get("text", "")), 100)
    if old is None or new is None:
        return ""
    if "merged_into" in new:
        return f"merged into {new['merged_into']}"
    before, after = old.get("data", {}), new.get("data", {})
    changes = []
    for key in after:
        if before.get(key) == after.get(key):
            continue
        if key == "secret_value":
            changes.append("value changed")
        else:
            changes.append(
                f"{key}: {shortened(str(before.get(key, '')), 40)!r} → "
                f"{shortened(str(after.get(key)), 40)!r}"
            )
    added = set(new.get("source_ids") or []) - set(old.get("source_ids") or [])
    if added:
        changes.append(f"{len(added)} new sources")
    return "; ".join(changes) or "no change"


def load_image(path: str, max_size: QSize | None = None) -> QImage:
    """Read an image file, scaled down to fit ``max_size``; safe on a worker thread.

    Raises OSError when the file cannot be read.
    """
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    if max_size is not None and reader.size().isValid():
        size = reader.size().scaled(max_size, Qt.AspectRatioMode.KeepAspectRatio)
        if size.width() < reader.size().width():
            reader.setScaledSize(size)
    image = reader.read()
    if image.isNull():
        raise OSError(f"cannot read {path}: {reader.errorString()}")
    return image
