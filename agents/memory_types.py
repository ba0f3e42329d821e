"""The vocabulary of what the store holds: the six memory types (their names, the other
names people may type for them, their id prefixes and titles) and the two kinds of raw
record that search also finds.

Every other module derives from these enums rather than spelling a name, a prefix or a
title again. This module imports nothing heavy (the MCP protocol builds its tools'
schemas from it before the store is loaded); :mod:`agents.store.schema` re-exports it.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Literal


class MemoryType(enum.StrEnum):
    """The six memory types: the one vocabulary of their names, the names people may type
    for them, their id prefixes and their titles. Everything else derives from it."""

    CORE = "core"
    EPISODIC = "episodic"
    SEMANTIC = "semantic"
    PROCEDURAL = "procedural"
    RESOURCE = "resource"
    KNOWLEDGE_VAULT = "knowledge_vault"

    @property
    def prefix(self) -> str:
        """What the ids of this type's memories start with (before ``_``)."""
        return _SPELLING[self][0]

    @property
    def display_name(self) -> str:
        """The short title people see (tabs, dialogs, labels)."""
        return _SPELLING[self][1]

    @property
    def aliases(self) -> tuple[str, ...]:
        """Other names that :meth:`parse` accepts for this type."""
        return _SPELLING[self][2]

    @classmethod
    def parse(cls, name: str) -> MemoryType:
        """The memory type ``name`` names (any case, ``-`` or a space for ``_``, or an
        alias such as ``vault``); a MemoryType is returned as it is.

        Raises InvalidInput for a record type's name or an unknown name."""
        from agents.errors import InvalidInput

        parsed = parse_type(name) if not isinstance(name, MemoryType) else name
        if not isinstance(parsed, MemoryType):
            raise InvalidInput(f"{name!r} is a record type, not a memory type")
        return parsed

    @classmethod
    def of_id(cls, memory_id: str) -> MemoryType | None:
        """The memory type an id names by its prefix, or None (a frame, a turn, a typo)."""
        return _BY_PREFIX.get(memory_id.split("_", 1)[0])


# prefix, title, aliases
_SPELLING: dict[MemoryType, tuple[str, str, tuple[str, ...]]] = {
    MemoryType.CORE: ("core", "Core", ()),
    MemoryType.EPISODIC: ("epi", "Episodic", ()),
    MemoryType.SEMANTIC: ("sem", "Semantic", ()),
    MemoryType.PROCEDURAL: ("proc", "Procedural", ()),
    MemoryType.RESOURCE: ("res", "Resources", ()),
    MemoryType.KNOWLEDGE_VAULT: ("vault", "Vault", ("vault",)),
}
_BY_PREFIX = {spelling[0]: mtype for mtype, spelling in _SPELLING.items()}


class RecordType(enum.StrEnum):
    """Raw records that search also finds."""

    CHAT = "chat"
    FRAME = "frame"


_RECORD_ALIASES = {"chat_turn": RecordType.CHAT, "frames": RecordType.FRAME}

SearchableType = MemoryType | RecordType
ALL_SEARCH_TYPES: tuple[str, ...] = tuple(t.value for t in MemoryType) + tuple(
    t.value for t in RecordType
)
MEMORY_TYPE_NAMES: tuple[str, ...] = tuple(t.value for t in MemoryType)
if TYPE_CHECKING:
    MemoryTypeName = str
    SearchTypeName = str
else:  # the names as Literal types, for the JSON schemas of tools' arguments
    MemoryTypeName = Literal[MEMORY_TYPE_NAMES]
    SearchTypeName = Literal[ALL_SEARCH_TYPES]


def parse_type(name: str) -> SearchableType:
    """Return the memory or record type called ``name`` (``vault`` is accepted for the vault).

    Raises InvalidInput for an unknown name."""
    from agents.errors import InvalidInput

    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    for mtype in MemoryType:
        if key == mtype.value or key in mtype.aliases:
            return mtype
    try:
        return _RECORD_ALIASES.get(key) or RecordType(key)
    except ValueError:
        raise InvalidInput(
            f"unknown type {name!r}; choose from {', '.join(ALL_SEARCH_TYPES)}"
        ) from None


__all__ = [
    "ALL_SEARCH_TYPES",
    "MEMORY_TYPE_NAMES",
    "MemoryType",
    "MemoryTypeName",
    "RecordType",
    "SearchTypeName",
    "SearchableType",
    "parse_type",
]
