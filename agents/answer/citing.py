"""Citations as people read them: an answer's raw ids ("[frm_…]", "[epi_d69a…]") become
numbered notes ("[1]") that point into its list of sources, and each source is listed
once, with who said it and the line it was cited for."""

from __future__ import annotations

import re
from collections.abc import Sequence

from agents.ids import CITED_ID

# One id or several in brackets ("[frm_1]", "[sem_2, epi_3]"), or an id standing alone.
_BRACKETED = re.compile(r"\s?\[\s*((?:[A-Za-z]+_[0-9A-Za-z_]+\s*[,;]?\s*)+)\]")
_USERS = {"user", "me", "you"}


def footnoted(text: str, cited: Sequence[str]) -> str:
    """``text`` with the ids of ``cited`` (in their order) as "[1]", "[2]" …, and any other
    id of a memory or screenshot taken out."""

    def number(ids: list[str]) -> str:
        notes = [f"[{cited.index(i) + 1}]" for i in dict.fromkeys(ids) if i in cited]
        return "".join(notes)

    def bracket(m: re.Match[str]) -> str:
        ids = [i for i in re.split(r"[\s,;]+", m.group(1)) if i]
        if not any(i in cited or CITED_ID.fullmatch(i) for i in ids):
            return m.group(0)  # "[sic]", "[1]": not ids
        notes = number(ids)
        return f" {notes}" if notes else ""

    out = _BRACKETED.sub(bracket, text)
    out = CITED_ID.sub(lambda m: number([m.group(1)]), out)
    return re.sub(r"[ \t]+([.,;:。，；：])", r"\1", out)


def speaker_of(chat_text: str) -> str:
    """Who said a chat turn, from its text ("Lena: …"); "" for the user."""
    speaker, sep, _ = chat_text.partition(": ")
    if not sep or speaker.lower() in _USERS:
        return ""
    return speaker.strip()
