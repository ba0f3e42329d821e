"""Forgetting and retention: frames go (files first, then rows); memories stay unless forgotten."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from agents.store import MemoryStore
from agents.store.timeutil import now
from mirix_desktop.pipeline.inbox import Inbox

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Removed:
    frames: int
    bytes: int
    memories: int
    turns: int = 0


def _remove_frames(store: MemoryStore, inbox: Inbox, rows: Sequence[dict[str, Any]]) -> int:
    """Unlink the image files, then delete the rows and inbox items; returns bytes freed."""
    freed = 0
    for row in rows:
        path = Path(row["image_path"])
        try:
            freed += path.stat().st_size
            path.unlink()
        except FileNotFoundError:
            pass
    ids = [row["id"] for row in rows]
    store.delete_frames(ids)
    inbox.forget_frames(ids)
    return freed


def forget_last(store: MemoryStore, inbox: Inbox, minutes: float) -> Removed:
    """Delete the frames and the chat turns of the last ``minutes`` (questions asked and
    answers given then) and every memory made only from them."""
    since = now() - timedelta(minutes=minutes)
    rows = store.frame_rows(since=since)
    ids = [row["id"] for row in rows]
    turns = store.chat_turn_ids(since=since)
    memories = store.memories_only_from([*ids, *turns]) if ids or turns else []
    freed = _remove_frames(store, inbox, rows)
    if turns:
        store.delete_chat_turns(turns)
        inbox.forget(turns)
    for memory_id in memories:
        store.delete(memory_id, actor="forget")
    return Removed(frames=len(rows), bytes=freed, memories=len(memories), turns=len(turns))


def enforce_retention(
    store: MemoryStore, inbox: Inbox, *, max_bytes: int, max_days: float
) -> Removed:
    """Delete frames stored more than ``max_days`` ago, then the oldest until under ``max_bytes``.

    Age counts from when a frame was stored, so an imported archive of old
    screenshots is not deleted the moment it arrives.
    """
    rows = store.frame_rows()
    cutoff = now() - timedelta(days=max_days)
    doomed = [r for r in rows if r["created_at"] < cutoff]
    kept = [r for r in rows if r["created_at"] >= cutoff]
    total = sum(int(r["size_bytes"]) for r in kept)
    for row in kept:  # oldest first
        if total <= max_bytes:
            break
        doomed.append(row)
        total -= int(row["size_bytes"])
    if not doomed:
        return Removed(0, 0, 0)
    freed = _remove_frames(store, inbox, doomed)
    log.info("retention removed %d frames (%d bytes)", len(doomed), freed)
    return Removed(frames=len(doomed), bytes=freed, memories=0)
