"""The app's controller: ties the tray, the main window, the dialogs and the background work.

Capture (with the OCR worker) starts once the first-run page was accepted; the
status (capturing or paused, frames today, items waiting) is read on a worker
every few seconds; absorption runs in the background when a batch is due;
retention runs every hour. Every failure reaches the tray as a notification.
"""

from __future__ import annotations

import dataclasses
import logging

from PySide6.QtCore import QObject, QTimer, Signal

from mirix_desktop.config.consent import has_consent, record_consent
from mirix_desktop.config.settings import Settings
from mirix_desktop.services.backend import Backend, Status
from mirix_desktop.services.context import Context
from mirix_desktop.services.preferences import Preferences
from mirix_desktop.services.runtime import Absorption, CaptureRuntime
from mirix_desktop.ui.background import Background
from mirix_desktop.ui.capture_actions import CaptureActions
from mirix_desktop.ui.chat import ChatWidget
from mirix_desktop.ui.data_move import DataMove
from mirix_desktop.ui.firstrun import FirstRunDialog
from mirix_desktop.ui.main_window import MainWindow
from mirix_desktop.ui.mcp_http import McpHttp
from mirix_desktop.ui.settings_dialog import SettingsDialog
from mirix_desktop.ui.tasks import Tasks, describe
from mirix_desktop.ui.tray import Tray

log = logging.getLogger(__name__)


def _preload() -> None:
    """Import what the workers will need, here and now: a worker thread importing a
    large package (openai) keeps the interpreter from the interface thread for a tenth
    of a second at a time, which the user would feel as a stall mid-use."""
    import openai  # noqa: F401

    import agents.absorb.model  # noqa: F401
    import agents.answer.chat  # noqa: F401
    import mirix_desktop.pipeline.absorb_job  # noqa: F401
    import mirix_desktop.pipeline.conversation  # noqa: F401


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
        self.preferences = Preferences(ctx)
        self.tasks = Tasks(self)
        self.runtime = CaptureRuntime(self.backend)
        self.absorption = Absorption(self.backend)
        self.status: Status | None = None
        self.last_error: str | None = None
        self.capture_actions = CaptureActions(
            self.tasks,
            self.runtime,
            lambda: self.status is not None and self.status.paused,
            confirm_forget=confirm_forget,
            parent=self,
        )
        self.first_run: FirstRunDialog | None = None
        self.settings_dialog: SettingsDialog | None = None
        self._polling = False
        self._poll_again = False
        self._capture_error: str | None = None

        self.tray = Tray(self)
        self.window = MainWindow(self.backend, self.tasks)
        self.chat = ChatWidget(self.backend, self.tasks)
        self.mcp_http = McpHttp(self.preferences, self.tasks, self)
        self.window.set_chat_widget(self.chat)
        self.data_move = DataMove(
            ctx,
            self.tasks,
            self.runtime,
            self.absorption,
            self.window,
            confirm=confirm_move,
            parent=self,
        )
        self._connect()

        self._status_timer = QTimer(self, interval=status_interval_ms)
        self._status_timer.timeout.connect(self.poll_status)
        self.background = Background(
            self.tasks,
            self.absorption,
            self.runtime,
            absorb_interval_ms=absorb_interval_ms,
            retention_interval_ms=retention_interval_ms,
            parent=self,
        )
        self.background.changed.connect(self.poll_status)
        self.background.absorbed.connect(self.absorbed)
        self.background.error.connect(self.report_error)
        self._error_timer = QTimer(self, singleShot=True, interval=120_000)
        self._error_timer.timeout.connect(lambda: self.tray.set_error_active(False))

    def _connect(self) -> None:
        tray, window = self.tray, self.window
        tray.open_chat.connect(lambda: self.show_main("Chat"))
        tray.open_memories.connect(lambda: self.show_main("Memories"))
        actions = self.capture_actions
        move = self.data_move
        for part in (actions, move, self.mcp_http):  # each reports to the user the same way
            part.message.connect(self.message)
            part.error.connect(self.report_error)
        move.stopping.connect(self.pause_timers)
        move.moved.connect(self.restart_requested)
        move.resumed.connect(self._resume_after_move)
        actions.changed.connect(self.poll_status)
        actions.paused_changed.connect(self._paused_changed)
        actions.forgotten.connect(lambda note: tray.notify("Mirix", note, error=False))
        tray.toggle_pause.connect(actions.toggle_pause)
        tray.capture_now.connect(actions.capture_now)
        tray.forget.connect(actions.forget)
        tray.open_settings.connect(self.open_settings)
        tray.start_at_login.connect(self.set_start_at_login)
        tray.set_start_at_login(self.ctx.settings.desktop.start_at_login)
        tray.quit_requested.connect(self.quit_requested.emit)
        tray.mcp_http.connect(self.mcp_http.set_enabled)
        self.mcp_http.changed.connect(tray.set_mcp_http)
        window.toggle_pause.connect(actions.toggle_pause)
        window.capture_now.connect(actions.capture_now)
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
        self.resume_timers()
        self.poll_status()
        self.mcp_http.apply(self.ctx.settings.mcp.http_in_app)

    def shutdown(self) -> None:
        """Stop capture and the background work (writes in progress are finished)."""
        self.pause_timers()
        self.mcp_http.stop()
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
        self.tasks.serial(record_consent, self.ctx.paths, on_done=lambda _: self.start_capture())

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
        self.set_status(status)
        if status.capture_error and status.capture_error != self._capture_error:
            self.report_error(f"capture failed: {status.capture_error}")
        self._capture_error = status.capture_error

    def _paused_changed(self, paused: bool) -> None:
        if self.status is not None:
            self.set_status(dataclasses.replace(self.status, paused=paused))

    def set_status(self, status: Status) -> None:
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

    def open_settings(self) -> SettingsDialog:
        if self.settings_dialog is not None:
            self.settings_dialog.raise_()
            self.settings_dialog.activateWindow()
            return self.settings_dialog
        dialog = SettingsDialog(self.backend, self.preferences, self.tasks)
        dialog.saved.connect(self.apply_settings)
        dialog.move_requested.connect(self.data_move.start)
        self.mcp_http.show_state_in(dialog.mcp.show_running)
        dialog.finished.connect(lambda _: setattr(self, "settings_dialog", None))
        self.settings_dialog = dialog
        dialog.show()
        return dialog

    def apply_settings(self, settings: Settings) -> None:
        """Put saved settings into effect: capture set up again, absorption rebuilt, MCP served."""
        self.absorption.reset()
        self.tray.set_start_at_login(settings.desktop.start_at_login)
        self.mcp_http.reconfigure(settings.mcp.http_in_app, settings.mcp.http_port)

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

        self.tasks.serial(
            self.preferences.set_start_at_login, enabled, on_done=done, on_error=failed, owner=self
        )

    def _resume_after_move(self) -> None:
        """A failed move left the data where it was: carry on there."""
        self.chat.reset_assistant()  # its store was closed; it opens a new one
        self.resume_timers()
        if has_consent(self.ctx.paths):
            self.start_capture()

    def pause_timers(self) -> None:
        """Stop the timed work (absorption, retention, status)."""
        self.background.stop()
        self._status_timer.stop()

    def resume_timers(self) -> None:
        self.background.start()
        self._status_timer.start()
