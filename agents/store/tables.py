"""The store's LanceDB tables: opening them (with add-only columns), writes and row look-ups.

Every write goes through :meth:`Tables.commit`, which runs it on the store's one
writer thread (:mod:`agents.store.writer`), retries when another process committed
first, and counts this process's writes (``generation``) so that reads catch up with
them.
"""

from __future__ import annotations

import logging
import threading
import time as _time
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import lancedb
import pyarrow as pa

from agents.embeddings import Lazy, TextEmbedder
from agents.errors import StoreError
from agents.store import schema as S
from agents.store.health import first_line
from agents.store.indexes import first_indexes
from agents.store.vectors import VectorModels, VectorRecord
from agents.store.writer import Writer

log = logging.getLogger(__name__)
T = TypeVar("T")
INDEX_CACHE_BYTES = 512 << 20  # bounds on LanceDB's caches (see Tables.__init__)
METADATA_CACHE_BYTES = 16 << 20


def _retry(op: Callable[[], T], *, attempts: int = 8) -> T:
    """Run a write, retrying when another writer committed first (optimistic concurrency)."""
    delay = 0.02
    for attempt in range(attempts):
        try:
            return op()
        except (OSError, RuntimeError, ValueError) as exc:
            text = str(exc).lower()
            if "conflict" not in text and "retryable" not in text and "concurrent" not in text:
                raise
            if attempt == attempts - 1:
                raise StoreError(f"gave up after {attempts} conflicting commits: {exc}") from exc
            _time.sleep(delay)
            delay = min(delay * 2, 1.0)
    raise AssertionError("unreachable")


def quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def in_list(column: str, values: Iterable[str]) -> str:
    return f"{column} IN ({', '.join(quote(v) for v in values)})"


