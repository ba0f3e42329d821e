"""The dialog that edits (or adds) one memory, with a field per attribute of its type."""

from __future__ import annotations

import types
import typing
from datetime import datetime
from typing import Any, Literal

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from agents.errors import validation_problems
from agents.store import Memory, MemoryType
from agents.store.schema import DATA_MODEL
from mirix_desktop.ui.common import TYPE_TITLES, field_label

LONG_FIELDS = {"details", "content", "value"}
LIST_FIELDS = {"steps"}


def _choices(annotation: Any) -> list[str] | None:
    if typing.get_origin(annotation) is Literal:
        return [str(a) for a in typing.get_args(annotation)]
    return None


def _is_datetime(annotation: Any) -> bool:
    if annotation is datetime:
        return True
    return isinstance(annotation, types.UnionType) and datetime in typing.get_args(annotation)


class MemoryEditor(QDialog):
    """Edit the fields of ``memory`` (or of a new memory of ``memory_type``).

    :meth:`values` gives the fields as the store takes them; the vault value is
    shown as dots until "Show" is ticked.
    """

    def __init__(
        self,
        memory_type: MemoryType,
        memory: Memory | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.memory_type = memory_type
        self.memory = memory
        verb = "Edit" if memory else "New"
        self.setWindowTitle(f"{verb} {TYPE_TITLES[memory_type].lower()} memory")
        self.resize(620, 480)
        self.widgets: dict[str, QWidget] = {}
        model = DATA_MODEL[memory_type]
        current = memory.data.model_dump() if memory else {}
        form = QFormLayout()
        for name, info in model.model_fields.items():
            value = current.get(name, info.get_default(call_default_factory=True))
            widget = self._widget(name, info.annotation, value)
            self.widgets[name] = widget
            if name == "secret_value":
                row = QHBoxLayout()
                row.addWidget(widget, 1)
                show = QCheckBox("Show")
                show.toggled.connect(
                    lambda on, w=widget: w.setEchoMode(
                        QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password
                    )
                )
                row.addWidget(show)
                form.addRow(field_label(name) + ":", row)
            else:
                form.addRow(field_label(name) + ":", widget)
        if memory_type is MemoryType.CORE:
            self.counter = QLabel()
            form.addRow("", self.counter)
            self._text("value").textChanged.connect(self._count)
            self._spin("char_limit").valueChanged.connect(self._count)
            if memory is not None:
                self.widgets["label"].setEnabled(False)
            self._count()
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def _widget(self, name: str, annotation: Any, value: Any) -> QWidget:
        choices = _choices(annotation)
        if choices is not None:
            combo = QComboBox()
            combo.addItems(choices)
            combo.setCurrentText(str(value))
            return combo
        if _is_datetime(annotation):
            edit = QDateTimeEdit()
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
            moment = value if isinstance(value, datetime) else datetime.now().astimezone()
            edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(moment.timestamp())))
            return edit
        if annotation is int:
            spin = QSpinBox()
            spin.setRange(1, 20_000)
            spin.setValue(int(value))
            return spin
        if name in LIST_FIELDS:
            steps = QPlainTextEdit("\n".join(value or []))
            steps.setPlaceholderText("one step a line")
            return steps
        if name in LONG_FIELDS:
            return QPlainTextEdit("" if value is None else str(value))
        line = QLineEdit("" if value is None else str(value))
        if name == "secret_value":
            line.setEchoMode(QLineEdit.EchoMode.Password)
        return line

    def _text(self, name: str) -> QPlainTextEdit:
        widget = self.widgets[name]
        assert isinstance(widget, QPlainTextEdit)
        return widget

    def _spin(self, name: str) -> QSpinBox:
        widget = self.widgets[name]
        assert isinstance(widget, QSpinBox)
        return widget

    def _count(self) -> None:
        used = len(self._text("value").toPlainText())
        limit = self._spin("char_limit").value()
        self.counter.setText(f"{used} / {limit} characters")
        self.counter.setStyleSheet("color: #b00020" if used > limit else "")
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(used <= limit)

    def values(self) -> dict[str, Any]:
        """The fields as entered (validated by the store when saved)."""
        out: dict[str, Any] = {}
        for name, widget in self.widgets.items():
            if isinstance(widget, QComboBox):
                out[name] = widget.currentText()
            elif isinstance(widget, QDateTimeEdit):
                seconds = widget.dateTime().toSecsSinceEpoch()
                out[name] = datetime.fromtimestamp(seconds).astimezone()
            elif isinstance(widget, QSpinBox):
                out[name] = widget.value()
            elif isinstance(widget, QPlainTextEdit):
                text = widget.toPlainText()
                if name in LIST_FIELDS:
                    out[name] = [s.strip() for s in text.splitlines() if s.strip()]
                else:
                    out[name] = text
            elif isinstance(widget, QLineEdit):
                out[name] = widget.text()
        return out

    def changes(self) -> dict[str, Any]:
        """Only the fields that differ from the memory being edited (all for a new one)."""
        values = self.values()
        if self.memory is None:
            return values
        before = self.memory.data.model_dump()
        return {k: v for k, v in values.items() if before.get(k) != v}

    def _accept(self) -> None:
        from pydantic import ValidationError

        try:
            DATA_MODEL[self.memory_type].model_validate(self.values())
        except ValidationError as exc:
            where, message = validation_problems(exc)[0]
            self.error.setText(f"{field_label(where) if where else 'Memory'}: {message}")
            return
        self.accept()

    def set_value(self, name: str, value: str) -> None:
        """Fill one text field (for scripted use and tests)."""
        widget = self.widgets[name]
        if isinstance(widget, QPlainTextEdit):
            widget.setPlainText(value)
        elif isinstance(widget, QLineEdit):
            widget.setText(value)
        elif isinstance(widget, QComboBox):
            widget.setCurrentText(value)
        else:
            raise TypeError(f"{name} is not a text field")
