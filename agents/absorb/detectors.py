"""Offline-mode heuristics: what a batch holds without a language model.

Sensitive values (email addresses, phone numbers, card and account numbers,
API keys and tokens) are found for the knowledge vault. What chat turns state
("remember that ...", "my X is Y", steps) is read in agents/absorb/statements.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Sensitivity = Literal["low", "medium", "high"]


@dataclass(frozen=True)
class Sensitive:
    kind: str  # email, phone, card, iban, api_key, password
    value: str
    sensitivity: Sensitivity


_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
_PHONE = re.compile(r"(?<![\w+])\+?\d[\d ()./-]{7,}\d(?!\w)")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
_KEYS = re.compile(
    r"\b(?:sk-[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|AKIA[0-9A-Z]{16}"
    r"|xox[abpr]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{30,}|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_.-]{10,})"
)
_LABELLED_TOKEN = re.compile(
    r"(?i)\b(?:api[ _-]?key|token|secret|password)\s*[:=]\s*([A-Za-z0-9_\-./+=]{12,})"
)
# "my password is hunter22", "PIN: 4821", "密码是 abc12345": the value after the label.
_PASSWORD = re.compile(
    r"(?i)(?:\b(?:password|passwort|passcode|passphrase|pin(?:\s+code)?)\b\s*(?:is|was|:|=)"
    r"|(?:密码|口令|PIN码)\s*(?:是|为|:|：|=))\s*[\"'“「]?([^\s\"'”」，。,;；]{3,63}[^\s\"'”」，。,;；.!?)])"
)


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _password_like(value: str) -> bool:
    """A value after "password is" that looks like one: not a masked field ("••••"), not
    a plain word ("password is required"), unless it is a PIN of digits."""
    if len(value) < 4 or set(value) <= set("•*●·.-_x"):
        return False
    if value.isdigit():
        return True
    has_digit = any(c.isdigit() for c in value)
    has_symbol = any(not c.isalnum() for c in value)
    mixed = any(c.isupper() for c in value[1:]) and any(c.islower() for c in value)
    return len(value) >= 6 and (has_digit or has_symbol or mixed)


def detect_sensitive(text: str) -> list[Sensitive]:
    """Sensitive values in ``text``, each once, in order of appearance."""
    found: list[tuple[int, Sensitive]] = []
    taken: list[tuple[int, int]] = []

    def add(match: re.Match[str], kind: str, level: Sensitivity, group: int = 0) -> None:
        start, end = match.span(group)
        if any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        found.append((start, Sensitive(kind, match.group(group).strip(), level)))

    for m in _KEYS.finditer(text):
        add(m, "api_key", "high")
    for m in _LABELLED_TOKEN.finditer(text):
        add(m, "api_key", "high", group=1)
    for m in _PASSWORD.finditer(text):
        if _password_like(m.group(1)):
            add(m, "password", "high", group=1)
    for m in _IBAN.finditer(text):
        add(m, "iban", "high")
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if 13 <= len(digits) <= 19 and _luhn(digits):
            add(m, "card", "high")
    for m in _EMAIL.finditer(text):
        add(m, "email", "medium")
    for m in _PHONE.finditer(text):
        raw = m.group(0)
        digits = re.sub(r"\D", "", raw)
        bare = raw.isdigit()  # no "+" and no separators: only a national-length number
        if re.fullmatch(r"\d{4}[-/.]\d{2}[-/.]\d{2}", raw):
            continue
        if (10 <= len(digits) <= 11) if bare else (8 <= len(digits) <= 15):
            add(m, "phone", "medium")
    seen: set[str] = set()
    out = []
    for _, item in sorted(found, key=lambda pair: pair[0]):
        if item.value not in seen:
            seen.add(item.value)
            out.append(item)
    return out
