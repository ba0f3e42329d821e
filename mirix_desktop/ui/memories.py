"""The memory browser: a tab per memory type, hybrid search, edit and delete with undo.

Core blocks are edited in place with a character counter against their limit;
knowledge-vault values stay masked until the user reveals one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from agents.store import Memory, MemoryType
from agents.store.schema import VaultData
from mirix_desktop.services.backend import Backend
from mirix_desktop.ui.common import MASK, TYPE_TITLES, fmt_time, memory_title, shortened
from mirix_desktop.ui.core_page import CorePage
from mirix_desktop.ui.editor import MemoryEditor
from mirix_desktop.ui.tasks import Tasks, describe
from mirix_desktop.ui.viewers import MemoryViewer

PROGRESS = {"Added": "Adding", "Edited": "Saving", "Deleted": "Deleting"}


class UndoBar(QWidget):
    """ "Edited …  [Undo]": undoes the page's changes of this session, newest first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.button = QPushButton("Undo")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        self.stack: list[tuple[str, str]] = []  # (memory id, what was done)
        self._update()

    def push(self, memory_id: str, what: str) -> None:
        self.stack.append((memory_id, what))
        self._update()

    def pop(self) -> tuple[str, str] | None:
        item = self.stack.pop() if self.stack else None
        self._update()
        return item

    def say(self, text: str) -> None:
        self.label.setText(text)

    def _update(self) -> None:
        self.button.setEnabled(bool(self.stack))
        self.label.setText(self.stack[-1][1] if self.stack else "")


def _is_vault(memory: Memory) -> bool:
    return isinstance(memory.data, VaultData)


