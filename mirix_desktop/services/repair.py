"""``mirix-desktop repair``: mend what ``doctor`` found damaged, losing no more than that.

A damaged table goes back to its newest version that reads whole (LanceDB keeps the
versions); a manifest that cannot be read is set aside first. What that loses is said in
rows and time, frames whose images are still on disk are queued to be read again, and
chat turns and frames queued since that version are queued to be absorbed again. A
damaged inbox is replaced by a new one holding the rows that still read. With
``reset_vault`` the vault's values (and the secrets file locked with the lost key) go.
Everything replaced is first copied under ``data/repair-backup/<time>/``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PIL import Image

from agents.ids import frame_id
from agents.store import Frame
from agents.store import schema as S
from agents.store.health import (
    TableHealth,
    broken_indexes,
    check_store,
    check_table,
    first_line,
    is_damage,
    newest_readable,
    open_db,
    sealed_values,
)
from agents.store.indexes import first_indexes
from mirix_desktop.pipeline.inbox import ABSORB_KINDS, OCR_KIND, Inbox, ocr_item
from mirix_desktop.services.context import Context
from mirix_desktop.services.damage import INBOX_FILE, inbox_problems, plural

BACKUP_DIR = "repair-backup"
# Tables that get full-text and scalar indexes once they have rows (see first_indexes).
WHAT_HAS_INDEXES = {*S.TEXT_VECTOR_TABLES, S.HISTORY_TABLE}
_MAX_MANIFESTS_SET_ASIDE = 50
_MAX_ROWID_GUESS = 1 << 20  # rows looked for when the table's last row id cannot be read
_IMAGE_SUFFIXES = {".webp", ".jpg", ".jpeg", ".png"}


@dataclass
class Repaired:
    """What repair did, as lines for a person, and where the copies are."""

    lines: list[str] = field(default_factory=list)
    backup: Path | None = None
    lost_rows: int = 0
    requeued: int = 0

    def say(self, line: str) -> None:
        self.lines.append(line)


def _version_of(manifest: Path) -> int:
    number = int(manifest.stem)
    return (2**64 - 1 - number) if number > 2**63 else number


def _manifests(folder: Path) -> list[Path]:
    """A table's manifests, newest version first."""
    found = [p for p in (folder / "_versions").glob("*.manifest") if p.stem.isdigit()]
    return sorted(found, key=_version_of, reverse=True)


