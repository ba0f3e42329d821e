"""Errors told in one line, the same for the command line, the MCP server and the app.

:func:`explain` is the one line for any error: the program's own errors say what they
mean, and failures from outside the program (a full disk, damaged files) are named
plainly; anything else is its type and the first line of its message.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from agents.errors import MirixError
from agents.store.health import first_line, is_damage

_FULL_MARKS = ("No space left on device", "os error 28", "database or disk is full", "quota")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


LOW_SPACE = 4 << 20  # below this, SQLite's "disk I/O error" means a full disk


def disk_full(exc: BaseException, data_dir: Path | None = None) -> OSError | BaseException | None:
    """The error in ``exc``'s chain that says the disk (or quota) is full, or None.
    SQLite says "disk I/O error" when it cannot grow its journal: a full disk when less
    than a few MB are free in ``data_dir``."""
    for e in _chain(exc):
        if isinstance(e, sqlite3.OperationalError) and "disk I/O error" in str(e):
            free = free_bytes(data_dir) if data_dir is not None else None
            if free is not None and free < LOW_SPACE:
                return e
        if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT):
            return e
        if isinstance(e, RuntimeError | ValueError | sqlite3.OperationalError) and any(
            mark in str(e) for mark in _FULL_MARKS
        ):
            return e
    return None


def free_bytes(folder: Path) -> int | None:
    """Free space where ``folder`` is (or its nearest existing parent)."""
    path = folder
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return None


def explain(exc: BaseException, data_dir: Path | None = None, kept: str = "") -> str:
    """One line for the user about ``exc``, whichever interface shows it: see
    :func:`explained`; an unexpected error is its type and its message's first line."""
    known = explained(exc, data_dir, kept)
    if known is not None:
        return known
    return f"{type(exc).__name__}: {exc}".splitlines()[0]


def explained(exc: BaseException, data_dir: Path | None = None, kept: str = "") -> str | None:
    """One line for an error the program knows, or None for an unexpected one (a bug).

    Known are a full disk anywhere in the error's chain (told with the free space in
    ``data_dir``, or where the failed file is, and ``kept``: what was stored before it),
    the program's own errors (:class:`agents.errors.MirixError`, their message) and a
    damaged table or inbox (what to run)."""
    full = disk_full(exc, data_dir)
    if full is not None:
        return disk_full_line(full, data_dir, kept)
    if isinstance(exc, MirixError):
        return str(exc)
    return damage_line(exc)


def disk_full_line(cause: BaseException, data_dir: Path | None, kept: str) -> str:
    """One line: which folder, how much is free, what was kept."""
    return (
        f"{disk_full_message(cause, data_dir)}: {kept or 'what was stored before is kept'}; "
        "nothing half-written was kept. Free some space and try again"
    )


def disk_full_message(cause: BaseException, folder: Path | None) -> str:
    """A short line for the interface: the disk is full, how much is free and where
    (``folder`` unless the error names its file; neither known: no more than "full")."""
    filename = getattr(cause, "filename", None)
    where = Path(filename).parent if filename else folder
    if where is None:
        return "the disk is full"
    free = free_bytes(where)
    room = f"{free / 1e6:,.1f} MB free" if free is not None else "free space unknown"
    return f"the disk is full ({room} in {where})"


def damage_line(exc: BaseException) -> str | None:
    """One line for an error that says a table or the inbox is damaged, or None."""
    for e in _chain(exc):
        if isinstance(e, sqlite3.DatabaseError) and not isinstance(e, sqlite3.OperationalError):
            return (
                f"the inbox database is damaged ({e}): mirix-desktop doctor says more, "
                "mirix-desktop repair mends it"
            )
        if isinstance(e, RuntimeError | ValueError) and is_damage(e):
            return (
                f"the store's files are damaged ({first_line(e)}): mirix-desktop doctor names "
                "the part, mirix-desktop repair mends it"
            )
    return None
