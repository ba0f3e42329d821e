"""The screenshots by local day and the time spent in each app, as plain Python (no Qt).

:class:`Timeline` reads the store's frames for the app's Timeline and Activity pages;
its methods block on disk and run on a worker. The local day's bounds
(:func:`day_bounds`) are also the status bar's "frames today".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from agents.store import Frame, MemoryStore


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The start of ``day`` and of the next day, in local time, as aware datetimes."""
    start = datetime.combine(day, time()).astimezone()
    end = datetime.combine(day + timedelta(days=1), time()).astimezone()
    return start, end


def local_day(moment: datetime) -> date:
    return moment.astimezone().date()


def app_durations(
    frames: Iterable[tuple[datetime, str]], *, cap_s: float = 300.0, last_s: float = 30.0
) -> dict[date, dict[str, float]]:
    """Seconds per app per local day, from frames' (time, app).

    Each moment a frame was taken counts until the next one, at most ``cap_s``
    (the screen may have been left alone); the last counts ``last_s``. Frames of
    several monitors taken at one moment count once, for the app of the first.
    """
    moments: dict[datetime, str] = {}
    for when, app in sorted(frames, key=lambda f: f[0]):
        moments.setdefault(when, app or "unknown")
    times = list(moments)
    out: dict[date, dict[str, float]] = {}
    for i, when in enumerate(times):
        span = min(cap_s, (times[i + 1] - when).total_seconds()) if i + 1 < len(times) else last_s
        day = out.setdefault(local_day(when), {})
        app = moments[when]
        day[app] = day.get(app, 0.0) + max(0.0, span)
    return out


class Timeline:
    """The frames of a day and the apps' time, read from ``store``."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def day(self, day: date | None, app: str | None = None) -> tuple[date, list[str], list[Frame]]:
        """The frames of a local day (the last day with frames when None), the apps seen that
        day, and the frames of ``app`` (all when None)."""
        if day is None:
            rows = self.store.frame_rows()
            day = local_day(rows[-1]["time"]) if rows else date.today()
        frames = self.store.frames_between(*day_bounds(day))
        apps = sorted({f.app for f in frames}, key=str.lower)
        if app:
            frames = [f for f in frames if f.app == app]
        # The list needs no text; the viewer reads a frame again when it opens.
        return day, apps, [f.model_copy(update={"ocr_text": ""}) for f in frames]

    def activity(self, days: int, *, today: date | None = None) -> dict[date, dict[str, float]]:
        """Seconds per app for each of the last ``days`` local days (days without frames too)."""
        last = today or date.today()
        first = last - timedelta(days=days - 1)
        since, _ = day_bounds(first)
        _, until = day_bounds(last)
        durations = app_durations(self._frame_apps(since, until))
        every_day = [first + timedelta(days=i) for i in range(days)]
        return {day: durations.get(day, {}) for day in every_day}

    def _frame_apps(self, since: datetime, until: datetime) -> list[tuple[datetime, str]]:
        """(time, app) of the frames captured in [since, until)."""
        rows = self.store.frame_rows(since=since, until=until)
        if rows and "app" in rows[0]:  # a store whose frame rows carry the app
            return [(r["time"], r["app"]) for r in rows]
        return [(f.captured_at, f.app) for f in self.store.frames([r["id"] for r in rows])]
