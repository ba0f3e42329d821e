"""The six memory agents: one per memory type, each with tools for its own type only.

An agent sees the batch, the existing items of its type related to it (with ids,
so that it merges instead of duplicating) and the batch's item ids (so that every
memory it writes cites its sources). Agents think in parallel; each step that reads
and then writes (insert once, merge what is still there) holds the batch's step lock,
so steps never interleave (the store's one writer thread orders the writes).

A retried batch writes nothing twice: an insert's id is derived from its content
(a keyed digest for vault values), so inserting it again only adds sources; a
merge or delete of something already gone is reported as done; an append to a
core block that already holds the text changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from agents import prompts
from agents.absorb.batch import BatchItem
from agents.errors import InvalidInput, NotFound
from agents.llm import LLMClient
from agents.store import MemoryStore, MemoryType, SearchOptions
from agents.store import schema as S
from agents.tooling import LoopResult, Tool, acknowledge, run_tool_loop

CORE_LABELS = ("human", "persona")
RELATED_K = 10


@dataclass
class AgentRun:
    """What one memory agent did: (operation, memory id) pairs, in order."""

    memory_type: MemoryType
    writes: list[tuple[str, str]] = field(default_factory=list)
    loop: LoopResult | None = None


def content_id(store: MemoryStore, mtype: MemoryType, data: BaseModel) -> str:
    """The id an inserted memory gets: the same content always gets the same id."""
    prefix = mtype.prefix
    if isinstance(data, S.VaultData):
        digest = store.fingerprint(f"{data.entry_type}\x00{data.secret_value}")
    else:
        payload = json.dumps(data.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        digest = hashlib.sha256(f"{mtype.value}\x00{payload}".encode()).hexdigest()
    return f"{prefix}_{digest[:32]}"


def insert_once(
    store: MemoryStore,
    mtype: MemoryType,
    data: S.MemoryData,
    *,
    source_ids: Sequence[str],
    actor: str,
    app: str | None = None,
) -> tuple[str, str]:
    """Insert ``data`` under its content id, or, when that memory exists (a retried batch,
    the same fact again), only add the sources. Returns (operation, memory id)."""
    mid = content_id(store, mtype, data)
    try:
        store.add_sources(mid, source_ids, actor=actor)
        return ("insert-again", mid)
    except NotFound:
        store.add(mtype, data, source_ids=source_ids, app=app, actor=actor, memory_id=mid)
        return ("insert", mid)


def core_block(store: MemoryStore, label: str, *, limit: int) -> S.Memory:
    """The core block ``label``, created empty on first use."""
    try:
        return store.get(f"core_{label}")
    except NotFound:
        data = S.CoreData(label=label, value="", char_limit=limit)
        return store.add(MemoryType.CORE, data, memory_id=f"core_{label}", actor="agent:core")


# ---- argument models ----------------------------------------------------------------


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UpdateArgs(_Args):
    id: str = Field(description="id of the memory to change")
    changes: dict[str, Any] = Field(description="fields to change and their new values")
    source_ids: list[str] | None = Field(default=None, description="batch items this rests on")


class MergeArgs(_Args):
    keep_id: str = Field(description="the memory that stays")
    other_ids: list[str] = Field(min_length=1, description="memories folded into it")
    changes: dict[str, Any] = Field(default_factory=dict, description="new values for the kept")
    source_ids: list[str] | None = None


class DeleteArgs(_Args):
    id: str
    reason: str = ""


class SearchArgs(_Args):
    query: str = Field(min_length=1, max_length=500)
    k: int = Field(default=5, ge=1, le=20)


class DoneArgs(_Args):
    summary: str = ""


class AppendArgs(_Args):
    label: Literal["human", "persona"]
    text: str = Field(min_length=1, max_length=2000)


class RewriteArgs(_Args):
    label: Literal["human", "persona"]
    value: str = Field(max_length=20_000)


def insert_args(mtype: MemoryType) -> type[BaseModel]:
    """The insert tool's arguments: the type's own fields plus the sources."""
    model: type[BaseModel] = create_model(
        f"Insert{mtype.value.title().replace('_', '')}",
        __base__=S.DATA_MODEL[mtype],
        source_ids=(list[str] | None, Field(default=None, description="batch items it rests on")),
    )
    return model


# ---- the agent ----------------------------------------------------------------------


class MemoryAgent:
    """The agent of one memory type for one batch."""

    def __init__(
        self,
        store: MemoryStore,
        mtype: MemoryType,
        items: Sequence[BatchItem],
        *,
        step_lock: threading.Lock,
        core_limit: int = S.DEFAULT_CORE_LIMIT,
    ) -> None:
        self.store = store
        self.mtype = mtype
        self.items = list(items)
        self.batch_ids = [it.id for it in items]
        self.step_lock = step_lock
        self.core_limit = core_limit
        self.actor = f"agent:{mtype.value}"
        self.run_record = AgentRun(mtype)

    # -- helpers

    def _sources(self, given: list[str] | None) -> list[str]:
        if not given:
            return list(self.batch_ids)
        unknown = [s for s in given if s not in self.batch_ids]
        if unknown:
            raise InvalidInput(
                f"source_ids {unknown} are not items of this batch; use ids from {self.batch_ids}"
            )
        return given

    def _own(self, memory_id: str) -> None:
        prefix = self.mtype.prefix + "_"
        if not memory_id.startswith(prefix):
            raise InvalidInput(f"{memory_id!r} is not a {self.mtype.value} memory id ({prefix}…)")

    def _note(self, op: str, memory_id: str) -> None:
        self.run_record.writes.append((op, memory_id))

    def _first_time(self, sources: Sequence[str]) -> Any:
        times = [it.time for it in self.items if it.id in sources]
        return min(times) if times else None

    def _app(self, sources: Sequence[str]) -> str | None:
        apps = [it.app for it in self.items if it.id in sources and it.app]
        return apps[0] if apps else None

    # -- tools

    def insert(self, args: BaseModel) -> str:
        raw = args.model_dump(exclude={"source_ids"})
        sources = self._sources(getattr(args, "source_ids", None))
        if self.mtype is MemoryType.EPISODIC and raw.get("occurred_at") is None:
            raw["occurred_at"] = self._first_time(sources)
        data: Any = S.DATA_MODEL[self.mtype].model_validate(raw)
        with self.step_lock:
            op, mid = insert_once(
                self.store,
                self.mtype,
                data,
                source_ids=sources,
                actor=self.actor,
                app=self._app(sources),
            )
        self._note(op, mid)
        if op == "insert-again":
            return f"already stored as {mid}; sources added"
        return f"inserted {mid}"

    def update(self, args: UpdateArgs) -> str:
        self._own(args.id)
        sources = self._sources(args.source_ids)
        with self.step_lock:
            memory = self.store.update(args.id, args.changes, source_ids=sources, actor=self.actor)
        self._note("update", memory.id)
        return f"updated {memory.id}"

    def merge(self, args: MergeArgs) -> str:
        for mid in [args.keep_id, *args.other_ids]:
            self._own(mid)
        sources = self._sources(args.source_ids)
        with self.step_lock:
            present = []
            for oid in args.other_ids:
                try:
                    self.store.get(oid)
                    present.append(oid)
                except NotFound:
                    pass  # merged by an earlier try of this batch
            memory = self.store.merge(args.keep_id, present, args.changes, actor=self.actor)
            memory = self.store.add_sources(memory.id, sources, actor=self.actor)
        self._note("merge", memory.id)
        for oid in present:
            self._note("merged-away", oid)
        return f"merged {present or 'nothing more'} into {memory.id}"

    def delete(self, args: DeleteArgs) -> str:
        self._own(args.id)
        with self.step_lock:
            try:
                self.store.delete(args.id, actor=self.actor)
            except NotFound:
                return f"{args.id} is already gone"
        self._note("delete", args.id)
        return f"deleted {args.id}"

    def search(self, args: SearchArgs) -> str:
        hits = self.store.search(args.query, _options(self.mtype, args.k))
        if not hits:
            return "no matches"
        return "\n".join(f"[{h.id}] {h.text[:300]}" for h in hits)

    def core_append(self, args: AppendArgs) -> str:
        with self.step_lock:
            block = core_block(self.store, args.label, limit=self.core_limit)
            data = block.data
            assert isinstance(data, S.CoreData)
            if args.text.strip() in data.value:
                return f"{args.label} already holds that"
            value = f"{data.value}\n{args.text.strip()}".strip()
            if len(value) > data.char_limit:
                raise InvalidInput(
                    f"block {args.label!r} would hold {len(value)} characters; its limit is "
                    f"{data.char_limit}. Call core_rewrite with a shorter value that keeps "
                    "what matters"
                )
            self.store.update(
                block.id, {"value": value}, source_ids=self.batch_ids, actor=self.actor
            )
        self._note("update", block.id)
        return f"{args.label} now holds {len(value)}/{data.char_limit} characters"

    def core_rewrite(self, args: RewriteArgs) -> str:
        with self.step_lock:
            block = core_block(self.store, args.label, limit=self.core_limit)
            data = block.data
            assert isinstance(data, S.CoreData)
            if len(args.value) > data.char_limit:
                raise InvalidInput(
                    f"the new {args.label!r} value has {len(args.value)} characters; "
                    f"its limit is {data.char_limit}"
                )
            self.store.update(
                block.id, {"value": args.value}, source_ids=self.batch_ids, actor=self.actor
            )
        self._note("update", block.id)
        return f"{args.label} rewritten: {len(args.value)}/{data.char_limit} characters"

    def tools(self) -> list[Tool]:
        done = Tool("done", "Call when everything worth keeping is stored.", DoneArgs, acknowledge)
        if self.mtype is MemoryType.CORE:
            return [
                Tool("core_append", "Append a line to a core block.", AppendArgs, self.core_append),
                Tool(
                    "core_rewrite",
                    "Replace a core block's whole value (to condense it when nearly full).",
                    RewriteArgs,
                    self.core_rewrite,
                ),
                done,
            ]
        kind = self.mtype.value.replace("_", " ")
        return [
            Tool(
                "insert_memory",
                f"Store a new {kind} memory.",
                insert_args(self.mtype),
                self.insert,
            ),
            Tool(
                "update_memory",
                f"Change fields of an existing {kind} memory by id.",
                UpdateArgs,
                self.update,
            ),
            Tool(
                "merge_memories",
                f"Fold duplicate {kind} memories into one, by id.",
                MergeArgs,
                self.merge,
            ),
            Tool("delete_memory", f"Delete a wrong {kind} memory by id.", DeleteArgs, self.delete),
            Tool("search_memories", f"Search stored {kind} memories.", SearchArgs, self.search),
            done,
        ]

    # -- the prompt

    def related(self) -> list[S.Memory | S.SearchHit]:
        """Existing items of this type that the batch may touch."""
        if self.mtype is MemoryType.CORE:
            return [core_block(self.store, label, limit=self.core_limit) for label in CORE_LABELS]
        found: dict[str, S.Memory | S.SearchHit] = {}
        query = _query_of(self.items)
        if query:
            for hit in self.store.search(query, _options(self.mtype, RELATED_K)):
                found[hit.id] = hit
        if self.mtype is MemoryType.EPISODIC and self.items:
            start = self.items[0].time - timedelta(hours=2)
            for memory in self.store.memories_between(
                self.mtype, start, self.items[-1].time, limit=RELATED_K
            ):
                found.setdefault(memory.id, memory)
        return list(found.values())

    def messages(self, batch_content: str | list[dict[str, Any]]) -> list[dict[str, Any]]:
        existing = _describe(self.related())
        intro = (
            f"Existing {self.mtype.value} items related to this batch "
            "(update or merge these instead of inserting duplicates):\n"
            f"{existing or '(none)'}\n\n"
            f"Ids of this batch's items, for source_ids: {', '.join(self.batch_ids)}\n\n"
            "The batch:\n"
        )
        if isinstance(batch_content, str):
            content: str | list[dict[str, Any]] = intro + batch_content
        else:
            content = [{"type": "text", "text": intro}, *batch_content]
        return [
            {"role": "system", "content": prompts.memory_agent(self.mtype, self.core_limit)},
            {"role": "user", "content": content},
        ]

    def run(self, llm: LLMClient, batch_content: str | list[dict[str, Any]]) -> AgentRun:
        messages = self.messages(batch_content)
        self.run_record.loop = run_tool_loop(
            llm, messages, self.tools(), who=f"{self.mtype.value} agent", finish="done"
        )
        return self.run_record


def _options(mtype: MemoryType, k: int) -> SearchOptions:
    return SearchOptions(k=k, types=(mtype.value,), weights={"fts": 1.0, "vector": 0.5})


def _query_of(items: Sequence[BatchItem]) -> str:
    words: list[str] = []
    for it in items:
        words.append(it.title if it.kind == "frame" else it.text)
        if it.kind == "frame":
            words.append(it.text[:200])
    return " ".join(w for w in words if w).strip()[:1000]


def _describe(entries: Sequence[S.Memory | S.SearchHit]) -> str:
    lines = []
    for e in entries:
        if isinstance(e, S.Memory) and isinstance(e.data, S.CoreData):
            d = e.data
            lines.append(f"[{e.id}] {d.label} ({len(d.value)}/{d.char_limit} chars): {d.value}")
        else:
            lines.append(f"[{e.id}] {e.time:%Y-%m-%d %H:%M} {e.text[:400]}")
    return "\n".join(lines)
