"""Runs the capture loop on apscheduler's background thread, slowing down when the screen idles."""

from __future__ import annotations

import logging
import threading
import time

from apscheduler.schedulers.background import BackgroundScheduler

from agents.threadname import name_os_thread
from mirix_desktop.pipeline.capture.loop import Capturer

log = logging.getLogger(__name__)
JOB = "capture"


class CaptureSchedule:
    """Capture every ``interval_s``; after ``idle_after_s`` without a change, every
    ``idle_interval_s`` until the screen changes again."""

    def __init__(
        self,
        capturer: Capturer,
        *,
        interval_s: float,
        idle_interval_s: float,
        idle_after_s: float,
    ) -> None:
        self.capturer = capturer
        self.interval_s = interval_s
        self.idle_interval_s = max(idle_interval_s, interval_s)
        self.idle_after_s = idle_after_s
        self.idle = False
        self._last_change = time.monotonic()
        self._scheduler = BackgroundScheduler()

    def round(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            name_os_thread("capture")  # the scheduler's worker thread
        try:
            outcomes = self.capturer.capture_once()
        except Exception as exc:  # noqa: BLE001 - one failed round must not stop the loop
            self.capturer.stats.last_error = f"{type(exc).__name__}: {exc}"
            log.warning("capture failed: %s", self.capturer.stats.last_error)
            return
        if "stored" in outcomes:
            self._last_change = time.monotonic()
            if self.idle:
                self._set_idle(False)
        elif not self.idle and time.monotonic() - self._last_change >= self.idle_after_s:
            self._set_idle(True)

    def _set_idle(self, idle: bool) -> None:
        self.idle = idle
        seconds = self.idle_interval_s if idle else self.interval_s
        if self._scheduler.running:
            self._scheduler.reschedule_job(JOB, trigger="interval", seconds=seconds)
        log.info("screen %s: capturing every %.1f s", "idle" if idle else "active", seconds)

    def start(self) -> None:
        self._scheduler.add_job(
            self.round, "interval", seconds=self.interval_s, id=JOB, max_instances=1, coalesce=True
        )
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)


def run_for(schedule: CaptureSchedule, seconds: float) -> None:
    """Capture now and on the schedule until ``seconds`` have passed."""
    schedule.round()
    schedule.start()
    try:
        threading.Event().wait(seconds)
    finally:
        schedule.stop()
