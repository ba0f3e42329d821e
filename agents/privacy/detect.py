"""Finding sensitive values in text, by kind, with the field's detectors.

Which library covers which kind, and why (the README's privacy section says the same):

- Keys and tokens (AWS, GitHub, GitLab, Slack, Stripe, OpenAI, npm, PyPI, SendGrid,
  Twilio, Discord, Telegram, Mailchimp, Square, Azure; JWTs, checked by decoding;
  passwords in ``scheme://user:password@host`` URLs): the regular expressions of
  detect-secrets' plugins (Yelp, Apache-2.0), the scanner most projects run in CI. Its
  keyword and high-entropy plugins are left out: written for source code, they flag
  ordinary prose and hashes.
- IBANs (mod 97 and each country's length), US social security numbers, UK NHS numbers
  (mod 11), China's resident ID numbers (GB 11643 check digit and birth date), bitcoin
  addresses (base58check and bech32) and the Luhn check of card numbers: python-stdnum
  (LGPL-2.1+), the checksums as their standards define them.
- Phone numbers: phonenumbers (Google's libphonenumber, Apache-2.0), which knows every
  country's numbering plan, so a date, an order number or a time is not a phone.
- Seed phrases: the BIP39 word lists (English and Chinese) of ``mnemonic`` (Trezor, MIT).
- Our own rules, where no library covers the kind: whole private-key blocks (the
  scanner finds only their first line), passwords, PINs, one-time codes, passphrases and
  backup codes by their labels in English and Chinese (密码, 口令, 支付密码, 验证码 …),
  passports by label, card numbers by network prefix and length (and 卡号/银行卡 context),
  e-mail addresses, and the look-alikes that must stay readable: a number labelled as an
  order, invoice, parcel, booking or ticket number (订单编号, 运单号 …), a date with an hour,
  and the program's own masked references.

Everything here is a pure function of the text; the libraries load on first use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from agents.privacy import credentials, numbers
from agents.privacy.kinds import kind as kind_of
from agents.privacy.looks import NOT_SECRET_LABEL, Emit, Span, label_before

# ---- what a finding is ----------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    kind: str
    value: str
    start: int
    end: int

    @property
    def level(self) -> str:
        return kind_of(self.kind).level

    @property
    def high(self) -> bool:
        return self.level == "high"

    @property
    def sensitivity(self) -> Literal["high", "medium"]:
        """The vault's word for the level: ``high`` or ``medium`` (contact values)."""
        return "high" if self.high else "medium"


# The program's own masked references and MCP's markers: never sealed again.
MASKED_REFERENCE = re.compile(
    r"\[[^\[\]\n]{1,120}?, kept in the vault\]|\[withheld [^\[\]\n]{1,60}\]"
)

DETECTORS: list[Callable[[str, Emit], None]] = [
    credentials.private_keys,
    credentials.scanner_tokens,
    credentials.own_tokens,
    credentials.backup_codes,
    credentials.credentials,
    credentials.bare_pins,
    credentials.seed_phrases,
    numbers.passports,
    numbers.ibans,
    numbers.cn_ids,
    numbers.cards,
    numbers.ssns,
    numbers.nhs_numbers,
    numbers.wallets,
    numbers.emails,
    numbers.phones,
]


def detect(text: str) -> list[Finding]:
    """Every sensitive value in ``text``, in order of appearance; where two detectors claim
    overlapping text, the earlier in :data:`DETECTORS` wins. Masked references are skipped."""
    if not text or len(text) < 4:
        return []
    taken: list[Span] = [m.span() for m in MASKED_REFERENCE.finditer(text)]
    found: list[Finding] = []

    def emit(name: str, start: int, end: int) -> None:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end - start < 3 or any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        found.append(Finding(name, text[start:end], start, end))

    for detector in DETECTORS:
        detector(text, emit)
    return sorted(_consistent(text, found), key=lambda f: f.start)


_NUMBER_KINDS = frozenset({"card", "cn_resident_id", "us_ssn", "uk_nhs", "phone"})


def _consistent(text: str, found: list[Finding]) -> list[Finding]:
    """One judgement a number: one labelled as an order or parcel number anywhere in the
    text is that wherever it is repeated (an answer that quotes the line it came from)."""
    out = []
    for item in found:
        if item.kind in _NUMBER_KINDS:
            at = [m.start() for m in re.finditer(re.escape(item.value), text)]
            if any(label_before(text, start, NOT_SECRET_LABEL) for start in at):
                continue
        out.append(item)
    return out


def high_values(text: str) -> list[Finding]:
    """The values in ``text`` that only the vault may hold."""
    return [f for f in detect(text) if f.high]


def iter_high(texts: Iterable[str]) -> list[Finding]:
    """High values in any of ``texts``, each value once."""
    out: dict[str, Finding] = {}
    for text in texts:
        for item in high_values(text):
            out.setdefault(item.value, item)
    return list(out.values())
