"""What the tray and the window ask of capture: pause or resume, capture now, forget."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox

from mirix_desktop.services.runtime import CaptureRuntime
from mirix_desktop.ui.tasks import Tasks, describe

OUTCOMES = {
    "stored": "Screenshot stored.",
    "unchanged": "Nothing changed since the last screenshot.",
    "excluded": "This window is excluded from capture.",
    "paused": "Capture is paused; resume it to take screenshots.",
    "unlisted": "The windows on screen could not be read, so nothing was captured.",
}


class CaptureActions(QObject):
    """The capture actions of the running app; their work runs on the task pool, and what
    comes of it is told through the signals."""

    message = Signal(str)  # a short note for the user
    error = Signal(str)  # one line for the user
    changed = Signal()  # what the status shows changed (a frame stored, frames forgotten)
    paused_changed = Signal(bool)  # capture is paused now (or resumed)
    forgotten = Signal(str)  # what was forgotten, for a notification

    def __init__(
        self,
        tasks: Tasks,
        runtime: CaptureRuntime,
        paused: Callable[[], bool],
        *,
        confirm_forget: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.runtime = runtime
        self.paused = paused  # whether capture is paused, as the status last showed
        self.confirm = confirm_forget

    def toggle_pause(self) -> None:
        self.set_paused(not self.paused())

    def set_paused(self, paused: bool) -> None:
        def done(now_paused: bool) -> None:
            self.paused_changed.emit(now_paused)
            self.message.emit("Capture paused." if now_paused else "Capture resumed.")

        self.tasks.run(self.runtime.set_paused, paused, on_done=done)

    def capture_now(self) -> None:
        def done(outcomes: list[str]) -> None:
            kind = "stored" if "stored" in outcomes else (outcomes[0] if outcomes else "")
            self.message.emit(OUTCOMES.get(kind, ", ".join(outcomes)))
            self.changed.emit()

        self.tasks.run(
            self.runtime.capture_now,
            on_done=done,
            on_error=lambda e: self.error.emit(f"capture failed: {describe(e)}"),
            label="Capturing",
        )

    def forget(self, minutes: int) -> None:
        span = "hour" if minutes == 60 else f"{minutes} minutes"
        if self.confirm:
            answer = QMessageBox.question(
                None,
                "Forget",
                f"Delete the screenshots of the last {span}, and the memories made only "
                "from them? This cannot be undone.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return

        def done(removed: object) -> None:
            frames = getattr(removed, "frames", 0)
            memories = getattr(removed, "memories", 0)
            note = f"Forgot {frames} screenshots and {memories} memories of the last {span}."
            self.forgotten.emit(note)
            self.message.emit(note)
            self.changed.emit()

        self.tasks.serial(self.runtime.forget, minutes, on_done=done, label="Forgetting")
