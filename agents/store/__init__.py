"""The memory store: schemas, LanceDB tables, vault encryption and hybrid search."""

from agents.store.crypto import VaultCipher, new_key
from agents.store.db import MemoryStore
from agents.store.schema import (
    ChatTurn,
    Frame,
    HistoryEntry,
    Memory,
    MemoryType,
    RecordType,
    SearchHit,
)
from agents.store.search import SearchOptions

__all__ = [
    "ChatTurn",
    "Frame",
    "HistoryEntry",
    "Memory",
    "MemoryStore",
    "MemoryType",
    "RecordType",
    "SearchHit",
    "SearchOptions",
    "VaultCipher",
    "new_key",
]
