"""Sealing: a value that only the vault may hold is replaced, in every other text, by a
masked reference ("[card number ending 1111, kept in the vault]")."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from agents.privacy.detect import Finding
from agents.privacy.kinds import kind as kind_of

SEALED_MARK = ", kept in the vault]"  # ends every masked reference


def masked(found: Finding) -> str:
    """The reference that stands in for a value in every text outside the vault. Kinds
    whose last characters would give part of a credential away show no ending."""
    k = kind_of(found.kind)
    tail = re.sub(r"[\s-]", "", found.value)[-4:]
    if not k.tail or len(re.sub(r"[\s-]", "", found.value)) < 8:
        return f"[{k.label}{SEALED_MARK}"
    return f"[{k.label} ending {tail}{SEALED_MARK}"


def seal_text(text: str, found: Iterable[Finding]) -> str:
    """``text`` with every found value (wherever it occurs) replaced by its reference."""
    for item in sorted(found, key=lambda s: len(s.value), reverse=True):
        if item.value in text:
            text = text.replace(item.value, masked(item))
    return text


def strings_of(value: Any) -> Iterable[str]:
    """Every string inside a model dump (nested lists and dicts included)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_of(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_of(item)


def seal_values(value: Any, found: Sequence[Finding]) -> Any:
    """A copy of a model dump with every string sealed."""
    if isinstance(value, str):
        return seal_text(value, found)
    if isinstance(value, list | tuple):
        return [seal_values(item, found) for item in value]
    if isinstance(value, dict):
        return {key: seal_values(item, found) for key, item in value.items()}
    return value


def masked_line(text: str, value: str, secrets: Sequence[str]) -> str:
    """The line of ``text`` that shows ``value``, with it and every other secret in
    ``secrets`` replaced by "…" (at most 200 characters; "" when no line shows it, or
    nothing else is left): what a vault entry's caption quotes."""
    first = value.splitlines()[0] if value.strip() else value
    for line in text.splitlines():
        if first and first in line:
            for secret in sorted(secrets, key=len, reverse=True):
                for part in secret.splitlines():
                    if part.strip():
                        line = line.replace(part, "…")
            shown = line.strip()
            return shown[:200] if shown != "…" else ""
    return ""
