"""The app's controller: ties the tray, the main window, the dialogs and the background work.

Capture (with the OCR worker) starts once the first-run page was accepted; the
status (capturing or paused, frames today, items waiting) is read on a worker
every few seconds; absorption runs in the background when a batch is due;
retention runs every hour. Every failure reaches the tray as a notification.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog

from agents.errors import StoreError
from mirix_desktop.context import Context
from mirix_desktop.datamove import MovePlan, MoveResult, move_data, plan_move
from mirix_desktop.settings import Settings
from mirix_desktop.ui.backend import Backend, Status, has_consent, record_consent
from mirix_desktop.ui.chat import ChatWidget
from mirix_desktop.ui.firstrun import FirstRunDialog
from mirix_desktop.ui.main_window import MainWindow
from mirix_desktop.ui.runtime import Absorption, CaptureRuntime
from mirix_desktop.ui.settings_dialog import SettingsDialog
from mirix_desktop.ui.tasks import Tasks, describe
from mirix_desktop.ui.tray import Tray

log = logging.getLogger(__name__)

OUTCOMES = {
    "stored": "Screenshot stored.",
    "unchanged": "Nothing changed since the last screenshot.",
    "excluded": "This window is excluded from capture.",
    "paused": "Capture is paused; resume it to take screenshots.",
    "unlisted": "The windows on screen could not be read, so nothing was captured.",
}


def _preload() -> None:
    """Import what the workers will need, here and now: a worker thread importing a
    large package (openai) keeps the interpreter from the interface thread for a tenth
    of a second at a time, which the user would feel as a stall mid-use."""
    import openai  # noqa: F401

    import agents.absorb  # noqa: F401
    import agents.chat  # noqa: F401
    import mirix_desktop.absorber  # noqa: F401
    import mirix_desktop.assistant  # noqa: F401


class AppController(QObject):
    """Everything the running app does; :meth:`start` shows it, :meth:`shutdown` ends it."""

    status_changed = Signal(object)  # Status
    settings_changed = Signal(object)  # Settings now in effect
    capture_started = Signal()
    capture_reconfigured = Signal()  # saved capture settings are in effect
    error = Signal(str)
    absorbed = Signal(object)  # AbsorbReport (None when another run was going on)
    message = Signal(str)  # a short note for the user ("Screenshot stored.")
    quit_requested = Signal()
    move_progress = Signal(int)  # percent of the data folder copied
    restart_requested = Signal()  # the app should start again (the data folder moved)

    def __init__(
        self,
        ctx: Context,
        *,
        status_interval_ms: int = 3000,
        absorb_interval_ms: int = 15_000,
        retention_interval_ms: int = 3_600_000,
        confirm_forget: bool = True,
        confirm_move: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        _preload()
        self.ctx = ctx
        self.backend = Backend(ctx)
        self.tasks = Tasks(self)
        self.runtime = CaptureRuntime(self.backend)
        self.absorption = Absorption(self.backend)
        self.status: Status | None = None
        self.last_error: str | None = None
        self.confirm_forget = confirm_forget
        self.confirm_move = confirm_move
        self._moving = False
        self.first_run: FirstRunDialog | None = None
        self.settings_dialog: SettingsDialog | None = None
        self._polling = False
        self._poll_again = False
        self._absorbing = False
        self._capture_error: str | None = None

        self.tray = Tray(self)
        self.window = MainWindow(self.backend, self.tasks)
        self.chat = ChatWidget(self.backend, self.tasks)
        self.window.set_chat_widget(self.chat)
        self._connect()

        self._status_timer = QTimer(self, interval=status_interval_ms)
        self._status_timer.timeout.connect(self.poll_status)
        self._absorb_timer = QTimer(self, interval=absorb_interval_ms)
        self._absorb_timer.timeout.connect(self.absorb_if_due)
        self._retention_timer = QTimer(self, interval=retention_interval_ms)
        self._retention_timer.timeout.connect(self.enforce_retention)
        self._error_timer = QTimer(self, singleShot=True, interval=120_000)
        self._error_timer.timeout.connect(lambda: self.tray.set_error_active(False))

    def _connect(self) -> None:
        tray, window = self.tray, self.window
        tray.open_chat.connect(lambda: self.show_main("Chat"))
        tray.open_memories.connect(lambda: self.show_main("Memories"))
        tray.toggle_pause.connect(self.toggle_pause)
        tray.capture_now.connect(self.capture_now)
        tray.forget.connect(self.forget)
        tray.open_settings.connect(self.open_settings)
        tray.start_at_login.connect(self.set_start_at_login)
        tray.set_start_at_login(self.ctx.settings.desktop.start_at_login)
        tray.quit_requested.connect(self.quit_requested.emit)
        window.toggle_pause.connect(self.toggle_pause)
        window.capture_now.connect(self.capture_now)
        window.open_settings.connect(self.open_settings)
        window.closed.connect(self._window_closed)
        self.tasks.failed.connect(self.report_error)
        self.tasks.working_changed.connect(self._working)
        self.message.connect(window.message)
        self.settings_changed.connect(lambda _: self.chat.reset_assistant())

    # ---- starting and stopping ---------------------------------------------------------

    def start(self, *, show: bool = False) -> None:
        """Show the tray (or the window where there is no tray), then the first-run page or
        start capturing."""
        has_tray = self.tray.show()
        if show or not has_tray:
            self.show_main()
        if has_consent(self.ctx.paths):
            self.start_capture()
        else:
            self.show_first_run()  # after the window, so that it comes on top
        self._status_timer.start()
        self._absorb_timer.start()
        self._retention_timer.start()
        self.poll_status()

    def shutdown(self) -> None:
        """Stop capture and the background work (writes in progress are finished)."""
        for timer in (self._status_timer, self._absorb_timer, self._retention_timer):
            timer.stop()
        self.tray.hide()
        self.runtime.stop()
        self.tasks.shutdown(wait=False)

    def show_first_run(self) -> FirstRunDialog:
        dialog = FirstRunDialog(self.ctx.paths, self.ctx.settings)
        dialog.agreed.connect(self._agreed)
        dialog.rejected.connect(self._declined)
        dialog.settings_requested.connect(self.open_settings)
        self.first_run = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _agreed(self) -> None:
        self.tasks.write(record_consent, self.ctx.paths, on_done=lambda _: self.start_capture())

    def _declined(self) -> None:
        log.info("first run declined: quitting without capturing")
        self.quit_requested.emit()

    def start_capture(self) -> None:
        def started(_: object) -> None:
            self.capture_started.emit()
            self.poll_status()

        self.tasks.run(self.runtime.start, on_done=started, on_error=self._capture_failed)

    def _capture_failed(self, error: BaseException) -> None:
        self.report_error(f"capture could not start: {describe(error)}")

    # ---- status ------------------------------------------------------------------------

    def poll_status(self) -> None:
        """Read the status on a worker (once more after the read in progress, if any)."""
        if self._polling:
            self._poll_again = True
            return
        self._polling = True
        self._poll_again = False
        self.tasks.run(self._read_status, on_done=self._show_status, on_error=self._poll_failed)

    def _read_status(self) -> Status:
        runtime = self.runtime
        return self.backend.status(
            running=runtime.running, paused=runtime.paused, capture_error=runtime.last_error
        )

    def _poll_done(self) -> None:
        self._polling = False
        if self._poll_again:
            self.poll_status()

    def _poll_failed(self, error: BaseException) -> None:
        self._poll_done()
        if describe(error) != self.last_error:  # not again every few seconds
            self.report_error(describe(error))

    def _show_status(self, status: Status) -> None:
        self._poll_done()
        self._set_status(status)
        if status.capture_error and status.capture_error != self._capture_error:
            self.report_error(f"capture failed: {status.capture_error}")
        self._capture_error = status.capture_error

    def _set_status(self, status: Status) -> None:
        self.status = status
        self.tray.set_status(status)
        self.window.set_status(status, working=self.tasks.working(), error=self.last_error)
        self.status_changed.emit(status)

    def _working(self, labels: str) -> None:
        self.tray.set_working(labels)
        if self.status is not None:
            self.window.set_status(self.status, working=labels, error=self.last_error)

    def report_error(self, message: str) -> None:
        """Show a failure: the tray turns to its error state and notifies; the tooltip keeps it."""
        log.warning("%s", message)
        self.last_error = message
        self.tray.set_error(message)
        self.tray.notify("Mirix: something failed", message)
        self.window.message(message)
        self._error_timer.start()
        self.error.emit(message)

    # ---- actions -----------------------------------------------------------------------

    def show_main(self, page: str | None = None) -> MainWindow:
        if page is not None:
            self.window.show_page(page)
        self.window.bring_forward()
        if self.window.current_page() == "Chat":
            self.chat.input.setFocus()  # type the question at once
        return self.window

    def _window_closed(self) -> None:
        if not self.tray.icon.isVisible():
            self.quit_requested.emit()  # no tray to come back from

    def toggle_pause(self) -> None:
        paused = self.status.paused if self.status is not None else False
        self.set_paused(not paused)

    def set_paused(self, paused: bool) -> None:
        def done(now_paused: bool) -> None:
            if self.status is not None:
                self._set_status(dataclasses.replace(self.status, paused=now_paused))
            self.message.emit("Capture paused." if now_paused else "Capture resumed.")

        self.tasks.run(self.runtime.set_paused, paused, on_done=done)

    def capture_now(self) -> None:
        def done(outcomes: list[str]) -> None:
            kind = "stored" if "stored" in outcomes else (outcomes[0] if outcomes else "")
            self.message.emit(OUTCOMES.get(kind, ", ".join(outcomes)))
            self.poll_status()

        self.tasks.run(
            self.runtime.capture_now,
            on_done=done,
            on_error=lambda e: self.report_error(f"capture failed: {describe(e)}"),
            label="Capturing",
        )

    def forget(self, minutes: int) -> None:
        span = "hour" if minutes == 60 else f"{minutes} minutes"
        if self.confirm_forget:
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
            self.tray.notify("Mirix", note, error=False)
            self.message.emit(note)
            self.poll_status()

        self.tasks.write(self.runtime.forget, minutes, on_done=done, label="Forgetting")

    def open_settings(self) -> SettingsDialog:
        if self.settings_dialog is not None:
            self.settings_dialog.raise_()
            self.settings_dialog.activateWindow()
            return self.settings_dialog
        dialog = SettingsDialog(self.backend, self.tasks)
        dialog.saved.connect(self.apply_settings)
        dialog.move_requested.connect(self.move_data)
        dialog.finished.connect(lambda _: setattr(self, "settings_dialog", None))
        self.settings_dialog = dialog
        dialog.show()
        return dialog

    def apply_settings(self, settings: Settings) -> None:
        """Put saved settings into effect: capture is set up again, absorption rebuilt."""
        self.absorption.reset()
        self.tray.set_start_at_login(settings.desktop.start_at_login)

        def applied(_: object) -> None:
            self.capture_reconfigured.emit()
            self.poll_status()

        self.tasks.run(self.runtime.reconfigure, on_done=applied, on_error=self._capture_failed)
        self.message.emit("Settings saved.")
        self.settings_changed.emit(settings)

    def set_start_at_login(self, enabled: bool) -> None:
        """Save the setting and write or remove the login entry (the tray's toggle)."""

        def done(settings: Settings) -> None:
            self.tray.set_start_at_login(settings.desktop.start_at_login)
            self.message.emit(
                "Mirix will start at login." if enabled else "Mirix will not start at login."
            )
            self.settings_changed.emit(settings)

        def failed(error: BaseException) -> None:
            self.tray.set_start_at_login(self.ctx.settings.desktop.start_at_login)
            self.report_error(describe(error))

        self.tasks.write(
            self.backend.set_start_at_login, enabled, on_done=done, on_error=failed, owner=self
        )

    def move_data(self, target: Path) -> None:
        """Move the data folder to ``target``: capture stops, the files are copied and
        checked on the writer, the settings name the new folder, the old files go, and
        the app starts again on the new folder. Nothing is removed before the copy is
        complete and named in the settings."""
        if self._moving:
            return
        if self._absorbing:
            self.message.emit("Absorbing is running; move the data folder in a minute.")
            return

        def planned(plan: MovePlan) -> None:
            if self._moving or self._absorbing:  # began while the folder was being listed
                self.message.emit("Absorbing is running; move the data folder in a minute.")
                return
            size = f"{len(plan.files):,} files, {plan.total_bytes / 1e9:.2f} GB"
            if self.confirm_move:
                answer = QMessageBox.question(
                    self.window,
                    "Move the data folder",
                    f"Move your data ({size}) from {plan.source} to {plan.target}?\n\n"
                    "Capture stops while it is copied; the app starts again when it is done.",
                )
                if answer != QMessageBox.StandardButton.Yes:
                    return
            self._moving = True
            for timer in (self._absorb_timer, self._retention_timer, self._status_timer):
                timer.stop()
            progress = QProgressDialog("Moving your data…", "", 0, 100, self.window)
            progress.setCancelButton(None)  # half a move is worse than a slow one
            progress.setMinimumDuration(0)
            self.move_progress.connect(progress.setValue)
            self.tasks.write(
                self._move,
                plan,
                on_done=lambda result: self._moved(progress, result),
                on_error=lambda error: self._move_failed(progress, plan, error),
                label="Moving the data folder",
            )

        self.tasks.run(
            plan_move,
            self.ctx.paths.data_dir,
            target,
            on_done=planned,
            on_error=lambda error: self.report_error(f"cannot move the data: {describe(error)}"),
        )

    def _move(self, plan: MovePlan) -> MoveResult:
        """On the writer: stop every writer of the folder, then move it."""
        self.runtime.stop()
        if not self.absorption.hold(timeout_s=600):
            raise StoreError("an absorption did not finish within 10 minutes; nothing moved")
        try:
            self.ctx.suspend("the data folder is being moved")  # nothing opens it from here on
            return move_data(
                self.ctx.paths,
                plan,
                lambda done, total: self.move_progress.emit(done * 100 // max(total, 1)),
            )
        finally:
            self.absorption.release()

    def _moved(self, progress: QProgressDialog, result: MoveResult) -> None:
        progress.close()
        if result.left_behind:
            self.report_error(
                f"the data moved, but {len(result.left_behind)} old files could not be removed"
                f" (first: {result.left_behind[0]}); you may delete them"
            )
        self.message.emit("Data moved; starting again.")
        self.restart_requested.emit()

    def _move_failed(self, progress: QProgressDialog, plan: MovePlan, error: BaseException) -> None:
        """Nothing was removed and the settings still name the old folder: carry on there."""
        progress.close()
        self._moving = False
        self.report_error(f"moving the data failed, it stays in {plan.source}: {describe(error)}")
        self.ctx.resume()
        self.chat.reset_assistant()  # their store was closed; they open a new one
        self.absorption.reset()
        self.runtime.reconfigure()
        for timer in (self._absorb_timer, self._retention_timer, self._status_timer):
            timer.start()
        if has_consent(self.ctx.paths):
            self.start_capture()

    def absorb_if_due(self, *, force: bool = False) -> None:
        """Absorb waiting items on a worker when a batch is due (``force``: whatever waits);
        one run at a time."""
        if self._absorbing:
            return
        self._absorbing = True

        def finished(report: object) -> None:
            self._absorbing = False
            errors = getattr(report, "errors", None)
            if errors:
                self.report_error(f"absorbing failed (kept for a retry): {errors[-1]}")
            self.poll_status()
            self.absorbed.emit(report)

        def failed(error: BaseException) -> None:
            self._absorbing = False
            self.report_error(f"absorbing failed: {describe(error)}")

        def checked(due: bool) -> None:
            if not due:
                self._absorbing = False
                return
            self.tasks.run(
                self.absorption.run, on_done=finished, on_error=failed, label="Absorbing"
            )

        if force:
            checked(True)
        else:
            self.tasks.run(self.absorption.due, on_done=checked, on_error=failed)

    def enforce_retention(self) -> None:
        self.tasks.write(self.runtime.enforce_retention, on_done=lambda _: self.poll_status())
