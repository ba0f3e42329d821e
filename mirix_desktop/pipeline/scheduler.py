"""Runs the capture loop on apscheduler's background thread, slowing down when the screen idles."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler

from agents.threadname import name_os_thread
from mirix_desktop.pipeline.capture.loop import Capturer
from mirix_desktop.pipeline.failures import disk_full, disk_full_message, free_bytes

log = logging.getLogger(__name__)
JOB = "capture"
RESUME_FREE_BYTES = 200 << 20  # capture held for a full disk resumes with this much free


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
        self.held_for_space = False  # a full disk paused capture until space returns

    def _folder(self) -> Path:
        return self.capturer.frames.frames_dir

    def round(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            name_os_thread("capture")  # the scheduler's worker thread
        if self.held_for_space and not self._space_back():
            self.capturer.stats.counts["no space"] += 1
            return
        try:
            outcomes = self.capturer.capture_once()
        except Exception as exc:  # noqa: BLE001 - one failed round must not stop the loop
            full = disk_full(exc, self._folder())
            if full is not None:
                self.held_for_space = True
                self.capturer.stats.last_error = (
                    f"{disk_full_message(full, self._folder())}: capture is paused until "
                    f"{RESUME_FREE_BYTES / 1e6:,.0f} MB are free; every frame before is kept"
                )
            else:
                self.capturer.stats.last_error = f"{type(exc).__name__}: {exc}"
            log.warning("capture failed: %s", self.capturer.stats.last_error)
            return
        if "stored" in outcomes:
            self._last_change = time.monotonic()
            if self.idle:
                self._set_idle(False)
        elif not self.idle and time.monotonic() - self._last_change >= self.idle_after_s:
            self._set_idle(True)

    def _space_back(self) -> bool:
        """Whether a capture held for a full disk may go on (and then it does)."""
        free = free_bytes(self._folder())
        if free is None or free < RESUME_FREE_BYTES:
            return False
        self.held_for_space = False
        self.capturer.stats.last_error = None
        log.info("%.0f MB free again: capture resumes", free / 1e6)
        return True

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
