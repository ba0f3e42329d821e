"""The memory store on LanceDB: one table per memory type, chat turns, frames and history.

Public verbs: :meth:`MemoryStore.add`, :meth:`~MemoryStore.get`,
:meth:`~MemoryStore.update`, :meth:`~MemoryStore.merge`,
:meth:`~MemoryStore.delete`, :meth:`~MemoryStore.search` and
:meth:`~MemoryStore.history`, plus the raw records (chat turns, frames) that
memories cite in their ``source_ids``.

:class:`MemoryStore` is the one door; the work is done by its parts, one module each:

=====================  ==========================================================
``tables``             the connection, opening tables, retried commits
``memories``           memories of the six types (``history``: their changes)
``records``            chat turns, frames and the frames' CLIP vectors
``retrieval``          hybrid search (``reads``: its async read loop; ``search``:
                       options and fusion)
``indexes``            first indexes, counts, index state, optimizing
``reembed``            text vectors that follow the model (``vectors``: records)
``migrations``         named, add-only migrations, run once under a process lock
=====================  ==========================================================
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from agents.embeddings import ImageEmbedder, Lazy, TextEmbedder
from agents.errors import InvalidInput, NotFound
from agents.store import schema as S
from agents.store.crypto import VaultCipher
from agents.store.indexes import Upkeep
from agents.store.memories import Memories
from agents.store.migrations import Parts, migrate
from agents.store.reads import Reads
from agents.store.record_verbs import RecordVerbs, VectorVerbs
from agents.store.records import Records
from agents.store.reembed import TextVectors
from agents.store.retrieval import Retrieval
from agents.store.sealing import Sealer
from agents.store.search import SearchOptions
from agents.store.tables import Tables
from agents.store.vectors import Progress
from agents.store.writer import written


class MemoryStore(RecordVerbs, VectorVerbs):
    """Memories of six types with provenance and history, searchable by text, meaning and image.

    ``text_embedder`` and ``image_embedder`` load lazily; when one is unavailable
    the store keeps working and search uses what is left (full-text at least).
    Vault values are encrypted with ``cipher`` before they reach the disk.
    """

    def __init__(
        self,
        path: Path,
        *,
        text_embedder: Lazy[TextEmbedder],
        image_embedder: Lazy[ImageEmbedder] | None = None,
        cipher: VaultCipher,
        read_consistency: timedelta = timedelta(seconds=1),
        vector_index_threshold: int = 20_000,
        reembed_in_background: bool = True,
    ) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._cipher = cipher
        self._tables = tables = Tables(
            self.path, text_embedder=text_embedder, read_consistency=read_consistency
        )
        self._table = tables.table  # a LanceDB table by name (made when missing)
        self._writer = tables.writer  # the write verbs below run on it, one at a time
        self._vectors = TextVectors(tables, text_embedder, in_background=reembed_in_background)
        self._stop = self._vectors.stop  # set: re-embedding stops after its batch
        self.reembed_progress: Progress | None = None  # called after each re-embedded batch
        self._vectors.progress = lambda: self.reembed_progress
        # High-sensitivity values go to the vault before any other text is written.
        self._sealer = Sealer(self)
        ttl = read_consistency.total_seconds()  # core blocks are cached as long as reads lag
        self._memories = Memories(
            tables, self._vectors, cipher, sealer=lambda: self._sealer, core_ttl_s=ttl
        )
        self._records = Records(tables, self._vectors, image_embedder, sealer=lambda: self._sealer)
        self._reads = Reads(self.path, read_consistency, tables.session)
        self._retrieval = Retrieval(tables, self._reads, self._vectors, image_embedder)
        self._upkeep = Upkeep(tables, vector_index_threshold=vector_index_threshold)
        migrate(self.path, Parts(tables, self._memories, self._records, self._sealer))

    # ---- memories ----------------------------------------------------------------------

    @written
    def add(
        self,
        memory_type: S.MemoryType | str,
        data: S.MemoryData | Mapping[str, Any],
        *,
        source_ids: Sequence[str] = (),
        app: str | None = None,
        actor: str = "user",
        memory_id: str | None = None,
        vector: Sequence[float] | None = None,
    ) -> S.Memory:
        """Store a new memory and its history row; returns it.

        Raises InvalidInput when the data does not fit the type. ``memory_id`` makes
        the insert idempotent: adding an id that exists returns the stored memory.
        ``vector``, when given, is stored instead of embedding the memory's text (see
        :meth:`frames_vector`).
        """
        return self._memories.add(
            memory_type,
            data,
            source_ids=source_ids,
            app=app,
            actor=actor,
            memory_id=memory_id,
            vector=vector,
        )

    @written
    def add_many(
        self,
        memory_type: S.MemoryType | str,
        items: Sequence[S.MemoryData | Mapping[str, Any]],
        *,
        source_ids: Sequence[Sequence[str]] | None = None,
        vectors: Sequence[Sequence[float]] | None = None,
        app: str | None = None,
        actor: str = "user",
    ) -> list[str]:
        """Store many new memories of one type in one commit (plus one for their history).

        ``vectors``, when given, are used instead of embedding the texts (for
        imports that carry them). Returns the new ids in order. Raises
        InvalidInput, naming the item, when one does not fit the type; then
        nothing is stored.
        """
        return self._memories.add_many(
            memory_type, items, source_ids=source_ids, vectors=vectors, app=app, actor=actor
        )

    def get(self, memory_id: str) -> S.Memory:
        """Return the memory with this id; raises NotFound."""
        return self._memories.get(memory_id)

    def get_many(self, memory_ids: Sequence[str]) -> list[S.Memory]:
        """The memories with these ids, in the order asked; unknown ids are left out."""
        return self._memories.get_many(memory_ids)

    def core_blocks(self) -> list[S.Memory]:
        """The core blocks (``human``, ``persona``, ...), newest first."""
        return self._memories.core_blocks()

    def list_memories(
        self, memory_type: S.MemoryType | str, *, limit: int = 1000
    ) -> list[S.Memory]:
        """Memories of one type, newest first (at most ``limit``)."""
        return self._memories.of_type(memory_type, limit=limit)

    def memories_between(
        self,
        memory_type: S.MemoryType | str,
        since: datetime,
        until: datetime,
        *,
        app: str | None = None,
        limit: int = 50,
    ) -> list[S.Memory]:
        """Memories of one type whose time lies in [since, until], newest first."""
        return self._memories.between(memory_type, since, until, app=app, limit=limit)

    def memories_only_from(self, source_ids: Iterable[str]) -> list[str]:
        """Ids of memories all of whose sources are among ``source_ids``."""
        return self._memories.only_from(source_ids)

    def iter_memories(self) -> Iterator[S.Memory]:
        """Every memory of every type."""
        return self._memories.every()

    @written
    def update(
        self,
        memory_id: str,
        changes: Mapping[str, Any],
        *,
        source_ids: Sequence[str] = (),
        actor: str = "user",
        vector: Sequence[float] | None = None,
    ) -> S.Memory:
        """Change fields of a memory (and add source ids); raises NotFound or InvalidInput.
        ``vector``, when given, is stored instead of embedding the new text."""
        old = self._memories.get(memory_id)
        return self._memories.rewrite(
            old, changes, source_ids=source_ids, actor=actor, op="update", vector=vector
        )

    @written
    def merge(
        self,
        keep_id: str,
        other_ids: Sequence[str],
        changes: Mapping[str, Any] | None = None,
        *,
        actor: str = "user",
    ) -> S.Memory:
        """Fold other memories of the same type into ``keep_id``.

        The kept memory gets ``changes`` and the union of all source ids; the
        others are deleted. Every step leaves a history row ("merge").
        """
        return self._memories.merge(keep_id, other_ids, changes or {}, actor=actor)

    @written
    def add_sources(
        self, memory_id: str, source_ids: Sequence[str], *, actor: str = "user"
    ) -> S.Memory:
        """Cite more sources in a memory (nothing is written when it cites them all already)."""
        return self._memories.add_sources(memory_id, source_ids, actor=actor)

    @written
    def delete(self, memory_id: str, *, actor: str = "user") -> None:
        """Delete a memory (its history stays); raises NotFound."""
        self._memories.delete(memory_id, actor=actor)

    def history(self, memory_id: str | None = None, *, limit: int = 100) -> list[S.HistoryEntry]:
        """History rows, newest first; for one memory when ``memory_id`` is given."""
        return self._memories.history.entries(memory_id, limit=limit)

    @written
    def revert(self, entry: S.HistoryEntry, *, actor: str = "undo") -> S.Memory | None:
        """Undo one change from the history; returns the memory as it is now (None if
        deleted). An update or merge goes back to its old data (a vault value decrypted from
        the history's copy), a delete (or a memory merged away) is added again under its
        id, an insert is deleted; the undo is itself a change, recorded with ``actor``.
        Raises InvalidInput for a change with no earlier version, SecretError when a vault
        value cannot be decrypted."""
        old = entry.old
        if entry.op == "insert":
            self.delete(entry.memory_id, actor=actor)
            return None
        if old is None:
            raise InvalidInput("this change has no earlier version to go back to")
        data = self._memories.history.plain_old(entry)
        try:
            self.get(entry.memory_id)
        except NotFound:
            return self.add(
                entry.memory_type,
                data,
                source_ids=old.get("source_ids") or [],
                app=old.get("app"),
                actor=actor,
                memory_id=entry.memory_id,
            )
        return self.update(entry.memory_id, data, actor=actor)

    def fingerprint(self, value: str) -> str:
        """A keyed digest of a (secret) value, to recognise it again without storing it."""
        return self._cipher.fingerprint(value)

    @property
    def damaged(self) -> dict[str, str]:
        """Tables found unreadable so far (their files damaged), with why."""
        return dict(self._tables.damaged)

    def note_damage(self, table: str, exc: BaseException) -> None:
        """Record that ``table`` cannot be read; the first time, one warning names it."""
        self._tables.note_damage(table, exc)

    def catch_up(self) -> None:
        """See other processes' latest writes now, not after the read-consistency interval."""
        self._tables.catch_up()

    # ---- search ------------------------------------------------------------------------

    def search(
        self,
        query: str,
        options: SearchOptions | None = None,
        *,
        query_vector: Sequence[float] | None = None,
    ) -> list[S.SearchHit]:
        """Hybrid search over the chosen types (see :class:`Retrieval`); raises InvalidInput
        for an empty or huge query. ``query_vector`` (by the store's text model) saves
        embedding the query again when one question runs several searches."""
        opts = options or SearchOptions()
        return self._retrieval.search(query, opts, query_vector=query_vector)

    def search_rankings(
        self, query: str, opts: SearchOptions
    ) -> dict[str, list[tuple[str, dict[str, Any]]]]:
        """The per-retriever rankings :meth:`search` fuses (for tuning the fusion)."""
        return self._retrieval.rankings(query, opts)

    # ---- vectors and upkeep ------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Rows per table (tables not yet created count 0)."""
        return self._upkeep.counts()

    def index_state(self) -> dict[str, list[dict[str, Any]]]:
        """Each table's indexes with their indexed and unindexed row counts."""
        return self._upkeep.index_state()

    @written
    def optimize(self, *, progress: Callable[[str], None] | None = None) -> None:
        """Compact files, fold new rows into indexes, build vector indexes on large tables."""
        self._upkeep.optimize(progress=progress)

    def close(self) -> None:
        """Stop background work; later writes and searches raise StoreError."""
        self._vectors.close()
        self._writer.close()  # the writes asked before this finish first
        self._tables.closed = True
        self._reads.close()
