"""Citations as people read them: an answer's raw ids ("[frm_…]", "[epi_d69a…]") become
numbered notes ("[1]") that point into its list of sources, and each source is listed
once, with who said it and the line it was cited for."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from agents.errors import MirixError
from agents.ids import CITED_ID, is_frame_id
from agents.memory_types import MemoryType
from agents.store.timeutil import as_utc

if TYPE_CHECKING:
    from agents.answer.reader import Reading
    from agents.answer.retrieval import Retrieved
    from agents.store import MemoryStore, SearchHit

log = logging.getLogger(__name__)
SNIPPET = 160  # the longest line a citation shows

# One id or several in brackets ("[frm_1]", "[sem_2, epi_3]"), or an id standing alone.
_BRACKETED = re.compile(r"( ?)\[\s*((?:[A-Za-z]+_[0-9A-Za-z_]+\s*[,;]?\s*)+)\]")
_BARE = re.compile(r"( ?)" + CITED_ID.pattern)
_USERS = {"user", "me", "you"}


@dataclass(frozen=True)
class Citation:
    id: str
    type: str
    source_ids: list[str]
    time: datetime
    snippet: str = ""  # the line it was cited for (or its first line)
    speaker: str = ""  # who said it, for a chat turn ("" for the user)

    def to_json(self) -> dict[str, Any]:
        out = {
            "id": self.id,
            "type": self.type,
            "source_ids": self.source_ids,
            "time": as_utc(self.time).isoformat(),
            "snippet": self.snippet,
        }
        if self.speaker:
            out["speaker"] = self.speaker
        return out


def cite(answer: str, found: Retrieved, reading: Reading | None = None) -> list[Citation]:
    """The retrieved items whose ids the answer names, each once, in the order it names
    them, with the line each was cited for (the reader's, or its first line)."""
    positions: list[tuple[int, SearchHit]] = []
    for hits in found.by_type.values():
        for h in hits:
            at = answer.find(h.id)
            if at != -1 and all(h.id != other.id for _, other in positions):
                positions.append((at, h))
    positions.sort(key=lambda pair: pair[0])
    picks = reading.per_source if reading is not None else {}
    out = []
    for _, h in positions:
        # A vault entry is shown by its caption: its value only where the answer says it.
        pick = picks.get(h.id) if h.type != MemoryType.KNOWLEDGE_VAULT else None
        text = h.text.split(": ", 1)[-1] if h.type == "chat" else h.text
        line = pick.line if pick is not None else text
        speaker = speaker_of(h.text) if h.type == "chat" else ""
        out.append(Citation(h.id, h.type, list(h.source_ids), h.time, snippet(line), speaker))
    return out


def stored_citations(store: MemoryStore, ids: Sequence[str]) -> list[Citation]:
    """The citations of a stored answer's ``ids`` (screenshots, memories, chat turns it
    quoted), in that order; ids no longer stored are left out. The line each was cited
    for is not stored: a chat turn shows its first line, a screenshot or a memory none
    (its first line is rarely the one the answer used)."""
    ids = list(dict.fromkeys(ids))
    found: dict[str, Citation] = {
        f.id: Citation(f.id, "frame", [f.id], f.captured_at)
        for f in store.frames([i for i in ids if is_frame_id(i)])
    }
    try:
        memories = store.get_many([i for i in ids if not is_frame_id(i)])
    except MirixError as exc:  # e.g. a vault value that cannot be decrypted
        log.warning("sources of an earlier answer not shown: %s", exc)
        memories = []
    for m in memories:
        found[m.id] = Citation(m.id, m.type.value, list(m.source_ids), m.time)
    rest = [i for i in ids if i not in found and not is_frame_id(i)]
    for t in store.chat_turns(rest) if rest else []:
        speaker = "" if t.speaker.lower() in _USERS else t.speaker
        found[t.id] = Citation(t.id, "chat", [t.id], t.created_at, snippet(t.text), speaker)
    return [found[i] for i in ids if i in found]


def snippet(text: str) -> str:
    """The first line of ``text``, at most :data:`SNIPPET` characters."""
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= SNIPPET else line[: SNIPPET - 1] + "…"


def footnoted(text: str, cited: Sequence[str]) -> str:
    """``text`` with the ids of ``cited`` (in their order) as "[1]", "[2]" …, and any other
    id of a memory or screenshot taken out."""

    def number(ids: list[str]) -> str:
        notes = [f"[{cited.index(i) + 1}]" for i in dict.fromkeys(ids) if i in cited]
        return "".join(notes)

    def bracket(m: re.Match[str]) -> str:
        ids = [i for i in re.split(r"[\s,;]+", m.group(2)) if i]
        if not any(i in cited or CITED_ID.fullmatch(i) for i in ids):
            return m.group(0)  # "[sic]", "[1]": not ids
        notes = number(ids)
        return f"{m.group(1)}{notes}" if notes else ""

    def bare(m: re.Match[str]) -> str:
        notes = number([m.group(2)])
        return f"{m.group(1)}{notes}" if notes else ""

    out = _BRACKETED.sub(bracket, text)
    out = _BARE.sub(bare, out)
    return re.sub(r"[ \t]+([.,;:。，；：])", r"\1", out)


def speaker_of(chat_text: str) -> str:
    """Who said a chat turn, from its text ("Lena: …"); "" for the user."""
    speaker, sep, _ = chat_text.partition(": ")
    if not sep or speaker.lower() in _USERS:
        return ""
    return speaker.strip()


class StreamFootnotes:
    """Footnotes for an answer that arrives in pieces: ids become "[1]", "[2]" … in the
    order they first appear (the order of the answer's citations), and a piece that may
    be the start of an id is held back until it is complete."""

    HOLD = 80  # the longest "[id, id]" held back before it is let through as it is

    def __init__(self) -> None:
        self.seen: list[str] = []
        self._held = ""

    def feed(self, text: str) -> str:
        """What of ``text`` (and of what was held back) can be shown now."""
        self._held += text
        cut = self._held.rfind("[")
        if cut != -1 and "]" not in self._held[cut:] and len(self._held) - cut < self.HOLD:
            ready, self._held = self._held[:cut], self._held[cut:]
        else:
            ready, self._held = self._held, ""
        tail = re.search(r"[A-Za-z]+_[0-9A-Za-z_]*$", ready)  # a bare id cut in two
        if tail is not None and cut == -1:
            ready, self._held = ready[: tail.start()], ready[tail.start() :] + self._held
        return self._number(ready)

    def close(self) -> str:
        """The rest, at the end of the answer."""
        rest, self._held = self._held, ""
        return self._number(rest)

    def _number(self, text: str) -> str:
        for found in CITED_ID.findall(text):
            if found not in self.seen:
                self.seen.append(found)
        return footnoted(text, self.seen)
