"""Passages: a long chat turn cut into pieces the text encoder takes whole.

An encoder reads a few hundred tokens (multilingual-e5-small 512, all-MiniLM-L6-v2
256); a turn longer than that would be cut or blurred into one vector, and what it
says past the limit lost to search. A turn is embedded as passages of at most the
encoder's length, cut between sentences where it can: the turn's own row holds the
first passage's vector, and the ``chat_passages`` table one row for each further
passage, with its vector and the turn's id in ``source_ids``. Search finds a passage
and returns its turn.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from agents.store import schema as S

PASSAGES = S.PASSAGE_TABLE
DEFAULT_MAX_TOKENS = 240  # for an encoder that does not say: the shortest common limit
_SENTENCE_END = re.compile(r"(?<=[.!?。！？;；])\s+|\n+")
_WORDISH = re.compile(r"\w+|[^\w\s]", re.UNICODE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def approx_tokens(text: str) -> int:
    """A generous guess of a text's tokens without the model's tokenizer: 1.4 a word or
    sign, and one a CJK character."""
    cjk = len(_CJK.findall(text))
    return int(len(_WORDISH.findall(text)) * 1.4) + cjk


def token_counter(embedder: Any) -> tuple[int, Callable[[str], int]]:
    """The encoder's passage length in tokens and a function that counts a text's tokens
    (its own tokenizer where it offers one, else :func:`approx_tokens`)."""
    limit = int(getattr(embedder, "max_tokens", 0) or DEFAULT_MAX_TOKENS)
    count = getattr(embedder, "count_tokens", None)
    if callable(count):
        return limit, count
    return limit, approx_tokens


def split_passages(text: str, *, max_tokens: int, count: Callable[[str], int]) -> list[str]:
    """``text`` in passages of at most ``max_tokens`` (by ``count``), cut between
    sentences, then between words, then anywhere; a short text is one passage."""
    if count(text) <= max_tokens:
        return [text]
    passages: list[str] = []
    current: list[str] = []
    used = 0
    for unit in _units(text, max_tokens, count):
        n = count(unit)
        if current and used + n > max_tokens:
            passages.append(" ".join(current))
            current, used = [], 0
        current.append(unit)
        used += n
    if current:
        passages.append(" ".join(current))
    return passages


def _units(text: str, max_tokens: int, count: Callable[[str], int]) -> list[str]:
    units: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        if not sentence.strip():
            continue
        if count(sentence) <= max_tokens:
            units.append(sentence.strip())
            continue
        units.extend(_cut(sentence.strip(), max_tokens, count))
    return units


def _cut(text: str, max_tokens: int, count: Callable[[str], int]) -> list[str]:
    """A sentence longer than a passage, in pieces: whole words where there are spaces,
    else characters, each piece under ``max_tokens``."""
    pieces: list[str] = []
    words = text.split(" ") if " " in text else list(text)
    joiner = " " if " " in text else ""
    start = 0
    while start < len(words):
        # Grow a piece while it fits; a guess from the average first, then by halves.
        size = max(1, len(words) - start)
        while size > 1 and count(joiner.join(words[start : start + size])) > max_tokens:
            size = max(1, size * 2 // 3)
        pieces.append(joiner.join(words[start : start + size]))
        start += size
    return pieces


def passage_rows(
    turn_rows: Sequence[dict[str, Any]], passages: Sequence[list[str]]
) -> list[dict[str, Any]]:
    """Rows of the passages table for the passages after each turn's first (its own row
    holds the first); without vectors yet."""
    rows = []
    for turn, parts in zip(turn_rows, passages, strict=True):
        speaker = turn.get("speaker") or ""
        for index, part in enumerate(parts[1:], 1):
            rows.append(
                {
                    "id": f"{turn['id']}#{index}",
                    "created_at": turn["created_at"],
                    "updated_at": turn["updated_at"],
                    "time": turn["time"],
                    "app": turn.get("app"),
                    "source_ids": [turn["id"]],
                    "text": f"{speaker}: {part}" if speaker else part,
                    "fts": "",
                    "vector": None,
                    "turn_id": turn["id"],
                    "conversation_id": turn.get("conversation_id"),
                    "speaker": speaker,
                }
            )
    return rows
