"""WhatsApp's exported chat (Export chat > Without media): a ``.txt`` file, or the zip
that holds it as ``_chat.txt``.

Each message starts a line with its date and time, then the sender and the text; a
message of several lines goes on, unmarked, on the lines after it. The two layouts
and the date orders of the common locales are read::

    [21/03/2024, 14:05:09] Ana: text          (iPhone; also dd.mm.yy)
    3/21/24, 2:05 PM - Ana: text              (Android; also dd/mm/yyyy, 14:05)

Whether a file's dates are day or month first is told from the file (a first number
above 12 means day first, a second one month first; with neither, 12-hour times mean
month first). Lines without a sender (encryption notices, "Ana created group") and
attachments left out of the export are not turns. The export has no message ids: a
turn's id is a digest of the chat, its time, sender and text (and how many times the
same were said before), so a newer export of the same chat adds only what is new.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from agents.importers.base import Item, Skipped, Source, make_turn, reason

_SPACE = r"[ \u00a0\u202f]"
HEADER = re.compile(
    r"^[\u200e\u200f]?\[?(?P<date>\d{1,4}[./-]\d{1,2}[./-]\d{1,4}),?" + _SPACE + r"+"
    r"(?P<time>\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)"
    r"(?:" + _SPACE + r"*(?P<ampm>[AaPp]\.?" + _SPACE + r"?[Mm]\.?))?"
    r"(?:\]" + _SPACE + r"*|" + _SPACE + r"+-" + _SPACE + r"+)(?P<rest>.*)$"
)
_SENDER = re.compile(r"^[\u200e\u200f]?(?P<sender>[^:\n]{1,100}?): (?P<text>.*)$", re.S)
_OMITTED = re.compile(
    r"^[\u200e\u200f]?(<Media omitted>|<attached: [^>]*>|(image|video|audio|sticker|GIF|document)"
    r" omitted|This message was deleted|You deleted this message"
    r"|Messages and calls are end-to-end encrypted\..*)$",
    re.I,
)
_TITLE = re.compile(r"^WhatsApp Chat (?:with|-) (?P<name>.+?)(?:\.txt|\.zip)?$", re.I)


def looks_like_whatsapp(data: bytes) -> bool:
    """Whether one of the first lines starts like a WhatsApp message."""
    lines = data[:8192].decode("utf-8-sig", errors="replace").splitlines()
    return any(HEADER.match(line) for line in lines[:30] if line.strip())


@dataclass
class _Message:
    line: int
    date: str
    time: str
    ampm: str | None
    sender: str
    lines: list[str] = field(default_factory=list)


def read(source: Source, document: Any = None) -> Iterator[Item]:
    title = chat_title(source.name)
    conv_id = "whatsapp:" + hashlib.sha256(title.encode()).hexdigest()[:16]
    lines: list[tuple[int, str | None]] = []
    for number, raw in enumerate(source.data.split(b"\n"), 1):
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8").rstrip("\r")
        except UnicodeDecodeError:
            text = None
        lines.append((number, text))
    day_first = _day_first(line for _, line in lines if line is not None)
    seen: dict[str, int] = {}
    current: _Message | None = None
    for number, line in lines:
        if line is None:
            yield Skipped(f"line {number}", "not UTF-8 text", line=number)
            continue
        match = HEADER.match(line)
        if match is None:
            if current is not None:
                current.lines.append(line)
            continue
        if current is not None:
            yield from _turn(current, conv_id, title, day_first, seen)
        sender = _SENDER.match(match["rest"])
        if sender is None:
            current = None  # a notice without a sender: not a turn
            continue
        current = _Message(number, match["date"], match["time"], match["ampm"], sender["sender"])
        current.lines.append(sender["text"])
    if current is not None:
        yield from _turn(current, conv_id, title, day_first, seen)


def chat_title(name: str) -> str:
    """The chat's name from the export's file name ("WhatsApp Chat with Ana.txt")."""
    match = _TITLE.match(Path(name).name)
    return match["name"].strip() if match else Path(name).stem


def _turn(
    message: _Message, conv_id: str, title: str, day_first: bool, seen: dict[str, int]
) -> Iterator[Item]:
    text = "\n".join(message.lines).strip()
    if not text or _OMITTED.match(text):
        return
    where, line = f"line {message.line}", message.line
    try:
        when = parse_time(message.date, message.time, message.ampm, day_first=day_first)
    except ValueError as exc:
        yield Skipped(where, f"created_at: {exc}", line=line)
        return
    key = f"{conv_id}|{when.isoformat()}|{message.sender}|{text}"
    try:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
    except UnicodeEncodeError:
        digest = ""  # make_turn names the character
    count = seen.get(digest, 0)
    seen[digest] = count + 1
    try:
        yield make_turn(
            id=f"whatsapp:{digest}" + (f"-{count}" if count else ""),
            conversation_id=conv_id,
            speaker=message.sender.strip(),
            text=text,
            created_at=when,
            title=title,
        )
    except ValueError as exc:
        yield Skipped(where, reason(exc), line=line)


def _day_first(lines: Any) -> bool:
    twelve_hour = False
    for line in lines:
        match = HEADER.match(line)
        if match is None:
            continue
        a, b, _ = re.split(r"[./-]", match["date"])
        if len(a) == 4:
            continue
        if int(a) > 12:
            return True
        if int(b) > 12:
            return False
        twelve_hour = twelve_hour or bool(match["ampm"])
    return not twelve_hour


def parse_time(date: str, time: str, ampm: str | None, *, day_first: bool) -> datetime:
    """A header's date and time as local time (the export's, read as this computer's);
    raises ValueError for a date or time that does not exist."""
    fields = re.split(r"[./-]", date)
    a, b, c = (int(x) for x in fields)
    if len(fields[0]) == 4:
        year, month, day = a, b, c
    else:
        day, month, year = (a, b, c) if day_first else (b, a, c)
    if year < 100:
        year += 2000
    parts = [int(x) for x in re.split(r"[:.]", time)]
    hour, minute, second = parts[0], parts[1], parts[2] if len(parts) > 2 else 0
    if ampm:
        pm = ampm.strip().lower().startswith("p")
        if not 1 <= hour <= 12:
            raise ValueError(f"{time} {ampm} is not a time")
        hour = hour % 12 + (12 if pm else 0)
    return datetime(year, month, day, hour, minute, second).astimezone()
