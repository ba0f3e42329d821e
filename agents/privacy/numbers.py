"""Rules for numbers and addresses: cards (network, length, Luhn), IBANs, US social
security, NHS and Chinese resident ID numbers (python-stdnum's checksums), passports by
label, crypto wallets, e-mail addresses and phone numbers (phonenumbers); a number
labelled as an order or parcel number is none of them. See agents.privacy.detect."""

from __future__ import annotations

import re

from agents.privacy.looks import DATE, NOT_SECRET_LABEL, PHONE_LABEL, Emit, label_before

_PASSPORT = re.compile(
    r"(?i)(?:passport|travel permit|护照|港澳通行证|往来港澳通行证|台胞证|通行证)"
    r"\s*(?:no\.?|number|num|#|号码|号)?\s*(?:is|:|：|#|是)?\s*"
    r"([A-Z]{0,2}\d{6,9}|[A-Z0-9]{8,9})(?![A-Za-z0-9])"
)
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+(?:[A-Za-z]{2,24}|xn--[A-Za-z0-9-]{2,})"
    r"(?![A-Za-z0-9-])"
)
_CARD = re.compile(r"(?<![0-9A-Za-z_-])(?:\d[ -]?){12,18}\d(?![0-9A-Za-z_])")
_CARD_CONTEXT = re.compile(r"(?i)(?:card|卡号|银行卡|储蓄卡|信用卡|借记卡|账号|帐号)[^\n\d]{0,12}$")
_CN_ID = re.compile(r"(?<![0-9A-Za-z])(?:\d[ -]?){17}[\dXx](?![0-9A-Za-z])")
_SSN = re.compile(r"(?<![\d.-])(\d{3})([- .])(\d{2})\2(\d{4})(?![\d.-])")
_SSN_BARE = re.compile(r"(?<![\d.-])\d{9}(?![\d.-])")
_SSN_LABEL = re.compile(r"(?i)(?:ssn|social security(?: number| no\.?)?)\s*(?:is|:|#)?\s*$")
_NHS = re.compile(r"(?<![\d-])(\d{3})([- ]?)(\d{3})\2(\d{4})(?![\d-])")
_IBAN_COMPACT = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}[A-Z0-9]{11,30}(?![A-Za-z0-9])")
_IBAN_SPACED = re.compile(
    r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?(?![A-Za-z0-9])"
)
_BITCOIN = re.compile(
    r"(?<![A-Za-z0-9])(?:[13][a-km-zA-HJ-NP-Z1-9]{25,34}|bc1[ac-hj-np-z02-9]{8,87})(?![A-Za-z0-9])"
)
_ETHEREUM = re.compile(r"(?<![A-Za-z0-9])0x[a-fA-F0-9]{40}(?![A-Za-z0-9])")
_PHONE = re.compile(r"(?<![A-Za-z0-9_+./-])\+?\(?\d[\d ()./-]{5,22}\d(?![0-9A-Za-z_])")
# Regions tried for a number written without its country code (a "+" number needs none).
# Germany's and Hong Kong's plans are left out: they accept almost any 8 to 11 digits.
_PHONE_REGIONS = ("US", "CN", "GB", "FR", "IL", "JP", "IN", "BR", "CA", "AU")
_NANP_SHAPE = re.compile(r"\d{3}([- .])\d{3}\1\d{4}")
_GROUPED_CODE = re.compile(r"[A-Z0-9]{4} $")


def _luhn(digits: str) -> bool:
    from stdnum import luhn

    return bool(luhn.is_valid(digits))


def passports(text: str, emit: Emit) -> None:
    for m in _PASSPORT.finditer(text):
        v = m.group(1)
        if sum(c.isdigit() for c in v) >= 5:
            emit("passport", m.start(1), m.end(1))


def ibans(text: str, emit: Emit) -> None:
    from stdnum import iban

    for regex in (_IBAN_SPACED, _IBAN_COMPACT):
        for m in regex.finditer(text):
            value = m.group(0)
            while value:
                if iban.is_valid(value):
                    emit("iban", m.start(), m.start() + len(value))
                    break
                if " " not in value:
                    break
                value = value.rsplit(" ", 1)[0]  # a word after it, in capitals
    return


def cn_ids(text: str, emit: Emit) -> None:
    from stdnum.cn import ric

    for m in _CN_ID.finditer(text):
        if ric.is_valid(re.sub(r"[ -]", "", m.group(0))):
            emit("cn_resident_id", m.start(), m.end())


def _card_network(digits: str) -> bool:
    n, first = len(digits), digits[0]
    two = int(digits[:2])
    if first == "1":
        return n == 15  # UATP
    if first == "2":
        return 2221 <= int(digits[:4]) <= 2720 and n == 16
    if first == "3":
        return (
            (two in (34, 37) and n == 15)
            or (two in (30, 36, 38, 39) and 14 <= n <= 16)
            or (two == 35 and 16 <= n <= 19)
        )
    if first == "4":
        return n in (13, 16, 19)
    if first == "5":
        return 16 <= n <= 19 if 51 <= two <= 55 else 12 <= n <= 19
    if first == "6":
        return 16 <= n <= 19
    return False


