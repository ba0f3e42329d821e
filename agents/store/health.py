"""Whether the store's tables read whole, and the newest version of a damaged one that does.

Everything here reads the files afresh through its own connection (no cache of the
running store) and never raises for what it finds: a damaged part is a finding.
A table is whole when its latest version opens and every row of every fragment reads
back, its data and index files end in Lance's footer, and no newer version than the
one that opened was committed (``_versions/latest_version_hint.json`` remembers the
newest one written; a lost or emptied manifest falls back to the one before it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import lancedb

from agents.store import schema as S

_FOOTER = b"LANC"  # the last four bytes of every Lance data, index and manifest file
READ_BATCH = 4096

WHAT = {
    **{S.TABLE[t]: f"{t.value} memories" for t in S.MemoryType},
    S.TABLE[S.RecordType.CHAT]: "chat turns",
    S.TABLE[S.RecordType.FRAME]: "screenshot records (their images are files beside them)",
    S.HISTORY_TABLE: "the history of every memory's changes",
    S.CLIP_TABLE: "the screenshots' image vectors",
    S.VECTOR_MODELS_TABLE: "which text model made each table's vectors",
}


@dataclass
class TableHealth:
    """What was found in one table (``problems`` empty: it reads whole)."""

    name: str
    what: str
    version: int | None = None  # the latest version that opened
    rows: int | None = None  # rows of that version, as its manifest says
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "holds": self.what,
            "version": self.version,
            "rows": self.rows,
            "ok": self.ok,
            "problems": list(self.problems),
        }


def first_line(exc: BaseException) -> str:
    """An exception as one short line (LanceDB's carry the Rust source position)."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    text = text.replace("lance error: ", "")
    cut = text.find(", /")  # ", /root/.cargo/registry/.../utils.rs:172:20"
    return text[:cut] if cut > 0 else text


def is_damage(exc: BaseException) -> bool:
    """Whether an error from LanceDB says that files are missing, cut short or garbled
    (and not that a query was wrong)."""
    if isinstance(exc, OSError):
        return True
    if not isinstance(exc, RuntimeError | ValueError):
        return False
    text = str(exc)
    return any(
        mark in text
        for mark in (
            "LanceError(IO)",
            "Not found:",
            "failed to fill whole buffer",
            "file size is too small",
            "Corrupt",
            "corrupt",
            "Invalid protobuf",
            "DecodeError",
            "not a Lance file",
            "does not appear to be a Lance file",
            "invalid magic",
            "Invalid range",
        )
    )


def table_dirs(store: Path) -> list[Path]:
    """The folders of the store's tables, by name."""
    if not store.is_dir():
        return []
    return sorted(p for p in store.iterdir() if p.is_dir() and p.name.endswith(".lance"))


def _cut_files(folder: Path, pattern: str = "*.lance") -> Iterator[str]:
    """Lance files (data, index, manifest) under ``folder`` that are empty or lack the
    footer, as "path is cut short at N bytes"."""
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob(pattern)):
        try:
            size = path.stat().st_size
            with path.open("rb") as fh:
                if size >= len(_FOOTER):
                    fh.seek(size - len(_FOOTER))
                whole = size >= len(_FOOTER) and fh.read() == _FOOTER
        except OSError as exc:
            yield f"{path.relative_to(folder.parent)} cannot be read ({exc.strerror})"
            continue
        if not whole:
            state = "empty" if size == 0 else f"cut short at {size:,} bytes"
            yield f"{path.relative_to(folder.parent)} is {state}"