class TypePage(QWidget):
    """Memories of one type: a list (newest first, or search results), with edit, delete,
    details (history and sources) and undo."""

    loaded = Signal()
    changed = Signal()  # after an edit, delete or undo is stored

    def __init__(
        self, backend: Backend, tasks: Tasks, memory_type: MemoryType, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.backend, self.tasks, self.memory_type = backend, tasks, memory_type
        self.memories: list[Memory] = []
        self.revealed: set[str] = set()
        self._generation = 0
        self._shown_once = False
        vault = memory_type is MemoryType.KNOWLEDGE_VAULT

        self.search = QLineEdit()
        self.search.setPlaceholderText(f"Search {TYPE_TITLES[memory_type].lower()} memories…")
        self.search.setClearButtonEnabled(True)
        self._debounce = QTimer(self, singleShot=True, interval=300)
        self._debounce.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _: self._debounce.start())
        self.search.returnPressed.connect(self.refresh)
        self.count = QLabel()

        self.list = QTreeWidget()
        headers = ["When", "Memory", "App", "Sources"]
        if vault:
            headers = ["When", "Caption", "Type", "Sensitivity", "Value"]
        self.list.setHeaderLabels(headers)
        self.list.setRootIsDecorated(False)
        self.list.setAlternatingRowColors(True)
        self.list.setColumnWidth(0, 130)
        self.list.setColumnWidth(1, 520)
        self.list.itemDoubleClicked.connect(lambda *_: self.open_details())
        self.list.currentItemChanged.connect(lambda *_: self._selection_changed())

        self.new_button = QPushButton("New…")
        self.edit_button = QPushButton("Edit…")
        self.delete_button = QPushButton("Delete")
        self.details_button = QPushButton("History and sources…")
        self.reveal_button = QPushButton("Reveal")
        self.reveal_button.setVisible(vault)
        self.new_button.clicked.connect(self.new_memory)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.details_button.clicked.connect(self.open_details)
        self.reveal_button.clicked.connect(self.toggle_reveal)
        self.undo_bar = UndoBar()
        self.undo_bar.button.clicked.connect(self.undo)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count)
        buttons = QHBoxLayout()
        for b in (
            self.new_button,
            self.edit_button,
            self.delete_button,
            self.details_button,
            self.reveal_button,
        ):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.undo_bar)
        self._selection_changed()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.refresh()

    # ---- loading -----------------------------------------------------------------------

    def refresh(self) -> None:
        """Load the list again (search results when the search box has text)."""
        self._generation += 1
        generation = self._generation
        self.count.setText("loading…")
        self.tasks.run(
            self.backend.memories,
            self.memory_type,
            self.search.text(),
            on_done=lambda memories: self._show(generation, memories),
            on_error=lambda error: self._failed(generation, error),
            owner=self,
        )

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation == self._generation:
            self.count.setText("")
            self.undo_bar.say(f"Could not load: {describe(error)}")
            self.loaded.emit()

    def _show(self, generation: int, memories: list[Memory]) -> None:
        if generation != self._generation:
            return  # a newer search is on its way
        selected = self.selected_id()
        self.memories = memories
        self.list.clear()
        for memory in memories:
            item = QTreeWidgetItem(self._columns(memory))
            item.setData(0, Qt.ItemDataRole.UserRole, memory.id)
            item.setToolTip(1, shortened(memory.text, 500) if not _is_vault(memory) else "")
            self.list.addTopLevelItem(item)
            if memory.id == selected:
                self.list.setCurrentItem(item)
        what = "found" if self.search.text().strip() else "memories"
        self.count.setText(f"{len(memories)} {what}")
        self._selection_changed()
        self.loaded.emit()

    def _columns(self, memory: Memory) -> list[str]:
        data = memory.data
        if isinstance(data, VaultData):
            value = data.secret_value if memory.id in self.revealed else MASK
            return [fmt_time(memory.time), data.caption, data.entry_type, data.sensitivity, value]
        return [
            fmt_time(memory.time),
            memory_title(memory),
            memory.app or "",
            str(len(memory.source_ids)),
        ]

    # ---- selection ---------------------------------------------------------------------

    def selected_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def selected(self) -> Memory | None:
        wanted = self.selected_id()
        return next((m for m in self.memories if m.id == wanted), None)

    def select(self, memory_id: str) -> None:
        for item in self._items():
            if item.data(0, Qt.ItemDataRole.UserRole) == memory_id:
                self.list.setCurrentItem(item)
                return
        raise KeyError(memory_id)

    def _items(self) -> list[QTreeWidgetItem]:
        items = (self.list.topLevelItem(i) for i in range(self.list.topLevelItemCount()))
        return [item for item in items if item is not None]

    def _selection_changed(self) -> None:
        has = self.selected_id() is not None
        for button in (self.edit_button, self.delete_button, self.details_button):
            button.setEnabled(has)
        self.reveal_button.setEnabled(has)
        self.reveal_button.setText("Hide" if self.selected_id() in self.revealed else "Reveal")

    def visible_texts(self) -> list[str]:
        """Every cell of the list as shown (what a user can read on screen)."""
        out: list[str] = []
        for item in self._items():
            out.extend(item.text(c) for c in range(self.list.columnCount()))
        return out

    # ---- actions -----------------------------------------------------------------------

    def toggle_reveal(self) -> None:
        memory = self.selected()
        if memory is None:
            return
        self.revealed ^= {memory.id}
        item = self.list.currentItem()
        if item is None:
            return
        for column, text in enumerate(self._columns(memory)):
            item.setText(column, text)
        self._selection_changed()

    def open_details(self) -> MemoryViewer | None:
        memory_id = self.selected_id()
        if memory_id is None:
            return None
        viewer = MemoryViewer(self.backend, self.tasks, memory_id, self)
        viewer.changed.connect(lambda _: self.refresh())
        viewer.show()
        return viewer

    def new_memory(self) -> None:
        editor = MemoryEditor(self.memory_type, None, self)
        if editor.exec() != QDialog.DialogCode.Accepted:
            return
        self._write(self.backend.add, self.memory_type, editor.values(), what="Added")

    def edit_selected(self) -> None:
        memory = self.selected()
        if memory is None:
            return
        editor = MemoryEditor(self.memory_type, memory, self)
        if editor.exec() != QDialog.DialogCode.Accepted:
            return
        self.apply_edit(memory.id, editor.changes())

    def apply_edit(self, memory_id: str, changes: dict[str, object]) -> None:
        """Store changed fields of a memory (undoable)."""
        if changes:
            self._write(self.backend.update, memory_id, changes, what="Edited")

    def delete_selected(self, *, confirm: bool = True) -> None:
        memory = self.selected()
        if memory is None:
            return
        if confirm:
            answer = QMessageBox.question(
                self,
                "Delete memory",
                f"Delete “{shortened(memory_title(memory), 80)}”? You can undo this.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self._write(
            self.backend.delete,
            memory.id,
            what="Deleted",
            memory_id=memory.id,
            title=memory_title(memory),
        )

    def _write(
        self,
        fn: Callable[..., Any],
        *args: object,
        what: str,
        memory_id: str | None = None,
        title: str = "",
    ) -> None:
        """Run a store write on the serial lane; the change goes onto the undo bar."""
        self.undo_bar.say(PROGRESS.get(what, "Saving") + "…")

        def done(result: object) -> None:
            mid = memory_id or (result.id if isinstance(result, Memory) else None)
            name = title or (memory_title(result) if isinstance(result, Memory) else "")
            if mid is not None:
                self.undo_bar.push(mid, f"{what} “{shortened(name, 60)}”." if name else f"{what}.")
            self.changed.emit()
            self.refresh()

        self.tasks.serial(fn, *args, on_done=done, on_error=self._write_failed, owner=self)

    def _write_failed(self, error: BaseException) -> None:
        self.undo_bar.say(f"Not saved: {describe(error)}")
        self.loaded.emit()

    def undo(self) -> None:
        """Undo this page's newest change of the session (from the memory's history)."""
        entry = self.undo_bar.pop()
        if entry is None:
            return
        memory_id, what = entry

        def done(_: object) -> None:
            self.undo_bar.say(f"Undone: {what}")
            self.changed.emit()
            self.refresh()

        self.tasks.serial(
            self.backend.undo_last, memory_id, on_done=done, on_error=self._write_failed, owner=self
        )


class MemoryBrowser(QWidget):
    """A tab per memory type."""

    def __init__(self, backend: Backend, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tabs = QTabWidget()
        self.pages: dict[MemoryType, TypePage | CorePage] = {}
        for memory_type in MemoryType:
            page: TypePage | CorePage
            if memory_type is MemoryType.CORE:
                page = CorePage(backend, tasks)
            else:
                page = TypePage(backend, tasks, memory_type)
            self.pages[memory_type] = page
            self.tabs.addTab(page, TYPE_TITLES[memory_type])
        self.tabs.setCurrentWidget(self.pages[MemoryType.EPISODIC])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    def page(self, memory_type: MemoryType) -> TypePage:
        page = self.pages[memory_type]
        assert isinstance(page, TypePage)
        return page

    @property
    def core(self) -> CorePage:
        page = self.pages[MemoryType.CORE]
        assert isinstance(page, CorePage)
        return page

    def refresh(self) -> None:
        for page in self.pages.values():
            page.refresh()
