"""Named, add-only migrations of the stored data, each applied once.

The names applied are recorded in ``_migrations.json`` beside the tables; running
one twice changes nothing. A new migration is a function added to
:data:`MIGRATIONS`; none is ever changed or removed once released. (Columns a
table lacks are added when it is opened, see :mod:`agents.store.tables`.)
"""

from __future__ import annotations

import json
import logging
import os
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from lancedb.index import FTS

from agents.privacy import seal_text, strings_of
from agents.store import schema as S
from agents.store.locking import process_lock
from agents.store.memories import Memories
from agents.store.records import Records
from agents.store.sealing import Sealer, find_in
from agents.store.tables import Tables, quote

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Parts:
    """What a migration works with: the store's parts."""

    tables: Tables
    memories: Memories
    records: Records
    sealer: Sealer


def migrate(path: Path, parts: Parts) -> None:
    """Apply the migrations not yet applied to the store at ``path``."""
    marker = path / "_migrations.json"
    if not _to_apply(marker):
        return
    # Two stores opening at once (two threads, or the app and a command) must not
    # run a migration twice or race on the marker file: the second waits, then
    # finds the work done.
    with process_lock(path / "_migrations.lock"):
        applied = set(MIGRATIONS) - set(_to_apply(marker))
        for name in _to_apply(marker):
            if parts.tables.names():  # a new store has nothing to migrate
                log.warning("upgrading the memory store: %s", name)
                MIGRATIONS[name](parts)
            applied.add(name)
        tmp = marker.with_name(f"_migrations.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps(sorted(applied)), encoding="utf-8")
        tmp.replace(marker)


def _to_apply(marker: Path) -> list[str]:
    try:
        applied = set(json.loads(marker.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        applied = set()
    return [name for name in MIGRATIONS if name not in applied]


def seal_sensitive_values(parts: Parts) -> None:
    """Stores written before sealing existed: move high-sensitivity values out of
    memories, chat turns, frame text and history rows into the vault, then drop the
    old table versions and indexes that still held them."""
    tables, memories, records = parts.tables, parts.memories, parts.records
    touched: set[str] = set()
    for mtype in S.MemoryType:
        if mtype is S.MemoryType.KNOWLEDGE_VAULT or tables.existing(mtype.value) is None:
            continue
        for memory in memories.of_type(mtype, limit=10**9):
            if find_in(strings_of(memory.data.model_dump())):
                memories.rewrite(memory, {}, source_ids=(), actor="migration", op="seal")
                touched.add(mtype.value)
    for record, column in ((S.RecordType.CHAT, "text"), (S.RecordType.FRAME, "ocr_text")):
        name = S.TABLE[record]
        table = tables.existing(name)
        if table is None:
            continue
        keys = list(dict.fromkeys([column, S.searched_column(name), "fts"]))
        rows = table.search().select(["id", *keys]).limit(None).to_list()
        for row in rows:
            found = find_in([row[key] or "" for key in keys])
            if not found:
                continue
            if record is S.RecordType.CHAT:
                turn = records.chat_turns([row["id"]])[0]
                parts.sealer.turn(turn)
            else:
                parts.sealer.frame_text(records.frame(row["id"]), row[column] or "")
            values = {key: seal_text(row[key] or "", found) for key in keys}
            where = f"id = {quote(row['id'])}"
            tables.commit(partial(table.update, where=where, values=values))
            touched.add(name)
    history = tables.existing(S.HISTORY_TABLE)
    if history is not None:
        for row in history.search().select(["id", "old", "new"]).limit(None).to_list():
            found = find_in([row["old"] or "", row["new"] or ""])
            if found:
                values = {k: seal_text(row[k], found) for k in ("old", "new") if row[k]}
                where = f"id = {quote(row['id'])}"
                tables.commit(partial(history.update, where=where, values=values))
                touched.add(S.HISTORY_TABLE)
    for name in touched:  # old versions and index files still hold the plain values
        table = tables.table(name)
        if name != S.HISTORY_TABLE:
            table.create_index("fts", config=FTS(base_tokenizer="simple"), name="fts_idx")
        with warnings.catch_warnings():  # dropping every old version is the point here
            warnings.simplefilter("ignore", UserWarning)
            tables.commit(
                partial(table.optimize, cleanup_older_than=timedelta(0), delete_unverified=True)
            )


def relative_frame_paths(parts: Parts) -> None:
    """Frame rows name their image files relative to the data folder, so that moving the
    folder rewrites no row; rows written before this named them in full."""
    tables = parts.tables
    table = tables.existing(S.TABLE[S.RecordType.FRAME])
    if table is None:
        return
    root = parts.records.root
    for base in dict.fromkeys([str(root) + os.sep, str(root.resolve()) + os.sep]):
        where = f"starts_with(image_path, {quote(base)})"
        cut = f"right(image_path, character_length(image_path) - {len(base)})"
        tables.commit(partial(table.update, where=where, values_sql={"image_path": cut}))


def speaker_column(parts: Parts) -> None:
    """Chat turns' and their passages' ``role`` column is called ``speaker``, as the field
    of :class:`~agents.store.schema.ChatTurn` it holds. Renaming rewrites no data: every
    row, its vector and the full-text and scalar indexes stay as they were."""
    tables = parts.tables
    for name in (S.TABLE[S.RecordType.CHAT], S.PASSAGE_TABLE):
        if name not in tables.names():
            continue
        # Opened raw: opening it through ``tables`` would first add an empty "speaker".
        table: Any = tables.db.open_table(name)
        have = set(table.schema.names)
        if "role" not in have:
            continue
        if "speaker" in have:  # added empty when an older table was opened before this ran
            tables.commit(partial(table.drop_columns, ["speaker"]))
        tables.commit(partial(table.alter_columns, {"path": "role", "rename": "speaker"}))
    tables.catch_up()  # handles opened before the rename see the new column


def chat_text_columns(parts: Parts) -> None:
    """A chat turn's words are stored in ``text``, as the field of
    :class:`~agents.store.schema.ChatTurn` that holds them (they were in ``content``), and
    what it is found by in ``search_text`` (was ``text``). Both renames are one commit and
    rewrite no data: every row, vector and index stays as it was."""
    tables = parts.tables
    name = S.TABLE[S.RecordType.CHAT]
    if name not in tables.names():
        return
    table: Any = tables.db.open_table(name)  # raw, as in speaker_column
    have = set(table.schema.names)
    if "content" not in have:
        return
    if S.CHAT_SEARCH_COLUMN in have:  # added empty when the table was opened before this ran
        tables.commit(partial(table.drop_columns, [S.CHAT_SEARCH_COLUMN]))
    tables.commit(
        partial(
            table.alter_columns,
            {"path": "text", "rename": S.CHAT_SEARCH_COLUMN},
            {"path": "content", "rename": "text"},
        )
    )
    tables.catch_up()


# Named, add-only. They run in this order; one that others' code depends on may come
# before them (a store that has applied the others skips to it).
MIGRATIONS: dict[str, Callable[[Parts], None]] = {
    # First: the others read chat turns with today's column names.
    "speaker_column": speaker_column,
    "chat_text_columns": chat_text_columns,
    "seal_sensitive_values": seal_sensitive_values,
    "relative_frame_paths": relative_frame_paths,
    # The field's detectors (agents.privacy) find kinds the first rules missed: seal
    # again what they find in every memory, chat turn, frame text and history row.
    "seal_with_field_detectors": seal_sensitive_values,
}
