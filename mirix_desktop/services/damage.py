"""What is damaged in a home, part by part: each table read through, the inbox database's
integrity, the tables' manifests and the vault's key. Used by ``doctor`` and ``repair``;
nothing here raises for what it finds."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agents.store.health import TableHealth, check_store, first_line, sealed_values
from mirix_desktop.pipeline.failures import LOW_SPACE, free_bytes
from mirix_desktop.services.context import Context

INBOX_FILE = "inbox.sqlite"


def inbox_problems(path: Path) -> list[str]:
    """What SQLite's integrity check finds wrong with the inbox database (empty: sound).
    Raises sqlite3.OperationalError when it cannot be checked (locked, a full disk)."""
    if not path.exists():
        return []
    try:
        db = sqlite3.connect(path, timeout=30)
        try:
            found = [row[0] for row in db.execute("PRAGMA integrity_check(20)").fetchall()]
        finally:
            db.close()
    except sqlite3.OperationalError:
        raise
    except sqlite3.Error as exc:
        return [f"{path} cannot be read: {exc}"]
    bad = [line for line in found if line != "ok"]
    return [f"{path}: {line}" for line in bad]


@dataclass
class Damage:
    """The findings: damaged tables, the inbox's problems, and a locked vault's state."""

    tables: list[TableHealth]
    inbox: list[str]
    vault_locked: str | None = None
    sealed: tuple[int, int] = (0, 0)  # vault values, history rows encrypted with the key
    errors: list[str] = field(default_factory=list)  # checks that could not run

    @property
    def damaged_tables(self) -> list[TableHealth]:
        return [t for t in self.tables if not t.ok]

    @property
    def ok(self) -> bool:
        return not (self.damaged_tables or self.inbox or self.vault_locked or self.errors)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "tables": [t.as_dict() for t in self.tables],
            "inbox": self.inbox,
            "vault": {
                "locked": self.vault_locked is not None,
                "why": self.vault_locked,
                "sealed_values": self.sealed[0],
                "sealed_history_rows": self.sealed[1],
            },
            "errors": self.errors,
        }


def find_damage(ctx: Context) -> Damage:
    """Check every part; never raises."""
    found = Damage(tables=[], inbox=[])
    try:
        found.tables = check_store(ctx.paths.store_dir)
    except Exception as exc:  # noqa: BLE001 - a check that fails is itself a finding
        found.errors.append(f"the tables could not be checked: {first_line(exc)}")
    try:
        found.inbox = inbox_problems(ctx.paths.data_dir / INBOX_FILE)
    except sqlite3.OperationalError as exc:
        found.errors.append(f"the inbox could not be checked: {exc}")
    free = free_bytes(ctx.paths.data_dir)
    if free is not None and free < LOW_SPACE:
        found.errors.append(
            f"the disk is full ({free / 1e6:,.1f} MB free in {ctx.paths.data_dir}): nothing "
            "new can be stored until some space is freed"
        )
    try:
        found.sealed = sealed_values(ctx.paths.store_dir)
        ctx.store  # noqa: B018 - opening the store tries the vault's key
        found.vault_locked = ctx.vault_locked
    except Exception as exc:  # noqa: BLE001
        found.errors.append(f"the store could not be opened: {first_line(exc)}")
    return found


def describe(found: Damage) -> list[str]:
    """The findings as lines for a person, each naming the part, what it holds and what
    to do."""
    lines: list[str] = []
    for t in found.damaged_tables:
        at = f", {t.rows:,} rows at version {t.version}" if t.rows is not None else ""
        lines.append(f"damaged  table {t.name} ({t.what}{at}):")
        lines.extend(f"           {p}" for p in t.problems)
    if found.damaged_tables:
        lines.append(
            "  fix:   mirix-desktop repair (rolls each damaged table back to its newest "
            "version that reads whole, says what that loses, keeps a copy)"
        )
    if found.inbox:
        lines.append("damaged  the inbox (the queue of frames and chat turns waiting to be read):")
        lines.extend(f"           {p}" for p in found.inbox[:5])
        lines.append(
            "  fix:   mirix-desktop repair (keeps a copy, saves the rows that still read, "
            "queues again the frames not yet read)"
        )
    if found.vault_locked:
        values, history = found.sealed
        lines.append(
            f"locked   the knowledge vault: {plural(values, 'value')} and "
            f"{plural(history, 'history row')} are "
            "encrypted with a key that is missing; everything else reads and writes as usual"
        )
        lines.append(f"           {found.vault_locked}")
        lines.append(
            "  fix:   put the key back (restore the config folder from the backup it came "
            "from), or reset the vault: mirix-desktop repair --reset-vault (loses only the "
            "vault's values and any API keys saved in the program; a copy is kept)"
        )
    lines.extend(f"error    {e}" for e in found.errors)
    return lines


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")