def _hinted_version(folder: Path) -> int | None:
    try:
        value = json.loads((folder / "_versions" / "latest_version_hint.json").read_text())
        return int(value["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read_through(table: Any) -> None:
    """Read every row of every column of the table's checked-out version; raises what
    LanceDB raises for a damaged file."""
    for _ in table.search().limit(None).to_batches(READ_BATCH):
        pass


def broken_indexes(table: Any) -> dict[str, str]:
    """The table's indexes that cannot be read (a file lost or cut short), by name: a
    query that uses each one is run."""
    out: dict[str, str] = {}
    for index in table.list_indices():
        kind = str(index.index_type)
        column = index.columns[0]
        try:
            if kind.upper() == "FTS":
                table.search("zzqx", query_type="fts").limit(1).to_list()
            elif "ivf" in kind.lower() or "hnsw" in kind.lower():
                width = table.schema.field(column).type.list_size
                table.search([0.0] * width, vector_column_name=column).limit(1).to_list()
            else:
                table.search().where(f"{column} IS NOT NULL").limit(1).to_list()
        except Exception as exc:  # noqa: BLE001 - any failure to use the index is the finding
            out[index.name] = f"{kind} on {column}: {first_line(exc)}"
    return out


def check_table(db: Any, folder: Path) -> TableHealth:
    """Open one table's latest version and read it through; never raises."""
    name = folder.name.removesuffix(".lance")
    found = TableHealth(name, WHAT.get(name, "?"))
    try:
        table = db.open_table(name)
    except Exception as exc:  # noqa: BLE001 - any failure to open is the finding
        found.problems.append(f"its latest version cannot be opened: {first_line(exc)}")
        table = None
    if table is not None:
        try:
            found.version = int(table.version)
            found.rows = int(table.count_rows())
        except Exception as exc:  # noqa: BLE001
            found.problems.append(f"its row count cannot be read: {first_line(exc)}")
        try:
            read_through(table)
        except Exception as exc:  # noqa: BLE001
            found.problems.append(f"its rows cannot be read through: {first_line(exc)}")
        try:
            for name, why in broken_indexes(table).items():
                found.problems.append(f"its index {name} cannot be read ({why})")
        except Exception as exc:  # noqa: BLE001
            found.problems.append(f"its indexes cannot be listed: {first_line(exc)}")
        hinted = _hinted_version(folder)
        if hinted is not None and found.version is not None and hinted > found.version:
            found.problems.append(
                f"version {hinted} was written but only version {found.version} opens "
                "(the newer version's manifest is missing or unreadable)"
            )
    found.problems.extend(_cut_files(folder / "_versions", "*.manifest"))
    found.problems.extend(_cut_files(folder / "data"))
    found.problems.extend(_cut_files(folder / "_indices"))
    return found


def open_db(store: Path) -> Any:
    """A LanceDB connection to the store folder, for repairing it table by table (only
    agents.store imports LanceDB)."""
    return lancedb.connect(str(store))


def check_store(store: Path) -> list[TableHealth]:
    """Every table of the store at ``store``, checked; never raises."""
    try:
        db = lancedb.connect(str(store))
    except Exception as exc:  # noqa: BLE001
        return [TableHealth("(store)", str(store), problems=[first_line(exc)])]
    return [check_table(db, folder) for folder in table_dirs(store)]


@dataclass(frozen=True)
class Readable:
    """The newest version of a table that reads whole."""

    version: int
    rows: int
    written_at: datetime | None


def newest_readable(db: Any, name: str, below: int | None = None) -> Readable | None:
    """The newest version of table ``name`` (older than ``below`` when given) whose
    every row reads back; None when none does or the table cannot be opened."""
    try:
        table = db.open_table(name)
        versions = sorted(table.list_versions(), key=lambda v: v["version"], reverse=True)
    except Exception:  # noqa: BLE001 - nothing opens: no version to go back to
        return None
    for info in versions:
        version = int(info["version"])
        if below is not None and version >= below:
            continue
        try:
            table.checkout(version)
            read_through(table)
            rows = int(table.count_rows())
        except Exception:  # noqa: BLE001 - this version is damaged too: try the one before
            continue
        stamp = info.get("timestamp")
        return Readable(version, rows, stamp if isinstance(stamp, datetime) else None)
    return None


def sealed_values(store: Path) -> tuple[int, int]:
    """How many vault values and history rows of vault memories hold values encrypted
    under the vault key. A table that cannot be read counts as holding one (so that a
    new key is never made over values that may exist)."""
    vault = S.TABLE[S.MemoryType.KNOWLEDGE_VAULT]
    counts = [0, 0]
    for slot, (name, where) in enumerate(
        ((vault, None), (S.HISTORY_TABLE, f"memory_type = '{vault}'"))
    ):
        if not (store / f"{name}.lance").is_dir():
            continue
        try:
            table = lancedb.connect(str(store)).open_table(name)
            counts[slot] = int(table.count_rows(where))
        except Exception:  # noqa: BLE001 - unreadable: assume it holds sealed values
            counts[slot] = 1
    return counts[0], counts[1]
