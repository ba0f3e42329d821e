"""What the tray and the window ask of capture: pause or resume, capture now, forget."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from mirix_desktop.ui.tasks import describe

if TYPE_CHECKING:
    from mirix_desktop.ui.controller import AppController

OUTCOMES = {
    "stored": "Screenshot stored.",
    "unchanged": "Nothing changed since the last screenshot.",
    "excluded": "This window is excluded from capture.",
    "paused": "Capture is paused; resume it to take screenshots.",
    "unlisted": "The windows on screen could not be read, so nothing was captured.",
}


class CaptureActions:
    """The capture actions of the running app; their work runs on the task pool."""

    def __init__(self, app: AppController, *, confirm_forget: bool = True) -> None:
        self.app = app
        self.confirm = confirm_forget

    def toggle_pause(self) -> None:
        paused = self.app.status.paused if self.app.status is not None else False
        self.set_paused(not paused)

    def set_paused(self, paused: bool) -> None:
        def done(now_paused: bool) -> None:
            if self.app.status is not None:
                self.app.set_status(dataclasses.replace(self.app.status, paused=now_paused))
            self.app.message.emit("Capture paused." if now_paused else "Capture resumed.")

        self.app.tasks.run(self.app.runtime.set_paused, paused, on_done=done)

    def capture_now(self) -> None:
        def done(outcomes: list[str]) -> None:
            kind = "stored" if "stored" in outcomes else (outcomes[0] if outcomes else "")
            self.app.message.emit(OUTCOMES.get(kind, ", ".join(outcomes)))
            self.app.poll_status()

        self.app.tasks.run(
            self.app.runtime.capture_now,
            on_done=done,
            on_error=lambda e: self.app.report_error(f"capture failed: {describe(e)}"),
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
            self.app.tray.notify("Mirix", note, error=False)
            self.app.message.emit(note)
            self.app.poll_status()

        self.app.tasks.serial(self.app.runtime.forget, minutes, on_done=done, label="Forgetting")
