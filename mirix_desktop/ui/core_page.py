"""The Core page: the always-true blocks about the user and the agent, edited in place."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from agents.store import Memory, MemoryType
from agents.store.schema import DEFAULT_CORE_LIMIT, CoreData
from mirix_desktop.services.backend import Backend
from mirix_desktop.ui.tasks import Tasks, describe

CORE_LABELS = ("human", "persona")


class CoreBlockEditor(QWidget):
    """One core block (``human`` or ``persona``): its text, a counter against its limit, save."""

    def __init__(
        self, label: str, limit: int = DEFAULT_CORE_LIMIT, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.label = label
        self.memory: Memory | None = None
        self.limit = limit
        self.title = QLabel(f"<b>{label}</b>")
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText(
            "What the assistant always knows about you"
            if label == "human"
            else "How the assistant describes itself"
        )
        self.counter = QLabel()
        self.save_button = QPushButton("Save")
        self.undo_button = QPushButton("Undo last change")
        self.status = QLabel()
        self.text.textChanged.connect(self._count)
        row = QHBoxLayout()
        row.addWidget(self.counter)
        row.addWidget(self.status, 1)
        row.addWidget(self.undo_button)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.text, 1)
        layout.addLayout(row)
        self.set_memory(None)

    def set_memory(self, memory: Memory | None) -> None:
        self.memory = memory
        if memory is not None and isinstance(memory.data, CoreData):
            self.limit = memory.data.char_limit
            self.text.setPlainText(memory.data.value)
        self.undo_button.setEnabled(memory is not None)
        self._count()

    def dirty(self) -> bool:
        saved = (
            self.memory.data.value if self.memory and isinstance(self.memory.data, CoreData) else ""
        )
        return self.text.toPlainText() != saved

    def _count(self) -> None:
        used = len(self.text.toPlainText())
        self.counter.setText(f"{used} / {self.limit}")
        over = used > self.limit
        self.counter.setStyleSheet("color: #b00020; font-weight: bold" if over else "")
        self.save_button.setEnabled(not over and self.dirty())


class CorePage(QWidget):
    """The core blocks, editable in place (a block that does not exist yet is made on save)."""

    loaded = Signal()
    changed = Signal()

    def __init__(self, backend: Backend, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend, self.tasks = backend, tasks
        self.memory_type = MemoryType.CORE
        self.blocks: dict[str, CoreBlockEditor] = {}
        self._shown_once = False
        self._body = QWidget()
        self._body_layout = QVBoxLayout(self._body)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._body)
        intro = QLabel(
            "Core memory is always in the assistant's prompt. Each block has a character limit."
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        for label in CORE_LABELS:
            self._block(label)

    def _block(self, label: str) -> CoreBlockEditor:
        if label not in self.blocks:
            block = CoreBlockEditor(label, self.backend.ctx.settings.absorb.core_limit)
            block.save_button.clicked.connect(lambda: self.save(label))
            block.undo_button.clicked.connect(lambda: self.undo(label))
            self.blocks[label] = block
            self._body_layout.addWidget(block)
        return self.blocks[label]

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.refresh()

    def refresh(self) -> None:
        self.tasks.run(
            self.backend.memories,
            MemoryType.CORE,
            on_done=self._show,
            on_error=lambda e: self._status_all(f"Could not load: {describe(e)}"),
            owner=self,
        )

    def _status_all(self, text: str) -> None:
        for block in self.blocks.values():
            block.status.setText(text)
        self.loaded.emit()

    def _show(self, memories: list[Memory]) -> None:
        for memory in sorted(memories, key=lambda m: m.created_at):
            if isinstance(memory.data, CoreData):
                self._block(memory.data.label).set_memory(memory)
        self.loaded.emit()

    def save(self, label: str) -> None:
        block = self.blocks[label]
        value = block.text.toPlainText()
        block.save_button.setEnabled(False)
        block.status.setText("Saving…")
        if block.memory is None:
            data = {"label": label, "value": value, "char_limit": block.limit}
            job: tuple[Any, ...] = (self.backend.add, MemoryType.CORE, data)
        else:
            job = (self.backend.update, block.memory.id, {"value": value})
        self.tasks.serial(
            *job,
            owner=self,
            on_done=lambda m: self._saved(label, m),
            on_error=lambda e: self._not_saved(label, e),
        )

    def undo(self, label: str) -> None:
        block = self.blocks[label]
        if block.memory is None:
            return
        block.status.setText("Undoing…")
        self.tasks.serial(
            self.backend.undo_last,
            block.memory.id,
            owner=self,
            on_done=lambda m: self._saved(label, m, undone=True),
            on_error=lambda e: self._not_saved(label, e),
        )

    def _saved(self, label: str, memory: Memory | None, *, undone: bool = False) -> None:
        block = self.blocks[label]
        block.set_memory(memory)
        if memory is None:  # the undo removed a block that was just added
            block.text.clear()
        block.status.setText("Undone." if undone else "Saved.")
        self.changed.emit()
        self.loaded.emit()

    def _not_saved(self, label: str, error: BaseException) -> None:
        block = self.blocks[label]
        block.status.setText(f"Not saved: {describe(error)}")
        block._count()
        self.loaded.emit()
