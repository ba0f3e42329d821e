"""What every chat-history reader shares: the records it yields (a chat turn or a
:class:`Skipped`), what it reads (:class:`Source`), and how it makes and checks a turn.
The readers import these from here, not from the package, so that the package's
``__init__`` (which picks a reader) and the readers do not import each other."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agents.store.schema import ChatTurn


@dataclass(frozen=True)
class Skipped:
    """A record that could not be read: where it is in the file, and why."""

    where: str
    reason: str
    line: int | None = None  # the line, in a format read line by line


Item = ChatTurn | Skipped


@dataclass(frozen=True)
class Source:
    """What a reader reads: the file's bytes (or of the member of a zip that holds the
    chats), and a name to derive a conversation's title from where the format has none."""

    name: str
    data: bytes


def checked_text(text: str) -> str:
    """``text`` when it can be stored as UTF-8; raises ValueError naming the first
    character that cannot (a lone surrogate, which JSON's \\ud800 escapes can make)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = text[exc.start]
        raise ValueError(
            f"a character UTF-8 cannot hold (U+{ord(bad):04X} at character {exc.start + 1})"
        ) from None
    return text


def make_turn(fields: dict[str, Any] | None = None, /, **named: Any) -> ChatTurn:
    """A validated chat turn; raises ValueError (pydantic's, or "field: ..." for text
    that cannot be stored)."""
    fields = {**(fields or {}), **named}
    for name in ("id", "conversation_id", "speaker", "text", "title", "image_caption"):
        value = fields.get(name)
        if isinstance(value, str):
            try:
                checked_text(value)
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
    return ChatTurn.model_validate(fields)


def reason(exc: Exception, *, whole: str = "record") -> str:
    """One line saying why a record was skipped."""
    from agents.errors import one_line

    return one_line(exc, whole=whole) if callable(getattr(exc, "errors", None)) else str(exc)
