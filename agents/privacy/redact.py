"""Redaction on the way out: what another program (an MCP client) may read.

High values are never shown; contact values (e-mail, phone) only where the settings
allow; the program's own masked references and the times it prints pass as they are.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from agents.privacy.detect import detect, high_values
from agents.privacy.kinds import label
from agents.privacy.seal import seal_text


def sealed(text: str) -> str:
    """``text`` with its high values replaced by masked references (nothing is vaulted:
    for a text about to leave the program, such as a log line or a model's prompt)."""
    found = high_values(text)
    return seal_text(text, found) if found else text


class LogFilter(logging.Filter):
    """Seals the high values of every log record a handler writes (a token quoted in an
    error message, a password in a model's reply that failed to parse)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = sealed(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = sealed(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = sealed(record.exc_text)
        return True


class Redactor:
    """Replaces what must not leave with ``[withheld KIND]``.

    ``withheld`` are known values (the vault's) masked wherever they occur, with their
    kind; ``mask_contacts`` masks e-mail addresses and phone numbers too."""

    def __init__(self, withheld: Iterable[tuple[str, str]] = (), *, mask_contacts: bool) -> None:
        self.mask_contacts = mask_contacts
        values = {v.strip(): k for v, k in withheld if len(v.strip()) >= 3}
        # Longest first, so that a value containing another is masked whole.
        self._values = sorted(values.items(), key=lambda kv: len(kv[0]), reverse=True)

    def may_show(self, kind_name: str, *, high: bool) -> bool:
        return not high and not self.mask_contacts

    def text(self, text: str) -> str:
        """``text`` with every value that must not leave replaced by a marker."""
        if not text:
            return text
        for value, kind_name in self._values:
            if value in text:
                text = text.replace(value, f"[withheld {label(kind_name)}]")
        found = [f for f in detect(text) if f.high or self.mask_contacts]
        for item in sorted(found, key=lambda f: f.start, reverse=True):
            text = text[: item.start] + f"[withheld {label(item.kind)}]" + text[item.end :]
        return text
