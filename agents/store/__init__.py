"""The memory store: schemas, LanceDB tables, vault encryption and hybrid search."""

# LanceDB's native module first, before numpy and pyarrow: loaded after them, the imports
# that follow made 26,000 mmap/munmap calls instead of 1,700 (glibc's allocator), which
# cost every command 0.2 s of system time at start (measured with strace -c).
import lancedb._lancedb  # noqa: F401, I001

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
