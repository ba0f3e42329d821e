"""Chat histories people already have, read into chat turns: ChatGPT's and Claude's data
exports, Telegram Desktop's JSON export, WhatsApp's exported chat text, and this
program's own JSONL.

:func:`open_export` looks at the file (not at a flag) to tell which it is. Every reader
yields, in the file's order, a :class:`~agents.store.ChatTurn` per message or a
:class:`Skipped` naming the record it could not read and why; one bad record never
stops the rest. Turn ids come from the export's own ids (or, where it has none, from
what the message says and when), so importing the same export again, or a newer export
of the same account, adds only what is new.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.errors import InvalidInput
from agents.importers.base import Item, Skipped, Source, checked_text, make_turn, reason

# Format name -> dotted reader, imported only when a file of that format comes in.
READERS = {
    "chatgpt": "agents.importers.chatgpt:read",
    "claude": "agents.importers.claude:read",
    "telegram": "agents.importers.telegram:read",
    "whatsapp": "agents.importers.whatsapp:read",
    "jsonl": "agents.importers.jsonl:read",
}
LABELS = {
    "chatgpt": "ChatGPT export",
    "claude": "Claude export",
    "telegram": "Telegram export",
    "whatsapp": "WhatsApp chat",
    "jsonl": "chat turns (JSONL)",
}


@dataclass(frozen=True)
class Export:
    """An opened export: its format, and its records read one at a time."""

    format: str
    path: Path
    items: Iterator[Item]

    @property
    def label(self) -> str:
        return LABELS[self.format]


def open_export(path: Path) -> Export:
    """Open ``path`` and tell its format; raises InvalidInput for a missing, unreadable
    or unrecognised file. Records are read when the returned iterator is walked."""
    source = _read_source(path)
    fmt, parsed = detect(source)
    from agents.embeddings.base import load_object

    reader: Callable[[Source, Any], Iterator[Item]] = load_object(READERS[fmt])
    return Export(format=fmt, path=path, items=reader(source, parsed))


def _read_source(path: Path) -> Source:
    try:
        if zipfile.is_zipfile(path):
            return _zip_member(path)
        return Source(name=path.name, data=path.read_bytes())
    except FileNotFoundError:
        raise InvalidInput(f"no such file: {path}") from None
    except IsADirectoryError:
        if (path / "result.json").is_file():  # a Telegram export's folder
            return _read_source(path / "result.json")
        raise InvalidInput(f"{path} is a folder, not a file") from None
    except (OSError, zipfile.BadZipFile) as exc:
        raise InvalidInput(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None


def _zip_member(path: Path) -> Source:
    """The member of an export's zip that holds the chats: ``conversations.json``
    (ChatGPT, Claude), ``result.json`` (Telegram) or the chat's ``.txt`` (WhatsApp)."""
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        for wanted in ("conversations.json", "result.json"):
            found = [n for n in names if Path(n).name == wanted]
            if found:
                return Source(name=path.name, data=archive.read(min(found, key=len)))
        texts = [n for n in names if n.lower().endswith(".txt")]
        if texts:
            # WhatsApp's iOS zip holds "_chat.txt"; the zip's own name carries the chat's.
            member = min(texts, key=len)
            name = path.name if Path(member).name == "_chat.txt" else Path(member).name
            return Source(name=name, data=archive.read(member))
    raise InvalidInput(f"{path}: a zip without conversations.json, result.json or a chat .txt")


def detect(source: Source) -> tuple[str, Any]:
    """The format of ``source`` and what was parsed to tell it (the JSON document, or
    None); raises InvalidInput when it is none of the formats."""
    head = source.data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"[", b"{"):
        try:
            document = json.loads(source.data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            document = None  # several JSON lines, a broken file, or "[date] name: text"
        fmt = _json_format(document) if document is not None else None
        if fmt is not None:
            return fmt, document
    from agents.importers.whatsapp import looks_like_whatsapp

    if looks_like_whatsapp(source.data):
        return "whatsapp", None
    if head[:1] == b"{":
        return "jsonl", None
    raise InvalidInput(
        f"{source.name}: not a chat export this program knows (ChatGPT, Claude, Telegram, "
        "WhatsApp, or JSONL chat turns)"
    )


def _json_format(document: Any) -> str | None:
    if isinstance(document, list):
        first = next((c for c in document if isinstance(c, dict)), None)
        if first is None:
            return "chatgpt" if not document else None
        if "mapping" in first:
            return "chatgpt"
        if "chat_messages" in first:
            return "claude"
        return None
    if isinstance(document, dict):
        chats = document.get("chats")
        if isinstance(chats, dict) and isinstance(chats.get("list"), list):
            return "telegram"
        if isinstance(document.get("messages"), list) and "type" in document:
            return "telegram"
        if "mapping" in document:  # one ChatGPT conversation on its own
            return "chatgpt"
        if "chat_messages" in document:
            return "claude"
        return "jsonl"  # one chat turn on a line of its own
    return None


__all__ = [
    "Export",
    "Item",
    "Skipped",
    "Source",
    "checked_text",
    "detect",
    "make_turn",
    "open_export",
    "reason",
]
