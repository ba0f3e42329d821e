"""The chat window: conversations on the side, streamed answers, clickable citations.

A question runs on the pool (the assistant retrieves, then the model streams);
tokens come back to the interface thread by a queued signal, and Stop ends the
stream. Each answer's citations are listed under the transcript: a memory opens
in a MemoryViewer (with its history and sources), a screenshot thumbnail in a
FrameViewer (full size, time, app, title and OCR text). "Ask about my screen"
captures the screen now and sends it with the question. Offline, answers are
the reader's: the value first, citing its source, then what else was found.
When the reader found the answering line (and the answer names its value),
that line is shown with the value highlighted, beside the thumbnail of its
screenshot (click: the full screenshot).
"""

from __future__ import annotations

import html
import logging
import threading
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from agents.answer.chat import Answer
from agents.answer.citing import Citation, StreamFootnotes, footnoted
from agents.answer.reader import Pick
from agents.ids import is_frame_id
from mirix_desktop.services.backend import Backend
from mirix_desktop.ui.tasks import Tasks, describe
from mirix_desktop.ui.viewers import FrameViewer, MemoryViewer

log = logging.getLogger(__name__)
THUMB = QSize(160, 90)


def highlight(line: str, span: tuple[int, int] | None) -> str:
    """``line`` as HTML with the value at ``span`` highlighted (the rest escaped)."""
    if span is None:
        return html.escape(line)
    start, end = span
    return (
        html.escape(line[:start])
        + '<span style="background-color:#ffe066; font-weight:bold">'
        + html.escape(line[start:end])
        + "</span>"
        + html.escape(line[end:])
    )


def answering_pick(answer: Answer) -> Pick | None:
    """The reader's line, when it answers: offline always when confident; with a model,
    only when the model's answer names the same value."""
    reading = answer.reading
    if reading is None or not reading.confident or reading.best is None:
        return None
    pick = reading.best
    if pick.value and pick.value in answer.answer:
        return pick
    return None


def _frame_of(pick: Pick) -> str | None:
    if pick.source.type == "frame":
        return pick.source.id
    return next((s for s in pick.source.source_ids if is_frame_id(s)), None)


