"""Citations as people read them: an answer's raw ids ("[frm_…]", "[epi_d69a…]") become
numbered notes ("[1]") that point into its list of sources, and each source is listed
once, with who said it and the line it was cited for."""

from __future__ import annotations

import re
from collections.abc import Sequence

from agents.ids import CITED_ID

# One id or several in brackets ("[frm_1]", "[sem_2, epi_3]"), or an id standing alone.
_BRACKETED = re.compile(r"( ?)\[\s*((?:[A-Za-z]+_[0-9A-Za-z_]+\s*[,;]?\s*)+)\]")
_BARE = re.compile(r"( ?)" + CITED_ID.pattern)
_USERS = {"user", "me", "you"}


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
