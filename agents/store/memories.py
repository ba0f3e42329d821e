"""Memories of the six types: adding, reading, changing, merging and deleting them.

Each change leaves a history row (:mod:`agents.store.history`); high-sensitivity
values are sealed into the vault before any text is written.
"""

from __future__ import annotations

import time as _time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from agents.errors import InvalidInput, NotFound, one_line
from agents.store import schema as S
from agents.store.crypto import LockedCipher, VaultCipher
from agents.store.history import Change, History
from agents.store.reembed import TextVectors
from agents.store.tables import Tables, quote, rows_by_id
from agents.store.text import index_text
from agents.store.timeutil import as_utc, now, sql_time

if TYPE_CHECKING:
    from agents.store.sealing import Sealer


class Memories:
    """The memory tables, one per type, and their history."""

    def __init__(
        self,
        tables: Tables,
        vectors: TextVectors,
        cipher: VaultCipher,
        *,
        sealer: Callable[[], Sealer],
        core_ttl_s: float,
    ) -> None:
        self._tables = tables
        self._vectors = vectors
        self.history = History(tables, cipher)
        self._cipher = cipher
        self._sealer = sealer
        # Core blocks are read before every answer and change rarely: kept for as long
        # as a reader may be stale anyway, and dropped at once on this store's own writes.
        self._core_ttl = core_ttl_s
        self._core_cache: tuple[float, list[S.Memory]] | None = None

    def _row(self, mtype: S.MemoryType, mid: str, data: Any, **fields: Any) -> dict[str, Any]:
        return memory_row(self._cipher, mtype, mid, data, **fields)

    def _memory(self, mtype: S.MemoryType, row: Mapping[str, Any]) -> S.Memory:
        return row_to_memory(self._cipher, mtype, row)

    def add(
        self,
        memory_type: S.MemoryType | str,
        data: S.MemoryData | Mapping[str, Any],
        *,
        source_ids: Sequence[str],
        app: str | None,
        actor: str,
        memory_id: str | None,
        vector: Sequence[float] | None = None,
    ) -> S.Memory:
        mtype = S.MemoryType.parse(memory_type)
        valid = validate(mtype, data)
        mid = memory_id or f"{mtype.prefix}_{uuid.uuid4().hex}"
        if memory_id is not None:
            if not mid.startswith(mtype.prefix + "_"):
                raise InvalidInput(f"a {mtype.value} id must start with {mtype.prefix}_")
            try:
                return self.get(mid)
            except NotFound:
                pass
        valid = self._sealer().memory(mtype, valid, source_ids=source_ids, app=app, actor=actor)
        stamp = now()
        row = self._row(
            mtype,
            mid,
            valid,
            created_at=stamp,
            app=app,
            source_ids=source_ids,
            vector=self._vector(valid, vector),
        )
        table = self._tables.table(mtype.value)
        commit = self._tables.commit
        commit(lambda: table.merge_insert("id").when_not_matched_insert_all().execute([row]))
        self._tables.after_write(mtype.value, table)
        memory = self._memory(mtype, row)
        view = self.history.stored_view(memory)
        self.record([(memory.id, mtype, "insert", actor, None, view)])
        return memory

    def add_many(
        self,
        memory_type: S.MemoryType | str,
        items: Sequence[S.MemoryData | Mapping[str, Any]],
        *,
        source_ids: Sequence[Sequence[str]] | None,
        vectors: Sequence[Sequence[float]] | None,
        app: str | None,
        actor: str,
    ) -> list[str]:
        mtype = S.MemoryType.parse(memory_type)
        valid = []
        for number, item in enumerate(items):
            try:
                valid.append(validate(mtype, item))
            except InvalidInput as exc:
                raise InvalidInput(f"item {number}: {exc}") from None
        if source_ids is not None and len(source_ids) != len(valid):
            raise InvalidInput("source_ids must have one list per item")
        if vectors is not None and len(vectors) != len(valid):
            raise InvalidInput("vectors must have one vector per item")
        valid = [
            self._sealer().memory(
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
            [list(map(float, v)) for v in vectors]
            if vectors is not None
            else self._vectors.embed(texts)
        )
        rows = []
        for i, (data, vec) in enumerate(zip(valid, embedded, strict=True)):
            mid = f"{mtype.prefix}_{uuid.uuid4().hex}"
            sources = source_ids[i] if source_ids is not None else ()
            rows.append(
                self._row(
                    mtype, mid, data, created_at=stamp, app=app, source_ids=sources, vector=vec
                )
            )
        if not rows:
            return []
        table = self._tables.table(mtype.value)
        self._tables.commit(lambda: table.add(rows))
        self._tables.after_write(mtype.value, table)
        view = self.history.stored_view
        self.record(
            [(r["id"], mtype, "insert", actor, None, view(self._memory(mtype, r))) for r in rows]
        )
        return [r["id"] for r in rows]

    def get(self, memory_id: str) -> S.Memory:
        mtype = _type_of_stored_id(memory_id)
        table = self._tables.existing(mtype.value)
        if table is None:
            raise NotFound(f"no memory with id {memory_id!r}")
        rows = table.search().where(f"id = {quote(memory_id)}").limit(1).to_list()
        if not rows:
            raise NotFound(f"no memory with id {memory_id!r}")
        return self._memory(mtype, rows[0])

    def core_blocks(self) -> list[S.Memory]:
        cached = self._core_cache
        if cached is not None and _time.monotonic() - cached[0] < self._core_ttl:
            return list(cached[1])
        blocks = self.of_type(S.MemoryType.CORE)
        self._core_cache = (_time.monotonic(), blocks)
        return list(blocks)

    def get_many(self, memory_ids: Sequence[str]) -> list[S.Memory]:
        by_type: dict[S.MemoryType, list[str]] = {}
        for mid in memory_ids:
            try:
                by_type.setdefault(_type_of_stored_id(mid), []).append(mid)
            except NotFound:
                continue
        found: dict[str, S.Memory] = {}
        for mtype, ids in by_type.items():
            for mid, row in rows_by_id(self._tables.existing(mtype.value), ids).items():
                found[mid] = self._memory(mtype, row)
        return [found[m] for m in memory_ids if m in found]

    def of_type(self, memory_type: S.MemoryType | str, *, limit: int = 1000) -> list[S.Memory]:
        mtype = S.MemoryType.parse(memory_type)
        table = self._tables.existing(mtype.value)
        if table is None:
            return []
        rows = table.search().limit(None).to_list()
        rows.sort(key=lambda r: r["time"], reverse=True)
        return [self._memory(mtype, r) for r in rows[:limit]]

    def _vector(self, data: S.MemoryData, given: Sequence[float] | None) -> list[float] | None:
        if given is not None:
            return [float(v) for v in given]
        return self._vectors.embed([data.search_text()])[0]

    def update(
        self,
        memory_id: str,
        changes: Mapping[str, Any],
        *,
        source_ids: Sequence[str],
        actor: str,
        vector: Sequence[float] | None = None,
    ) -> S.Memory:
        old = self.get(memory_id)
        return self.rewrite(
            old, changes, source_ids=source_ids, actor=actor, op="update", vector=vector
        )

    def add_sources(self, memory_id: str, source_ids: Sequence[str], *, actor: str) -> S.Memory:
        memory = self.get(memory_id)
        if set(source_ids) <= set(memory.source_ids):
            return memory
        return self.rewrite(memory, {}, source_ids=source_ids, actor=actor, op="update")

    def rewrite(
        self,
        old: S.Memory,
        changes: Mapping[str, Any],
        *,
        source_ids: Sequence[str],
        actor: str,
        op: str,
        vector: Sequence[float] | None = None,
    ) -> S.Memory:
        """Write ``old`` again with ``changes`` and more sources, leaving a history row
        (``vector``, when given, instead of embedding the new text)."""
        mtype = old.type
        unknown = set(changes) - set(S.data_columns(mtype))
        if unknown:
            raise InvalidInput(f"{mtype.value} memories have no field {', '.join(sorted(unknown))}")
        merged = {**old.data.model_dump(), **changes}
        valid = validate(mtype, merged)
        valid = self._sealer().memory(
            mtype, valid, source_ids=[*old.source_ids, *source_ids], app=old.app, actor=actor
        )
        row = self._row(
            mtype,
            old.id,
            valid,
            created_at=old.created_at,
            app=old.app,
            source_ids=[*old.source_ids, *source_ids],
            vector=self._vector(valid, vector),
            when=old.time,
        )
        table = self._tables.table(mtype.value)
        self._tables.commit(
            lambda: table.merge_insert("id").when_matched_update_all().execute([row])
        )
        new = self._memory(mtype, row)
        view = self.history.stored_view
        self.record([(old.id, mtype, op, actor, view(old), view(new))])
        return new

    def merge(
        self, keep_id: str, other_ids: Sequence[str], changes: Mapping[str, Any], *, actor: str
    ) -> S.Memory:
        keep = self.get(keep_id)
        others = [self.get(oid) for oid in other_ids if oid != keep_id]
        for other in others:
            if other.type is not keep.type:
                raise InvalidInput(f"cannot merge a {other.type.value} into a {keep.type.value}")
        sources = [sid for other in others for sid in other.source_ids]
        merged = self.rewrite(keep, changes, source_ids=sources, actor=actor, op="merge")
        table = self._tables.table(keep.type.value)
        for other in others:
            self._tables.commit(partial(table.delete, f"id = {quote(other.id)}"))
            view = self.history.stored_view(other)
            self.record([(other.id, keep.type, "merge", actor, view, {"merged_into": keep.id})])
        return merged

    def delete(self, memory_id: str, *, actor: str) -> None:
        old = self.get(memory_id)
        table = self._tables.table(old.type.value)
        self._tables.commit(lambda: table.delete(f"id = {quote(memory_id)}"))
        view = self.history.stored_view(old)
        self.record([(memory_id, old.type, "delete", actor, view, None)])

    def record(self, changes: Sequence[Change]) -> None:
        """History rows for changes just written (dropping the cached core blocks)."""
        if any(change[1] is S.MemoryType.CORE for change in changes):
            self._core_cache = None
        self.history.record_many(changes)

    def between(
        self,
        memory_type: S.MemoryType | str,
        since: datetime,
        until: datetime,
        *,
        app: str | None,
        limit: int,
    ) -> list[S.Memory]:
        mtype = S.MemoryType.parse(memory_type)
        table = self._tables.existing(mtype.value)
        if table is None:
            return []
        where = f"time >= {sql_time(since)} AND time <= {sql_time(until)}"
        if app is not None:
            where += f" AND app = {quote(app)}"
        rows = table.search().where(where).limit(None).to_list()
        rows.sort(key=lambda r: r["time"], reverse=True)
        return [self._memory(mtype, r) for r in rows[:limit]]

    def only_from(self, source_ids: Iterable[str]) -> list[str]:
        sources = set(source_ids)
        found = []
        present = self._tables.names()
        for mtype in S.MemoryType:
            if mtype.value not in present:
                continue
            table = self._tables.table(mtype.value)
            rows = table.search().select(["id", "source_ids"]).limit(None)
            for row in rows.to_list():
                cited = set(row["source_ids"] or [])
                if cited and cited <= sources:
                    found.append(row["id"])
        return found

    def every(self) -> Iterator[S.Memory]:
        for mtype in S.MemoryType:
            yield from self.of_type(mtype, limit=10**9)


def validate(mtype: S.MemoryType, data: S.MemoryData | Mapping[str, Any]) -> Any:
    """``data`` as the type's model; raises InvalidInput when it does not fit."""
    model = S.DATA_MODEL[mtype]
    if isinstance(data, model):
        return data
    payload = data.model_dump() if hasattr(data, "model_dump") else dict(data)
    try:
        return model.model_validate(payload)
    except ValueError as exc:
        raise InvalidInput(f"invalid {mtype.value} memory: {one_line(exc)}") from None


def memory_row(
    cipher: VaultCipher,
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
    """The stored row of a memory (the vault secret encrypted)."""
    text = data.search_text()
    stamp = now()
    if isinstance(data, S.EpisodicData) and data.occurred_at is not None:
        when = as_utc(data.occurred_at)
    values = data.model_dump()
    if isinstance(data, S.VaultData):
        values["secret_value"] = cipher.encrypt(data.secret_value, bound_to=mid)
    if isinstance(data, S.EpisodicData) and data.occurred_at is not None:
        values["occurred_at"] = as_utc(data.occurred_at)
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
        **values,
    }


LOCKED_VALUE = "[locked: the vault key is missing; see mirix-desktop doctor]"


def row_to_memory(cipher: VaultCipher, mtype: S.MemoryType, row: Mapping[str, Any]) -> S.Memory:
    fields = {name: row[name] for name in S.data_columns(mtype)}
    if mtype is S.MemoryType.KNOWLEDGE_VAULT:
        if isinstance(cipher, LockedCipher):  # the key is lost: the value stays sealed
            fields["secret_value"] = LOCKED_VALUE
        else:
            fields["secret_value"] = cipher.decrypt(fields["secret_value"], bound_to=row["id"])
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


def _type_of_stored_id(memory_id: str) -> S.MemoryType:
    """The memory type of an id the store made. Raises NotFound for any other id."""
    mtype = S.MemoryType.of_id(memory_id)
    if mtype is None:
        raise NotFound(f"no memory with id {memory_id!r}")
    return mtype
