"""Which text model made each table's vectors, and re-embedding a table after a model change.

A record per table (:data:`~agents.store.schema.VECTOR_MODELS_SCHEMA`) names
the model of its vectors. When the text model changes, each table is marked
``pending`` the new model and re-embedded in id order, a batch per commit,
with its progress (``cursor``, ``done`` of ``total``) saved after every batch
so that another process, or the next start, carries on where it stopped.
Search uses a table's vectors only while its record names the current model
and nothing is pending: vectors of two models are never compared.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pyarrow as pa

from agents.store import schema as S
from agents.store.timeutil import now

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # table, done, total


@dataclass(frozen=True)
class VectorRecord:
    table: str
    model: str | None
    pending: str | None = None
    cursor: str | None = None
    done: int = 0
    total: int = 0

    def searchable_with(self, model_id: str) -> bool:
        return self.model == model_id and self.pending is None

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "pending": self.pending,
            "done": self.done,
            "total": self.total,
        }


class VectorModels:
    """The records, read through a short cache (they change only on a model change)."""

    def __init__(self, db: Any, *, ttl_s: float) -> None:
        self._db = db
        self._ttl = ttl_s
        self._lock = threading.Lock()
        self._table: Any = None
        self._cache: tuple[float, dict[str, VectorRecord]] | None = None

    def _open(self, *, create: bool) -> Any:
        if self._table is None:
            if S.VECTOR_MODELS_TABLE in set(self._db.list_tables().tables):
                self._table = self._db.open_table(S.VECTOR_MODELS_TABLE)
            elif create:
                self._table = self._db.create_table(
                    S.VECTOR_MODELS_TABLE, schema=S.VECTOR_MODELS_SCHEMA, exist_ok=True
                )
        return self._table

    def read(self, *, fresh: bool = False) -> dict[str, VectorRecord]:
        cached = self._cache
        if cached is not None and not fresh and time.monotonic() - cached[0] < self._ttl:
            return cached[1]
        table = self._open(create=False)
        records: dict[str, VectorRecord] = {}
        if table is not None:
            if fresh:
                table.checkout_latest()
            for row in table.to_arrow().to_pylist():
                records[row["table"]] = VectorRecord(
                    table=row["table"],
                    model=row["model"],
                    pending=row["pending"],
                    cursor=row["cursor"],
                    done=int(row["done"] or 0),
                    total=int(row["total"] or 0),
                )
        self._cache = (time.monotonic(), records)
        return records

    def write(self, record: VectorRecord, commit: Callable[[Callable[[], Any]], Any]) -> None:
        with self._lock:
            table = self._open(create=True)
            row = {
                "table": record.table,
                "model": record.model,
                "pending": record.pending,
                "cursor": record.cursor,
                "done": record.done,
                "total": record.total,
                "updated_at": now(),
            }
            data = pa.Table.from_pylist([row], schema=S.VECTOR_MODELS_SCHEMA)
            commit(
                lambda: (
                    table.merge_insert("table")
                    .when_matched_update_all()
                    .when_not_matched_insert_all()
                    .execute(data)
                )
            )
            records = dict(self._cache[1]) if self._cache else {}
            records[record.table] = record
            self._cache = (time.monotonic(), records)


def plan(
    record: VectorRecord | None, *, table: str, model_id: str, has_vectors: bool, rows: int
) -> VectorRecord | None:
    """The record a table should have for ``model_id``; None when it needs no change.

    A table without a record was made before records existed: its vectors are
    the legacy model's, or it has none and is the current model's from now on.
    """
    if record is None or record.model is None:
        made_by = S.LEGACY_TEXT_MODEL if has_vectors else model_id
        record = VectorRecord(table=table, model=made_by)
        if made_by == model_id:
            return record
    elif record.model == model_id and record.pending is None:
        return None
    elif record.pending == model_id:
        return None  # already being re-embedded to this model: carry on from its cursor
    # Otherwise re-embed every row; this includes switching back before a move to another
    # model finished (rows before its cursor may hold that other model's vectors).
    return replace(record, pending=model_id, cursor=None, done=0, total=rows)


def texts_of(table: str, rows: Sequence[dict[str, Any]]) -> list[str]:
    """The text each row's vector is made of (what the store embedded when it wrote it)."""
    if table == S.TABLE[S.RecordType.FRAME]:
        return [
            f"{r['app']} — {r['window_title']}\n{r['ocr_text']}".strip()
            if r["ocr_text"].strip()
            else ""
            for r in rows
        ]
    column = S.searched_column(table)
    return [r[column] or "" for r in rows]


def columns_of(table: str) -> list[str]:
    if table == S.TABLE[S.RecordType.FRAME]:
        return ["id", "text", "app", "window_title", "ocr_text"]
    return ["id", S.searched_column(table)]