def cards(text: str, emit: Emit) -> None:
    for m in _CARD.finditer(text):
        raw = m.group(0)
        digits = re.sub(r"\D", "", raw)
        if not 13 <= len(digits) <= 19 or label_before(text, m.start(), NOT_SECRET_LABEL):
            continue
        if re.search(r"\d  +\d", raw) or DATE.search(raw):
            continue  # two numbers side by side on a screen, or a date
        labelled = label_before(text, m.start(), _CARD_CONTEXT)
        # A card network's prefix and length, or a label ("卡号", "card number") on a
        # 16-19 digit number of a bank that the prefix table does not know; Luhn always.
        if (_card_network(digits) or (labelled and 16 <= len(digits) <= 19)) and _luhn(digits):
            emit("card", m.start(), m.end())


def ssns(text: str, emit: Emit) -> None:
    from stdnum.us import ssn

    for m in _SSN.finditer(text):
        if ssn.is_valid(m.group(1) + m.group(3) + m.group(4)):
            emit("us_ssn", m.start(), m.end())
    for m in _SSN_BARE.finditer(text):
        if label_before(text, m.start(), _SSN_LABEL) and ssn.is_valid(m.group(0)):
            emit("us_ssn", m.start(), m.end())


def nhs_numbers(text: str, emit: Emit) -> None:
    from stdnum.gb import nhs

    for m in _NHS.finditer(text):
        digits = m.group(1) + m.group(3) + m.group(4)
        if not nhs.is_valid(digits) or label_before(text, m.start(), NOT_SECRET_LABEL):
            continue
        if label_before(text, m.start(), PHONE_LABEL):
            continue  # "call 415 555 0132": a phone, whatever its checksum
        if not m.group(2) and (digits[0] in "123" or 1_000_000_000 <= int(digits) < 2_100_000_000):
            continue  # bare ten digits that read as a Unix time or a phone number
        emit("uk_nhs", m.start(), m.end())


def wallets(text: str, emit: Emit) -> None:
    from stdnum import bitcoin

    for m in _BITCOIN.finditer(text):
        if bitcoin.is_valid(m.group(0)) or _bech32m(m.group(0)):
            emit("crypto_wallet", m.start(), m.end())
    for m in _ETHEREUM.finditer(text):
        emit("crypto_wallet", m.start(), m.end())


def _bech32m(address: str) -> bool:
    """A taproot address (BIP 350's bech32m checksum), which stdnum does not know yet."""
    from stdnum import bitcoin

    alphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
    low = address.lower()
    if not low.startswith("bc1p") or any(c not in alphabet for c in low[3:]):
        return False
    data = [alphabet.index(c) for c in low[3:]]
    expanded = [ord(c) >> 5 for c in "bc"] + [0] + [ord(c) & 31 for c in "bc"]
    return bool(bitcoin.bech32_checksum(expanded + data) == 0x2BC830A3)


def emails(text: str, emit: Emit) -> None:
    if "@" in text:
        for m in _EMAIL.finditer(text):
            emit("email", m.start(), m.end())


def _is_phone(raw: str) -> bool:
    import phonenumbers

    regions: tuple[str | None, ...] = (None,) if raw.startswith("+") else _PHONE_REGIONS
    if raw.isdigit():
        regions = ("US", "CN")  # bare digits: a North American or a Chinese mobile number
    elif _NANP_SHAPE.fullmatch(raw):
        regions = ("US",)  # 3-3-4 is North America's shape (and the NHS number's)
    for region in regions:
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return True
    return False


def phones(text: str, emit: Emit) -> None:
    for m in _PHONE.finditer(text):
        raw = m.group(0)
        digits = re.sub(r"\D", "", raw)
        bare = raw.isdigit()
        if not ((10 <= len(digits) <= 11) if bare else (7 <= len(digits) <= 15)):
            continue
        if (
            DATE.search(raw)
            or re.search(r"\d  +\d|\d\.\d+\.\d", raw)
            or raw.count("(") != raw.count(")")
        ):
            continue  # a date (with its hour), two numbers side by side, a version number
        if re.fullmatch(r"\d{3}[- .]\d{2}[- .]\d{4}", raw) or len(digits) < 9 and raw[0] != "+":
            continue  # the shape of a social security number; too short without a country
        if label_before(text, m.start(), NOT_SECRET_LABEL):
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        if _GROUPED_CODE.search(text[line_start : m.start()]):
            continue  # the end of a code written in groups of four (an IBAN that failed)
        if _is_phone(raw):
            emit("phone", m.start(), m.end())
