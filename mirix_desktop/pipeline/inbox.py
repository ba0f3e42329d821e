"""The durable inbox: frames and chat turns waiting to be absorbed into memories.

A SQLite database in WAL mode, so an item put here survives a kill -9 of the
program. The absorb step takes a batch (claiming it for a while), and marks the
items done only after the memories made from them are committed; a batch that
fails is kept with its reason and offered again later, with backoff. An item
id is stored once: putting it again changes nothing.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agents.store import ChatTurn, Frame, MemoryStore

# The kinds of item, and the order of the pipeline: a frame is stored and queued for
# its text (OCR_KIND); once read it waits to be absorbed (FRAME_KIND), as a stored chat
# turn does (CHAT_KIND).
OCR_KIND = "ocr"
FRAME_KIND = "frame"
CHAT_KIND = "chat"
ABSORB_KINDS = (FRAME_KIND, CHAT_KIND)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    payload       TEXT NOT NULL,
    created_at    REAL NOT NULL,
    state         TEXT NOT NULL DEFAULT 'pending',
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_try_at   REAL NOT NULL DEFAULT 0,
    claimed_until REAL NOT NULL DEFAULT 0,
    last_error    TEXT,
    claimed_by    INTEGER
);
CREATE INDEX IF NOT EXISTS items_ready ON items (state, next_try_at, created_at);
"""
# Named, add-only migrations: (name, statement), applied once each, in order.
_MIGRATIONS = [
    # Who absorbed an item ("model" or "offline"), so `absorb --redo` finds offline work.
    ("absorbed_by", "ALTER TABLE items ADD COLUMN absorbed_by TEXT"),
]


def ocr_item(
    frame_id: str, changed_box: Any, frame: Frame | None = None
) -> tuple[str, dict[str, Any]]:
    """The item that asks the OCR worker to read a frame: (item id, payload).

    With ``frame``, it carries the frame's row, so the row can be written again if the
    program died between queueing the frame and storing it.
    """
    payload = {"frame_id": frame_id, "changed_box": changed_box}
    if frame is not None:
        payload["frame"] = frame.model_dump(mode="json")
    return f"{OCR_KIND}:{frame_id}", payload


def store_turns(
    store: MemoryStore, inbox: Inbox, turns: Sequence[ChatTurn], *, embed: bool = True
) -> int:
    """Store chat turns, then queue them to be absorbed; returns how many were new.

    Stored first, then queued: an absorb running meanwhile (in another process) never
    takes an item whose turn is not stored yet. Every turn is queued, stored before or
    not, so a crash between the two is mended by storing the same turns again (an item
    id is kept once). ``embed`` False leaves their vectors for later (an import)."""
    added = store.add_chat_turns(turns, embed=embed)
    inbox.put_many(CHAT_KIND, [(t.id, {"conversation_id": t.conversation_id}) for t in turns])
    return added


def _alive(pid: int) -> bool:
    if sys.platform == "win32":  # os.kill would end the process there: keep the lease
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class InboxItem:
    id: str
    kind: str
    payload: dict[str, Any]
    created_at: float
    attempts: int


@dataclass(frozen=True)
class Failure:
    id: str
    kind: str
    attempts: int
    error: str
    next_try_at: float  # epoch seconds


