"""The store's side of sealing: values that only the vault may hold go to its vault.

Before a memory, a chat turn or a frame's text is written, the high values that
:mod:`agents.privacy` finds (keys, tokens, passwords, cards, IBANs, ID numbers …) are
replaced by masked references ("[card number ending 1111, kept in the vault]"); the value
itself goes to the knowledge vault, encrypted. The same happens to a memory that a
language model writes through its tools, so that no value reaches the core blocks, the
history, the full-text index, the vectors or an export.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from agents.errors import NotFound
from agents.privacy import Finding, detect, iter_high, label, masked_line, seal_text, seal_values
from agents.privacy import strings_of as strings_of
from agents.store import schema as S

if TYPE_CHECKING:
    from agents.store.db import MemoryStore


def find_in(values: Iterable[str]) -> list[Finding]:
    """High values in any of ``values``, each value once."""
    return iter_high(values)


class Sealer:
    """Seals what a store is about to write: the values go to its vault, the text gets
    masked references. Every vault write is idempotent (the entry's id is a keyed digest
    of the value), so a retried write adds only sources."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def _to_vault(
        self,
        found: Sequence[Finding],
        *,
        text: str,
        where: str,
        source: str,
        source_ids: Sequence[str],
        app: str | None,
        actor: str,
    ) -> None:
        # Every sensitive value is left out of a caption, the medium ones (emails, phones) too.
        secrets = [f.value for f in found] + [s.value for s in detect(text)]
        for item in found:
            vid = "vault_" + self.store.fingerprint(f"{item.kind}\x00{item.value}")[:32]
            try:
                self.store.add_sources(vid, source_ids, actor=actor)
                continue
            except NotFound:
                pass
            caption = f"{label(item.kind)} {where}"
            line = masked_line(text, item.value, secrets)
            if line:
                caption += f": “{line}”"
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
