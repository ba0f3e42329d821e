"""The kinds of sensitive value, and what may happen to each: one policy table.

``high``: only the knowledge vault may hold the value (encrypted); every other text
gets a masked reference and every screenshot that shows it is painted over.
``contact``: an e-mail address or phone number; kept in memories, masked on the way
out (MCP, other programs) where the settings say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["high", "contact"]


@dataclass(frozen=True)
class Kind:
    name: str  # the id stored as a vault entry's entry_type
    label: str  # what a reader is told ("card number")
    level: Level
    tail: bool  # whether a masked reference may show the value's last four characters


_KINDS = [
    # credentials: never a tail that would give part of the value away
    Kind("password", "password", "high", False),
    Kind("pin", "PIN or one-time code", "high", False),
    Kind("passphrase", "passphrase", "high", False),
    Kind("private_key", "private key", "high", False),
    Kind("seed_phrase", "wallet seed phrase", "high", False),
    Kind("backup_code", "backup code", "high", False),
    Kind("connection_password", "password in a connection string", "high", False),
    # tokens and keys: the last four characters are how services show them too
    Kind("api_key", "API key or token", "high", True),
    Kind("aws_key", "AWS key", "high", True),
    Kind("jwt", "access token (JWT)", "high", True),
    # accounts and identity numbers
    Kind("card", "card number", "high", True),
    Kind("iban", "bank account (IBAN)", "high", True),
    Kind("crypto_wallet", "crypto wallet address", "high", True),
    Kind("us_ssn", "US social security number", "high", True),
    Kind("uk_nhs", "NHS number", "high", True),
    Kind("cn_resident_id", "resident ID number (身份证)", "high", True),
    Kind("passport", "passport number", "high", True),
    # contact values
    Kind("email", "email address", "contact", True),
    Kind("phone", "phone number", "contact", True),
]

KINDS: dict[str, Kind] = {k.name: k for k in _KINDS}


def kind(name: str) -> Kind:
    """The kind called ``name``; an unknown name (an old vault entry's) counts as high."""
    return KINDS.get(name) or Kind(name, name.replace("_", " "), "high", False)


def label(name: str) -> str:
    return kind(name).label


def is_high(name: str) -> bool:
    return kind(name).level == "high"
