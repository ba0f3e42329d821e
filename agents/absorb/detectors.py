"""Offline-mode heuristics: what a batch holds without a language model.

Chat statements such as "remember that ..." and "my X is Y" become semantic memories
or core facts. (Sensitive values are found by :mod:`agents.privacy`.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Statement:
    kind: Literal["semantic", "core"]
    text: str


_REMEMBER = re.compile(r"(?i)\b(?:please\s+)?remember(?:\s+that)?\s*[:,]?\s+(.+?)[.!]?\s*$")
_MY_X_IS_Y = re.compile(r"(?i)\bmy\s+([a-z][\w' -]{1,40}?)\s+(?:is|are|was)\s+(.+?)[.!]?\s*$")


# A sentence ends at . ! or ? before a space, except after a title such as "Dr.".
_SENTENCE_END = re.compile(
    r"(?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)(?<!\bSt\.)(?<!\bProf\.)(?<=[.!?])\s+|\n+"
)


def extract_statements(text: str) -> list[Statement]:
    """Facts the user stated in one chat turn ("remember that ...", "my X is Y")."""
    out: list[Statement] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        sentence = sentence.strip()
        if not sentence or sentence.endswith("?"):
            continue
        if m := _REMEMBER.search(sentence):
            out.append(Statement("semantic", m.group(1).strip()))
        elif m := _MY_X_IS_Y.search(sentence):
            out.append(Statement("core", f"{m.group(1).strip()}: {m.group(2).strip()}"))
    return out
