"""The app's background machinery, as plain Python (no Qt): capture, OCR, retention, absorption.

Every method blocks (it starts or stops threads, touches files, writes the
store), so the interface calls them through its task runner, never directly.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from mirix_desktop.pipeline.capture.loop import Capturer
from mirix_desktop.pipeline.capture.retention import Removed, forget_last
from mirix_desktop.pipeline.capture.worker import OcrWorker
from mirix_desktop.pipeline.scheduler import CaptureSchedule
from mirix_desktop.services.backend import Backend

if TYPE_CHECKING:
    from mirix_desktop.pipeline.absorb_job import AbsorbJob, AbsorbReport

log = logging.getLogger(__name__)


class CaptureRuntime:
    """Capture on a schedule and read the frames' text, once the user agreed to it."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._lock = threading.RLock()
        self._capturer: Capturer | None = None
        self._schedule: CaptureSchedule | None = None
        self._worker: OcrWorker | None = None

    @property
    def running(self) -> bool:
        return self._schedule is not None

    def capturer(self) -> Capturer:
        """The capturer (built on first use; pausing works before capture starts)."""
        with self._lock:
            if self._capturer is None:
                self.backend.warm()
                self._capturer = self.backend.ctx.capturer()
            return self._capturer

    def start(self) -> None:
        """Start capturing on the schedule, and the OCR worker; nothing happens if running."""
        with self._lock:
            if self._schedule is not None:
                return
            capturer = self.capturer()
            schedule = self.backend.ctx.capture_schedule(capturer)
            worker = self.backend.ctx.ocr_worker()
            schedule.start()
            worker.start()
            self._schedule, self._worker = schedule, worker
            log.info("capturing every %.1f s", self.backend.ctx.settings.capture.interval_s)

    def stop(self) -> None:
        with self._lock:
            schedule, worker = self._schedule, self._worker
            self._schedule = self._worker = None
        if schedule is not None:
            schedule.stop()
        if worker is not None:
            worker.stop()

    def reconfigure(self) -> None:
        """Apply changed capture settings (interval, monitors, exclusions) without a restart."""
        with self._lock:
            was_running = self.running
            self.stop()
            self._capturer = None
            if was_running:
                self.start()

    @property
    def paused(self) -> bool:
        return self.capturer().paused

    def set_paused(self, paused: bool) -> bool:
        """Pause or resume (a flag file every capturing process sees); returns the new state."""
        capturer = self.capturer()
        capturer.set_paused(paused, by="the app (its Pause capture action)")
        return capturer.paused

    def capture_now(self) -> list[str]:
        """One round now, whatever the schedule; what happened per monitor."""
        return self.capturer().capture_once()

    @property
    def last_error(self) -> str | None:
        with self._lock:
            return self._capturer.stats.last_error if self._capturer is not None else None

    def forget(self, minutes: float) -> Removed:
        """Forget the frames of the last ``minutes`` and the memories made only from them."""
        return forget_last(self.backend.store, self.backend.inbox, minutes)

    def enforce_retention(self) -> Removed:
        self.backend.warm()
        return self.backend.ctx.enforce_retention()

    def optimize(self) -> None:
        """Compact the store and update its indexes (:meth:`MemoryStore.optimize`, what
        `mirix-desktop optimize` does after finishing the vectors)."""
        self.backend.warm()
        self.backend.ctx.store.optimize()

    def fill_vectors(self) -> None:
        """Start making, on the store's own thread, the vectors of chat turns an import left
        for later (nothing happens while it runs already)."""
        self.backend.warm()
        self.backend.ctx.store.start_filling_vectors(chat_only=True)


class Absorption:
    """The app's absorb step: it owns the :class:`AbsorbJob` and the one guard that keeps
    absorption to one run at a time in this process (the app's timer, a forced run and a
    data move all go through it). A batch is due by ``absorb.batch_size`` and
    ``absorb.max_wait_s``; the job absorbs with the memory model or offline."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._lock = threading.Lock()
        self._job: AbsorbJob | None = None

    def reset(self) -> None:
        """Build the job again on the next run (the memory model's settings changed)."""
        self._job = None

    def _the_job(self) -> AbsorbJob:
        self.backend.warm()
        job = self._job
        if job is None:
            job = self._job = self.backend.ctx.absorb_job()
        return job

    def due(self) -> bool:
        """Whether a batch is ready (enough items, or the oldest waited long enough)."""
        return self._the_job().due()

    @property
    def running(self) -> bool:
        """Whether a run (or a :meth:`hold`) is going on now."""
        return self._lock.locked()

    def hold(self, timeout_s: float) -> bool:
        """Wait for a running absorption to end and keep new ones from starting (until
        :meth:`release`); False if one was still running after ``timeout_s``."""
        return self._lock.acquire(timeout=timeout_s)

    def release(self) -> None:
        self._job = None  # its store may be closed by now
        self._lock.release()

    def absorb(self, *, max_batches: int = 5) -> AbsorbReport | None:
        """Absorb up to ``max_batches`` ready batches; None when another run is going on."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            return self._the_job().absorb(max_batches=max_batches)
        finally:
            self._lock.release()
