"""The app's timed work: absorption when a batch is due; retention and store upkeep every
hour."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from mirix_desktop.services.runtime import Absorption, CaptureRuntime
from mirix_desktop.ui.tasks import Tasks, describe

FIRST_OPTIMIZE_MS = 15 * 60_000  # the first optimize of the store after start; then hourly
VECTORS_MS = 60_000  # how often imported chat turns are looked at for missing vectors


class Background(QObject):
    """Runs absorption, retention and store upkeep on their timers. Absorbing is the
    interface's side of :class:`~mirix_desktop.services.runtime.Absorption`, which keeps it
    to one run at a time."""

    absorbed = Signal(object)  # AbsorbReport (None when another run was going on)
    changed = Signal()  # what the status shows may have changed (absorbed, frames removed)
    error = Signal(str)  # one line for the user

    def __init__(
        self,
        tasks: Tasks,
        absorption: Absorption,
        runtime: CaptureRuntime,
        *,
        absorb_interval_ms: int,
        retention_interval_ms: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.absorption = absorption
        self.runtime = runtime
        self._absorb_timer = QTimer(self, interval=absorb_interval_ms)
        self._absorb_timer.timeout.connect(self.absorb)
        self._retention_timer = QTimer(self, interval=retention_interval_ms)
        self._retention_timer.timeout.connect(self.hourly)
        # A first optimize soon after start, so that short sessions are optimized too.
        self._first_optimize = QTimer(self, interval=FIRST_OPTIMIZE_MS, singleShot=True)
        self._first_optimize.timeout.connect(self.optimize)
        self._optimized = False
        # Imports (`ingest chat`, another process) leave their vectors for later.
        self._vectors_timer = QTimer(self, interval=VECTORS_MS)
        self._vectors_timer.timeout.connect(self.fill_vectors)

    def start(self) -> None:
        self._absorb_timer.start()
        self._vectors_timer.start()
        self._retention_timer.start()
        if not self._optimized:
            self._first_optimize.start()

    def stop(self) -> None:
        self._vectors_timer.stop()
        self._absorb_timer.stop()
        self._retention_timer.stop()
        self._first_optimize.stop()

    def absorb(self, *, force: bool = False) -> None:
        """Absorb waiting items on a worker when a batch is due (``force``: whatever waits).
        Nothing is started while a run goes on; a run asked twice at once finds the guard
        taken and reports None."""
        absorption = self.absorption
        if absorption.running:
            return

        def finished(report: object) -> None:
            errors = getattr(report, "errors", None)
            offline = getattr(report, "offline_note", None)
            if offline:  # the memory model keeps failing: say why items went offline
                self.error.emit(offline)
            elif errors:
                self.error.emit(f"absorbing failed (kept for a retry): {errors[-1]}")
            self.changed.emit()
            self.absorbed.emit(report)

        def failed(error: BaseException) -> None:
            self.error.emit(f"absorbing failed: {describe(error)}")

        def checked(due: bool) -> None:
            if due and not absorption.running:
                self.tasks.run(
                    absorption.absorb, on_done=finished, on_error=failed, label="Absorbing"
                )

        if force:
            checked(True)
        else:
            self.tasks.run(absorption.due, on_done=checked, on_error=failed)

    def fill_vectors(self) -> None:
        """Make the vectors imported chat turns wait for, on the store's thread."""

        def failed(error: BaseException) -> None:
            self.error.emit(f"making vectors failed: {describe(error)}")

        self.tasks.run(self.runtime.fill_vectors, on_error=failed)

    def hourly(self) -> None:
        self.enforce_retention()
        self.optimize()

    def enforce_retention(self) -> None:
        self.tasks.serial(self.runtime.enforce_retention, on_done=lambda _: self.changed.emit())

    def optimize(self) -> None:
        """Compact the store's files and fold new rows into its indexes (what `mirix-desktop
        optimize` does). LanceDB leaves a file and a version for every write, and capture
        writes a few a frame: without this, every read opens more of them as the day goes."""

        def failed(error: BaseException) -> None:
            self.error.emit(f"optimizing the memory store failed: {describe(error)}")

        self._optimized = True
        self.tasks.serial(self.runtime.optimize, on_error=failed)
