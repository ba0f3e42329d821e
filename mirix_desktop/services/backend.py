"""What the windows ask of the store, as plain Python (no Qt): run it on a worker.

Memories (edit, undo), conversations and the sources an answer cited, screenshots, and the
status bar's counts. The timeline and activity are :mod:`mirix_desktop.services.timeline`'s,
saving settings :mod:`mirix_desktop.services.preferences`'s, the first-run consent
:mod:`mirix_desktop.config.consent`'s.

:class:`Backend` reads through the program's
:class:`~mirix_desktop.services.context.Context`, which builds the store, the inbox and
the secrets once under its own lock, so several worker threads may ask for them at once.
Its methods block on disk and are called through :class:`mirix_desktop.ui.tasks.Tasks`,
never on the interface thread.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from time import monotonic
from typing import Any

from agents.answer.citing import Citation, stored_citations
from agents.errors import InvalidInput, NotFound
from agents.ids import CITED_ID, is_frame_id, is_own_conversation_id
from agents.store import ChatTurn, Frame, HistoryEntry, Memory, MemoryStore, MemoryType
from mirix_desktop.config.keystore import SecretStore
from mirix_desktop.config.paths import Paths
from mirix_desktop.pipeline.inbox import Inbox
from mirix_desktop.services.context import Context
from mirix_desktop.services.timeline import day_bounds

TODAY_STALE_S = 30.0  # the frame count of the status bar, when this process wrote nothing
log = logging.getLogger(__name__)

UNDO_ACTOR = "undo"


@dataclass(frozen=True)
class Status:
    """What the tray's tooltip and icon show."""

    running: bool  # capture was started (first run accepted)
    paused: bool
    frames_today: int
    waiting: int  # inbox items waiting for OCR or absorption
    failing: int
    capture_error: str | None = None

    @property
    def capturing(self) -> bool:
        return self.running and not self.paused


@dataclass(frozen=True)
class MemoryDetails:
    """A memory (None when it was deleted), its history and the sources it cites."""

    memory_id: str
    memory: Memory | None
    history: list[HistoryEntry]
    frames: list[Frame]
    turns: list[ChatTurn]
    unknown_sources: list[str]


