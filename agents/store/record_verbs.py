"""The store's verbs for chat turns and frames, and for text vectors: parts of
:class:`MemoryStore`, kept in a file of their own so that each part stays one a reader
can hold in mind."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from agents.store import schema as S
from agents.store.records import Records
from agents.store.reembed import TextVectors
from agents.store.tables import Tables
from agents.store.vectors import Progress
from agents.store.writer import written


class RecordVerbs:
    """Chat turns and frames; the writes run on the store's writer thread."""

    _records: Records
    _tables: Tables
    _vectors: TextVectors

    @written
    def add_chat_turns(self, turns: Sequence[S.ChatTurn], *, embed: bool = True) -> int:
        """Store chat turns under their own ids (stored ones are skipped); returns how many
        were new. With ``embed`` False their vectors are left for :meth:`fill_vectors`
        (an import: found by full text at once, by meaning once the vectors are in)."""
        return self._records.add_chat_turns(turns, embed=embed)

    def chat_turns(self, ids: Sequence[str]) -> list[S.ChatTurn]:
        """The stored chat turns among ``ids``, in the order asked (missing ones are left out)."""
        return self._records.chat_turns(ids)

    def conversation(self, conversation_id: str, *, limit: int = 20) -> list[S.ChatTurn]:
        """The last ``limit`` turns of a conversation, oldest first."""
        return self._records.conversation(conversation_id, limit=limit)

    def chat_turn_ids(self, *, since: datetime) -> list[str]:
        """The ids of the chat turns said at ``since`` or later."""
        return self._records.chat_turn_ids(since=since)

    @written
    def delete_chat_turns(self, ids: Sequence[str]) -> None:
        """Delete chat turns (the memories made from them are the caller's to forget)."""
        self._records.delete_chat_turns(ids)

    def iter_chat_turns(self) -> Iterator[dict[str, Any]]:
        """Every chat turn's row (id, conversation_id, speaker, content, image_caption, title,
        created_at)."""
        return self._records.iter_chat_turns()

    @written
    def add_frame(self, frame: S.Frame, *, clip_vector: Sequence[float] | None = None) -> None:
        """Store one frame's row (the image file is written by the caller)."""
        self._records.add_frame(frame, clip_vector=clip_vector)

    @written
    def set_frame_text(
        self, frame_id: str, ocr_text: str, *, clip_vector: Sequence[float] | None = None
    ) -> S.Frame:
        """Record a frame's OCR text (and its text vector, and CLIP vector when given)."""
        return self._records.set_frame_text(frame_id, ocr_text, clip_vector=clip_vector)

    def frame(self, frame_id: str) -> S.Frame:
        """The stored frame with this id; raises NotFound."""
        return self._records.frame(frame_id)

    def frames(self, ids: Sequence[str]) -> list[S.Frame]:
        """The stored frames among ``ids``, in the order asked (missing ones are left out)."""
        return self._records.frames(ids)

    def frame_rows(
        self, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[dict[str, Any]]:
        """id, time, created_at, size_bytes and image_path of the frames captured in
        [since, until) (either bound may be open), oldest (captured) first."""
        return self._records.frame_rows(since=since, until=until)

    def frames_between(
        self, since: datetime, until: datetime, *, latest: int | None = None
    ) -> list[S.Frame]:
        """The frames captured in [since, until), oldest first (by time, then monitor);
        with ``latest``, only the latest that many."""
        rows = self.frame_rows(since=since, until=until)
        if latest is not None:
            rows = rows[-latest:] if latest > 0 else []
        ids = [r["id"] for r in rows]
        frames: list[S.Frame] = []
        for first in range(0, len(ids), 500):  # a bounded id list per read
            frames.extend(self.frames(ids[first : first + 500]))
        frames.sort(key=lambda f: (f.captured_at, f.monitor))
        return frames

    def sealed_frame_ids(self) -> list[str]:
        """The frames whose text holds a masked reference: their image shows the value."""
        return self._records.sealed_frame_ids()

    @property
    def generation(self) -> int:
        """Moves with every write this process commits: a key for caching what was read."""
        return self._tables.generation

    def frames_vector(self, frame_ids: Sequence[str]) -> list[float] | None:
        """The unit mean of these frames' text vectors, for a memory made of nothing but
        their text, so that text is not embedded again. None when no frame has a vector,
        or while the frames' vectors are another model's (the caller embeds then)."""
        return self._vectors.mean_of(S.TABLE[S.RecordType.FRAME], frame_ids)

    def count_frames(self, *, since: datetime | None = None) -> int:
        """How many frames were captured since ``since`` (all when None); reads one column."""
        return self._records.count_frames(since=since)

    def recent_frames(
        self, app: str, since: datetime, until: datetime, *, limit: int = 50
    ) -> list[S.Frame]:
        """The last ``limit`` frames of ``app`` captured in [since, until), oldest first."""
        rows = self._records.frame_rows(since=since, until=until, app=app)
        return self._records.frames([row["id"] for row in rows][-limit:])

    @written
    def delete_frames(self, ids: Sequence[str]) -> None:
        """Delete frame rows and their CLIP vectors (image files are the caller's)."""
        self._records.delete_frames(ids)


class VectorVerbs:
    """Text vectors: what waits for one, filling them, re-embedding for a new model."""

    _vectors: TextVectors

    def vector_state(self) -> dict[str, dict[str, Any]]:
        """Per table with text vectors: the model that made them and any re-embedding under way."""
        return self._vectors.state()

    def start_reembedding(self) -> threading.Thread | None:
        """Re-embed stale tables on a background thread (one at a time); returns it."""
        return self._vectors.start()

    @written
    def reembed(self, *, batch: int = 32) -> int:
        """Re-embed every table pending the current model; returns rows re-embedded. Stops
        between batches when the store closes; a later call resumes (progress is saved)."""
        return self._vectors.reembed(batch=batch)

    @written
    def add_vectors_for_missing(self) -> int:
        """Embed rows stored while the text model was unavailable; returns how many."""
        return self._vectors.fill_missing()

    def missing_vectors(self) -> dict[str, int]:
        """Per table, rows waiting for their text vector (tables with none are left out)."""
        return self._vectors.missing()

    def fill_vectors(self, *, batch: int = 64, progress: Progress | None = None) -> int:
        """Embed every row waiting for its vector, ``batch`` rows a commit (other writes go
        between them); returns how many. ``progress(table, done, total)`` follows each
        batch. Stops between batches when the store closes."""
        return self._vectors.fill_missing(batch=batch, progress=progress)

    def start_filling_vectors(self, *, chat_only: bool = False) -> threading.Thread | None:
        """:meth:`fill_vectors` on a background thread (one at a time); returns it.
        ``chat_only``: only chat turns and their passages (what imports leave for later)."""
        tables = (
            (S.TABLE[S.RecordType.CHAT], S.PASSAGE_TABLE) if chat_only else S.TEXT_VECTOR_TABLES
        )
        return self._vectors.start_filling(tables)
