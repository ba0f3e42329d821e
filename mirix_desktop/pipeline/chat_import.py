"""Importing a chat history (any format :mod:`agents.importers` reads) into the store.

The turns are stored in batches without their vectors and queued for absorption; the
full-text index is brought up to date before :func:`import_chats` returns, so the
turns are found by their words at once. Their vectors are made afterwards
(``MemoryStore.fill_vectors``: the app's background work, or ``mirix-desktop optimize``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from agents.importers import Export, Skipped, open_export
from agents.store import ChatTurn
from mirix_desktop.pipeline.inbox import store_turns

if TYPE_CHECKING:
    from agents.store import MemoryStore
    from mirix_desktop.pipeline.inbox import Inbox

BATCH = 256


@dataclass
class ImportReport:
    """What an import did."""

    format: str
    label: str
    conversations: int = 0
    read: int = 0
    added: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def already_stored(self) -> int:
        return self.read - self.added


def import_chats(
    store: MemoryStore,
    inbox: Inbox,
    source: Path | Export,
    *,
    on_turn: Callable[[ChatTurn], None] | None = None,
    on_skip: Callable[[Skipped], None] | None = None,
) -> ImportReport:
    """Import the chat history in ``source`` (a file, or an export opened already);
    raises InvalidInput when it cannot be read or is of no known format. Bad records are
    skipped one by one (``on_skip``)."""
    started = time.perf_counter()
    export = source if isinstance(source, Export) else open_export(source)
    report = ImportReport(format=export.format, label=export.label)
    conversations: set[str] = set()
    batch: list[ChatTurn] = []

    def flush() -> None:
        if batch:
            # A crash between storing and queueing is mended by importing the file again.
            report.added += store_turns(store, inbox, batch, embed=False)
            batch.clear()

    for item in export.items:
        if isinstance(item, Skipped):
            report.skipped.append(item)
            if on_skip is not None:
                on_skip(item)
            continue
        report.read += 1
        conversations.add(item.conversation_id)
        batch.append(item)
        if on_turn is not None:
            on_turn(item)
        if len(batch) >= BATCH:
            flush()
    flush()
    if report.added:
        store.optimize()  # the new rows into the full-text index
    report.conversations = len(conversations)
    report.seconds = time.perf_counter() - started
    return report
