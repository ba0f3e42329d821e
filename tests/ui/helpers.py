"""Builders for the Qt tests."""

from __future__ import annotations

from datetime import datetime

from mirix_desktop.services.context import Context
from tests.helpers import add_frame


def local(year: int, month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """An aware datetime in the machine's time zone."""
    return datetime(year, month, day, hour, minute, second).astimezone()


def frame_at(ctx: Context, when: datetime, app: str, text: str, title: str = "") -> str:
    """A stored frame with a real WebP file (not queued for absorption)."""
    return add_frame(ctx, text, app=app, title=title or f"{text} — {app}", at=when, queue=False)
