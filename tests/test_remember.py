"""Remembering by hand, the one way the command line and the MCP server both use."""

from __future__ import annotations

import pytest

from agents.errors import InvalidInput
from agents.store import MemoryType
from mirix_desktop.services.remember import remember


def test_remember_reads_type_names_as_people_type_them(ctx) -> None:
    vault = remember(ctx.store, "  PIN 8841  ", "Vault", actor="mcp")
    assert vault.type is MemoryType.KNOWLEDGE_VAULT
    fact = remember(ctx.store, "Alice likes green tea", actor="user")
    assert fact.type is MemoryType.SEMANTIC
    assert [h.actor for h in ctx.store.history(vault.id)] == ["mcp"]


@pytest.mark.parametrize(
    ("text", "name", "message"),
    [
        ("   ", "semantic", "nothing to remember: the text is empty"),
        ("x" * 200_001, "semantic", "the text is 200,001 characters; the limit is 200,000"),
        ("hi", "chat", "'chat' is a record type, not a memory type"),
        ("hi", "planet", "unknown type 'planet'"),
    ],
)
def test_remember_refuses_what_is_not_a_memory(ctx, text: str, name: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        remember(ctx.store, text, name, actor="user")
    assert sum(ctx.store.counts().values()) == 0
