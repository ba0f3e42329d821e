"""Sensitive values never become plain text outside the vault.

Before a memory, a chat turn or a frame's text is written, high-sensitivity
values (card numbers, IBANs, API keys and tokens, passwords) are found and each
is replaced by a masked reference ("[card number ending 1111, kept in the vault]");
the value itself goes to the knowledge vault, encrypted. The same happens to a
memory that a language model writes through its tools, so that no value reaches
the core blocks, the history, the full-text index, the vectors or an export.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from agents.absorb.detectors import Sensitive, detect_sensitive
from agents.errors import NotFound
from agents.store import schema as S

if TYPE_CHECKING:
    from agents.store.db import MemoryStore

KIND_NAMES = {
    "email": "email address",
    "phone": "phone number",
    "card": "card number",
    "iban": "bank account (IBAN)",
    "api_key": "API key or token",
    "password": "password",
}


def high_values(text: str) -> list[Sensitive]:
    """The high-sensitivity values in ``text`` (those that only the vault may hold)."""
    if not text:
        return []
    return [s for s in detect_sensitive(text) if s.sensitivity == "high"]


SEALED_MARK = ", kept in the vault]"  # ends every masked reference


def masked(found: Sensitive) -> str:
    """The reference that stands in for a value in every text outside the vault."""
    tail = re.sub(r"[\s-]", "", found.value)[-4:]
    return f"[{KIND_NAMES.get(found.kind, found.kind)} ending {tail}{SEALED_MARK}"


def seal_text(text: str, found: Iterable[Sensitive]) -> str:
    """``text`` with every found value replaced by its masked reference."""
    for item in sorted(found, key=lambda s: len(s.value), reverse=True):
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


def seal_values(value: Any, found: Sequence[Sensitive]) -> Any:
    """A copy of a model dump with every string sealed."""
    if isinstance(value, str):
        return seal_text(value, found)
    if isinstance(value, list | tuple):
        return [seal_values(item, found) for item in value]
    if isinstance(value, dict):
        return {key: seal_values(item, found) for key, item in value.items()}
    return value


def find_in(values: Iterable[str]) -> list[Sensitive]:
    """High-sensitivity values in any of ``values``, each once."""
    out: dict[str, Sensitive] = {}
    for text in values:
        for item in high_values(text):
            out.setdefault(item.value, item)
    return list(out.values())


def context_line(text: str, value: str, secrets: Sequence[str]) -> str:
    """The line around a sensitive value, with it and every other secret left out."""
    for line in text.splitlines():
        if value in line:
            for secret in sorted(secrets, key=len, reverse=True):
                line = line.replace(secret, "…")
            masked_line = line.strip()
            return masked_line[:200] if masked_line != "…" else ""
    return ""


class Sealer:
    """Seals what a store is about to write: the values go to its vault, the text gets
    masked references. Every vault write is idempotent (the entry's id is a keyed digest
    of the value), so a retried write adds only sources."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def _to_vault(
        self,
        found: Sequence[Sensitive],
        *,
        text: str,
        where: str,
        source: str,
        source_ids: Sequence[str],
        app: str | None,
        actor: str,
    ) -> None:
        # Every sensitive value is left out of a caption, the medium ones (emails, phones) too.
        secrets = [f.value for f in found] + [s.value for s in detect_sensitive(text)]
        for item in found:
            vid = "vault_" + self.store.fingerprint(f"{item.kind}\x00{item.value}")[:32]
            try:
                self.store.add_sources(vid, source_ids, actor=actor)
                continue
            except NotFound:
                pass
            caption = f"{KIND_NAMES.get(item.kind, item.kind)} {where}"
            context = context_line(text, item.value, secrets)
            if context:
                caption += f": “{context}”"
            data = S.VaultData(
                entry_type=item.kind,
                source=source[:300],
                sensitivity="high",
                secret_value=item.value,
                caption=caption[:500],
            )
            self.store.add(
                S.MemoryType.KNOWLEDGE_VAULT,
                data,
                source_ids=source_ids,
                app=app,
                actor=actor,
                memory_id=vid,
            )

    def memory(
        self,
        mtype: S.MemoryType,
        data: S.MemoryData,
        *,
        source_ids: Sequence[str],
        app: str | None,
        actor: str,
    ) -> S.MemoryData:
        """``data`` of a memory about to be written, sealed (a vault entry is left as it is)."""
        if mtype is S.MemoryType.KNOWLEDGE_VAULT:
            return data
        dumped = data.model_dump()
        found = find_in(strings_of(dumped))
        if not found:
            return data
        self._to_vault(
            found,
            text="\n".join(strings_of(dumped)),
            where=f"written to a {mtype.value} memory",
            source=f"memory: {mtype.value}",
            source_ids=source_ids,
            app=app,
            actor=actor,
        )
        sealed: S.MemoryData = S.DATA_MODEL[mtype].model_validate(seal_values(dumped, found))  # type: ignore[assignment]
        return sealed

    def turn(self, turn: S.ChatTurn) -> S.ChatTurn:
        """A chat turn about to be stored, sealed."""
        found = find_in([turn.text, turn.image_caption or ""])
        if not found:
            return turn
        self._to_vault(
            found,
            text=f"{turn.text}\n{turn.image_caption or ''}",
            where=f"said in chat by {turn.speaker}",
            source=f"chat: {turn.speaker}",
            source_ids=[turn.id],
            app=None,
            actor="sealing",
        )
        caption = seal_text(turn.image_caption, found) if turn.image_caption else None
        return turn.model_copy(
            update={"text": seal_text(turn.text, found), "image_caption": caption}
        )

    def frame_text(self, frame: S.Frame, text: str) -> str:
        """A frame's OCR text about to be stored, sealed."""
        found = find_in([text])
        if not found:
            return text
        where = f"{frame.app} — {frame.window_title}" if frame.window_title else frame.app
        self._to_vault(
            found,
            text=text,
            where=f"seen in {where}",
            source=f"screen: {where}",
            source_ids=[frame.id],
            app=frame.app or None,
            actor="sealing",
        )
        return seal_text(text, found)
