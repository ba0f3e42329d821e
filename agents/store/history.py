"""The history of memories: a row per change, with the old and the new value."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from agents.store import schema as S
from agents.store.crypto import VaultCipher
from agents.store.tables import Tables, quote
from agents.store.timeutil import now

# (memory id, type, op, actor, old value, new value)
Change = tuple[str, S.MemoryType, str, str, Mapping[str, Any] | None, Mapping[str, Any] | None]


class History:
    """Appends and reads history rows; vault secrets stay encrypted in them."""

    def __init__(self, tables: Tables, cipher: VaultCipher) -> None:
        self._tables = tables
        self._cipher = cipher

    def stored_view(self, memory: S.Memory) -> dict[str, Any]:
        """A memory as history keeps it (old and new alike): the vault secret stays encrypted."""
        view = memory.model_dump(mode="json")
        if memory.type is S.MemoryType.KNOWLEDGE_VAULT:
            view["data"]["secret_value"] = self._cipher.encrypt(
                view["data"]["secret_value"], bound_to=memory.id
            )
        return view

    def plain_old(self, entry: S.HistoryEntry) -> dict[str, Any]:
        """The data a change replaced, as it can be stored again: a vault secret decrypted.
        Raises SecretError when the vault key cannot decrypt it (a lost key)."""
        if entry.old is None:
            return {}
        plain = dict(entry.old["data"])
        if entry.memory_type == S.MemoryType.KNOWLEDGE_VAULT.value and plain.get("secret_value"):
            plain["secret_value"] = self._cipher.decrypt(
                plain["secret_value"], bound_to=entry.memory_id
            )
        return plain

    def record_many(self, changes: Sequence[Change]) -> None:
        """Append history rows: (memory id, type, op, actor, old value, new value)."""

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
        table = self._tables.table(S.HISTORY_TABLE)
        self._tables.commit(lambda: table.add(entries))
        self._tables.after_write(S.HISTORY_TABLE, table)

    def entries(self, memory_id: str | None = None, *, limit: int = 100) -> list[S.HistoryEntry]:
        """History rows, newest first; for one memory when ``memory_id`` is given."""
        table = self._tables.existing(S.HISTORY_TABLE)
        if table is None:
            return []
        query = table.search()
        if memory_id is not None:
            query = query.where(f"memory_id = {quote(memory_id)}")
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
