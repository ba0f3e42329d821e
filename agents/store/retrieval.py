"""Running a hybrid search: full-text, text-vector and CLIP queries across tables, fused."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import CancelledError, Future
from typing import Any

from lancedb.query import MatchQuery

from agents.embeddings import ImageEmbedder, Lazy
from agents.errors import InvalidInput, StoreError
from agents.store import schema as S
from agents.store.health import is_damage
from agents.store.reads import Reads, gather, rows
from agents.store.reembed import TextVectors
from agents.store.search import (
    Probe,
    SearchOptions,
    content_probe,
    fuse,
    merge_ranked,
    probes_for,
)
from agents.store.tables import Tables, in_list, quote, rows_by_id
from agents.store.text import has_terms, query_text
from agents.store.timeutil import now, sql_time

MAX_QUERY_CHARS = 4000
SEARCH_TIMEOUT_S = 120.0  # a search that takes this long is stuck, not slow
_HIT_COLUMNS = ["id", "text", "source_ids", "time", "app"]
_FRAME_HIT_COLUMNS = [*_HIT_COLUMNS, "source_path"]
_CHAT_HIT_COLUMNS = [S.CHAT_SEARCH_COLUMN if c == "text" else c for c in _HIT_COLUMNS] + [
    "conversation_id",
    "speaker",
]
_CHAT = S.TABLE[S.RecordType.CHAT]


class Retrieval:
    """Hybrid search over the store's tables, its queries run on the async read loop."""

    def __init__(
        self,
        tables: Tables,
        reads: Reads,
        vectors: TextVectors,
        image_embedder: Lazy[ImageEmbedder] | None,
    ) -> None:
        self._tables = tables
        self._reads = reads
        self._vectors = vectors
        self._image = image_embedder

    def search(
        self, query: str, opts: SearchOptions, *, query_vector: Sequence[float] | None
    ) -> list[S.SearchHit]:
        rankings = self.rankings(query, opts, query_vector=query_vector)
        fused = fuse(rankings, opts, query=query, reference_time=opts.as_of)[: opts.k]
        return [_hit(c.table, c.row, c.score) for c in fused]

    def rankings(
        self, query: str, opts: SearchOptions, *, query_vector: Sequence[float] | None = None
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
        present = self._tables.names()
        tables = [S.TABLE[t] for t in types if S.TABLE[t] in present]
        if not tables:
            return {}
        rankings = self._take(
            probes_for(query, opts, opts.as_of or now()),
            tables,
            present,
            opts,
            query_vector=query_vector,
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
        if self._reads.closed:  # before any query is made, so none is left unawaited
            raise StoreError("the memory store is closed")
        query = probes[0].text
        limit = max(opts.candidates, opts.k)
        each = min(opts.per_table or limit, limit)
        generation = self._tables.generation
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
                        gather(
                            [
                                self._skip_damaged(
                                    n, self._fts(n, fts_query, where[n], each, generation)
                                )
                                for n in tables
                            ]
                        )
                    ),
                )
        vectors: dict[str, list[float] | None] = {}
        if "vector" in wanted:
            for probe in probes:
                if probe.text in vectors:
                    continue
                given = query_vector if probe.text == query else None
                try:
                    embedded = (
                        given
                        if given is not None
                        else self._vectors.embed([probe.text], query=True)[0]
                    )
                except Exception as exc:  # the vectors' model record is damaged: full text
                    if not is_damage(exc):
                        raise
                    self._tables.note_damage(S.VECTOR_MODELS_TABLE, exc)
                    embedded = None
                vectors[probe.text] = list(embedded) if embedded is not None else None
        # Only tables whose vectors the current model made: never two models' vectors.
        embedder = self._vectors.text.get() if any(vectors.values()) else None
        searchable: set[str] = set()
        if embedder:
            try:
                searchable = set(self._vectors.searchable_tables(embedder.model_id))
            except Exception as exc:  # which model made the vectors is unknown: full text only
                if not is_damage(exc):
                    raise
                self._tables.note_damage(S.VECTOR_MODELS_TABLE, exc)
        vector_tables = [n for n in tables if n in searchable]
        if _CHAT in vector_tables and S.PASSAGE_TABLE in present & searchable:
            vector_tables.append(S.PASSAGE_TABLE)  # a long turn's later passages
        for probe in probes:
            vector = vectors.get(probe.text)
            if vector is not None and vector_tables:
                where = {n: _filter(probe.options, vault=n == vault) for n in vector_tables}
                jobs["vector" + probe.suffix] = (
                    vector_tables,
                    self._reads.submit(
                        gather(
                            [
                                self._skip_damaged(
                                    n, self._vector(n, vector, where[n], each, generation)
                                )
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
                    self._reads.submit(
                        gather(
                            [
                                self._skip_damaged(
                                    S.CLIP_TABLE, self._clip(qvec, where_frames, each, generation)
                                )
                            ]
                        )
                    ),
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
                results = [
                    (_CHAT, self._passage_turns(rows)) if name == S.PASSAGE_TABLE else (name, rows)
                    for name, rows in zip(names, found, strict=True)
                ]
            rankings[retriever] = merge_ranked(
                results,
                key="_score" if retriever.startswith("fts") else "_distance",
                descending=retriever.startswith("fts"),
                limit=limit,
            )
        return rankings

    async def _skip_damaged(self, name: str, query: Any) -> list[dict[str, Any]]:
        """The rows ``query`` finds in table ``name``; none when the table's files are
        damaged (one warning names it, and the other tables still answer)."""
        try:
            found: list[dict[str, Any]] = await query
        except Exception as exc:
            if not is_damage(exc):
                raise
            self._tables.note_damage(name, exc)
            return []
        return found

    async def _fts(
        self, name: str, q: str, where: str | None, limit: int, generation: int
    ) -> list[dict[str, Any]]:
        cols = _hit_columns(name)
        table = await self._reads.table(name, generation)
        query = table.query().nearest_to_text(MatchQuery(q, "fts"))  # type: ignore[call-arg]
        if where:
            query = query.where(where)
        return await rows(query.select([*cols, "_score"]).limit(limit))

    async def _vector(
        self, name: str, vector: list[float], where: str | None, limit: int, generation: int
    ) -> list[dict[str, Any]]:
        cols = _hit_columns(name)
        table = await self._reads.table(name, generation)
        query = table.query().nearest_to(vector).column("vector").distance_type("cosine")
        query = query.nprobes(24).refine_factor(4)
        if where:
            query = query.where(where)
        return await rows(query.select([*cols, "_distance"]).limit(limit))

    async def _clip(
        self, vector: list[float], where: str | None, limit: int, generation: int
    ) -> list[dict[str, Any]]:
        table = await self._reads.table(S.CLIP_TABLE, generation)
        query = table.query().nearest_to(vector).column("vector").distance_type("cosine")
        if where:  # the CLIP table carries the frames' time and app for the same filters
            query = query.where(where)
        return await rows(query.select(["id", "_distance"]).limit(limit))

    def _passage_turns(self, hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The turns of passages found, each with its passage's distance (a turn found by
        two passages comes once, by the nearer: see merge_ranked)."""
        turn_ids = [h["source_ids"][0] for h in hits if h.get("source_ids")]
        turns = rows_by_id(self._tables.existing(_CHAT), turn_ids, columns=_CHAT_HIT_COLUMNS)
        return [
            {**turns[h["source_ids"][0]], "_distance": h["_distance"]}
            for h in hits
            if h.get("source_ids") and h["source_ids"][0] in turns
        ]

    def _frame_rows(self, hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not hits:
            return []
        name = S.TABLE[S.RecordType.FRAME]
        ids = [h["id"] for h in hits]
        try:
            table = self._tables.table(name)
            found = table.search().where(in_list("id", ids)).select(_FRAME_HIT_COLUMNS)
            by_id = {r["id"]: r for r in found.limit(None).to_list()}
        except Exception as exc:
            if not is_damage(exc):
                raise
            self._tables.note_damage(name, exc)
            return []
        return [{**by_id[h["id"]], "_distance": h["_distance"]} for h in hits if h["id"] in by_id]


def _hit(table: str, row: Mapping[str, Any], score: float) -> S.SearchHit:
    kind = {S.TABLE[S.RecordType.CHAT]: "chat", S.TABLE[S.RecordType.FRAME]: "frame"}
    return S.SearchHit(
        id=row["id"],
        type=kind.get(table, table),
        score=score,
        text=row[S.searched_column(table)],
        source_ids=list(row.get("source_ids") or []),
        time=row["time"],
        app=row.get("app"),
        source_path=row.get("source_path"),
    )


def _hit_columns(table: str) -> list[str]:
    if table == S.TABLE[S.RecordType.FRAME]:
        return _FRAME_HIT_COLUMNS
    if table == S.TABLE[S.RecordType.CHAT]:
        return _CHAT_HIT_COLUMNS
    return _HIT_COLUMNS


def _filter(opts: SearchOptions, *, vault: bool = False) -> str | None:
    """The SQL filter of a search on one table; sensitivities apply to the vault only."""
    parts = []
    if opts.since:
        parts.append(f"time >= {sql_time(opts.since)}")
    if opts.until:
        parts.append(f"time <= {sql_time(opts.until)}")
    if opts.app:
        parts.append(f"lower(app) = {quote(opts.app.lower())}")
    if opts.sensitivities and vault:
        parts.append(in_list("sensitivity", opts.sensitivities))
    return " AND ".join(parts) or None