class ChatWidget(QWidget):
    """The Chat page. :attr:`answered` fires with each finished :class:`Answer`."""

    token = Signal(str)  # emitted from the worker, delivered queued
    answered = Signal(object)
    viewer_opened = Signal(object)  # the FrameViewer or MemoryViewer just opened
    conversation_opened = Signal(str)  # an earlier conversation is shown, with its sources

    def __init__(self, backend: Backend, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend, self.tasks = backend, tasks
        self._assistant: Any = None
        self._stop = threading.Event()
        self._streaming = ""
        self._notes = StreamFootnotes()  # ids in the answer shown as "[1]", "[2]" …
        self._busy = False
        self.conversation_id: str | None = None
        self.last_answer: Answer | None = None

        self.conversations = QListWidget()
        self.conversations.setMaximumWidth(220)
        self.conversations.itemClicked.connect(self._open_conversation)
        new = QPushButton("New conversation")
        new.clicked.connect(self.new_conversation)
        side = QVBoxLayout()
        side.addWidget(QLabel("Conversations"))
        side.addWidget(self.conversations)
        side.addWidget(new)
        side_box = QWidget()
        side_box.setLayout(side)

        self.transcript = QTextBrowser()
        self.transcript.setOpenLinks(False)
        self.citations = QListWidget()
        self.citations.setViewMode(QListWidget.ViewMode.IconMode)
        self.citations.setIconSize(THUMB)
        self.citations.setMaximumHeight(150)
        self.citations.setWordWrap(True)
        self.citations.itemClicked.connect(self.open_citation)
        # The answering line, its value highlighted, beside its screenshot.
        self.answer_thumb = QToolButton()
        self.answer_thumb.setIconSize(THUMB)
        self.answer_thumb.setToolTip("Open the screenshot")
        self.answer_thumb.clicked.connect(self._open_answer_frame)
        self.answer_line = QLabel()
        self.answer_line.setTextFormat(Qt.TextFormat.RichText)
        self.answer_line.setWordWrap(True)
        self.answer_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        answer_row = QHBoxLayout()
        answer_row.addWidget(self.answer_thumb)
        answer_row.addWidget(self.answer_line, 1)
        self.answer_box = QWidget()
        self.answer_box.setLayout(answer_row)
        self.answer_box.setVisible(False)
        self._answer_frame: str | None = None
        self.input = QLineEdit()
        self.input.setPlaceholderText("Ask about what you saw or said…")
        self.input.returnPressed.connect(self.ask)
        self.ask_button = QPushButton("Ask")
        self.ask_button.clicked.connect(self.ask)
        self.screen_button = QPushButton("Ask about my screen")
        self.screen_button.setToolTip("Capture the screen now and send it with the question")
        self.screen_button.clicked.connect(lambda: self.ask(with_screen=True))
        self.stop_button = QPushButton("Stop")
        self.stop_button.setVisible(False)
        self.stop_button.clicked.connect(self._stop.set)
        self.state = QLabel("")
        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        for button in (self.ask_button, self.screen_button, self.stop_button):
            row.addWidget(button)
        main = QVBoxLayout()
        main.addWidget(self.transcript, 1)
        main.addWidget(self.answer_box)
        main.addWidget(QLabel("Sources of the last answer (click to open)"))
        main.addWidget(self.citations)
        main.addLayout(row)
        main.addWidget(self.state)
        main_box = QWidget()
        main_box.setLayout(main)

        split = QSplitter()
        split.addWidget(side_box)
        split.addWidget(main_box)
        split.setStretchFactor(1, 1)
        layout = QHBoxLayout(self)
        layout.addWidget(split)
        self.token.connect(self._on_token, Qt.ConnectionType.QueuedConnection)
        self.refresh_conversations()

    # ---- conversations -----------------------------------------------------------------

    def refresh_conversations(self) -> None:
        self.tasks.run(self.backend.conversations, on_done=self._show_conversations, owner=self)

    def _show_conversations(self, rows: list[tuple[str, str]]) -> None:
        self.conversations.clear()
        for conv, first in rows:
            item = QListWidgetItem(first[:40] or conv)
            item.setData(Qt.ItemDataRole.UserRole, conv)
            item.setToolTip(first)
            self.conversations.addItem(item)

    def new_conversation(self) -> None:
        self.conversation_id = None
        self.transcript.clear()
        self.citations.clear()
        self._show_pick(None, {})

    def _open_conversation(self, item: QListWidgetItem) -> None:
        if self.busy:  # the answer on its way belongs to the conversation shown
            self.state.setText("wait for the answer (or Stop it) before switching")
            return
        conv = item.data(Qt.ItemDataRole.UserRole)
        self.conversation_id = conv
        self.citations.clear()
        self._show_pick(None, {})

        def read() -> tuple[list[Any], list[Citation], dict[str, QImage]]:
            turns = self.backend.conversation(conv)
            answers = [t for t in turns if t.speaker == "assistant"]
            cited = self.backend.cited_in(answers[-1]) if answers else []
            return turns, cited, self._thumbnails(cited)

        def shown(result: tuple[list[Any], list[Citation], dict[str, QImage]]) -> None:
            if conv != self.conversation_id or self.busy:
                return  # another conversation was opened (or a question asked) meanwhile
            turns, cited, thumbs = result
            self.transcript.clear()
            last = max((i for i, t in enumerate(turns) if t.speaker == "assistant"), default=-1)
            for i, t in enumerate(turns):
                who = "You" if t.speaker == "user" else "Assistant"
                # Sources are notes ("[1]") into the tiles; earlier answers' tiles are gone.
                notes = [c.id for c in cited] if i == last else []
                self._append_block(who, footnoted(t.text, notes) if who != "You" else t.text)
            self._show_citations(cited, thumbs)
            self.conversation_opened.emit(conv)

        self.tasks.run(read, on_done=shown, owner=self)

    def reset_assistant(self) -> None:
        """Use the settings now in effect (model endpoints) from the next question on."""
        self._assistant = None

    @property
    def busy(self) -> bool:
        """Whether an answer is on its way (Stop is offered)."""
        return self._busy

    def ask(self, *, with_screen: bool = False) -> None:
        question = self.input.text().strip()
        if not question or self.busy:
            return
        self.input.clear()
        self._append_block("You", question + (" [with my screen]" if with_screen else ""))
        self._streaming = ""
        self._notes = StreamFootnotes()
        self.transcript.append("<b>Assistant:</b> ")
        self._stop.clear()
        self._set_busy(True)
        self.citations.clear()
        self._show_pick(None, {})

        conversation = self.conversation_id  # read here, not on the worker

        def work() -> tuple[Answer, dict[str, QImage]]:
            if self._assistant is None:
                self._assistant = self.backend.ctx.assistant()
            image = self.backend.screen_now() if with_screen else None
            answer = self._assistant.ask(
                question,
                conversation_id=conversation,
                image_path=image,
                on_token=self.token.emit,
                should_stop=self._stop.is_set,
            )
            pick = answering_pick(answer)
            extra = [_frame_of(pick)] if pick is not None else []
            return answer, self._thumbnails(answer.citations, [f for f in extra if f])

        self.tasks.run(work, on_done=self._on_answer, on_error=self._on_error, owner=self)

    def _thumbnails(self, citations: list[Citation], more: Sequence[str] = ()) -> dict[str, QImage]:
        """Thumbnails of the cited screenshots and of ``more`` frames (read on the worker)."""
        ids = [c.id for c in citations if c.type == "frame"]
        ids += [s for c in citations if c.type != "frame" for s in c.source_ids[:1]]
        ids += [i for i in more if i not in ids]
        out = {}
        for frame in self.backend.frames(ids):
            image = QImage(frame.image_path)
            if not image.isNull():
                out[frame.id] = image.scaled(THUMB, Qt.AspectRatioMode.KeepAspectRatio)
        return out

    def _on_token(self, text: str) -> None:
        self._streaming += text
        self._insert(self._notes.feed(text))

    def _insert(self, text: str) -> None:
        cursor = self.transcript.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        cursor.insertText(text)
        self.transcript.setTextCursor(cursor)

    def _on_answer(self, result: tuple[Answer, dict[str, QImage]]) -> None:
        answer, thumbs = result
        self._set_busy(False)
        self.last_answer = answer
        new_conversation = self.conversation_id is None
        self.conversation_id = answer.conversation_id
        if not self._streaming.strip():  # nothing streamed (e.g. the answer came whole)
            self._on_token(answer.answer)
        self._insert(self._notes.close())
        if answer.stopped:
            self.transcript.append("<i>(stopped)</i>")
        self._show_citations(answer.citations, thumbs)
        self._show_pick(answering_pick(answer), thumbs)
        self.state.setText(f"topic: {answer.topic} · {len(answer.citations)} sources")
        if new_conversation:
            self.refresh_conversations()
        self.answered.emit(answer)

    def _show_citations(self, citations: list[Citation], thumbs: dict[str, QImage]) -> None:
        self.citations.clear()
        for n, c in enumerate(citations, 1):
            # A tile: its note number in the answer, what and when, who said it, the line.
            who = f" · {c.speaker}" if c.speaker else ""
            snippet = c.snippet if len(c.snippet) <= 60 else c.snippet[:59] + "…"
            item = QListWidgetItem(f"[{n}] {c.type}{who}\n{c.time:%Y-%m-%d %H:%M}\n{snippet}")
            item.setData(Qt.ItemDataRole.UserRole, c)
            item.setToolTip(f"{c.snippet}\n{c.id}" if c.snippet else c.id)
            thumb = thumbs.get(c.id) or next((thumbs[s] for s in c.source_ids if s in thumbs), None)
            if thumb is not None:
                item.setIcon(QIcon(QPixmap.fromImage(thumb)))
            self.citations.addItem(item)

    def _show_pick(self, pick: Pick | None, thumbs: dict[str, QImage]) -> None:
        """Show the answering line with its value highlighted, beside its screenshot."""
        self.answer_box.setVisible(pick is not None)
        self._answer_frame = None
        if pick is None:
            self.answer_line.clear()
            self.answer_thumb.setIcon(QIcon())
            return
        frame = _frame_of(pick)
        thumb = thumbs.get(frame) if frame else None
        self._answer_frame = frame if thumb is not None else None
        self.answer_thumb.setVisible(thumb is not None)
        if thumb is not None:
            self.answer_thumb.setIcon(QIcon(QPixmap.fromImage(thumb)))
        when = f"{pick.source.time:%Y-%m-%d %H:%M}"
        self.answer_line.setText(
            f"{highlight(pick.line, pick.span)}<br>"
            f'<span style="color:gray">{html.escape(when)} · [{html.escape(pick.source.id)}]</span>'
        )

    def _open_answer_frame(self) -> None:
        if self._answer_frame is None:
            return
        viewer = FrameViewer(self.backend, self.tasks, self._answer_frame, self)
        viewer.show()
        self.viewer_opened.emit(viewer)

    def _on_error(self, error: BaseException) -> None:
        self._set_busy(False)
        self.transcript.append(f"<i>Could not answer: {html.escape(describe(error))}</i>")
        self.state.setText(describe(error))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.stop_button.setVisible(busy)
        self.ask_button.setEnabled(not busy)
        self.screen_button.setEnabled(not busy)
        self.state.setText("thinking…" if busy else self.state.text())

    def _append_block(self, who: str, text: str) -> None:
        self.transcript.append(f"<b>{html.escape(who)}:</b> {html.escape(text)}")

    # ---- citations ---------------------------------------------------------------------

    def open_citation(self, item: QListWidgetItem) -> QWidget:
        """Open what a citation names: a screenshot, or a memory with its history."""
        citation: Citation = item.data(Qt.ItemDataRole.UserRole)
        viewer: QWidget
        if citation.type == "frame":
            viewer = FrameViewer(self.backend, self.tasks, citation.id, self)
        elif citation.type == "chat":
            frames = [s for s in citation.source_ids if is_frame_id(s)]
            if frames:
                viewer = FrameViewer(self.backend, self.tasks, frames[0], self)
            else:
                viewer = QLabel(html.escape(citation.id))
        else:
            viewer = MemoryViewer(self.backend, self.tasks, citation.id, self)
        viewer.show()
        self.viewer_opened.emit(viewer)
        return viewer
