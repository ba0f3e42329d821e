"""Rolling back what a failed batch wrote, from the memories' history.

A batch is all or nothing: when one of its memory agents fails, the changes the
others already committed are undone, so a retry starts from the store as it was
(and a batch that never succeeds leaves no invented memories behind). Each memory
the batch touched goes back to its state before the batch's first change of it
(the store's own undo, :meth:`MemoryStore.revert`): a memory it inserted is deleted,
one it changed or merged away gets its old data back, a vault value included. The
undo is itself a change, recorded in the history with the actor :data:`ROLLBACK_ACTOR`.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from datetime import datetime

from agents.errors import MirixError, NotFound
from agents.store import MemoryStore

log = logging.getLogger(__name__)
ROLLBACK_ACTOR = "rollback"


def roll_back(
    store: MemoryStore, memory_ids: Iterable[str], *, since: datetime, actors: Collection[str]
) -> int:
    """Undo the changes ``actors`` made to ``memory_ids`` at or after ``since`` (each memory
    is reverted to before the first of them: :meth:`MemoryStore.revert`, a vault value
    decrypted from the history's copy); returns how many memories were put back."""
    undone = 0
    for memory_id in dict.fromkeys(memory_ids):
        ours = [
            e for e in store.history(memory_id, limit=500) if e.at >= since and e.actor in actors
        ]
        if not ours:
            continue
        first = min(ours, key=lambda e: e.at)
        if first.op != "insert" and first.old is None:
            continue
        try:
            store.revert(first, actor=ROLLBACK_ACTOR)
        except NotFound:
            continue  # gone already (deleted by the batch after inserting it)
        except MirixError as exc:
            log.warning("rollback of %s failed: %s", memory_id, exc)
            continue
        undone += 1
    return undone