class Tables:
    """The connection and its open tables, shared by the store's parts."""

    def __init__(
        self, path: Path, *, text_embedder: Lazy[TextEmbedder], read_consistency: timedelta
    ) -> None:
        self.path = path
        # LanceDB's caches default to 6 GB (indexes) and 1 GB (metadata) and fill with every
        # table version written: a process storing frames grew 271 MB -> 495 MB over 400
        # frames, still climbing; with these bounds 272 -> 336 MB, levelling off. The
        # metadata cache holds mostly old versions' manifests (capture writes two versions
        # a frame): at 64 MB, 240 frames took a process from 264 to 351 MB, at 16 MB to
        # 298 MB, with search at 100k memories as fast (p50 26 ms). Both connections
        # share them.
        self.session = lancedb.Session(
            index_cache_size_bytes=INDEX_CACHE_BYTES, metadata_cache_size_bytes=METADATA_CACHE_BYTES
        )
        self.db = lancedb.connect(
            str(path), read_consistency_interval=read_consistency, session=self.session
        )
        self._text = text_embedder
        self._tables: dict[str, Any] = {}
        self._indexed: set[str] = set()  # tables whose first indexes exist
        self._lock = threading.Lock()
        self.generation = 0  # this process's writes, so that reads catch up with them
        self.closed = False
        self.damaged: dict[str, str] = {}  # tables that could not be read, and why
        self.writer = Writer()  # every write of this process runs on its one thread
        # Which model made each table's vectors (see agents.store.vectors).
        self.vector_models = VectorModels(self.db, ttl_s=read_consistency.total_seconds())

    def _schema_for(self, name: str) -> pa.Schema:
        if name == S.HISTORY_TABLE:
            return S.HISTORY_SCHEMA
        if name == S.VECTOR_MODELS_TABLE:
            return S.VECTOR_MODELS_SCHEMA
        if name == S.TABLE[S.RecordType.CHAT]:
            return S.CHAT_SCHEMA
        if name == S.TABLE[S.RecordType.FRAME]:
            return S.FRAME_SCHEMA
        if name == S.PASSAGE_TABLE:
            return S.PASSAGE_SCHEMA
        return S.memory_schema(S.MemoryType(name))

    def table(self, name: str, *, schema: pa.Schema | None = None) -> Any:
        """The table, made now (with ``schema`` or its own) when it does not exist."""
        table = self._tables.get(name)
        if table is not None:
            return table
        exists = name in self.names()
        new_vectors = name in S.TEXT_VECTOR_TABLES and not exists
        embedder = self._text.get() if new_vectors else None
        with self._lock:
            if name not in self._tables and schema is None and name == S.CLIP_TABLE:
                self._tables[name] = self.db.open_table(name)  # its width is the model's
            if name not in self._tables:
                if exists and schema is None:
                    table = self.db.open_table(name)
                    # Add-only migration: a store made before a column was added.
                    _add_missing_columns(table, self._schema_for(name))
                else:
                    wanted = schema or self._schema_for(name)
                    try:
                        table = self.db.create_table(name, schema=wanted, exist_ok=True)
                    except ValueError as exc:  # made meanwhile, before a column was added
                        if "does not match" not in str(exc):
                            raise
                        table = self.db.open_table(name)
                        _add_missing_columns(table, wanted)
                self._tables[name] = table
        # A table made now holds the current model's vectors from its first row.
        if new_vectors and embedder and name not in self.vector_models.read(fresh=True):
            record = VectorRecord(table=name, model=embedder.model_id)
            self.vector_models.write(record, self.commit)
        return self._tables[name]

    def existing(self, name: str) -> Any | None:
        """The table if it exists on disk (another process may have made it)."""
        if name in self._tables:
            return self._tables[name]
        if name not in self.names():
            return None
        return self.table(name)

    def commit(self, op: Callable[[], T]) -> T:
        """Run a write on the writer (retried on conflicting commits with other processes)
        and let later reads see it."""
        return self.writer.run(self._commit_now, op)

    def _commit_now(self, op: Callable[[], T]) -> T:
        if self.closed:  # a late writer must not touch a folder being moved, say
            raise StoreError("the memory store is closed")
        try:
            return _retry(op)
        finally:
            self.generation += 1

    def note_damage(self, name: str, exc: BaseException) -> None:
        """Remember that table ``name`` cannot be read; the first time, one warning line."""
        if name in self.damaged:
            return
        self.damaged[name] = first_line(exc)
        log.warning(
            "table %s cannot be read (%s): it is left out; mirix-desktop doctor says more, "
            "mirix-desktop repair mends it",
            name,
            self.damaged[name],
        )

    def names(self) -> set[str]:
        return set(self.db.list_tables().tables)

    def after_write(self, name: str, table: Any) -> None:
        """Create the full-text and scalar indexes the first time a table has rows."""
        if name in self._indexed:
            return
        first_indexes(name, table)
        self._indexed.add(name)
        self.generation += 1

    def catch_up(self) -> None:
        """See other processes' latest writes now, not after the read-consistency interval."""
        for table in list(self._tables.values()):
            table.checkout_latest()


def rows_by_id(
    table: Any, ids: Sequence[str], *, columns: list[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Rows of ``table`` (None: no table yet) whose id is among ``ids``, by id."""
    if table is None or not ids:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        query = table.search().where(in_list("id", ids[start : start + 500]))
        if columns is not None:
            query = query.select(columns)
        out.update((row["id"], row) for row in query.limit(None).to_list())
    return out


def _add_missing_columns(table: Any, wanted: pa.Schema) -> None:
    """Add-only migration: the nullable string columns of ``wanted`` a table lacks."""
    have = set(table.schema.names)
    missing = [f for f in wanted if f.name not in have]
    if any(f.type != pa.string() for f in missing):
        raise StoreError(f"cannot add columns {[f.name for f in missing]} to an existing table")
    try:
        if missing:
            table.add_columns({f.name: "CAST(NULL AS STRING)" for f in missing})
    except (OSError, RuntimeError, ValueError) as exc:  # another process added them first
        table.checkout_latest()
        if {f.name for f in missing} - set(table.schema.names):
            raise StoreError(f"cannot add columns to {table.name}: {exc}") from exc
