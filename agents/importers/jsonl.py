"""This program's own chat turns: one JSON object a line (``id``, ``conversation_id``,
``speaker``, ``text``, ``created_at``, optionally ``image_caption`` and ``title``), as
``mirix-desktop export`` writes them and ``ingest chat`` has always read them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from agents.importers.base import Item, Skipped, Source, make_turn, reason


def parse_lines(lines: Iterator[bytes]) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line number, object, error) for each non-blank line: one that is not UTF-8 or not
    a JSON object is reported, the rest are read."""
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            yield number, None, f"not UTF-8 text (byte {exc.start + 1} of the line)"
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, None, f"not JSON ({exc.msg})"
            continue
        if not isinstance(obj, dict):
            yield number, None, "not a JSON object"
            continue
        try:  # a lone surrogate ("\\ud800") is valid JSON but no text can hold it
            json.dumps(obj, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            char = exc.object[exc.start : exc.end].encode("unicode_escape").decode("ascii")
            yield number, None, f"a lone surrogate ({char}) that no text can hold"
            continue
        yield number, obj, None


def read(source: Source, document: Any = None) -> Iterator[Item]:
    for number, obj, error in parse_lines(iter(source.data.splitlines(keepends=True))):
        where = f"line {number}"
        if obj is None:
            yield Skipped(where, error or "unreadable", line=number)
            continue
        try:
            yield make_turn(obj)
        except ValueError as exc:
            yield Skipped(where, reason(exc, whole="line"), line=number)