class Repair:
    """One repair run over a home; see the module's docstring."""

    def __init__(self, ctx: Context, *, progress: Callable[[str], None] | None = None) -> None:
        self.ctx = ctx
        self.store_dir = ctx.paths.store_dir
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        self.backup = ctx.paths.data_dir / BACKUP_DIR / stamp
        self.out = Repaired(backup=self.backup)
        self._progress = progress or (lambda _line: None)

    def _copy(self, path: Path) -> None:
        """Copy a file or folder into the backup (data files under their data path)."""
        data = self.ctx.paths.data_dir
        rel = path.relative_to(data) if path.is_relative_to(data) else Path("config") / path.name
        target = self.backup / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            shutil.copytree(path, target, dirs_exist_ok=True)
        else:
            shutil.copy2(path, target)

    def run(self, *, reset_vault: bool = False) -> Repaired:
        """Repair every damaged part; the store and inbox are closed while it works."""
        self.ctx.close()
        tables = check_store(self.store_dir)
        damaged = [t for t in tables if not t.ok]
        inbox_bad = inbox_problems(self.ctx.paths.data_dir / INBOX_FILE)
        if not damaged and not inbox_bad and not reset_vault:
            self.out.say(
                f"nothing to repair: all {len(tables)} tables read whole, the inbox is sound"
            )
            return self.out
        db = open_db(self.store_dir)
        if inbox_bad:  # first: mending a table queues work in it
            self._progress("repairing the inbox")
            self._inbox()
        for health in damaged:
            self._progress(f"repairing {health.name}")
            self._table(db, health)
        if reset_vault:
            self._reset_vault(db)
        self.ctx.close()
        self.out.say(f"copies of everything replaced: {self.backup}")
        return self.out

    # ---- tables ------------------------------------------------------------------------

    def _table(self, db: Any, health: TableHealth) -> None:
        name = health.name
        folder = self.store_dir / f"{name}.lance"
        self._copy(folder)
        set_aside = self._open_or_set_aside(db, folder)
        latest_rows = health.rows
        try:
            table = db.open_table(name)
        except Exception as exc:  # noqa: BLE001 - not one manifest opens: start it again
            self._drop(db, name, health, f"no version opens ({first_line(exc)})")
            return
        latest = int(table.version)
        if latest_rows is None:
            latest_rows = int(table.count_rows())
        readable = newest_readable(db, name)
        if readable is None:
            self._drop(db, name, health, "no version reads whole")
            return
        if readable.version < latest:
            table.checkout_latest()
            table.restore(readable.version)
            lost = max(0, latest_rows - readable.rows)
            self.out.lost_rows += lost
            since = (
                f" (what was written after {readable.written_at:%Y-%m-%d %H:%M:%S})"
                if readable.written_at
                else ""
            )
            self.out.say(
                f"{name} ({health.what}): rolled back from version {latest} ({latest_rows:,} "
                f"rows) to version {readable.version} ({readable.rows:,} rows), the newest that "
                f"reads whole: {plural(lost, 'row')} lost{since}"
            )
            self._after_rollback(name, readable.written_at)
        elif set_aside:
            self.out.say(
                f"{name} ({health.what}): {plural(set_aside, 'newer version')} could not be "
                f"read and {'was' if set_aside == 1 else 'were'} set aside; version {latest} "
                f"({latest_rows:,} rows) reads whole"
            )
            written = self._written_at(table, latest)
            self._after_rollback(name, written)
        else:
            self.out.say(f"{name} ({health.what}): its latest version reads whole")
        self._set_aside_cut_files(folder)
        self._rebuild_cut_indexes(db, name, folder)
        restored = db.open_table(name)
        if name in WHAT_HAS_INDEXES and restored.count_rows():
            first_indexes(name, restored)  # those the older version lacked
        (folder / "_versions" / "latest_version_hint.json").write_text(
            json.dumps({"version": int(db.open_table(name).version)})
        )
        after = check_table(db, folder)
        if not after.ok:
            self.out.say(f"{name}: still damaged after the repair: {'; '.join(after.problems)}")

    def _open_or_set_aside(self, db: Any, folder: Path) -> int:
        """Set aside the newest manifests while the table does not open; returns how many
        newer versions than the one that opens were written (a lost manifest counts too:
        the version hint still names the newest one written)."""
        name = folder.name.removesuffix(".lance")
        hint = folder / "_versions" / "latest_version_hint.json"
        try:
            hinted: int | None = int(json.loads(hint.read_text())["version"])
        except (OSError, ValueError, KeyError, TypeError):
            hinted = None
        aside = 0
        while aside < _MAX_MANIFESTS_SET_ASIDE:
            try:
                current = int(db.open_table(name).version)
                break
            except Exception:  # noqa: BLE001 - its newest manifest is unreadable
                manifests = _manifests(folder)
                if len(manifests) <= 1:
                    return aside
                manifests[0].unlink()  # the table's copy holds it
                aside += 1
        else:
            return aside
        return max(aside, hinted - current) if hinted is not None else aside

    def _written_at(self, table: Any, version: int) -> datetime | None:
        for info in table.list_versions():
            if int(info["version"]) == version:
                stamp = info.get("timestamp")
                return stamp if isinstance(stamp, datetime) else None
        return None

    def _drop(self, db: Any, name: str, health: TableHealth, why: str) -> None:
        rows = health.rows or 0
        db.drop_table(name)
        self.out.lost_rows += rows
        self.out.say(
            f"{name} ({health.what}): {why}: made again empty; {plural(rows, 'row')} lost "
            "(the copy keeps them)"
        )
        self._after_rollback(name, None)

    def _set_aside_cut_files(self, folder: Path) -> None:
        """Remove data files and manifests cut short: the version now latest reads whole
        without them, and the table's copy keeps them."""
        for path in [*(folder / "data").glob("*.lance"), *_manifests(folder)]:
            if not _whole(path):
                path.unlink()

    def _rebuild_cut_indexes(self, db: Any, name: str, folder: Path) -> None:
        """Indexes that cannot be read (a file lost or cut short) are dropped and made
        again from the rows (a vector index at the next optimize)."""
        table = db.open_table(name)
        cut = {p.parent.name for p in (folder / "_indices").glob("*/*.lance") if not _whole(p)}
        broken = broken_indexes(table)
        dropped = False
        for index in table.list_indices():
            if index.name in broken or index.index_uuid in cut:
                table.drop_index(index.name)
                dropped = True
                self.out.say(f"{name}: index {index.name} was damaged: made again from the rows")
        for uuid in cut:
            shutil.rmtree(folder / "_indices" / uuid, ignore_errors=True)
        if dropped and table.count_rows():
            first_indexes(name, table)

    def _after_rollback(self, name: str, since: datetime | None) -> None:
        """Queue again what the lost rows came from."""
        if name == S.TABLE[S.RecordType.FRAME]:
            self._requeue_frames()
        elif name in {S.TABLE[t] for t in S.MemoryType}:
            moment = since.timestamp() if since is not None else 0.0
            count = self.ctx.inbox.reopen_since(moment, ABSORB_KINDS)
            self.out.requeued += count
            self.out.say(
                f"  {count:,} frames and chat turns queued since then will be absorbed again "
                "(mirix-desktop absorb)"
            )
        elif name == S.TABLE[S.RecordType.CHAT]:
            self.out.say(
                "  chat turns written after that version, if any, are lost: ingest their "
                "files again to bring them back (nothing is stored twice)"
            )

    def _requeue_frames(self) -> None:
        """Frames whose image is on disk but whose row was lost: queued to be read again."""
        store = self.ctx.store
        known = {row["image_path"] for row in store.frame_rows()}
        items = []
        for path in sorted(self.ctx.paths.frames_dir.rglob("*")):
            if path.suffix.lower() not in _IMAGE_SUFFIXES or str(path) in known:
                continue
            data = path.read_bytes()
            try:
                with Image.open(path) as img:
                    width, height = img.size
            except OSError:
                continue  # not an image that reads: left for the copy of the folder
            captured = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            frame = Frame(
                id=frame_id(hashlib.sha256(data).hexdigest()),
                captured_at=captured,
                image_path=str(path),
                width=width,
                height=height,
                size_bytes=len(data),
            )
            items.append(ocr_item(frame.id, None, frame))
        self.ctx.inbox.put_again(OCR_KIND, items)
        self.out.requeued += len(items)
        self.out.say(
            f"  {len(items):,} screenshots whose images are still on disk are queued to be "
            "read again (their app and window title are not known any more)"
        )
        self.ctx.close()

    # ---- the inbox and the vault --------------------------------------------------------

    def _inbox(self) -> None:
        path = self.ctx.paths.data_dir / INBOX_FILE
        self.ctx.close()
        rows = _salvage_items(path)
        for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if part.exists():
                self._copy(part)
                part.unlink()
        inbox = Inbox(path)
        try:
            inbox.put_rows(rows)
        finally:
            inbox.close()
        try:
            frames = self.ctx.store.frames([r["id"] for r in self.ctx.store.frame_rows()])
        except Exception as exc:
            if not is_damage(exc):
                raise
            frames = []  # the frames table is damaged too: its own repair queues them
        waiting = [f for f in frames if not f.ocr_text]
        self.ctx.inbox.put_many(OCR_KIND, [ocr_item(f.id, None, f) for f in waiting])
        self.out.requeued += len(waiting)
        self.out.say(
            f"inbox: damaged; a new one holds the {len(rows):,} items that still read, and "
            f"{len(waiting):,} screenshots not yet read are queued again"
        )

    def _reset_vault(self, db: Any) -> None:
        values, history = sealed_values(self.store_dir)
        vault = S.TABLE[S.MemoryType.KNOWLEDGE_VAULT]
        folder = self.store_dir / f"{vault}.lance"
        if folder.exists():
            self._copy(folder)
            db.drop_table(vault)
        if (self.store_dir / f"{S.HISTORY_TABLE}.lance").exists():
            self._copy(self.store_dir / f"{S.HISTORY_TABLE}.lance")
            db.open_table(S.HISTORY_TABLE).delete(f"memory_type = '{vault}'")
        secrets = self.ctx.secrets
        for path in secrets.files():
            self._copy(path)
        removed = secrets.reset()
        self.ctx.vault_locked = None
        self.out.say(
            f"vault: reset; {plural(values, 'vault value')} and {plural(history, 'history row')} "
            "of them "
            "removed"
            + (", and the secrets file locked with the lost key" if removed else "")
            + "; a new key is made on first use (API keys saved in the program must be "
            "set again)"
        )


def _whole(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            fh.seek(-4, 2)
            return fh.read() == b"LANC"
    except OSError:
        return False


def _salvage_items(path: Path) -> list[tuple[Any, ...]]:
    """The inbox rows that still read: ranges of row ids, split in halves where a range
    meets a damaged page, so that only the rows on it are lost."""
    try:
        db = sqlite3.connect(path)
    except sqlite3.Error:
        return []
    query = (
        "SELECT id, kind, payload, created_at, state, attempts, absorbed_by "
        "FROM items WHERE rowid BETWEEN ? AND ?"
    )
    out: list[tuple[Any, ...]] = []

    def take(first: int, last: int) -> None:
        try:
            out.extend(db.execute(query, (first, last)).fetchall())
        except sqlite3.Error:
            if first < last:
                middle = (first + last) // 2
                take(first, middle)
                take(middle + 1, last)

    try:
        try:
            top = db.execute("SELECT MAX(rowid) FROM items").fetchone()[0] or 0
        except sqlite3.Error:
            top = _MAX_ROWID_GUESS
        for start in range(0, top + 1, 512):
            take(start, min(top, start + 511))
    finally:
        db.close()
    return out
