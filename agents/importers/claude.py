"""Claude's data export: ``conversations.json`` (alone or in the export's zip).

A list of conversations, each with ``uuid``, ``name`` (the title), ``created_at``
and ``chat_messages``: each message has ``uuid``, ``sender`` ("human" or
"assistant"), ``created_at`` (ISO 8601), and its words in ``text`` or, in newer
exports, in ``content`` blocks (those of type "text" are kept; tool calls and their
results are left out). Attachments' extracted text is not imported.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from agents.importers.base import Item, Skipped, Source, make_turn, reason

SPEAKERS = {"human": "user", "assistant": "assistant"}


def read(source: Source, document: Any) -> Iterator[Item]:
    conversations = document if isinstance(document, list) else [document]
    for number, conv in enumerate(conversations, 1):
        where = f"conversation {number}"
        if not isinstance(conv, dict) or not isinstance(conv.get("chat_messages"), list):
            yield Skipped(where, "not a conversation (no chat_messages)")
            continue
        conv_id = conv.get("uuid")
        if not isinstance(conv_id, str) or not conv_id:
            yield Skipped(where, "the conversation has no uuid")
            continue
        title = conv.get("name") if isinstance(conv.get("name"), str) else None
        where = f"conversation {number} ({title or conv_id})"
        for index, message in enumerate(conv["chat_messages"], 1):
            at = f"{where}, message {index}"
            if not isinstance(message, dict):
                yield Skipped(at, "not a message object")
                continue
            sender = message.get("sender")
            if sender not in SPEAKERS:
                yield Skipped(at, f"unknown sender {sender!r}")
                continue
            text = _text(message)
            if not text.strip():
                continue  # an attachment alone, or a tool call
            try:
                yield make_turn(
                    id=f"claude:{message.get('uuid') or conv_id + ':' + str(index)}",
                    conversation_id=f"claude:{conv_id}",
                    speaker=SPEAKERS[sender],
                    text=text,
                    created_at=_time(message.get("created_at") or conv.get("created_at")),
                    title=title or None,
                )
            except ValueError as exc:
                yield Skipped(at, reason(exc))


def _text(message: dict[str, Any]) -> str:
    blocks = message.get("content")
    if isinstance(blocks, list):
        texts = [
            b["text"]
            for b in blocks
            if isinstance(b, dict) and b.get("type") == "text" and isinstance(b.get("text"), str)
        ]
        if any(t.strip() for t in texts):
            return "\n".join(t for t in texts if t.strip())
    text = message.get("text")
    return text if isinstance(text, str) else ""


def _time(value: Any) -> Any:
    """An ISO 8601 string as a datetime (pydantic reports anything else)."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value
