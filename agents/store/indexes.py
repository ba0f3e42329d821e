"""Indexes and upkeep: the first indexes of a table, row counts, index state, optimizing."""

from __future__ import annotations

import time as _time
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from lancedb.index import FTS, Bitmap, BTree, IvfPq

from agents.store import schema as S

if TYPE_CHECKING:
    from agents.store.tables import Tables


def first_indexes(name: str, table: Any) -> None:
    """The full-text and scalar indexes a table gets once it has rows."""
    wanted: list[tuple[str, str, Any]] = []
    if name == S.HISTORY_TABLE:
        wanted.append(("memory_id_idx", "memory_id", BTree()))
    else:
        wanted.append(("fts_idx", "fts", FTS(base_tokenizer="simple")))
        wanted.append(("time_idx", "time", BTree()))
        kind = S.KIND_COLUMN.get(name)
        if kind:
            wanted.append((f"{kind}_idx", kind, Bitmap()))
    for index_name, column, config in wanted:
        ensure_index(table, index_name, column, config)


def ensure_index(table: Any, index_name: str, column: str, config: Any) -> None:
    """Create an index unless it exists; another process may be creating it right now."""
    for attempt in range(6):
        if index_name in {idx.name for idx in table.list_indices()}:
            return
        try:
            # The column name is create_index's first argument in the config form.
            table.create_index(column, config=config, name=index_name, replace=False)
            return
        except (OSError, RuntimeError, ValueError) as exc:
            text = str(exc).lower()
            if "conflict" not in text and "already exists" not in text:
                raise
            _time.sleep(0.05 * (attempt + 1))
            table.checkout_latest()


# Versions older than this go at each optimize. Compaction rewrites a table's small
# fragments into a new file (the whole table, below a million rows), and the file it
# replaced stays while a version kept refers to it: the app optimizes hourly, so a day's
# window kept up to 24 copies of the frames table. Another process reads the latest
# version within store.read_consistency_s, and files of a write still in progress are
# never removed (LanceDB keeps unverified files for 7 days).
KEEP_VERSIONS = timedelta(hours=1)


class Upkeep:
    """Counting rows, reporting indexes and optimizing the tables."""

    def __init__(self, tables: Tables, *, vector_index_threshold: int) -> None:
        self._tables = tables
        self._vector_index_threshold = vector_index_threshold

    def counts(self) -> dict[str, int]:
        names = [t.value for t in S.MemoryType] + [
            S.TABLE[S.RecordType.CHAT],
            S.TABLE[S.RecordType.FRAME],
            S.HISTORY_TABLE,
        ]
        present = self._tables.names()
        return {n: (self._tables.table(n).count_rows() if n in present else 0) for n in names}

    def index_state(self) -> dict[str, list[dict[str, Any]]]:
        state: dict[str, list[dict[str, Any]]] = {}
        for name in sorted(self._tables.names()):
            table = self._tables.table(name)
            entries = []
            for idx in table.list_indices():
                stats = table.index_stats(idx.name)
                entries.append(
                    {
                        "name": idx.name,
                        "type": str(idx.index_type),
                        "columns": list(idx.columns),
                        "indexed_rows": getattr(stats, "num_indexed_rows", None),
                        "unindexed_rows": getattr(stats, "num_unindexed_rows", None),
                    }
                )
            state[name] = entries
        return state

    def optimize(self, *, progress: Callable[[str], None] | None = None) -> None:
        for name in sorted(self._tables.names()):
            table = self._tables.table(name)
            if progress:
                progress(name)
            rows = table.count_rows()
            has_vector = "vector" in table.schema.names and name != S.HISTORY_TABLE
            indexed = {idx.name for idx in table.list_indices()}
            if has_vector and rows >= self._vector_index_threshold and "vector_idx" not in indexed:
                partitions = min(1024, max(16, rows // 4096))
                dim = table.schema.field("vector").type.list_size
                config = IvfPq(
                    distance_type="cosine",
                    num_partitions=partitions,
                    num_sub_vectors=max(1, dim // 8),
                )
                table.create_index("vector", config=config, name="vector_idx")
            self._tables.commit(partial(table.optimize, cleanup_older_than=KEEP_VERSIONS))