class Inbox:
    """A work queue on SQLite; safe to use from several threads and processes."""

    def __init__(self, path: Path, *, lease_s: float = 600.0, max_backoff_s: float = 3600.0):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lease_s = lease_s
        self._max_backoff_s = max_backoff_s
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # durable across a crash of the program
        self._db.executescript(_SCHEMA)
        self._migrate()
        self._release_dead_claims()

    def _migrate(self) -> None:
        with self._lock:
            self._db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY)")
            self._db.execute("BEGIN IMMEDIATE")
            applied = {r[0] for r in self._db.execute("SELECT name FROM migrations")}
            for name, statement in _MIGRATIONS:
                if name not in applied:
                    self._db.execute(statement)
                    self._db.execute("INSERT INTO migrations (name) VALUES (?)", (name,))
            self._db.execute("COMMIT")

    def job_done(self, name: str) -> bool:
        """Whether the pipeline's one-off job ``name`` has been done in this inbox."""
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM migrations WHERE name = ?", (f"job:{name}",)
            ).fetchone()
        return row is not None

    def mark_job_done(self, name: str) -> None:
        """Record the one-off job ``name`` as done (beside the SQL migrations)."""
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO migrations (name) VALUES (?)", (f"job:{name}",))

    def _release_dead_claims(self) -> None:
        """Items claimed by a process of this machine that no longer runs are ready again
        at once (a claim's lease only matters while its process is alive)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT DISTINCT claimed_by FROM items "
                "WHERE claimed_until > ? AND claimed_by IS NOT NULL",
                (time.time(),),
            ).fetchall()
            dead = [pid for (pid,) in rows if pid != os.getpid() and not _alive(pid)]
            self._db.executemany(
                "UPDATE items SET claimed_until = 0, claimed_by = NULL WHERE claimed_by = ?",
                [(pid,) for pid in dead],
            )

    def put(self, kind: str, item_id: str, payload: dict[str, Any]) -> bool:
        """Add an item; returns False when an item with this id is already here."""
        return self.put_many(kind, [(item_id, payload)]) == 1

    def put_many(self, kind: str, items: Iterable[tuple[str, dict[str, Any]]]) -> int:
        """Add items in one transaction; returns how many were new."""
        rows = [(i, kind, json.dumps(p, ensure_ascii=False), time.time()) for i, p in items]
        with self._lock:
            before = self._db.total_changes
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT OR IGNORE INTO items (id, kind, payload, created_at) VALUES (?,?,?,?)",
                rows,
            )
            self._db.execute("COMMIT")
            return self._db.total_changes - before

    def put_again(self, kind: str, items: Iterable[tuple[str, dict[str, Any]]]) -> int:
        """Add items, or make stored ones (done or not) pending again with this payload
        (after a repair lost what they made); returns how many."""
        rows = [(i, kind, json.dumps(p, ensure_ascii=False), time.time()) for i, p in items]
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT INTO items (id, kind, payload, created_at) VALUES (?,?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET payload = excluded.payload, state = 'pending', "
                "attempts = 0, next_try_at = 0, claimed_until = 0, last_error = NULL",
                rows,
            )
            self._db.execute("COMMIT")
        return len(rows)

    def put_rows(self, rows: Iterable[Sequence[Any]]) -> None:
        """Put back rows saved from a damaged inbox, as they were: (id, kind, payload,
        created_at, state, attempts, absorbed_by); ids already here are kept."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT OR IGNORE INTO items (id, kind, payload, created_at, state, attempts, "
                "absorbed_by) VALUES (?,?,?,?,?,?,?)",
                rows,
            )
            self._db.execute("COMMIT")

    def reopen_since(self, since: float, kinds: Sequence[str]) -> int:
        """Make items of ``kinds`` queued at or after ``since`` (epoch seconds) and done
        pending again; returns how many."""
        marks = ", ".join("?" for _ in kinds)
        with self._lock:
            cur = self._db.execute(
                "UPDATE items SET state = 'pending', attempts = 0, next_try_at = 0, "
                "claimed_until = 0, last_error = NULL "
                f"WHERE state = 'done' AND created_at >= ? AND kind IN ({marks})",
                (since, *kinds),
            )
            return cur.rowcount

    def take(
        self, limit: int, *, kinds: Sequence[str] = (), ready_by: float | None = None
    ) -> list[InboxItem]:
        """Claim up to ``limit`` ready items (of ``kinds``, or any), oldest first, for the lease.

        ``ready_by`` (epoch seconds) leaves out items whose retry falls after it: a run
        that passes its start never takes again what failed during it. Items claimed by
        a process that died become ready again when the lease ends.
        """
        self._release_dead_claims()
        now = time.time()
        kind_filter = ""
        params: list[Any] = [min(now, ready_by) if ready_by is not None else now, now]
        if kinds:
            kind_filter = f" AND kind IN ({', '.join('?' for _ in kinds)})"
            params.extend(kinds)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            rows = self._db.execute(
                "SELECT id, kind, payload, created_at, attempts FROM items "
                "WHERE state = 'pending' AND next_try_at <= ? AND claimed_until <= ?"
                f"{kind_filter} ORDER BY created_at, id LIMIT ?",
                (*params, limit),
            ).fetchall()
            self._db.executemany(
                "UPDATE items SET claimed_until = ?, claimed_by = ? WHERE id = ?",
                [(now + self._lease_s, os.getpid(), r[0]) for r in rows],
            )
            self._db.execute("COMMIT")
        return [InboxItem(r[0], r[1], json.loads(r[2]), r[3], r[4]) for r in rows]

    def done(self, ids: Sequence[str], *, by: str | None = None) -> None:
        """Mark items absorbed (call only after their memories are committed);
        ``by`` records who absorbed them ("model" or "offline")."""
        with self._lock:
            self._db.executemany(
                "UPDATE items SET state = 'done', claimed_until = 0, last_error = NULL, "
                "absorbed_by = ? WHERE id = ?",
                [(by, i) for i in ids],
            )

    def requeue(self, *, absorbed_by: str, kinds: Sequence[str]) -> int:
        """Make items of ``kinds`` absorbed by ``absorbed_by`` pending again; returns how many."""
        marks = ", ".join("?" for _ in kinds)
        with self._lock:
            cur = self._db.execute(
                "UPDATE items SET state = 'pending', attempts = 0, next_try_at = 0, "
                "claimed_until = 0, last_error = NULL "
                f"WHERE state = 'done' AND absorbed_by = ? AND kind IN ({marks})",
                (absorbed_by, *kinds),
            )
            return cur.rowcount

    def waiting(self, kinds: Sequence[str]) -> tuple[int, float | None]:
        """How many items of ``kinds`` are ready now, and the age in seconds of the oldest."""
        marks = ", ".join("?" for _ in kinds)
        now = time.time()
        with self._lock:
            count, oldest = self._db.execute(
                "SELECT COUNT(*), MIN(created_at) FROM items WHERE state = 'pending' "
                f"AND next_try_at <= ? AND claimed_until <= ? AND kind IN ({marks})",
                (now, now, *kinds),
            ).fetchone()
        return count, (now - oldest if oldest is not None else None)

    def fail(self, ids: Sequence[str], reason: str) -> None:
        """Give items back with the reason; they are retried later, with exponential backoff."""
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            for item_id in ids:
                row = self._db.execute(
                    "SELECT attempts FROM items WHERE id = ?", (item_id,)
                ).fetchone()
                if row is None:
                    continue
                attempts = row[0] + 1
                delay = min(self._max_backoff_s, 30.0 * 2 ** min(attempts - 1, 20))
                self._db.execute(
                    "UPDATE items SET attempts = ?, next_try_at = ?, claimed_until = 0, "
                    "last_error = ? WHERE id = ?",
                    (attempts, now + delay, reason[:2000], item_id),
                )
            self._db.execute("COMMIT")

    def release(self, ids: Sequence[str]) -> None:
        """Give claimed items back untouched (nothing was tried, e.g. on shutdown)."""
        with self._lock:
            self._db.executemany(
                "UPDATE items SET claimed_until = 0 WHERE id = ?", [(i,) for i in ids]
            )

    def queue_ocr(self, frame_id: str, changed_box: Any, frame: Frame | None = None) -> bool:
        """Ask the OCR worker to read a frame (``changed_box``: the region that changed)."""
        return self.put(OCR_KIND, *ocr_item(frame_id, changed_box, frame))

    def queue_read_frame(self, frame_id: str, app: str) -> bool:
        """A frame whose text is stored waits to be absorbed."""
        return self.put(FRAME_KIND, frame_id, {"app": app})

    def forget_frames(self, frame_ids: Sequence[str]) -> None:
        """Remove every item of these frames (waiting for OCR or to be absorbed)."""
        self.forget([*frame_ids, *(ocr_item(i, None)[0] for i in frame_ids)])

    def forget(self, ids: Sequence[str]) -> None:
        """Remove items (of forgotten frames) whatever their state."""
        with self._lock:
            self._db.executemany("DELETE FROM items WHERE id = ?", [(i,) for i in ids])

    def counts(self) -> dict[str, int]:
        """Items waiting, failing (waiting with an error) and done."""
        with self._lock:
            rows = self._db.execute(
                "SELECT state, last_error IS NOT NULL, COUNT(*) FROM items GROUP BY 1, 2"
            ).fetchall()
        out = {"pending": 0, "failing": 0, "done": 0}
        for state, has_error, count in rows:
            if state == "done":
                out["done"] += count
            else:
                out["pending"] += count
                if has_error:
                    out["failing"] += count
        return out

    def failures(self, limit: int = 20) -> list[tuple[str, int, str]]:
        """(id, attempts, last error) of items that failed and wait for a retry."""
        return [(f.id, f.attempts, f.error) for f in self.failing(limit)]

    def failing(self, limit: int = 20) -> list[Failure]:
        """Items that failed and wait for a retry, soonest retry first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, kind, attempts, last_error, next_try_at FROM items "
                "WHERE state = 'pending' AND last_error IS NOT NULL "
                "ORDER BY next_try_at LIMIT ?",
                (limit,),
            ).fetchall()
        return [Failure(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()
