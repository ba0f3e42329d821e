"""Text vectors that follow the model: embedding what is written, and re-embedding tables
whose vectors another model made (see :mod:`agents.store.vectors` for the records)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

import numpy as np
import pyarrow as pa

from agents.embeddings import Lazy, TextEmbedder
from agents.store import schema as S
from agents.store.passages import passage_rows, split_passages, token_counter
from agents.store.tables import Tables, quote, rows_by_id
from agents.store.vectors import Progress, columns_of, plan, texts_of

CHAT = S.TABLE[S.RecordType.CHAT]
# What filling a chat turn's vector reads of its row (the passages' rows copy it).
_TURN_COLUMNS = [
    "id",
    S.CHAT_SEARCH_COLUMN,
    "speaker",
    "created_at",
    "updated_at",
    "time",
    "app",
    "conversation_id",
]

log = logging.getLogger(__name__)


class TextVectors:
    """The text model's side of the store: vectors for new rows, and re-embedding."""

    def __init__(
        self, tables: Tables, text_embedder: Lazy[TextEmbedder], *, in_background: bool
    ) -> None:
        self._tables = tables
        self.text = text_embedder
        self._synced_model: str | None = None
        self._sync_lock = threading.Lock()
        self._in_background = in_background
        self._thread: threading.Thread | None = None
        self._filler: threading.Thread | None = None
        self.stop = threading.Event()
        # The callback to call after each re-embedded batch, when there is one.
        self.progress: Callable[[], Progress | None] = lambda: None

    def embed(self, texts: Sequence[str], *, query: bool = False) -> list[list[float] | None]:
        """Vectors of ``texts`` (None each without a text model)."""
        embedder = self.text.get()
        if embedder is None:
            return [None] * len(texts)
        self._sync(embedder)
        clipped = [t[:2000] for t in texts]
        vectors = embedder.embed_queries(clipped) if query else embedder.embed(clipped)
        return [v.tolist() for v in vectors]

    def _sync(self, embedder: TextEmbedder) -> None:
        """Once per model: mark tables whose vectors another model made, and re-embed them."""
        if self._synced_model == embedder.model_id:
            return
        models = self._tables.vector_models
        with self._sync_lock:
            if self._synced_model == embedder.model_id:
                return
            records = models.read(fresh=True)
            present = self._tables.names()
            stale = False
            for name in S.TEXT_VECTOR_TABLES:
                if name not in present:
                    continue
                record = records.get(name)
                if record is not None and record.searchable_with(embedder.model_id):
                    continue
                table = self._tables.table(name)
                change = plan(
                    record,
                    table=name,
                    model_id=embedder.model_id,
                    has_vectors=table.count_rows("vector IS NOT NULL") > 0,
                    rows=table.count_rows(),
                )
                if change is not None:
                    models.write(change, self._tables.commit)
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
        if stale and self._in_background:
            self.start()

    def mean_of(self, name: str, ids: Sequence[str]) -> list[float] | None:
        """The unit mean of the text vectors of rows ``ids`` of table ``name``; None when
        none has a vector, or when the table's vectors are not all the current model's."""
        embedder = self.text.get()
        if embedder is None or not ids:
            return None
        self._sync(embedder)
        if name not in self.searchable_tables(embedder.model_id):
            return None
        found = rows_by_id(self._tables.existing(name), list(ids), columns=["id", "vector"])
        vectors = [r["vector"] for r in found.values() if r["vector"] is not None]
        if not vectors:
            return None
        mean = np.mean(np.asarray(vectors, dtype=np.float32), axis=0)
        norm = float(np.linalg.norm(mean))
        return [float(v) for v in mean / norm] if norm > 0 else None

    def searchable_tables(self, model_id: str) -> set[str]:
        """Tables whose vectors ``model_id`` made, with nothing pending."""
        records = self._tables.vector_models.read()
        return {name for name, rec in records.items() if rec.searchable_with(model_id)}

    def state(self) -> dict[str, dict[str, Any]]:
        records = self._tables.vector_models.read(fresh=True)
        return {n: r.to_json() for n, r in sorted(records.items())}

    def start(self) -> threading.Thread | None:
        """Re-embed stale tables on a background thread (one at a time); returns it."""
        with self._sync_lock:
            running = self._thread
            if running is not None and running.is_alive():
                return running
            if self._tables.closed:
                return None
            thread = threading.Thread(target=self._reembed_quietly, name="reembed", daemon=True)
            self._thread = thread
            thread.start()
            return thread

    def _release_bulk(self) -> None:
        """A long-running process (the app) lets the encoder's batch runtime go once a
        batch job is done: it is loaded again for the next one."""
        release = getattr(self.text.get(), "release_bulk", None)
        if callable(release):
            release()

    def _reembed_quietly(self) -> None:
        try:
            self.reembed()
            self._release_bulk()
        except Exception:  # noqa: BLE001 - a background job logs and stops; the next start resumes
            log.exception("re-embedding stopped; it resumes on the next start")

    def reembed(self, *, batch: int = 32) -> int:
        """Re-embed every table marked pending the current model; returns rows re-embedded."""
        embedder = self.text.get()
        if embedder is None:
            return 0
        self._sync(embedder)
        model_id = embedder.model_id
        models, commit = self._tables.vector_models, self._tables.commit
        total_done = 0
        for name, record in sorted(models.read(fresh=True).items()):
            if record.pending != model_id:
                continue
            table = self._tables.table(name)
            query = table.search()
            if record.cursor is not None:
                query = query.where(f"id > {quote(record.cursor)}")
            # Ids first (small), then each batch's texts: memory stays bounded on big tables.
            ids = query.select(["id"]).limit(None).to_arrow().column("id").to_pylist()
            ids.sort()
            done = record.done
            for start in range(0, len(ids), batch):
                if self.stop.is_set():
                    return total_done
                found = rows_by_id(table, ids[start : start + batch], columns=columns_of(name))
                chunk = [found[i] for i in ids[start : start + batch] if i in found]
                if not chunk:
                    continue
                texts = texts_of(name, chunk)
                keep = [i for i, t in enumerate(texts) if t.strip()]
                if keep:
                    vectors = embedder.embed([texts[i][:2000] for i in keep])
                    searched = S.searched_column(name)
                    data = pa.table(
                        {
                            "id": [chunk[i]["id"] for i in keep],
                            searched: [chunk[i][searched] for i in keep],
                            "vector": pa.array(
                                [v.tolist() for v in vectors],
                                type=pa.list_(pa.float32(), embedder.dim),
                            ),
                        }
                    )
                    # A row changed meanwhile got its new text's vector then: leave it.
                    commit(partial(_update_vectors, table, data, searched))
                done += len(chunk)
                total_done += len(chunk)
                record = replace(record, cursor=chunk[-1]["id"], done=done)
                models.write(record, commit)
                progress = self.progress()
                if progress is not None:
                    progress(name, done, max(record.total, done))
            finished = replace(record, model=model_id, pending=None, cursor=None)
            models.write(finished, commit)
            log.info("%s: %d rows re-embedded with %s", name, done, model_id)
        return total_done

    def embed_turns(self, rows: Sequence[dict[str, Any]]) -> tuple[list[Any], list[dict[str, Any]]]:
        """Vectors of chat-turn rows (of each one's first passage; None each without a text
        model) and the rows of their further passages, with their vectors
        (:mod:`agents.store.passages`)."""
        embedder = self.text.get()
        if embedder is None or not rows:
            return [None] * len(rows), []
        self._sync(embedder)
        limit, count = token_counter(embedder)
        turns = [r[S.CHAT_SEARCH_COLUMN] or "-" for r in rows]
        parts = [split_passages(text, max_tokens=limit, count=count) for text in turns]
        extra = passage_rows(rows, parts)
        texts = [p[0] for p in parts] + [r["text"] for r in extra]
        vectors = [v.tolist() for v in embedder.embed(texts)]
        for row, vector in zip(extra, vectors[len(rows) :], strict=True):
            row["vector"] = vector
        return vectors[: len(rows)], extra

    def missing(self) -> dict[str, int]:
        """Per table, rows with a text to embed and no vector yet (only tables with some)."""
        out = {}
        for name in sorted(self._tables.names() & set(S.TEXT_VECTOR_TABLES)):
            n = len(self._missing_rows(name))
            if n:
                out[name] = n
        return out

    def _missing_rows(self, name: str) -> list[dict[str, Any]]:
        table = self._tables.table(name)
        columns = _TURN_COLUMNS if name == CHAT else columns_of(name)
        rows = table.search().where("vector IS NULL").select(columns).limit(None).to_list()
        texts = texts_of(name, rows)
        return [r for r, t in zip(rows, texts, strict=True) if t.strip()]

    def fill_missing(
        self,
        *,
        batch: int = 64,
        progress: Progress | None = None,
        tables: Sequence[str] = S.TEXT_VECTOR_TABLES,
    ) -> int:
        """Embed rows stored without a vector (chat turns imported with their vectors left
        for later, rows written while the text model was unavailable), ``batch`` rows per
        commit, the long turns' passages with them; returns how many. Stops between
        batches when the store closes; what is left is found again next time. Only
        ``tables`` are looked at."""
        embedder = self.text.get()
        if embedder is None:
            return 0
        self._sync(embedder)
        done = 0
        for name in sorted(self._tables.names() & set(tables)):
            todo = self._missing_rows(name)
            table = self._tables.table(name)
            for start in range(0, len(todo), batch):
                if self.stop.is_set():
                    return done
                chunk = todo[start : start + batch]
                if name == CHAT:
                    vectors, extra = self.embed_turns(chunk)
                else:
                    texts = texts_of(name, chunk)
                    vectors, extra = self.embed(texts), []
                if self.text.get() is not embedder:  # pragma: no cover - models never swap
                    return done
                searched = S.searched_column(name)
                data = pa.table(
                    {
                        "id": [r["id"] for r in chunk],
                        searched: [r[searched] for r in chunk],
                        "vector": pa.array(vectors, type=pa.list_(pa.float32(), embedder.dim)),
                    }
                )
                # A row changed meanwhile got its new text's vector then: leave it.
                self._tables.commit(partial(_update_vectors, table, data, searched))
                if extra:
                    self.add_passages(extra)
                done += len(chunk)
                if progress is not None:
                    progress(name, start + len(chunk), len(todo))
        return done

    def add_passages(self, rows: list[dict[str, Any]]) -> None:
        """Store passage rows (:mod:`agents.store.passages`); stored ids are kept."""
        table = self._tables.table(S.PASSAGE_TABLE)
        data = pa.Table.from_pylist(rows, schema=S.PASSAGE_SCHEMA)
        self._tables.commit(
            lambda: table.merge_insert("id").when_not_matched_insert_all().execute(data)
        )

    def start_filling(
        self, tables: Sequence[str] = S.TEXT_VECTOR_TABLES
    ) -> threading.Thread | None:
        """Fill missing vectors of ``tables`` on a background thread (one at a time);
        returns it."""
        with self._sync_lock:
            running = self._filler
            if running is not None and running.is_alive():
                return running
            if self._tables.closed:
                return None
            thread = threading.Thread(
                target=self._fill_quietly, args=(tables,), name="vectors", daemon=True
            )
            self._filler = thread
            thread.start()
            return thread

    def _fill_quietly(self, tables: Sequence[str]) -> None:
        try:
            filled = self.fill_missing(tables=tables)
            if filled:
                log.info("embedded %d rows stored without vectors", filled)
                self._release_bulk()
        except Exception:  # noqa: BLE001 - a background job logs and stops; the next run resumes
            log.exception("filling missing vectors stopped; the next run resumes")

    def close(self) -> None:
        """Stop re-embedding after the batch it is on."""
        self.stop.set()
        for thread in (self._thread, self._filler):
            if thread is not None and thread is not threading.current_thread():
                thread.join(timeout=60)  # it stops after the batch it is on


def _update_vectors(table: Any, data: pa.Table, searched: str) -> Any:
    """Set the vectors of rows whose text (column ``searched``) is still what was embedded."""
    return (
        table.merge_insert("id")
        .when_matched_update_all(where=f"target.{searched} = source.{searched}")
        .execute(data)
    )
