"""The main window: a sidebar reaching Chat, Memories, Timeline and Activity."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from mirix_desktop.services.backend import Backend, Status
from mirix_desktop.ui.activity import ActivityPage
from mirix_desktop.ui.icons import icon
from mirix_desktop.ui.memories import MemoryBrowser
from mirix_desktop.ui.tasks import Tasks
from mirix_desktop.ui.timeline import TimelinePage
from mirix_desktop.ui.tray import PAUSE_LABEL, RESUME_LABEL

PAGES = ("Chat", "Memories", "Timeline", "Activity")


class MainWindow(QMainWindow):
    """The app's window. The chat page is a slot: :meth:`set_chat_widget` fills it.

    Closing the window hides it (the app stays in the tray); :attr:`closed` tells
    the app, which quits when there is no tray to come back from.
    """

    closed = Signal()
    toggle_pause = Signal()
    capture_now = Signal()
    open_settings = Signal()

    def __init__(self, backend: Backend, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend, self.tasks = backend, tasks
        self.setWindowTitle("Mirix")
        self.setWindowIcon(icon("app"))
        self.resize(1200, 780)

        self.sidebar = QListWidget()
        self.sidebar.setFixedWidth(150)
        self.sidebar.setIconSize(QSize(20, 20))
        self.sidebar.setSpacing(2)
        self.sidebar.setStyleSheet(
            "QListWidget { font-size: 14px; padding-top: 6px; }"
            "QListWidget::item { padding: 6px 8px; }"
        )
        self.stack = QStackedWidget()

        self._chat_slot = QWidget()
        self._chat_layout = QVBoxLayout(self._chat_slot)
        self._chat_layout.setContentsMargins(0, 0, 0, 0)
        self.chat_placeholder = QLabel("The chat arrives here.")
        self.chat_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._chat_layout.addWidget(self.chat_placeholder)
        self.chat_widget: QWidget | None = None

        self.memories = MemoryBrowser(backend, tasks)
        self.timeline = TimelinePage(backend, tasks)
        self.activity = ActivityPage(backend, tasks)
        for name, page in zip(
            PAGES, (self._chat_slot, self.memories, self.timeline, self.activity), strict=True
        ):
            self.sidebar.addItem(QListWidgetItem(name))
            self.stack.addWidget(page)
        self.sidebar.currentRowChanged.connect(self.stack.setCurrentIndex)

        body = QWidget()
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.sidebar)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(body)

        toolbar = QToolBar("Capture")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.pause_action = QAction(icon("paused"), PAUSE_LABEL, self)
        self.pause_action.triggered.connect(self.toggle_pause.emit)
        self.capture_action = QAction(icon("capturing"), "Capture now", self)
        self.capture_action.triggered.connect(self.capture_now.emit)
        self.settings_action = QAction("Settings…", self)
        self.settings_action.triggered.connect(self.open_settings.emit)
        toolbar.addAction(self.pause_action)
        toolbar.addAction(self.capture_action)
        toolbar.addSeparator()
        toolbar.addAction(self.settings_action)
        self.addToolBar(toolbar)
        self.state_label = QLabel("starting…")
        self.statusBar().addPermanentWidget(self.state_label)
        self.show_page("Chat")

    # ---- pages -------------------------------------------------------------------------

    def set_chat_widget(self, widget: QWidget) -> None:
        """Put the chat window's widget into the Chat page (replacing any earlier one)."""
        old = self.chat_widget or self.chat_placeholder
        self._chat_layout.removeWidget(old)
        old.setParent(None)
        old.deleteLater()
        self.chat_widget = widget
        self._chat_layout.addWidget(widget)

    def show_page(self, name: str) -> None:
        """Bring page ``name`` ("Chat", "Memories", "Timeline", "Activity") to the front."""
        self.sidebar.setCurrentRow(PAGES.index(name))

    def current_page(self) -> str:
        return PAGES[self.stack.currentIndex()]

    def bring_forward(self) -> None:
        self.show()
        self.setWindowState(
            (self.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive
        )
        self.raise_()
        self.activateWindow()

    # ---- state -------------------------------------------------------------------------

    def set_status(self, status: Status, *, working: str = "", error: str | None = None) -> None:
        paused = status.paused
        label = RESUME_LABEL if paused else PAUSE_LABEL
        if label != self.pause_action.text() or self.pause_action.icon().isNull():
            self.pause_action.setText(label)  # the status comes every few seconds:
            self.pause_action.setIcon(icon("capturing" if paused else "paused"))  # on change
        self.capture_action.setEnabled(status.running)
        state = "paused" if paused else "capturing"
        if not status.running:
            state = "capture not started"
        parts = [state, f"{status.frames_today} frames today", f"{status.waiting} waiting"]
        if working:
            parts.append(f"working: {working}")
        if error:
            parts.append(f"last error: {error}")
        self.state_label.setText(" · ".join(parts))

    def message(self, text: str, ms: int = 8000) -> None:
        self.statusBar().showMessage(text, ms)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        super().closeEvent(event)
        self.closed.emit()
