"""Remembering by hand: a memory the user asked to keep, given as text.

The command line's ``remember`` and the MCP server's ``remember`` tool both call
:func:`remember` (the app's editor adds memories from structured fields instead:
:meth:`mirix_desktop.services.backend.Backend.add`).
"""

from __future__ import annotations

from agents.errors import InvalidInput
from agents.ids import data_from_text
from agents.store import Memory, MemoryStore, MemoryType
from agents.store.schema import MAX_TEXT_CHARS


def remember(
    store: MemoryStore, text: str, memory_type: str = MemoryType.SEMANTIC, *, actor: str
) -> Memory:
    """Store ``text`` (stripped) as a memory of ``memory_type`` (its name, any case, or an
    alias such as ``vault``: :meth:`MemoryType.parse`), recorded as changed by ``actor``.

    Raises InvalidInput when the text is empty or over MAX_TEXT_CHARS, or the type is not
    a memory type; the store's errors as they are."""
    text = text.strip()
    if not text:
        raise InvalidInput("nothing to remember: the text is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput(f"the text is {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,}")
    mtype = MemoryType.parse(memory_type)
    return store.add(mtype, data_from_text(mtype, text), actor=actor)
