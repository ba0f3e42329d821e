"""What the program says about what it stores: the sections of a prompt by memory type
and record, how an id is recognised in an answer, and the fields a memory written from
one line gets.

The memory types themselves (their names, aliases, id prefixes and titles) are
:class:`agents.memory_types.MemoryType`; everything else asks it (and this module)
rather than spelling a title, a prefix or an id pattern again."""

from __future__ import annotations

import re
from typing import Any

from agents.memory_types import MemoryType

FRAME_PREFIX = "frm"
# The conversations asked in the program (``ask``, the chat window, the MCP tool); imported
# ones are named by their source ("claude:…", "whatsapp:…").
CONVERSATION_PREFIX = "conv"

# Short titles, for tabs, dialogs and labels (the vocabulary's, by memory type).
TITLES: dict[MemoryType, str] = {t: t.display_name for t in MemoryType}

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
    r"\b((?:" + "|".join([FRAME_PREFIX, *(t.prefix for t in MemoryType)]) + r")_[0-9A-Za-z_]+)\b"
)


def frame_id(digest: str) -> str:
    """The id of the screenshot whose image bytes have this (hex) digest."""
    return f"{FRAME_PREFIX}_{digest[:24]}"


def is_frame_id(value: str) -> bool:
    return value.startswith(f"{FRAME_PREFIX}_")


def is_own_conversation_id(value: str) -> bool:
    """Whether ``value`` names a conversation asked in the program (not an imported one)."""
    return value.startswith(f"{CONVERSATION_PREFIX}_")


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
