"""The memory store on LanceDB: one table per memory type, chat turns, frames and history.

Public verbs: :meth:`MemoryStore.add`, :meth:`~MemoryStore.get`,
:meth:`~MemoryStore.update`, :meth:`~MemoryStore.merge`,
:meth:`~MemoryStore.delete`, :meth:`~MemoryStore.search` and
:meth:`~MemoryStore.history`, plus the raw records (chat turns, frames) that
memories cite in their ``source_ids``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time as _time
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import CancelledError, Future
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import lancedb
import pyarrow as pa
from lancedb.index import FTS, Bitmap, BTree, IvfPq
from lancedb.query import MatchQuery

from agents.embeddings import ImageEmbedder, Lazy, TextEmbedder
from agents.errors import InvalidInput, NotFound, StoreError
from agents.store import schema as S
from agents.store.crypto import VaultCipher
from agents.store.locking import process_lock
from agents.store.sealing import Sealer
from agents.store.search import (
    Probe,
    SearchOptions,
    content_probe,
    fuse,
    merge_ranked,
    probes_for,
)
from agents.store.text import has_terms, index_text, query_text
from agents.store.timeutil import as_utc, now, sql_time
from agents.store.vectors import Progress, VectorModels, VectorRecord, columns_of, plan, texts_of

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_QUERY_CHARS = 4000
SEARCH_TIMEOUT_S = 120.0  # a search that takes this long is stuck, not slow
INDEX_CACHE_BYTES = 512 << 20  # bounds on LanceDB's caches (see MemoryStore.__init__)
METADATA_CACHE_BYTES = 64 << 20
_HIT_COLUMNS = ["id", "text", "source_ids", "time", "app"]
_FRAME_HIT_COLUMNS = [*_HIT_COLUMNS, "source_path"]
_CHAT_HIT_COLUMNS = [*_HIT_COLUMNS, "conversation_id", "role"]


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


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _in_list(column: str, values: Iterable[str]) -> str:
    return f"{column} IN ({', '.join(_quote(v) for v in values)})"


class _Reads:
    """Search queries through LanceDB's async API on one event-loop thread.

    The sync API costs a Python thread and several round trips to its own loop per
    query; a search here hands all its queries to LanceDB at once. The tables are
    moved to the latest version when this process wrote since they were last read
    (``generation``), and within the read-consistency interval otherwise.
    """

    def __init__(self, path: Path, read_consistency: timedelta, session: Any = None) -> None:
        self._path = str(path)
        self._read_consistency = read_consistency
        self._session = session
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="store-reads", daemon=True
        )
        self._thread.start()
        self._db: Any = None
        self._tables: dict[str, tuple[Any, int]] = {}
        self._closed = False

    def submit(self, coro: Any) -> Future[Any]:
        if self._closed:
            coro.close()
            raise StoreError("the memory store is closed")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    async def table(self, name: str, generation: int) -> Any:
        if self._db is None:
            self._db = await lancedb.connect_async(
                self._path, read_consistency_interval=self._read_consistency, session=self._session
            )
        known = self._tables.get(name)
        if known is None:
            table = await self._db.open_table(name)
        else:
            table, seen = known
            if seen != generation:
                await table.checkout_latest()
        self._tables[name] = (table, generation)
        return table

    def close(self) -> None:
        """Stop the loop; queries still running fail (StoreError), later ones are refused."""
        if self._closed:
            return
        self._closed = True

        async def cancel_all() -> None:
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        if self._loop.is_running():
            asyncio.run_coroutine_threadsafe(cancel_all(), self._loop).result(timeout=5)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._loop.close()


class MemoryStore:
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
        # LanceDB's caches default to 6 GB (indexes) and 1 GB (metadata) and fill with every
        # table version written: a process storing frames grew 271 MB -> 495 MB over 400
        # frames, still climbing; with these bounds 272 -> 336 MB, levelling off. Both
        # connections share them.
        session = lancedb.Session(
            index_cache_size_bytes=INDEX_CACHE_BYTES, metadata_cache_size_bytes=METADATA_CACHE_BYTES
        )
        self._db = lancedb.connect(
            str(self.path), read_consistency_interval=read_consistency, session=session
        )
        self._text = text_embedder
        self._image = image_embedder
        self._cipher = cipher
        self._vector_index_threshold = vector_index_threshold
        self._tables: dict[str, Any] = {}
        self._indexed: set[str] = set()  # tables whose first indexes exist
        self._lock = threading.Lock()
        self._reads = _Reads(self.path, read_consistency, session)
        self._generation = 0  # this process's writes, so that reads catch up with them
        self._closed = False
        # Core blocks are read before every answer and change rarely: kept for as long
        # as a reader may be stale anyway, and dropped at once on this store's own writes.
        self._core_ttl = read_consistency.total_seconds()
        self._core_cache: tuple[float, list[S.Memory]] | None = None
        # Which model made each table's vectors (see agents.store.vectors).
        self._vector_models = VectorModels(self._db, ttl_s=read_consistency.total_seconds())
        self._synced_model: str | None = None
        self._sync_lock = threading.Lock()
        self._reembed_in_background = reembed_in_background
        self._reembed_thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.reembed_progress: Progress | None = None  # called after each re-embedded batch
        # High-sensitivity values go to the vault before any other text is written.
        self._sealer = Sealer(self)
        self._migrate()

    # ---- tables ----------------------------------------------------------------------

    def _schema_for(self, name: str) -> pa.Schema:
        if name == S.HISTORY_TABLE:
            return S.HISTORY_SCHEMA
        if name == S.VECTOR_MODELS_TABLE:
            return S.VECTOR_MODELS_SCHEMA
        if name == S.TABLE[S.RecordType.CHAT]:
            return S.CHAT_SCHEMA
        if name == S.TABLE[S.RecordType.FRAME]:
            return S.FRAME_SCHEMA
        return S.memory_schema(S.MemoryType(name))

    def _table(self, name: str, *, schema: pa.Schema | None = None) -> Any:
        table = self._tables.get(name)
        if table is not None:
            return table
        exists = name in self._table_names()
        new_vectors = name in S.TEXT_VECTOR_TABLES and not exists
        embedder = self._text.get() if new_vectors else None
        with self._lock:
            if name not in self._tables and schema is None and name == S.CLIP_TABLE:
                self._tables[name] = self._db.open_table(name)  # its width is the model's
            if name not in self._tables:
                if exists and schema is None:
                    table = self._db.open_table(name)
                    # Add-only migration: a store made before a column was added.
                    _add_missing_columns(table, self._schema_for(name))
                else:
                    wanted = schema or self._schema_for(name)
                    try:
                        table = self._db.create_table(name, schema=wanted, exist_ok=True)
                    except ValueError as exc:  # made meanwhile, before a column was added
                        if "does not match" not in str(exc):
                            raise
                        table = self._db.open_table(name)
                        _add_missing_columns(table, wanted)
                self._tables[name] = table
        # A table made now holds the current model's vectors from its first row.
        if new_vectors and embedder and name not in self._vector_models.read(fresh=True):
            record = VectorRecord(table=name, model=embedder.model_id)
            self._vector_models.write(record, self._commit)
        return self._tables[name]

    def _existing(self, name: str) -> Any | None:
        """The table if it exists on disk (another process may have made it)."""
        if name in self._tables:
            return self._tables[name]
        if name not in self._table_names():
            return None
        return self._table(name)

    def _commit(self, op: Callable[[], T]) -> T:
        """Run a write (retried on conflicting commits) and let later reads see it."""
        if self._closed:  # a late writer must not touch a folder being moved, say
            raise StoreError("the memory store is closed")
        try:
            return _retry(op)
        finally:
            self._generation += 1

    def _table_names(self) -> set[str]:
        return set(self._db.list_tables().tables)

    def _after_write(self, name: str, table: Any) -> None:
        """Create the full-text and scalar indexes the first time a table has rows."""
        if name in self._indexed:
            return
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
            self._ensure_index(table, index_name, column, config)
        self._indexed.add(name)
        self._generation += 1

    def _ensure_index(self, table: Any, index_name: str, column: str, config: Any) -> None:
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

    # ---- embedding -------------------------------------------------------------------

    def _embed(self, texts: Sequence[str], *, query: bool = False) -> list[list[float] | None]:
        embedder = self._text.get()
        if embedder is None:
            return [None] * len(texts)
        self._sync_vectors(embedder)
        clipped = [t[:2000] for t in texts]
        vectors = embedder.embed_queries(clipped) if query else embedder.embed(clipped)
        return [v.tolist() for v in vectors]

    # ---- vectors follow the model ------------------------------------------------------

    def _sync_vectors(self, embedder: TextEmbedder) -> None:
        """Once per model: mark tables whose vectors another model made, and re-embed them."""
        if self._synced_model == embedder.model_id:
            return
        with self._sync_lock:
            if self._synced_model == embedder.model_id:
                return
            records = self._vector_models.read(fresh=True)
            present = self._table_names()
            stale = False
            for name in S.TEXT_VECTOR_TABLES:
                if name not in present:
                    continue
                record = records.get(name)
                if record is not None and record.searchable_with(embedder.model_id):
                    continue
                table = self._table(name)
                change = plan(
                    record,
                    table=name,
                    model_id=embedder.model_id,
                    has_vectors=table.count_rows("vector IS NOT NULL") > 0,
                    rows=table.count_rows(),
                )
                if change is not None:
                    self._vector_models.write(change, self._commit)
                    record = change
                if record is not None and record.pending == embedder.model_id:
                    stale = True
                    log.info(
                        "%s: vectors were made by %s; re-embedding with %s",
                        name,
                        record.model,
                        embedder.model_id,
                    )
            self._synced_model = embedder.model_id
        if stale and self._reembed_in_background:
            self.start_reembedding()

    def _searchable_vector_tables(self, model_id: str) -> set[str]:
        records = self._vector_models.read()
        return {name for name, rec in records.items() if rec.searchable_with(model_id)}

    def vector_state(self) -> dict[str, dict[str, Any]]:
        """Per table with text vectors: the model that made them and any re-embedding under way."""
        return {n: r.to_json() for n, r in sorted(self._vector_models.read(fresh=True).items())}

    def start_reembedding(self) -> threading.Thread | None:
        """Re-embed stale tables on a background thread (one at a time); returns it."""
        with self._sync_lock:
            running = self._reembed_thread
            if running is not None and running.is_alive():
                return running
            if self._closed:
                return None
            thread = threading.Thread(target=self._reembed_quietly, name="reembed", daemon=True)
            self._reembed_thread = thread
            thread.start()
            return thread

    def _reembed_quietly(self) -> None:
        try:
            self.reembed()
        except Exception:  # noqa: BLE001 - a background job logs and stops; the next start resumes
            log.exception("re-embedding stopped; it resumes on the next start")

    def reembed(self, *, batch: int = 32) -> int:
        """Re-embed every table marked pending the current model; returns rows re-embedded.

        Stops between batches when the store closes; progress is saved after each
        batch (and reported to :attr:`reembed_progress`), so a later call resumes.
        """
        embedder = self._text.get()
        if embedder is None:
            return 0
        self._sync_vectors(embedder)
        model_id = embedder.model_id
        total_done = 0
        for name, record in sorted(self._vector_models.read(fresh=True).items()):
            if record.pending != model_id:
                continue
            table = self._table(name)
            query = table.search()
            if record.cursor is not None:
                query = query.where(f"id > {_quote(record.cursor)}")
            # Ids first (small), then each batch's texts: memory stays bounded on big tables.
            ids = query.select(["id"]).limit(None).to_arrow().column("id").to_pylist()
            ids.sort()
            done = record.done
            for start in range(0, len(ids), batch):
                if self._stop.is_set():
                    return total_done
                found = _rows_by_id(table, ids[start : start + batch], columns=columns_of(name))
                chunk = [found[i] for i in ids[start : start + batch] if i in found]
                if not chunk:
                    continue
                texts = texts_of(name, chunk)
                keep = [i for i, t in enumerate(texts) if t.strip()]
                if keep:
                    vectors = embedder.embed([texts[i][:2000] for i in keep])
                    data = pa.table(
                        {
                            "id": [chunk[i]["id"] for i in keep],
                            "text": [chunk[i]["text"] for i in keep],
                            "vector": pa.array(
                                [v.tolist() for v in vectors],
                                type=pa.list_(pa.float32(), embedder.dim),
                            ),
                        }
                    )
                    # A row changed meanwhile got its new text's vector then: leave it.
                    self._commit(partial(_update_vectors, table, data))
                done += len(chunk)
                total_done += len(chunk)
                record = replace(record, cursor=chunk[-1]["id"], done=done)
                self._vector_models.write(record, self._commit)
                if self.reembed_progress is not None:
                    self.reembed_progress(name, done, max(record.total, done))
            finished = replace(record, model=model_id, pending=None, cursor=None)
            self._vector_models.write(finished, self._commit)
            log.info("%s: %d rows re-embedded with %s", name, done, model_id)
        return total_done

    def fingerprint(self, value: str) -> str:
        """A keyed digest of a (secret) value, to recognise it again without storing it."""
        return self._cipher.fingerprint(value)

    @property
    def text_embedder_available(self) -> bool:
        return self._text.get() is not None

    # ---- memories --------------------------------------------------------------------

    def _data_to_row(self, mtype: S.MemoryType, mid: str, data: S.MemoryData) -> dict[str, Any]:
        row = data.model_dump()
        if isinstance(data, S.VaultData):
            row["secret_value"] = self._cipher.encrypt(data.secret_value, context=mid)
        if isinstance(data, S.EpisodicData) and data.occurred_at is not None:
            row["occurred_at"] = as_utc(data.occurred_at)
        return row

    def _row_to_memory(self, mtype: S.MemoryType, row: Mapping[str, Any]) -> S.Memory:
        fields = {name: row[name] for name in S.data_columns(mtype)}
        if mtype is S.MemoryType.KNOWLEDGE_VAULT:
            fields["secret_value"] = self._cipher.decrypt(fields["secret_value"], context=row["id"])
        data = S.DATA_MODEL[mtype].model_validate(fields)
        return S.Memory(
            id=row["id"],
            type=mtype,
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            time=row["time"],
            app=row["app"],
            source_ids=list(row["source_ids"] or []),
            text=row["text"],
            data=data,  # type: ignore[arg-type]
        )

    def _validate(self, mtype: S.MemoryType, data: S.MemoryData | Mapping[str, Any]) -> Any:
        model = S.DATA_MODEL[mtype]
        if isinstance(data, model):
            return data
        payload = data.model_dump() if hasattr(data, "model_dump") else dict(data)
        try:
            return model.model_validate(payload)
        except ValueError as exc:
            raise InvalidInput(f"invalid {mtype.value} memory: {_first_error(exc)}") from None

    def _memory_row(
        self,
        mtype: S.MemoryType,
        mid: str,
        data: Any,
        *,
        created_at: datetime,
        app: str | None,
        source_ids: Sequence[str],
        vector: list[float] | None,
        when: datetime | None = None,
    ) -> dict[str, Any]:
        text = data.search_text()
        stamp = now()
        if isinstance(data, S.EpisodicData) and data.occurred_at is not None:
            when = as_utc(data.occurred_at)
        return {
            "id": mid,
            "created_at": created_at,
            "updated_at": stamp,
            "time": when or created_at,
            "app": app,
            "source_ids": sorted(set(source_ids)),
            "text": text,
            "fts": index_text(text),
            "vector": vector,
            **self._data_to_row(mtype, mid, data),
        }

    def add(
        self,
        memory_type: S.MemoryType | str,
        data: S.MemoryData | Mapping[str, Any],
        *,
        source_ids: Sequence[str] = (),
        app: str | None = None,
        actor: str = "user",
        memory_id: str | None = None,
    ) -> S.Memory:
        """Store a new memory and its history row; returns it.

        Raises InvalidInput when the data does not fit the type. ``memory_id`` makes
        the insert idempotent: adding an id that exists returns the stored memory.
        """
        mtype = _memory_type(memory_type)
        valid = self._validate(mtype, data)
        mid = memory_id or f"{S.ID_PREFIX[mtype]}_{uuid.uuid4().hex}"
        if memory_id is not None:
            if not mid.startswith(S.ID_PREFIX[mtype] + "_"):
                raise InvalidInput(f"a {mtype.value} id must start with {S.ID_PREFIX[mtype]}_")
            try:
                return self.get(mid)
            except NotFound:
                pass
        valid = self._sealer.memory(mtype, valid, source_ids=source_ids, app=app, actor=actor)
        stamp = now()
        row = self._memory_row(
            mtype,
            mid,
            valid,
            created_at=stamp,
            app=app,
            source_ids=source_ids,
            vector=self._embed([valid.search_text()])[0],
        )
        table = self._table(mtype.value)
        self._commit(lambda: table.merge_insert("id").when_not_matched_insert_all().execute([row]))
        self._after_write(mtype.value, table)
        memory = self._row_to_memory(mtype, row)
        self._record(memory.id, mtype, "insert", actor, None, self._stored_view(memory))
        return memory

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
        mtype = _memory_type(memory_type)
        valid = []
        for number, item in enumerate(items):
            try:
                valid.append(self._validate(mtype, item))
            except InvalidInput as exc:
                raise InvalidInput(f"item {number}: {exc}") from None
        if source_ids is not None and len(source_ids) != len(valid):
            raise InvalidInput("source_ids must have one list per item")
        if vectors is not None and len(vectors) != len(valid):
            raise InvalidInput("vectors must have one vector per item")
        valid = [
            self._sealer.memory(
                mtype,
                data,
                source_ids=source_ids[i] if source_ids is not None else (),
                app=app,
                actor=actor,
            )
            for i, data in enumerate(valid)
        ]
        stamp = now()
        texts = [v.search_text() for v in valid]
        embedded = (
            [list(map(float, v)) for v in vectors] if vectors is not None else self._embed(texts)
        )
        rows = []
        for i, (data, vec) in enumerate(zip(valid, embedded, strict=True)):
            mid = f"{S.ID_PREFIX[mtype]}_{uuid.uuid4().hex}"
            sources = source_ids[i] if source_ids is not None else ()
            rows.append(
                self._memory_row(
                    mtype, mid, data, created_at=stamp, app=app, source_ids=sources, vector=vec
                )
            )
        if not rows:
            return []
        table = self._table(mtype.value)
        self._commit(lambda: table.add(rows))
        self._after_write(mtype.value, table)
        self._record_many(
            [
                (
                    r["id"],
                    mtype,
                    "insert",
                    actor,
                    None,
                    self._stored_view(self._row_to_memory(mtype, r)),
                )
                for r in rows
            ]
        )
        return [r["id"] for r in rows]

    def get(self, memory_id: str) -> S.Memory:
        """Return the memory with this id; raises NotFound."""
        mtype = _type_of_id(memory_id)
        table = self._existing(mtype.value)
        if table is None:
            raise NotFound(f"no memory with id {memory_id!r}")
        rows = table.search().where(f"id = {_quote(memory_id)}").limit(1).to_list()
        if not rows:
            raise NotFound(f"no memory with id {memory_id!r}")
        return self._row_to_memory(mtype, rows[0])

    def core_blocks(self) -> list[S.Memory]:
        """The core blocks (``human``, ``persona``, ...), newest first."""
        cached = self._core_cache
        if cached is not None and _time.monotonic() - cached[0] < self._core_ttl:
            return list(cached[1])
        blocks = self.list_memories(S.MemoryType.CORE)
        self._core_cache = (_time.monotonic(), blocks)
        return list(blocks)

    def get_many(self, memory_ids: Sequence[str]) -> list[S.Memory]:
        """The memories with these ids, in the order asked; unknown ids are left out."""
        by_type: dict[S.MemoryType, list[str]] = {}
        for mid in memory_ids:
            try:
                by_type.setdefault(_type_of_id(mid), []).append(mid)
            except NotFound:
                continue
        found: dict[str, S.Memory] = {}
        for mtype, ids in by_type.items():
            for mid, row in _rows_by_id(self._existing(mtype.value), ids).items():
                found[mid] = self._row_to_memory(mtype, row)
        return [found[m] for m in memory_ids if m in found]

    def list_memories(
        self, memory_type: S.MemoryType | str, *, limit: int = 1000
    ) -> list[S.Memory]:
        """Memories of one type, newest first (at most ``limit``)."""
        mtype = _memory_type(memory_type)
        table = self._existing(mtype.value)
        if table is None:
            return []
        rows = table.search().limit(None).to_list()
        rows.sort(key=lambda r: r["time"], reverse=True)
        return [self._row_to_memory(mtype, r) for r in rows[:limit]]

    def update(
        self,
        memory_id: str,
        changes: Mapping[str, Any],
        *,
        source_ids: Sequence[str] = (),
        actor: str = "user",
    ) -> S.Memory:
        """Change fields of a memory (and add source ids); raises NotFound or InvalidInput."""
        old = self.get(memory_id)
        return self._rewrite(old, changes, source_ids=source_ids, actor=actor, op="update")

    def _rewrite(
        self,
        old: S.Memory,
        changes: Mapping[str, Any],
        *,
        source_ids: Sequence[str],
        actor: str,
        op: str,
    ) -> S.Memory:
        mtype = old.type
        unknown = set(changes) - set(S.data_columns(mtype))
        if unknown:
            raise InvalidInput(f"{mtype.value} memories have no field {', '.join(sorted(unknown))}")
        merged = {**old.data.model_dump(), **changes}
        valid = self._validate(mtype, merged)
        valid = self._sealer.memory(
            mtype, valid, source_ids=[*old.source_ids, *source_ids], app=old.app, actor=actor
        )
        row = self._memory_row(
            mtype,
            old.id,
            valid,
            created_at=old.created_at,
            app=old.app,
            source_ids=[*old.source_ids, *source_ids],
            vector=self._embed([valid.search_text()])[0],
            when=old.time,
        )
        table = self._table(mtype.value)
        self._commit(lambda: table.merge_insert("id").when_matched_update_all().execute([row]))
        new = self._row_to_memory(mtype, row)
        self._record(old.id, mtype, op, actor, self._stored_view(old), self._stored_view(new))
        return new

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
        keep = self.get(keep_id)
        others = [self.get(oid) for oid in other_ids if oid != keep_id]
        for other in others:
            if other.type is not keep.type:
                raise InvalidInput(f"cannot merge a {other.type.value} into a {keep.type.value}")
        sources = [sid for other in others for sid in other.source_ids]
        merged = self._rewrite(keep, changes or {}, source_ids=sources, actor=actor, op="merge")
        table = self._table(keep.type.value)
        for other in others:
            self._commit(partial(table.delete, f"id = {_quote(other.id)}"))
            self._record(
                other.id,
                keep.type,
                "merge",
                actor,
                self._stored_view(other),
                {"merged_into": keep.id},
            )
        return merged

    def add_sources(
        self, memory_id: str, source_ids: Sequence[str], *, actor: str = "user"
    ) -> S.Memory:
        """Cite more sources in a memory (nothing is written when it cites them all already)."""
        memory = self.get(memory_id)
        if set(source_ids) <= set(memory.source_ids):
            return memory
        return self._rewrite(memory, {}, source_ids=source_ids, actor=actor, op="update")

    def delete(self, memory_id: str, *, actor: str = "user") -> None:
        """Delete a memory (its history stays); raises NotFound."""
        old = self.get(memory_id)
        table = self._table(old.type.value)
        self._commit(lambda: table.delete(f"id = {_quote(memory_id)}"))
        self._record(memory_id, old.type, "delete", actor, self._stored_view(old), None)

    # ---- history ---------------------------------------------------------------------

    def _stored_view(self, memory: S.Memory) -> dict[str, Any]:
        """A memory as history keeps it (old and new alike): the vault secret stays encrypted."""
        view = memory.model_dump(mode="json")
        if memory.type is S.MemoryType.KNOWLEDGE_VAULT:
            view["data"]["secret_value"] = self._cipher.encrypt(
                view["data"]["secret_value"], context=memory.id
            )
        return view

    def _record(
        self,
        memory_id: str,
        mtype: S.MemoryType,
        op: str,
        actor: str,
        old: Mapping[str, Any] | None,
        new: Mapping[str, Any] | None,
    ) -> None:
        self._record_many([(memory_id, mtype, op, actor, old, new)])

    def _record_many(
        self,
        changes: Sequence[
            tuple[str, S.MemoryType, str, str, Mapping[str, Any] | None, Mapping[str, Any] | None]
        ],
    ) -> None:
        """Append history rows: (memory id, type, op, actor, old value, new value)."""
        if any(change[1] is S.MemoryType.CORE for change in changes):
            self._core_cache = None

        def dump(value: Mapping[str, Any] | None) -> str | None:
            if value is None:
                return None
            return json.dumps(value, ensure_ascii=False)

        stamp = now()
        entries = [
            {
                "id": uuid.uuid4().hex,
                "memory_id": memory_id,
                "memory_type": mtype.value,
                "op": op,
                "actor": actor,
                "at": stamp,
                "old": dump(old),
                "new": dump(new),
            }
            for memory_id, mtype, op, actor, old, new in changes
        ]
        table = self._table(S.HISTORY_TABLE)
        self._commit(lambda: table.add(entries))
        self._after_write(S.HISTORY_TABLE, table)

    def history(self, memory_id: str | None = None, *, limit: int = 100) -> list[S.HistoryEntry]:
        """History rows, newest first; for one memory when ``memory_id`` is given."""
        table = self._existing(S.HISTORY_TABLE)
        if table is None:
            return []
        query = table.search()
        if memory_id is not None:
            query = query.where(f"memory_id = {_quote(memory_id)}")
        rows = query.limit(None).to_list()
        rows.sort(key=lambda r: r["at"], reverse=True)
        return [
            S.HistoryEntry(
                id=r["id"],
                memory_id=r["memory_id"],
                memory_type=r["memory_type"],
                op=r["op"],
                actor=r["actor"],
                at=r["at"],
                old=json.loads(r["old"]) if r["old"] else None,
                new=json.loads(r["new"]) if r["new"] else None,
            )
            for r in rows[:limit]
        ]

    # ---- chat turns and frames -------------------------------------------------------

    def add_chat_turns(self, turns: Sequence[S.ChatTurn]) -> int:
        """Store chat turns under their own ids; turns already stored are skipped.

        Returns how many were new.
        """
        if not turns:
            return 0
        name = S.TABLE[S.RecordType.CHAT]
        table = self._table(name)
        ids = list(dict.fromkeys(t.id for t in turns))
        existing: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = table.search().where(_in_list("id", chunk)).select(["id"]).limit(None)
            existing.update(r["id"] for r in rows.to_list())
        seen: set[str] = set()
        fresh = []
        for t in turns:
            if t.id in existing or t.id in seen:
                continue
            seen.add(t.id)
            fresh.append(t)
        if not fresh:
            return 0
        fresh = [self._sealer.turn(t) for t in fresh]
        # A turn is indexed for full-text with the turn before it: a short answer
        # ("yes, last Friday") is found by the words of the question it answers.
        # Its own words are written twice so that it still outranks the turn after it,
        # which carries it as context. Its vector is of the turn alone (context there
        # blurred the meaning).
        context = _previous_turns(fresh, self._last_turns(table, fresh))
        vectors = self._embed([t.search_text() for t in fresh])
        stamp = now()
        rows = [
            {
                "id": t.id,
                "created_at": t.created_at,
                "updated_at": stamp,
                "time": t.created_at,
                "app": None,
                "source_ids": [t.id],
                "text": t.search_text(),
                "fts": index_text(f"{context.get(t.id, '')}\n{t.search_text()}\n{t.search_text()}"),
                "vector": vec,
                "conversation_id": t.conversation_id,
                "role": t.speaker,
                "content": t.text,
                "image_caption": t.image_caption,
            }
            for t, vec in zip(fresh, vectors, strict=True)
        ]
        result = self._commit(
            lambda: table.merge_insert("id").when_not_matched_insert_all().execute(rows)
        )
        self._after_write(name, table)
        return int(getattr(result, "num_inserted_rows", len(rows)))

    def _last_turns(self, table: Any, turns: Sequence[S.ChatTurn]) -> dict[str, str]:
        """Per conversation, the stored turn just before the earliest of ``turns``."""
        first: dict[str, datetime] = {}
        for t in turns:
            if t.conversation_id not in first or t.created_at < first[t.conversation_id]:
                first[t.conversation_id] = t.created_at
        out: dict[str, str] = {}
        for conv, start in first.items():
            rows = (
                table.search()
                .where(f"conversation_id = {_quote(conv)} AND time < {sql_time(start)}")
                .select(["text", "time"])
                .limit(None)
                .to_list()
            )
            if rows:
                out[conv] = max(rows, key=lambda r: r["time"])["text"]
        return out

    def add_frame(self, frame: S.Frame, *, clip_vector: Sequence[float] | None = None) -> None:
        """Store one frame's row (the image file is written by the caller)."""
        name = S.TABLE[S.RecordType.FRAME]
        table = self._table(name)
        if frame.ocr_text:
            frame = frame.model_copy(
                update={"ocr_text": self._sealer.frame_text(frame, frame.ocr_text)}
            )
        text = frame.search_text()
        row = {
            "id": frame.id,
            "created_at": now(),
            "updated_at": now(),
            "time": as_utc(frame.captured_at),
            "app": frame.app,
            "source_ids": [frame.id],
            "text": frame.ocr_text,
            "fts": index_text(text),
            "vector": self._embed([text])[0] if frame.ocr_text.strip() else None,
            **frame.model_dump(exclude={"id", "app", "focus_box"}),
            "focus_box": ",".join(map(str, frame.focus_box)) if frame.focus_box else None,
        }
        row["captured_at"] = as_utc(frame.captured_at)
        self._commit(lambda: table.merge_insert("id").when_not_matched_insert_all().execute([row]))
        self._after_write(name, table)
        if clip_vector is not None:
            self._add_clip(frame, clip_vector)

    def frame(self, frame_id: str) -> S.Frame:
        """The stored frame with this id; raises NotFound."""
        table = self._existing(S.TABLE[S.RecordType.FRAME])
        rows = (
            table.search().where(f"id = {_quote(frame_id)}").limit(1).to_list()
            if table is not None
            else []
        )
        if not rows:
            raise NotFound(f"no frame with id {frame_id!r}")
        return _frame_from_row(rows[0])

    def set_frame_text(
        self, frame_id: str, ocr_text: str, *, clip_vector: Sequence[float] | None = None
    ) -> S.Frame:
        """Record a frame's OCR text (and its text vector, and CLIP vector when given)."""
        stored = self.frame(frame_id)
        ocr_text = self._sealer.frame_text(stored, ocr_text)
        frame = stored.model_copy(update={"ocr_text": ocr_text})
        table = self._table(S.TABLE[S.RecordType.FRAME])
        text = frame.search_text()
        values = {
            "ocr_text": ocr_text,
            "text": ocr_text,
            "fts": index_text(text),
            "vector": self._embed([text])[0] if ocr_text.strip() else None,
            "updated_at": now(),
        }
        self._commit(partial(table.update, where=f"id = {_quote(frame_id)}", values=values))
        if clip_vector is not None:
            self._add_clip(frame, clip_vector)
        return frame

    def _add_clip(self, frame: S.Frame, vector: Sequence[float]) -> None:
        embedder = self._image.get() if self._image is not None else None
        clip = self._table(S.CLIP_TABLE, schema=S.clip_schema(len(vector)))
        row = {
            "id": frame.id,
            "time": as_utc(frame.captured_at),
            "app": frame.app,
            "model": embedder.name if embedder else "unknown",
            "vector": list(map(float, vector)),
        }
        self._commit(lambda: clip.merge_insert("id").when_not_matched_insert_all().execute([row]))

    def catch_up(self) -> None:
        """See other processes' latest writes now, not after the read-consistency interval."""
        for table in list(self._tables.values()):
            table.checkout_latest()

    def frames(self, ids: Sequence[str]) -> list[S.Frame]:
        """The stored frames among ``ids``, in the order asked (missing ones are left out)."""
        rows = _rows_by_id(self._existing(S.TABLE[S.RecordType.FRAME]), ids)
        return [_frame_from_row(rows[i]) for i in ids if i in rows]

    def chat_turns(self, ids: Sequence[str]) -> list[S.ChatTurn]:
        """The stored chat turns among ``ids``, in the order asked (missing ones are left out)."""
        table = self._existing(S.TABLE[S.RecordType.CHAT])
        rows = _rows_by_id(table, ids, columns=_TURN_COLUMNS)
        return [_turn_from_row(rows[i]) for i in ids if i in rows]

    def conversation(self, conversation_id: str, *, limit: int = 20) -> list[S.ChatTurn]:
        """The last ``limit`` turns of a conversation, oldest first."""
        table = self._existing(S.TABLE[S.RecordType.CHAT])
        if table is None:
            return []
        rows = (
            table.search()
            .where(f"conversation_id = {_quote(conversation_id)}")
            .select(_TURN_COLUMNS)
            .limit(None)
            .to_list()
        )
        rows.sort(key=lambda r: (r["time"], r["id"]))
        return [_turn_from_row(r) for r in rows[-limit:]]

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
        mtype = _memory_type(memory_type)
        table = self._existing(mtype.value)
        if table is None:
            return []
        where = f"time >= {sql_time(since)} AND time <= {sql_time(until)}"
        if app is not None:
            where += f" AND app = {_quote(app)}"
        rows = table.search().where(where).limit(None).to_list()
        rows.sort(key=lambda r: r["time"], reverse=True)
        return [self._row_to_memory(mtype, r) for r in rows[:limit]]

    def frame_rows(self, where: str | None = None) -> list[dict[str, Any]]:
        """id, time, created_at, size_bytes and image_path of frames, oldest (captured) first."""
        table = self._existing(S.TABLE[S.RecordType.FRAME])
        if table is None:
            return []
        query = table.search()
        if where:
            query = query.where(where)
        rows: list[dict[str, Any]] = (
            query.select(["id", "time", "created_at", "size_bytes", "image_path"])
            .limit(None)
            .to_list()
        )
        rows.sort(key=lambda r: r["time"])
        return rows

    def recent_frames(
        self, app: str, since: datetime, until: datetime, *, limit: int = 50
    ) -> list[S.Frame]:
        """The last ``limit`` frames of ``app`` captured in [since, until), oldest first."""
        where = f"app = {_quote(app)} AND time >= {sql_time(since)} AND time < {sql_time(until)}"
        ids = [row["id"] for row in self.frame_rows(where)][-limit:]
        return self.frames(ids)

    def frames_since(self, since: datetime) -> list[dict[str, Any]]:
        return self.frame_rows(f"time >= {sql_time(since)}")

    def delete_frames(self, ids: Sequence[str]) -> None:
        """Delete frame rows and their CLIP vectors (image files are the caller's)."""
        present = self._table_names()
        for name in (S.TABLE[S.RecordType.FRAME], S.CLIP_TABLE):
            if name not in present:
                continue
            table = self._table(name)
            for start in range(0, len(ids), 500):
                where = _in_list("id", ids[start : start + 500])
                self._commit(partial(table.delete, where))

    def memories_only_from(self, source_ids: Iterable[str]) -> list[str]:
        """Ids of memories all of whose sources are among ``source_ids``."""
        sources = set(source_ids)
        found = []
        present = self._table_names()
        for mtype in S.MemoryType:
            if mtype.value not in present:
                continue
            rows = self._table(mtype.value).search().select(["id", "source_ids"]).limit(None)
            for row in rows.to_list():
                cited = set(row["source_ids"] or [])
                if cited and cited <= sources:
                    found.append(row["id"])
        return found

    # ---- search ----------------------------------------------------------------------

    def embed_query(self, query: str) -> list[float] | None:
        """The text vector of a query (None without a text model), to reuse across searches."""
        return self._embed([query.strip()], query=True)[0]

    def search(
        self,
        query: str,
        options: SearchOptions | None = None,
        *,
        query_vector: Sequence[float] | None = None,
    ) -> list[S.SearchHit]:
        """Hybrid search over the chosen types; raises InvalidInput for an empty or huge query.

        Full-text (BM25) and text-vector hits are ranked per retriever across
        tables and fused by reciprocal rank fusion; frames are also found by CLIP
        when an image model is available. ``query_vector`` (from :meth:`embed_query`)
        saves embedding the query again when one question runs several searches.
        """
        opts = options or SearchOptions()
        rankings = self.search_rankings(query, opts, query_vector=query_vector)
        fused = fuse(rankings, opts, query=query)[: opts.k]
        return [self._hit(c.table, c.row, c.score) for c in fused]

    def search_rankings(
        self,
        query: str,
        opts: SearchOptions,
        *,
        query_vector: Sequence[float] | None = None,
    ) -> dict[str, list[tuple[str, dict[str, Any]]]]:
        """The rankings :meth:`search` fuses: per retriever, (table, row) best first.

        Besides "fts", "vector" and "clip" for the query, "fts:time" and
        "vector:time" are taken within the time the query names
        (agents/store/query.py) when ``time_weight`` is above 0, and
        "fts:content" and "vector:content" for the query without the names of
        the speakers it names (found among the first rankings' turns) when
        ``content_weight`` is above 0.
        """
        query = query.strip()
        if not query:
            raise InvalidInput("the search query is empty")
        if len(query) > MAX_QUERY_CHARS:
            raise InvalidInput(
                f"the search query is {len(query):,} characters; the limit is {MAX_QUERY_CHARS:,}"
            )
        if opts.k < 1:
            raise InvalidInput("k must be at least 1")
        if opts.since and opts.until and opts.since > opts.until:
            raise InvalidInput("--since is after --until")
        if opts.per_table is not None and opts.per_table < 1:
            raise InvalidInput("per_table must be at least 1")
        types = (
            [S.parse_type(t) for t in opts.types]
            if opts.types
            else [S.parse_type(t) for t in S.ALL_SEARCH_TYPES]
        )
        present = self._table_names()
        tables = [S.TABLE[t] for t in types if S.TABLE[t] in present]
        if not tables:
            return {}
        rankings = self._take(
            probes_for(query, opts, now()), tables, present, opts, query_vector=query_vector
        )
        content = content_probe(query, opts, rankings)
        if content is not None:  # a second round: the speakers named are known now
            rankings.update(self._take([content], tables, present, opts))
        return rankings

    def _take(
        self,
        probes: Sequence[Probe],
        tables: list[str],
        present: set[str],
        opts: SearchOptions,
        *,
        query_vector: Sequence[float] | None = None,
    ) -> dict[str, list[tuple[str, dict[str, Any]]]]:
        """The rankings of ``probes`` (the first is the query itself, which CLIP also takes)."""
        query = probes[0].text
        limit = max(opts.candidates, opts.k)
        each = min(opts.per_table or limit, limit)
        generation = self._generation
        wanted = {name for name, weight in opts.weights.items() if weight > 0}
        vault = S.TABLE[S.MemoryType.KNOWLEDGE_VAULT]
        jobs: dict[str, tuple[list[str], Future[list[list[dict[str, Any]]]]]] = {}
        # Full-text queries start first: they run while the query is embedded.
        for probe in probes:
            where = {n: _filter(probe.options, vault=n == vault) for n in tables}
            fts_query = query_text(probe.text)
            if "fts" in wanted and has_terms(fts_query):
                jobs["fts" + probe.suffix] = (
                    tables,
                    self._reads.submit(
                        # A list, not a generator: the loop rebinds ``where`` and ``fts_query``.
                        _gather(
                            [self._fts(n, fts_query, where[n], each, generation) for n in tables]
                        )
                    ),
                )
        vectors: dict[str, list[float] | None] = {}
        if "vector" in wanted:
            for probe in probes:
                if probe.text in vectors:
                    continue
                given = query_vector if probe.text == query else None
                embedded = given if given is not None else self.embed_query(probe.text)
                vectors[probe.text] = list(embedded) if embedded is not None else None
        # Only tables whose vectors the current model made: never two models' vectors.
        embedder = self._text.get() if any(vectors.values()) else None
        searchable = self._searchable_vector_tables(embedder.model_id) if embedder else set()
        vector_tables = [n for n in tables if n in searchable]
        for probe in probes:
            vector = vectors.get(probe.text)
            if vector is not None and vector_tables:
                where = {n: _filter(probe.options, vault=n == vault) for n in vector_tables}
                jobs["vector" + probe.suffix] = (
                    vector_tables,
                    self._reads.submit(
                        _gather(
                            [
                                self._vector(n, vector, where[n], each, generation)
                                for n in vector_tables
                            ]
                        )
                    ),
                )
        frame_table = S.TABLE[S.RecordType.FRAME]
        if (
            "clip" in wanted
            and probes[0].suffix == ""
            and frame_table in tables
            and S.CLIP_TABLE in present
            and self._image is not None
        ):
            image = self._image.get()
            if image is not None:
                qvec = image.embed_texts([query])[0].tolist()
                where_frames = _filter(opts)
                jobs["clip"] = (
                    [frame_table],
                    self._reads.submit(_gather([self._clip(qvec, where_frames, each, generation)])),
                )
        rankings = {}
        for retriever, (names, future) in jobs.items():
            try:
                found = future.result(timeout=SEARCH_TIMEOUT_S)
            except (CancelledError, TimeoutError) as exc:
                raise StoreError(f"the search did not finish ({type(exc).__name__})") from exc
            if retriever == "clip":
                results = [(frame_table, self._frame_rows(found[0]))]
            else:
                results = list(zip(names, found, strict=True))
            rankings[retriever] = merge_ranked(
                results,
                key="_score" if retriever.startswith("fts") else "_distance",
                descending=retriever.startswith("fts"),
                limit=limit,
            )
        return rankings

    async def _fts(
        self, name: str, q: str, where: str | None, limit: int, generation: int
    ) -> list[dict[str, Any]]:
        cols = _hit_columns(name)
        table = await self._reads.table(name, generation)
        query = table.query().nearest_to_text(MatchQuery(q, "fts"))  # type: ignore[call-arg]
        if where:
            query = query.where(where)
        return await _rows(query.select([*cols, "_score"]).limit(limit))

    async def _vector(
        self, name: str, vector: list[float], where: str | None, limit: int, generation: int
    ) -> list[dict[str, Any]]:
        cols = _hit_columns(name)
        table = await self._reads.table(name, generation)
        query = table.query().nearest_to(vector).column("vector").distance_type("cosine")
        query = query.nprobes(24).refine_factor(4)
        if where:
            query = query.where(where)
        return await _rows(query.select([*cols, "_distance"]).limit(limit))

    async def _clip(
        self, vector: list[float], where: str | None, limit: int, generation: int
    ) -> list[dict[str, Any]]:
        table = await self._reads.table(S.CLIP_TABLE, generation)
        query = table.query().nearest_to(vector).column("vector").distance_type("cosine")
        if where:  # the CLIP table carries the frames' time and app for the same filters
            query = query.where(where)
        return await _rows(query.select(["id", "_distance"]).limit(limit))

    def _frame_rows(self, hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not hits:
            return []
        table = self._table(S.TABLE[S.RecordType.FRAME])
        ids = [h["id"] for h in hits]
        rows = table.search().where(_in_list("id", ids)).select(_FRAME_HIT_COLUMNS).limit(None)
        by_id = {r["id"]: r for r in rows.to_list()}
        return [{**by_id[h["id"]], "_distance": h["_distance"]} for h in hits if h["id"] in by_id]

    def _hit(self, table: str, row: Mapping[str, Any], score: float) -> S.SearchHit:
        kind = {S.TABLE[S.RecordType.CHAT]: "chat", S.TABLE[S.RecordType.FRAME]: "frame"}
        return S.SearchHit(
            id=row["id"],
            type=kind.get(table, table),
            score=score,
            text=row["text"],
            source_ids=list(row.get("source_ids") or []),
            time=row["time"],
            app=row.get("app"),
            source_path=row.get("source_path"),
        )

    # ---- maintenance -----------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Rows per table (tables not yet created count 0)."""
        names = [t.value for t in S.MemoryType] + [
            S.TABLE[S.RecordType.CHAT],
            S.TABLE[S.RecordType.FRAME],
            S.HISTORY_TABLE,
        ]
        present = self._table_names()
        return {n: (self._table(n).count_rows() if n in present else 0) for n in names}

    def index_state(self) -> dict[str, list[dict[str, Any]]]:
        """Each table's indexes with their indexed and unindexed row counts."""
        state: dict[str, list[dict[str, Any]]] = {}
        for name in sorted(self._table_names()):
            table = self._table(name)
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
        """Compact files, fold new rows into indexes, build vector indexes on large tables."""
        for name in sorted(self._table_names()):
            table = self._table(name)
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
            self._commit(partial(table.optimize, cleanup_older_than=timedelta(days=1)))

    def iter_memories(self) -> Iterator[S.Memory]:
        """Every memory of every type."""
        for mtype in S.MemoryType:
            yield from self.list_memories(mtype, limit=10**9)

    def iter_chat_turns(self) -> Iterator[dict[str, Any]]:
        table = self._existing(S.TABLE[S.RecordType.CHAT])
        if table is None:
            return
        cols = ["id", "conversation_id", "role", "content", "image_caption", "created_at"]
        yield from table.search().select(cols).limit(None).to_list()

    def add_vectors_for_missing(self) -> int:
        """Embed rows stored while the text model was unavailable; returns how many."""
        if self._text.get() is None:
            return 0
        fixed = 0
        for name in self._table_names() & set(S.TEXT_VECTOR_TABLES):
            table = self._table(name)
            rows = table.search().where("vector IS NULL").select(["id", "text"]).limit(None)
            todo = [r for r in rows.to_list() if r["text"].strip()]
            for start in range(0, len(todo), 256):
                chunk = todo[start : start + 256]
                vectors = self._embed([r["text"] for r in chunk])
                for r, vec in zip(chunk, vectors, strict=True):
                    where = f"id = {_quote(r['id'])}"
                    self._commit(partial(table.update, where=where, values={"vector": vec}))
                fixed += len(chunk)
        return fixed

    def close(self) -> None:
        self._stop.set()
        thread = self._reembed_thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=60)  # it stops after the batch it is on
        self._closed = True
        self._reads.close()

    # ---- migrations ------------------------------------------------------------------

    def _migrate(self) -> None:
        """Named, add-only migrations of the stored data, each applied once (recorded in
        ``_migrations.json`` beside the tables; running one twice changes nothing)."""
        marker = self.path / "_migrations.json"
        if not self._migrations_to_apply(marker):
            return
        # Two stores opening at once (two threads, or the app and a command) must not
        # run a migration twice or race on the marker file: the second waits, then
        # finds the work done.
        with process_lock(self.path / "_migrations.lock"):
            applied = set(_MIGRATIONS) - set(self._migrations_to_apply(marker))
            for name in self._migrations_to_apply(marker):
                if self._table_names():  # a new store has nothing to migrate
                    log.warning("upgrading the memory store: %s", name)
                    getattr(self, f"_migration_{name}")()
                applied.add(name)
            tmp = marker.with_name(f"_migrations.{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_text(json.dumps(sorted(applied)), encoding="utf-8")
            tmp.replace(marker)

    @staticmethod
    def _migrations_to_apply(marker: Path) -> list[str]:
        try:
            applied = set(json.loads(marker.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            applied = set()
        return [name for name in _MIGRATIONS if name not in applied]

    def _migration_seal_sensitive_values(self) -> None:
        """Stores written before sealing existed: move high-sensitivity values out of
        memories, chat turns, frame text and history rows into the vault, then drop the
        old table versions and indexes that still held them."""
        from agents.store.sealing import find_in, seal_text, strings_of

        touched: set[str] = set()
        for mtype in S.MemoryType:
            if mtype is S.MemoryType.KNOWLEDGE_VAULT or self._existing(mtype.value) is None:
                continue
            for memory in self.list_memories(mtype, limit=10**9):
                if find_in(strings_of(memory.data.model_dump())):
                    self._rewrite(memory, {}, source_ids=(), actor="migration", op="seal")
                    touched.add(mtype.value)
        for record, column in ((S.RecordType.CHAT, "content"), (S.RecordType.FRAME, "ocr_text")):
            name = S.TABLE[record]
            table = self._existing(name)
            if table is None:
                continue
            rows = table.search().select(["id", column, "text", "fts"]).limit(None).to_list()
            for row in rows:
                found = find_in([row[column] or "", row["text"] or "", row["fts"] or ""])
                if not found:
                    continue
                if record is S.RecordType.CHAT:
                    turn = self.chat_turns([row["id"]])[0]
                    self._sealer.turn(turn)
                else:
                    self._sealer.frame_text(self.frame(row["id"]), row[column] or "")
                values = {key: seal_text(row[key] or "", found) for key in (column, "text", "fts")}
                where = f"id = {_quote(row['id'])}"
                self._commit(partial(table.update, where=where, values=values))
                touched.add(name)
        history = self._existing(S.HISTORY_TABLE)
        if history is not None:
            for row in history.search().select(["id", "old", "new"]).limit(None).to_list():
                found = find_in([row["old"] or "", row["new"] or ""])
                if found:
                    values = {k: seal_text(row[k], found) for k in ("old", "new") if row[k]}
                    where = f"id = {_quote(row['id'])}"
                    self._commit(partial(history.update, where=where, values=values))
                    touched.add(S.HISTORY_TABLE)
        for name in touched:  # old versions and index files still hold the plain values
            table = self._table(name)
            if name != S.HISTORY_TABLE:
                table.create_index("fts", config=FTS(base_tokenizer="simple"), name="fts_idx")
            with warnings.catch_warnings():  # dropping every old version is the point here
                warnings.simplefilter("ignore", UserWarning)
                self._commit(
                    partial(table.optimize, cleanup_older_than=timedelta(0), delete_unverified=True)
                )


def _hit_columns(table: str) -> list[str]:
    if table == S.TABLE[S.RecordType.FRAME]:
        return _FRAME_HIT_COLUMNS
    if table == S.TABLE[S.RecordType.CHAT]:
        return _CHAT_HIT_COLUMNS
    return _HIT_COLUMNS


def _update_vectors(table: Any, data: pa.Table) -> Any:
    """Set the vectors of rows whose text is still what was embedded."""
    return (
        table.merge_insert("id")
        .when_matched_update_all(where="target.text = source.text")
        .execute(data)
    )


async def _gather(coros: Iterable[Any]) -> list[Any]:
    return list(await asyncio.gather(*coros))


async def _rows(query: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (await query.to_arrow()).to_pylist()
    return rows


# Named, add-only: each is a method ``_migration_<name>`` of the store.
_MIGRATIONS = ("seal_sensitive_values",)
_TURN_COLUMNS = ["id", "conversation_id", "role", "content", "image_caption", "time"]


def _rows_by_id(
    table: Any, ids: Sequence[str], *, columns: list[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Rows of ``table`` (None: no table yet) whose id is among ``ids``, by id."""
    if table is None or not ids:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        query = table.search().where(_in_list("id", ids[start : start + 500]))
        if columns is not None:
            query = query.select(columns)
        out.update((row["id"], row) for row in query.limit(None).to_list())
    return out


def _frame_from_row(row: Mapping[str, Any]) -> S.Frame:
    values = {k: row[k] for k in S.Frame.model_fields if k != "focus_box"}
    box = row.get("focus_box")  # absent in stores made before the column was added
    values["focus_box"] = tuple(int(v) for v in box.split(",")) if box else None
    return S.Frame.model_validate(values)


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


def _turn_from_row(row: Mapping[str, Any]) -> S.ChatTurn:
    return S.ChatTurn(
        id=row["id"],
        conversation_id=row["conversation_id"],
        speaker=row["role"],
        text=row["content"],
        created_at=row["time"],
        image_caption=row["image_caption"],
    )


def _previous_turns(turns: Sequence[S.ChatTurn], earlier: Mapping[str, str]) -> dict[str, str]:
    """The text of the turn before each turn of the same conversation.

    ``earlier`` gives, per conversation, the last stored turn before this batch.
    """
    out: dict[str, str] = {}
    last: dict[str, str] = dict(earlier)
    for t in sorted(turns, key=lambda t: t.created_at):
        if t.conversation_id in last:
            out[t.id] = last[t.conversation_id]
        last[t.conversation_id] = t.search_text()
    return out


def _filter(opts: SearchOptions, *, vault: bool = False) -> str | None:
    """The SQL filter of a search on one table; sensitivities apply to the vault only."""
    parts = []
    if opts.since:
        parts.append(f"time >= {sql_time(opts.since)}")
    if opts.until:
        parts.append(f"time <= {sql_time(opts.until)}")
    if opts.app:
        parts.append(f"app = {_quote(opts.app)}")
    if opts.sensitivities and vault:
        parts.append(_in_list("sensitivity", opts.sensitivities))
    return " AND ".join(parts) or None


def _memory_type(value: S.MemoryType | str) -> S.MemoryType:
    parsed = S.parse_type(value) if isinstance(value, str) else value
    if not isinstance(parsed, S.MemoryType):
        raise InvalidInput(f"{value!r} is a record type, not a memory type")
    return parsed


def _type_of_id(memory_id: str) -> S.MemoryType:
    prefix = memory_id.split("_", 1)[0]
    if prefix not in S.TYPE_BY_PREFIX:
        raise NotFound(f"no memory with id {memory_id!r}")
    return S.TYPE_BY_PREFIX[prefix]


def _first_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        msg = str(first.get("msg", exc)).removeprefix("Value error, ")
        return f"{where}: {msg}" if where else msg
    return str(exc)
