"""Telegram Desktop's JSON export (``result.json``): one chat, or the whole account.

One chat is an object with ``name``, ``type``, ``id`` and ``messages``; the whole
account's export holds its chats in ``chats.list`` (and chats the user left in
``left_chats.list``). A message has ``id`` (unique within its chat), ``type``
("message", or "service" for joins, pins and calls, which are left out), ``date``
(local time) and ``date_unixtime`` (newer exports), ``from`` and ``from_id``, and
``text``: a string, or a list of strings and entity objects (``{"type": "link",
"text": ...}``), which are joined. Messages without text (stickers, photos alone)
are left out; a photo's caption is its text.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from agents.importers.base import Item, Skipped, Source, make_turn, reason


def read(source: Source, document: Any) -> Iterator[Item]:
    for number, chat in enumerate(_chats(document), 1):
        where = f"chat {number}"
        if not isinstance(chat, dict) or not isinstance(chat.get("messages"), list):
            yield Skipped(where, "not a chat (no messages)")
            continue
        chat_id = chat.get("id")
        if chat_id is None or isinstance(chat_id, bool):
            yield Skipped(where, "the chat has no id")
            continue
        title = chat.get("name") if isinstance(chat.get("name"), str) else None
        if chat.get("type") == "saved_messages":
            title = title or "Saved Messages"
        where = f"chat {number} ({title or chat_id})"
        for index, message in enumerate(chat["messages"], 1):
            if not isinstance(message, dict):
                yield Skipped(f"{where}, message {index}", "not a message object")
                continue
            if message.get("type", "message") != "message":
                continue  # service messages: joins, pins, calls
            msg_id = message.get("id")
            at = f"{where}, message {msg_id if msg_id is not None else index}"
            if msg_id is None or isinstance(msg_id, bool):
                yield Skipped(at, "the message has no id")
                continue
            try:
                text = joined_text(message.get("text"))
            except ValueError as exc:
                yield Skipped(at, str(exc))
                continue
            if not text.strip():
                continue  # a sticker or a photo without a caption
            speaker = message.get("from") or message.get("from_id") or "unknown"
            try:
                yield make_turn(
                    id=f"telegram:{chat_id}:{msg_id}",
                    conversation_id=f"telegram:{chat_id}",
                    speaker=str(speaker),
                    text=text,
                    created_at=_time(message),
                    title=title,
                )
            except ValueError as exc:
                yield Skipped(at, reason(exc))


def _chats(document: Any) -> list[Any]:
    if not isinstance(document, dict):
        return []
    if isinstance(document.get("messages"), list):
        return [document]
    chats: list[Any] = []
    for key in ("chats", "left_chats"):
        group = document.get(key)
        if isinstance(group, dict) and isinstance(group.get("list"), list):
            chats.extend(group["list"])
    return chats


def joined_text(value: Any) -> str:
    """A message's ``text``: a string, or a list of strings and entity objects (whose
    ``text`` is taken), joined; raises ValueError for anything else."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = []
        for part in value:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
            else:
                raise ValueError("text: a part is neither a string nor an entity with text")
        return "".join(parts)
    raise ValueError(f"text: a {type(value).__name__}, not a string or a list")


def _time(message: dict[str, Any]) -> Any:
    """The message's time: ``date_unixtime`` (UTC) where the export has it, else ``date``
    (the exporting computer's local time, read as this computer's)."""
    unix = message.get("date_unixtime")
    if isinstance(unix, str) and unix.strip().isdigit():
        return datetime.fromtimestamp(int(unix), tz=UTC)
    date = message.get("date")
    if isinstance(date, str):
        try:
            return datetime.fromisoformat(date).astimezone()
        except (ValueError, OverflowError):
            return date  # pydantic names it
    return date
