"""Runs the capture loop on apscheduler's background thread."""

from __future__ import annotations

import logging
import threading

from apscheduler.schedulers.background import BackgroundScheduler

from mirix_desktop.capture.loop import Capturer

log = logging.getLogger(__name__)


def _safe_round(capturer: Capturer) -> None:
    try:
        capturer.capture_once()
    except Exception as exc:  # noqa: BLE001 - one failed round must not stop the loop
        capturer.stats.last_error = f"{type(exc).__name__}: {exc}"
        log.warning("capture failed: %s", capturer.stats.last_error)


def start(capturer: Capturer, *, interval_s: float) -> BackgroundScheduler:
    scheduler = BackgroundScheduler()
    scheduler.add_job(
        _safe_round,
        "interval",
        seconds=interval_s,
        args=[capturer],
        max_instances=1,
        coalesce=True,
        id="capture",
        next_run_time=None,
    )
    scheduler.start()
    return scheduler


def run_for(capturer: Capturer, *, interval_s: float, seconds: float) -> None:
    """Capture now and then every ``interval_s`` seconds until ``seconds`` have passed."""
    _safe_round(capturer)
    scheduler = start(capturer, interval_s=interval_s)
    try:
        threading.Event().wait(seconds)
    finally:
        scheduler.shutdown(wait=True)
