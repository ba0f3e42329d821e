"""Rolling back what a failed batch wrote, from the memories' history.

A batch is all or nothing: when one of its memory agents fails, the changes the
others already committed are undone, so a retry starts from the store as it was
(and a batch that never succeeds leaves no invented memories behind). Each memory
the batch touched goes back to its state before the batch's first change of it: a
memory it inserted is deleted, one it changed or merged away gets its old data
back. The undo is itself a change, recorded in the history with the actor
:data:`ROLLBACK_ACTOR`.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from agents.errors import MirixError, NotFound
from agents.store import MemoryStore, MemoryType

log = logging.getLogger(__name__)
ROLLBACK_ACTOR = "rollback"


def roll_back(
    store: MemoryStore, memory_ids: Iterable[str], *, since: datetime, actors: Collection[str]
) -> int:
    """Undo the changes ``actors`` made to ``memory_ids`` at or after ``since``; returns
    how many memories were put back. A vault value changed (not inserted) by the batch
    keeps its new value: history holds it encrypted, and it is logged."""
    undone = 0
    for memory_id in dict.fromkeys(memory_ids):
        ours = [
            e for e in store.history(memory_id, limit=500) if e.at >= since and e.actor in actors
        ]
        if not ours:
            continue
        first = min(ours, key=lambda e: e.at)
        try:
            if first.op == "insert":
                store.delete(memory_id, actor=ROLLBACK_ACTOR)
            elif first.old is None:
                continue
            elif first.memory_type == MemoryType.KNOWLEDGE_VAULT.value:
                log.warning("rollback: vault value %s keeps its new value", memory_id)
                continue
            else:
                _put_back(store, memory_id, first.memory_type, first.old)
        except NotFound:
            continue  # gone already (deleted by the batch after inserting it)
        except MirixError as exc:
            log.warning("rollback of %s failed: %s", memory_id, exc)
            continue
        undone += 1
    return undone


def _put_back(store: MemoryStore, memory_id: str, memory_type: str, old: dict[str, Any]) -> None:
    data = old["data"]
    try:
        store.get(memory_id)
    except NotFound:  # merged away or deleted by the batch: added again under its id
        store.add(
            memory_type,
            data,
            source_ids=old.get("source_ids") or [],
            app=old.get("app"),
            actor=ROLLBACK_ACTOR,
            memory_id=memory_id,
        )
        return
    store.update(memory_id, data, actor=ROLLBACK_ACTOR)
