"""Reusable dialogs: a screenshot with its time, app, title and text; a memory with its
history and sources. The chat window opens both from its citations."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from agents.store import Frame, HistoryEntry
from mirix_desktop.services.backend import Backend, MemoryDetails
from mirix_desktop.ui.common import (
    MASK,
    TYPE_TITLES,
    field_label,
    fmt_time,
    history_summary,
    load_image,
    memory_fields,
    shortened,
)
from mirix_desktop.ui.tasks import Tasks, describe

THUMB = QSize(160, 90)


def _read_frame(backend: Backend, frame: Frame | str) -> tuple[Frame, QImage | None, str]:
    """The frame, its full image (None if the file is gone) and why not."""
    if isinstance(frame, str):
        frame = backend.frame(frame)
    try:
        return frame, load_image(frame.image_path), ""
    except OSError as exc:
        return frame, None, str(exc)


class FrameViewer(QDialog):
    """One screenshot at full size with its time, app, window title and OCR text.

    ``frame`` is a stored :class:`Frame` or a frame id; it loads off the
    interface thread and :attr:`loaded` fires when it is shown.
    """

    loaded = Signal()

    def __init__(
        self, backend: Backend, tasks: Tasks, frame: Frame | str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Screenshot")
        self.resize(1000, 720)
        self.frame: Frame | None = None
        self._pixmap: QPixmap | None = None

        self.header = QLabel("Loading…")
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.header.setWordWrap(True)
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(self.image)
        self.scroll_area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.fit = QCheckBox("Fit to window")
        self.fit.setChecked(True)
        self.fit.toggled.connect(self._show_pixmap)
        self.ocr = QPlainTextEdit()
        self.ocr.setReadOnly(True)
        self.ocr.setPlaceholderText("No text was read from this screenshot (yet).")

        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        top.addWidget(self.fit)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.scroll_area)
        text_box = QGroupBox("Text on the screen (OCR)")
        QVBoxLayout(text_box).addWidget(self.ocr)
        splitter.addWidget(text_box)
        splitter.setSizes([560, 160])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)

        tasks.run(
            _read_frame, backend, frame, on_done=self._show, on_error=self._failed, owner=self
        )

    def _show(self, loaded: tuple[Frame, QImage | None, str]) -> None:
        frame, image, problem = loaded
        self.frame = frame
        self.setWindowTitle(f"Screenshot {fmt_time(frame.captured_at, seconds=True)} — {frame.app}")
        self.header.setText(
            f"<b>{fmt_time(frame.captured_at, seconds=True)}</b> · {frame.app}"
            f" · monitor {frame.monitor} · {frame.width}×{frame.height}<br>"
            f"{_escape(frame.window_title) or '<i>no window title</i>'}"
        )
        self.ocr.setPlainText(frame.ocr_text)
        if image is None:
            self.image.setText(f"The image is no longer on disk.\n{problem}")
        else:
            self._pixmap = QPixmap.fromImage(image)
            self._show_pixmap()
        self.loaded.emit()

    def _failed(self, error: BaseException) -> None:
        self.header.setText(f"Cannot show this screenshot: {_escape(describe(error))}")
        self.loaded.emit()

    def _show_pixmap(self) -> None:
        if self._pixmap is None:
            return
        off, auto = Qt.ScrollBarPolicy.ScrollBarAlwaysOff, Qt.ScrollBarPolicy.ScrollBarAsNeeded
        fit = self.fit.isChecked()
        self.scroll_area.setHorizontalScrollBarPolicy(off if fit else auto)
        self.scroll_area.setVerticalScrollBarPolicy(off if fit else auto)
        if fit:
            self.scroll_area.setWidgetResizable(True)
            area = self.scroll_area.viewport().size() - QSize(4, 4)
            self.image.setPixmap(
                self._pixmap.scaled(
                    area,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        else:
            self.scroll_area.setWidgetResizable(False)
            self.image.setPixmap(self._pixmap)
            self.image.adjustSize()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._show_pixmap()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _read_details(backend: Backend, memory_id: str) -> tuple[MemoryDetails, dict[str, QImage]]:
    details = backend.details(memory_id)
    thumbs = {}
    for frame in details.frames[:50]:
        try:
            thumbs[frame.id] = load_image(frame.image_path, THUMB)
        except OSError:
            continue
    return details, thumbs


class MemoryViewer(QDialog):
    """A memory with its fields, the frames and chat turns it came from (a click on a frame
    opens it) and its history, from which an earlier version can be restored.

    A vault value stays masked until the user clicks Reveal. :attr:`loaded` fires
    each time the memory is shown; :attr:`changed` after a version is restored.
    """

    loaded = Signal()
    changed = Signal(str)  # memory id

    def __init__(
        self, backend: Backend, tasks: Tasks, memory_id: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.backend, self.tasks, self.memory_id = backend, tasks, memory_id
        self.details: MemoryDetails | None = None
        self.revealed = False
        self.setWindowTitle(f"Memory {memory_id}")
        self.resize(820, 680)

        self.header = QLabel("Loading…")
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fields_box = QGroupBox("Memory")
        self.fields = QFormLayout(self.fields_box)
        self.reveal_button = QPushButton("Reveal value")
        self.reveal_button.setVisible(False)
        self.reveal_button.clicked.connect(self._toggle_reveal)

        self.sources = QListWidget()
        self.sources.setIconSize(THUMB / 2)
        self.sources.itemClicked.connect(self._open_source)
        self.history = QTreeWidget()
        self.history.setHeaderLabels(["When", "Change", "By", "What changed"])
        self.history.setRootIsDecorated(False)
        self.history.setColumnWidth(0, 150)
        self.restore_button = QPushButton("Undo this change")
        self.restore_button.setToolTip("Go back to the version before the selected change")
        self.restore_button.clicked.connect(self._restore_selected)
        self.status = QLabel()

        sources_box = QGroupBox("Sources (click a screenshot to open it)")
        QVBoxLayout(sources_box).addWidget(self.sources)
        history_box = QGroupBox("History")
        history_layout = QVBoxLayout(history_box)
        history_layout.addWidget(self.history)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.restore_button)
        history_layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.fields_box)
        layout.addWidget(self.reveal_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(sources_box, 1)
        layout.addWidget(history_box, 1)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        self.tasks.run(
            _read_details,
            self.backend,
            self.memory_id,
            on_done=self._show,
            on_error=self._failed,
            owner=self,
        )

    def _failed(self, error: BaseException) -> None:
        self.header.setText(f"Cannot show this memory: {_escape(describe(error))}")
        self.loaded.emit()

    def _show(self, loaded: tuple[MemoryDetails, dict[str, QImage]]) -> None:
        details, thumbs = loaded
        self.details = details
        memory = details.memory
        if memory is None:
            self.header.setText(f"<b>{details.memory_id}</b> — deleted; its history is below.")
        else:
            self.header.setText(
                f"<b>{TYPE_TITLES[memory.type]}</b> memory <code>{memory.id}</code><br>"
                f"created {fmt_time(memory.created_at)}, updated {fmt_time(memory.updated_at)}"
                + (f", app {memory.app}" if memory.app else "")
            )
        self._fill_fields()
        self.sources.clear()
        for frame in details.frames:
            item = QListWidgetItem(
                f"{fmt_time(frame.captured_at, seconds=True)} · {frame.app} · "
                f"{shortened(frame.window_title, 80)}"
            )
            item.setData(Qt.ItemDataRole.UserRole, ("frame", frame))
            if frame.id in thumbs:
                item.setIcon(QPixmap.fromImage(thumbs[frame.id]))
            self.sources.addItem(item)
        for turn in details.turns:
            item = QListWidgetItem(
                f"{fmt_time(turn.created_at)} · {turn.speaker}: {shortened(turn.text, 120)}"
            )
            item.setData(Qt.ItemDataRole.UserRole, ("chat", turn))
            self.sources.addItem(item)
        for source in details.unknown_sources:
            self.sources.addItem(QListWidgetItem(f"{source} (no longer stored)"))
        self.history.clear()
        for entry in details.history:
            row = QTreeWidgetItem(
                [
                    fmt_time(entry.at, seconds=True),
                    entry.op,
                    entry.actor,
                    history_summary(entry.old, entry.new),
                ]
            )
            row.setData(0, Qt.ItemDataRole.UserRole, entry)
            self.history.addTopLevelItem(row)
        newest = self.history.topLevelItem(0)
        if newest is not None:
            self.history.setCurrentItem(newest)
        self.loaded.emit()

    def _fill_fields(self) -> None:
        while self.fields.rowCount():
            self.fields.removeRow(0)
        memory = self.details.memory if self.details else None
        if memory is None:
            self.fields_box.setVisible(False)
            self.reveal_button.setVisible(False)
            return
        self.fields_box.setVisible(True)
        for name, value in memory_fields(memory, reveal=self.revealed):
            label = QLabel(value)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setObjectName(f"field_{name}")
            self.fields.addRow(field_label(name) + ":", label)
        self.reveal_button.setVisible(any(n == "secret_value" for n, _ in memory_fields(memory)))
        self.reveal_button.setText("Hide value" if self.revealed else "Reveal value")

    def field_text(self, name: str) -> str:
        label = self.fields_box.findChild(QLabel, f"field_{name}")
        return label.text() if label is not None else ""

    def _toggle_reveal(self) -> None:
        self.revealed = not self.revealed
        self._fill_fields()

    def is_masked(self) -> bool:
        return self.field_text("secret_value") == MASK

    def _open_source(self, item: QListWidgetItem) -> None:
        data = item.data(Qt.ItemDataRole.UserRole)
        if data and data[0] == "frame":
            FrameViewer(self.backend, self.tasks, data[1], self).show()

    def _restore_selected(self) -> None:
        item = self.history.currentItem()
        if item is None:
            return
        entry: HistoryEntry = item.data(0, Qt.ItemDataRole.UserRole)
        self.restore_button.setEnabled(False)
        self.status.setText("Restoring…")

        def done(_: object) -> None:
            self.restore_button.setEnabled(True)
            self.status.setText(f"Undid the {entry.op} of {fmt_time(entry.at, seconds=True)}.")
            self.changed.emit(self.memory_id)
            self.reload()

        def failed(error: BaseException) -> None:
            self.restore_button.setEnabled(True)
            self.status.setText(f"Could not undo: {describe(error)}")

        self.tasks.serial(self.backend.revert, entry, on_done=done, on_error=failed, owner=self)