class Backend:
    """What the windows read and change, over one context (safe from several threads)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._today: tuple[tuple[int, date], float, int] | None = None  # key, read at, count

    @property
    def paths(self) -> Paths:
        return self.ctx.paths

    @property
    def store(self) -> MemoryStore:
        return self.ctx.store

    @property
    def inbox(self) -> Inbox:
        return self.ctx.inbox

    @property
    def secrets(self) -> SecretStore:
        return self.ctx.secrets

    def warm(self) -> None:
        """Open the store, inbox and secrets now (before other threads use the context)."""
        self.ctx.store  # noqa: B018 - opening is the point
        self.ctx.inbox  # noqa: B018
        self.ctx.secrets  # noqa: B018

    # ---- memories ----------------------------------------------------------------------

    def memories(
        self, memory_type: MemoryType, query: str = "", *, limit: int = 500
    ) -> list[Memory]:
        """Memories of one type: newest first, or the hybrid search's best for ``query``."""
        store = self.store
        if not query.strip():
            return store.list_memories(memory_type, limit=limit)
        options = self.ctx.search_options(k=limit, types=[memory_type.value])
        hits = store.search(query, options)
        return store.get_many([h.id for h in hits])

    def details(self, memory_id: str) -> MemoryDetails:
        store = self.store
        try:
            memory: Memory | None = store.get(memory_id)
        except NotFound:
            memory = None
        history = store.history(memory_id)
        if memory is None and not history:
            raise NotFound(f"no memory with id {memory_id!r}")
        sources = memory.source_ids if memory else _last_sources(history)
        frames = sorted(store.frames(sources), key=lambda f: f.captured_at)
        turns = store.chat_turns([s for s in sources if s not in {f.id for f in frames}])
        known = {f.id for f in frames} | {t.id for t in turns}
        return MemoryDetails(
            memory_id, memory, history, frames, turns, [s for s in sources if s not in known]
        )

    def update(self, memory_id: str, changes: Mapping[str, Any]) -> Memory:
        return self.store.update(memory_id, dict(changes), actor="user")

    def add(self, memory_type: MemoryType, data: Mapping[str, Any]) -> Memory:
        return self.store.add(memory_type, dict(data), actor="user")

    def delete(self, memory_id: str) -> None:
        self.store.delete(memory_id, actor="user")

    def revert(self, entry: HistoryEntry) -> Memory | None:
        """Undo one change from the history (see :meth:`MemoryStore.revert`); returns the
        memory as it is now (None if deleted)."""
        return self.store.revert(entry, actor=UNDO_ACTOR)

    def undo_last(self, memory_id: str) -> Memory | None:
        """Undo the newest change of a memory (see :meth:`revert`)."""
        history = self.store.history(memory_id, limit=1)
        if not history:
            raise NotFound(f"no history for {memory_id!r}")
        return self.revert(history[0])

    # ---- conversations -----------------------------------------------------------------

    def conversations(self) -> list[tuple[str, str]]:
        """The app's own conversations, newest first: (id, its first question)."""
        firsts: dict[str, tuple[Any, str]] = {}
        for row in self.store.iter_chat_turns():
            conv = row["conversation_id"]
            if not is_own_conversation_id(conv) or row["speaker"] != "user":
                continue
            if conv not in firsts or row["created_at"] < firsts[conv][0]:
                firsts[conv] = (row["created_at"], row["text"])
        ordered = sorted(firsts.items(), key=lambda kv: kv[1][0], reverse=True)
        return [(conv, text) for conv, (_, text) in ordered]

    def conversation(self, conversation_id: str, *, limit: int = 200) -> list[ChatTurn]:
        return self.store.conversation(conversation_id, limit=limit)

    def cited_in(self, answer: ChatTurn) -> list[Citation]:
        """The screenshots, memories and chat turns an answer cited, in its order: the ids
        stored with it, or (an answer stored before they were) the ids its text names."""
        return stored_citations(self.store, answer.cited_ids or CITED_ID.findall(answer.text))

    def screen_now(self) -> Path:
        """The screen now as a PNG, for a question about it, with excluded windows and
        this program's own painted over; raises InvalidInput when it may not be read."""
        image = self.ctx.capturer().screen_now()
        if image is None:
            raise InvalidInput(
                "the screen was not read: the window in front is excluded from capture"
            )
        folder = self.paths.data_dir / "tmp"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "ask-screen.png"
        image.save(path)
        return path

    # ---- frames ------------------------------------------------------------------------

    def frame(self, frame_id: str) -> Frame:
        return self.store.frame(frame_id)

    def frames(self, ids: Sequence[str]) -> list[Frame]:
        """The stored screenshots among ``ids`` (other ids are left out), in that order."""
        return self.store.frames([i for i in ids if is_frame_id(i)])

    def frames_today(self) -> int:
        """Frames captured today. The status bar asks every few seconds: the count is read
        again when this process has written since, or after ``TODAY_STALE_S`` (another
        process may have written)."""
        store, today = self.store, date.today()
        key = (store.generation, today)
        cached = self._today
        if cached is not None and cached[0] == key and monotonic() - cached[1] < TODAY_STALE_S:
            return cached[2]
        count = store.count_frames(since=day_bounds(today)[0])
        self._today = (key, monotonic(), count)
        return count

    def status(self, *, running: bool, paused: bool, capture_error: str | None) -> Status:
        counts = self.inbox.counts()
        return Status(
            running=running,
            paused=paused,
            frames_today=self.frames_today(),
            waiting=counts["pending"],
            failing=counts["failing"],
            capture_error=capture_error,
        )

    # ---- models ------------------------------------------------------------------------

    def model_status(self) -> dict[str, dict[str, Any]]:
        """Whether the text embedder and CLIP are available (loads them if needed)."""
        from mirix_desktop.services.doctor import report

        self.warm()
        models: dict[str, dict[str, Any]] = report(self.ctx)["models"]
        return models


def _last_sources(history: Sequence[HistoryEntry]) -> list[str]:
    """Sources of a deleted memory, from its newest history entry that has them."""
    for entry in history:
        for version in (entry.old, entry.new):
            if version and version.get("source_ids"):
                return list(version["source_ids"])
    return []
