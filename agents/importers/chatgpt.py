"""ChatGPT's data export: ``conversations.json`` (alone or in the export's zip).

A list of conversations, each with ``id``, ``title``, ``create_time`` and a
``mapping`` of nodes (``id``, ``message``, ``parent``, ``children``): the
messages form a tree, since editing a question or regenerating an answer starts a
branch. The conversation as the user last saw it is the path from ``current_node``
back to the root; the other branches are left out. Of each message, the text parts
of user and assistant messages are kept; system and tool messages, hidden ones
(custom instructions), messages to a tool (``recipient`` other than "all") and
messages without text are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from agents.importers.base import Item, Skipped, Source, make_turn, reason

SPEAKERS = {"user": "user", "assistant": "assistant"}
TEXT_TYPES = {"text", "multimodal_text"}


def read(source: Source, document: Any) -> Iterator[Item]:
    conversations = document if isinstance(document, list) else [document]
    for number, conv in enumerate(conversations, 1):
        where = f"conversation {number}"
        if not isinstance(conv, dict) or not isinstance(conv.get("mapping"), dict):
            yield Skipped(where, "not a conversation (no mapping)")
            continue
        conv_id = str(conv.get("conversation_id") or conv.get("id") or "")
        if not conv_id:
            yield Skipped(where, "the conversation has no id")
            continue
        title = conv.get("title") if isinstance(conv.get("title"), str) else None
        where = f"conversation {number} ({title or conv_id})"
        try:
            path = current_branch(conv["mapping"], conv.get("current_node"))
        except ValueError as exc:
            yield Skipped(where, str(exc))
            continue
        start = _time(conv.get("create_time")) or datetime(1970, 1, 1, tzinfo=UTC)
        last = start
        for node in path:
            message = node.get("message")
            if not isinstance(message, dict) or not _kept(message):
                continue
            text = _text(message.get("content"))
            if not text.strip():
                continue
            msg_id = str(message.get("id") or node.get("id") or "")
            # A message without a time comes just after the one before it.
            when = _time(message.get("create_time")) or last + timedelta(microseconds=1)
            last = when
            try:
                yield make_turn(
                    id=f"chatgpt:{msg_id}",
                    conversation_id=f"chatgpt:{conv_id}",
                    speaker=SPEAKERS[message["author"]["role"]],
                    text=text,
                    created_at=when,
                    title=title,
                )
            except ValueError as exc:
                yield Skipped(f"{where}, message {msg_id}", reason(exc))


def current_branch(mapping: dict[str, Any], current: Any) -> list[dict[str, Any]]:
    """The nodes from the root to ``current`` (or, without one, to the end of the first
    branch), oldest first; raises ValueError on a broken tree."""
    if not isinstance(current, str) or current not in mapping:
        current = _last_leaf(mapping)
        if current is None:
            return []
    path: list[dict[str, Any]] = []
    seen: set[str] = set()
    node_id: Any = current
    while node_id is not None:
        if node_id in seen:
            raise ValueError("the message tree loops")
        seen.add(node_id)
        node = mapping.get(node_id)
        if not isinstance(node, dict):
            raise ValueError(f"the message tree names a missing node {node_id!r}")
        path.append(node)
        node_id = node.get("parent")
    path.reverse()
    return path


def _last_leaf(mapping: dict[str, Any]) -> str | None:
    roots = [k for k, n in mapping.items() if isinstance(n, dict) and not n.get("parent")]
    if not roots:
        return None
    node_id = roots[0]
    for _ in range(len(mapping)):
        children = mapping.get(node_id, {}).get("children") or []
        children = [c for c in children if c in mapping]
        if not children:
            return node_id
        node_id = children[-1]  # the newest branch
    return node_id


def _kept(message: dict[str, Any]) -> bool:
    author = message.get("author")
    role = author.get("role") if isinstance(author, dict) else None
    if role not in SPEAKERS:
        return False  # system and tool messages
    if message.get("recipient", "all") not in ("all", None):
        return False  # the assistant calling a tool
    metadata = message.get("metadata") or {}
    if isinstance(metadata, dict) and metadata.get("is_visually_hidden_from_conversation"):
        return False  # custom instructions and the like
    content = message.get("content")
    if not isinstance(content, dict):
        return False
    return content.get("content_type", "text") in TEXT_TYPES


def _text(content: Any) -> str:
    if not isinstance(content, dict):
        return ""
    parts = content.get("parts")
    if isinstance(parts, list):
        # Text parts only: images and files are dicts (asset pointers).
        return "\n".join(p for p in parts if isinstance(p, str) and p.strip())
    text = content.get("text")
    return text if isinstance(text, str) else ""


def _time(value: Any) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(float(value), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return None
