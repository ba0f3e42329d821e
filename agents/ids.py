"""One vocabulary of what the program stores: the six memory types and the two kinds of
record, their titles for people, their sections in a prompt, their id prefixes, how an
id is recognised in an answer, and the fields a memory written from one line gets.

Everything else asks this module (and ``agents.store.schema`` for the data model) rather
than spelling a title, a prefix or an id pattern again."""

from __future__ import annotations

import re
from typing import Any

from agents.store.schema import ID_PREFIX, TYPE_BY_PREFIX, MemoryType

FRAME_PREFIX = "frm"

# Short titles, for tabs, dialogs and labels.
TITLES: dict[MemoryType, str] = {
    MemoryType.CORE: "Core",
    MemoryType.EPISODIC: "Episodic",
    MemoryType.SEMANTIC: "Semantic",
    MemoryType.PROCEDURAL: "Procedural",
    MemoryType.RESOURCE: "Resources",
    MemoryType.KNOWLEDGE_VAULT: "Vault",
}

# What a chat model is shown, section by section, keyed by the search kind ("frame" and
# "chat" are the records); the order is the order of the prompt.
SECTIONS: dict[str, str] = {
    MemoryType.CORE.value: "Core memory (always true about the user)",
    MemoryType.EPISODIC.value: "Events (episodic memory)",
    MemoryType.SEMANTIC.value: "Facts (semantic memory)",
    MemoryType.PROCEDURAL.value: "How-tos (procedural memory)",
    MemoryType.RESOURCE.value: "Documents and pages (resource memory)",
    MemoryType.KNOWLEDGE_VAULT.value: "Stored values (knowledge vault)",
    "frame": "Screenshots (OCR text)",
    "chat": "Earlier conversation turns",
}

# An id of a memory or a screenshot where an answer cites it ("[sem_1a2b]", "frm_…").
CITED_ID = re.compile(
    r"\b((?:" + "|".join([FRAME_PREFIX, *ID_PREFIX.values()]) + r")_[0-9A-Za-z_]+)\b"
)


def frame_id(digest: str) -> str:
    """The id of the screenshot whose image bytes have this (hex) digest."""
    return f"{FRAME_PREFIX}_{digest[:24]}"


def is_frame_id(value: str) -> bool:
    return value.startswith(f"{FRAME_PREFIX}_")


def memory_type_of(value: str) -> MemoryType | None:
    """The memory type an id names by its prefix, or None (a frame, a turn, a typo)."""
    return TYPE_BY_PREFIX.get(value.split("_", 1)[0])


def data_from_text(mtype: MemoryType, text: str) -> dict[str, Any]:
    """The fields of a hand-written memory of each type, from its text (the first line
    names a how-to or a resource; a how-to's further lines are its steps)."""
    first = text.splitlines()[0][:120]
    match mtype:
        case MemoryType.CORE:
            return {"label": "human", "value": text}
        case MemoryType.EPISODIC:
            return {"summary": text, "actor": "user", "event_type": "note"}
        case MemoryType.SEMANTIC:
            return {"name": "", "summary": text, "source": "user"}
        case MemoryType.PROCEDURAL:
            steps = [s.strip() for s in text.splitlines()[1:] if s.strip()]
            return {"entry_type": "guide", "summary": first, "steps": steps}
        case MemoryType.RESOURCE:
            return {"title": first, "summary": "", "content": text, "resource_type": "note"}
        case MemoryType.KNOWLEDGE_VAULT:
            return {"caption": "noted by hand", "secret_value": text, "source": "user"}
    raise AssertionError(mtype)
