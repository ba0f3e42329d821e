"""The tray icon: its state (capturing, paused, working, error), menu, tooltip and notifications."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, SignalInstance
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from mirix_desktop.services.backend import Status
from mirix_desktop.ui.icons import icon

PAUSE_LABEL = "Pause capture"
RESUME_LABEL = "Resume capture"
MCP_LABEL = "MCP server for assistants (HTTP)"


def tray_state(status: Status | None, *, working: str, error: str | None) -> str:
    """The icon to show: an error wins, then work in progress, then paused or capturing."""
    if error:
        return "error"
    if working:
        return "working"
    if status is None or not status.capturing:
        return "paused"
    return "capturing"


def tooltip(status: Status | None, *, working: str, error: str | None) -> str:
    lines = ["Mirix"]
    if status is None:
        lines.append("starting…")
    else:
        if not status.running:
            lines.append("capture not started")
        else:
            lines.append("paused" if status.paused else "capturing")
        lines.append(f"{status.frames_today} frames today")
        waiting = f"{status.waiting} items waiting for absorption"
        if status.failing:
            waiting += f" ({status.failing} failing)"
        lines.append(waiting)
    if working:
        lines.append(f"working: {working}")
    if error:
        lines.append(f"last error: {error}")
    return "\n".join(lines)


class Tray(QObject):
    """The tray icon and its menu; the menu's actions are signals for the app to connect."""

    open_chat = Signal()
    open_memories = Signal()
    toggle_pause = Signal()
    capture_now = Signal()
    forget = Signal(int)  # minutes
    open_settings = Signal()
    start_at_login = Signal(bool)
    mcp_http = Signal(bool)  # serve MCP over local HTTP while the app runs
    quit_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.icon = QSystemTrayIcon(self)
        self.menu = QMenu()
        self.state = "paused"
        self._status: Status | None = None
        self._working = ""
        self._error: str | None = None
        self._error_active = False

        self.chat_action = self._add("Open chat", self.open_chat)
        self.memories_action = self._add("Memories", self.open_memories)
        self.menu.addSeparator()
        self.pause_action = self._add(PAUSE_LABEL, self.toggle_pause)
        self.capture_action = self._add("Capture now", self.capture_now)
        self.forget5_action = QAction("Forget last 5 minutes", self.menu)
        self.forget5_action.triggered.connect(lambda: self.forget.emit(5))
        self.forget60_action = QAction("Forget last hour", self.menu)
        self.forget60_action.triggered.connect(lambda: self.forget.emit(60))
        self.menu.addAction(self.forget5_action)
        self.menu.addAction(self.forget60_action)
        self.menu.addSeparator()
        self.login_action = QAction("Start at login", self.menu)
        self.login_action.setCheckable(True)
        self.login_action.triggered.connect(lambda checked: self.start_at_login.emit(checked))
        self.menu.addAction(self.login_action)
        self.mcp_action = QAction(MCP_LABEL, self.menu)
        self.mcp_action.setCheckable(True)
        self.mcp_action.triggered.connect(lambda checked: self.mcp_http.emit(checked))
        self.menu.addAction(self.mcp_action)
        self.settings_action = self._add("Settings…", self.open_settings)
        self.quit_action = self._add("Quit", self.quit_requested)

        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self._refresh()

    def _add(self, text: str, signal: SignalInstance) -> QAction:
        action = QAction(text, self.menu)
        action.triggered.connect(lambda: signal.emit())
        self.menu.addAction(action)
        return action

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.open_chat.emit()

    # ---- state -------------------------------------------------------------------------

    def set_status(self, status: Status) -> None:
        self._status = status
        self._refresh()

    def set_working(self, labels: str) -> None:
        self._working = labels
        self._refresh()

    def set_error(self, error: str | None) -> None:
        """Show the error state (and keep ``error`` in the tooltip as the last error)."""
        self._error = error
        self._error_active = error is not None
        self._refresh()

    def set_error_active(self, active: bool) -> None:
        """Leave the error state after a while; the tooltip still names the last error."""
        self._error_active = active and self._error is not None
        self._refresh()

    def set_start_at_login(self, enabled: bool) -> None:
        """Show whether the app starts at login (without emitting :attr:`start_at_login`)."""
        self.login_action.setChecked(enabled)

    def set_mcp_http(self, running: bool, note: str) -> None:
        """Show whether the MCP HTTP server runs (``note``: its URL, or why not)."""
        self.mcp_action.setChecked(running)
        self.mcp_action.setToolTip(note)
        self.mcp_action.setText(f"{MCP_LABEL}: {note}" if running else MCP_LABEL)

    @property
    def last_error(self) -> str | None:
        return self._error

    def _refresh(self) -> None:
        status = self._status
        paused = status is None or status.paused
        self.pause_action.setText(RESUME_LABEL if paused and status is not None else PAUSE_LABEL)
        self.pause_action.setEnabled(status is not None)
        self.capture_action.setEnabled(status is not None and status.running)
        active = self._error if self._error_active else None
        state = tray_state(status, working=self._working, error=active)
        if state != self.state or self.icon.icon().isNull():
            self.icon.setIcon(icon(state))  # the tray host repaints it: only on a change
        self.state = state
        tip = tooltip(status, working=self._working, error=self._error)
        if tip != self.icon.toolTip():
            self.icon.setToolTip(tip)

    def notify(self, title: str, message: str, *, error: bool = True) -> None:
        """A notification bubble (where the tray host shows them)."""
        kind = (
            QSystemTrayIcon.MessageIcon.Critical
            if error
            else QSystemTrayIcon.MessageIcon.Information
        )
        if self.icon.isVisible() and QSystemTrayIcon.supportsMessages():
            self.icon.showMessage(title, message, kind, 8000)

    def show(self) -> bool:
        """Show the icon; False where the desktop has no system tray."""
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return False
        self.icon.show()
        return True

    def hide(self) -> None:
        self.icon.hide()
