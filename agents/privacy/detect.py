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

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from agents.privacy.kinds import kind as kind_of

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


Span = tuple[int, int]
Emit = Callable[[str, int, int], None]

# The program's own masked references and MCP's markers: never sealed again.
MASKED_REFERENCE = re.compile(
    r"\[[^\[\]\n]{1,120}?, kept in the vault\]|\[withheld [^\[\]\n]{1,60}\]"
)

# ---- look-alikes ------------------------------------------------------------------------

# A number labelled as one of these is not a card, an ID or a phone.
_NOT_SECRET_LABEL = re.compile(
    r"(?i)(?:\b(?:order|invoice|tracking|parcel|package|shipment|shipping|waybill|consignment"
    r"|booking|reservation|confirmation|ticket|reference|ref|receipt|transaction|txn|case"
    r"|claim|item|sku|serial|model|part|product|flight|train|room|policy|account id|customer"
    r"|member(?:ship)?|loyalty|isbn|issue|build|version|commit|request|job|batch)"
    r"(?:\s*(?:no\.?|nr\.?|number|num|#|id|code))?"
    r"|订单|运单|快递|单号|编号|发票|票号|流水号|取件码|物流|预订|凭证|工单|批次|车次|航班)"
    r"\s*(?:is|was|:|：|#|=|为|是)?\s*$"
)
_PHONE_LABEL = re.compile(
    r"(?i)(?:phone|tel|telephone|mobile|cell|call|fax|whatsapp|sms|text me|电话|手机|联系)"
    r"[^\n\d]{0,12}$"
)
_DATE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}")


def _label_before(text: str, start: int, pattern: re.Pattern[str], reach: int = 32) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    return bool(pattern.search(text[max(line_start, start - reach) : start]))


# ---- our own rules ----------------------------------------------------------------------

# Dashes as OCR reads them too (four, six, or none); the block runs to its END line, or to
# the end of the text when the END line is cut off.
_PRIVATE_KEY = re.compile(
    r"-*\s?BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?\s?-*[\s\S]*?"
    r"(?:-*\s?END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?\s?-*|\Z)"
)
_PUTTY_KEY = re.compile(r"Private-Lines:\s*\d+\s*\n(?:[A-Za-z0-9+/=]{8,}\s*\n?)+")

_OWN_TOKENS: list[tuple[str, re.Pattern[str]]] = [
    ("api_key", re.compile(r"(?<![\w-])sk-(?:proj-|ant-|svcacct-)?[A-Za-z0-9_-]{20,}")),
    ("api_key", re.compile(r"(?<![\w-])(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{22,})")),
    ("api_key", re.compile(r"(?<![\w-])(?:AIza[0-9A-Za-z_-]{30,}|hf_[A-Za-z0-9]{30,})")),
    ("api_key", re.compile(r"(?<![\w-])(?:xox[a-z]-|xapp-\d-|xoxe[.-])[A-Za-z0-9.-]{10,}")),
    ("api_key", re.compile(r"(?<![\w-])(?:sk|rk)_(?:live|test|prod)_[0-9a-zA-Z]{10,99}")),
    # Prefixes that name their provider, after gitleaks' rules (MIT): each is specific
    # enough that prose never holds it.
    (
        "api_key",
        re.compile(
            r"(?<![\w-])(?:AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}"
            r"|LTAI[a-zA-Z0-9]{20}|dapi[a-h0-9]{32}|do[opr]_v1_[a-f0-9]{64}"
            r"|dp\.pt\.[a-zA-Z0-9]{43}|dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}|EZAK[a-zA-Z0-9]{54}"
            r"|FLWSECK(?:_TEST)?-[a-h0-9]{32}-X|gl(?:c|sa)_[A-Za-z0-9_+/]{32,}"
            r"|[a-z0-9]{14}\.atlasv1\.[a-z0-9_=-]{60,70}|lin_api_[a-zA-Z0-9]{40}"
            r"|key-[a-f0-9]{32}|sk\.eyJ[a-zA-Z0-9._-]{20,}|NRAK-[A-Z0-9]{27}|npm_[a-zA-Z0-9]{36}"
            r"|pscale_(?:tkn|pw|oauth)_[a-zA-Z0-9=._-]{32,64}|PMAK-[a-f0-9]{24}-[a-f0-9]{34}"
            r"|pnu_[a-zA-Z0-9]{36}|pul-[a-f0-9]{40}|rdme_[a-z0-9]{70}|rubygems_[a-f0-9]{48}"
            r"|xkeysib-[a-f0-9]{64}-[a-zA-Z0-9]{16}|shippo_(?:live|test)_[a-f0-9]{40}"
            r"|shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}|sq0atp-[0-9A-Za-z_-]{22}|tfp_[a-zA-Z0-9_.=-]{59}"
            r"|hv[sb]\.[a-zA-Z0-9_-]{24,}|GOCSPX-[a-zA-Z0-9_-]{28}|ya29\.[0-9A-Za-z_-]{20,}"
            r"|EAACEdEose0cBA[0-9A-Za-z]+|glptt-[0-9a-f]{40}|gloas-[A-Za-z0-9_-]{20,})"
        ),
    ),
]
# A password in a URL without a user name ("redis://:s3cret@host"), which the scanner's
# pattern (a user before the colon) does not take.
_URL_PASSWORD = re.compile(r"://:([^@\s/:]{3,})@")
_PIN_BARE = re.compile(r"(?i)(?<![\w-])pin(?: code| number)?\s+(\d{4,8})(?![\w-])")
_LABELLED_TOKEN = re.compile(
    r"(?i)\b(?:api[_ -]?key|apikey|secret[_ -]?key|client[_ -]?secret|auth[_ -]?token"
    r"|access[_ -]?token|refresh[_ -]?token|bearer|token|secret|api[_ -]?secret)\b[\"']?"
    r"\s*(?:[:=]|is)\s*[\"']?(?:bearer\s+)?([A-Za-z0-9_\-./+=]{16,})"
)
_AWS_SECRET = re.compile(
    r"(?i)(?:aws[_ -]?secret(?:[_ -]?access)?[_ -]?key|secret[_ -]?access[_ -]?key)"
    r"[^\n:=]{0,12}[:=]\s*[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"
)
_AWS_ACCESS_KEY = re.compile(
    r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[0-9A-Z]{16}(?![A-Z0-9])"
)
_BASE64_40 = re.compile(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")

_EN_CREDENTIAL = (
    r"pass(?:word|wd|code|phrase| phrase| code)|pwd|pin(?: code| number)?|one[- ]time code|otp"
    r"|verification code|security code|secret (?:answer|word)"
)
_ZH_CREDENTIAL = (
    r"支付密码|登录密码|取款密码|交易密码|银行卡密码|密码|口令"
    r"|验证码|动态码|校验码|安全码|PIN码|pin码"
)
_CREDENTIAL_EN = re.compile(
    rf"(?i)(?<![\w-])({_EN_CREDENTIAL})\b(?:\s+(?:for|to|of|on|at|in)\s+[^\n.:;=,]{{1,40}}?)?"
    r"[\"']?\s*(is|was|will be|:|=|->)\s*"
)
_CREDENTIAL_ZH = re.compile(rf"({_ZH_CREDENTIAL})\s*(是|为|為|:|：|=)?\s*")
_VALUE = re.compile(r"[\"'“「]?([^\s;&,\"'“”「」，。；、]{1,64})")
_PHRASE = re.compile(r"[\"'“「]?([^\n\"'“”「」。;；]{3,120})")
_TRAILING = ".,;:!?)]}>'\"。，；：！？）」”"
_STOP_WORDS = frozenset(
    "required incorrect wrong invalid expired expires changed change reset weak strong too "
    "not the a an my your his her our their this that same different missing empty set "
    "saved stored hidden protected case sensitive correct ok okay updated needed forgotten "
    "forgot unknown what which here there below above attached shown masked secret private "
    "long short new old valid enabled disabled none null true false yes no field manager "
    "protected sent requested mandatory optional please enter your".split()
)
_MASK_CHARS = set("•*●·.-_xX")
_BACKUP_LABEL = re.compile(
    r"(?i)(?:backup|recovery|rescue|emergency|one[- ]time)\s+codes?\b|备用码|恢复码|备份码|救援码"
)
_CODE = re.compile(
    r"[\s,;]*(?:\d{1,2}[.)]\s+)?([A-Za-z0-9]{4,10}(?:-[A-Za-z0-9]{4,10}){1,3}"
    r"|[A-Za-z0-9]{4,10}(?: [A-Za-z0-9]{4,10})?)(?![\w-])"
)
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
_JWT = re.compile(r"(?<![\w-])eyJ[A-Za-z0-9_=-]+\.eyJ[A-Za-z0-9_=-]+(?:\.[A-Za-z0-9_+/=-]*)?")
_ETHEREUM = re.compile(r"(?<![A-Za-z0-9])0x[a-fA-F0-9]{40}(?![A-Za-z0-9])")
_PHONE = re.compile(r"(?<![A-Za-z0-9_+./-])\+?\(?\d[\d ()./-]{5,22}\d(?![0-9A-Za-z_])")
# Regions tried for a number written without its country code (a "+" number needs none).
# Germany's and Hong Kong's plans are left out: they accept almost any 8 to 11 digits.
_PHONE_REGIONS = ("US", "CN", "GB", "FR", "IL", "JP", "IN", "BR", "CA", "AU")
_NANP_SHAPE = re.compile(r"\d{3}([- .])\d{3}\1\d{4}")
_GROUPED_CODE = re.compile(r"[A-Z0-9]{4} $")
_WORD = re.compile(r"[a-z]{3,8}")
_SEED_GAP = re.compile(r"[\s\d.,;)(\-]*")
_SEED_LABEL = re.compile(r"(?i)(?:seed|recovery|mnemonic|secret)\s+(?:phrase|words)|助记词")


# ---- the libraries, loaded on first use -----------------------------------------------


@functools.cache
def _secret_plugins() -> list[tuple[str, Any]]:
    """detect-secrets' regex plugins that suit prose and screens: (kind, plugin)."""
    from detect_secrets.plugins.aws import AWSKeyDetector
    from detect_secrets.plugins.azure_storage_key import AzureStorageKeyDetector
    from detect_secrets.plugins.basic_auth import BasicAuthDetector
    from detect_secrets.plugins.discord import DiscordBotTokenDetector
    from detect_secrets.plugins.github_token import GitHubTokenDetector
    from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
    from detect_secrets.plugins.jwt import JwtTokenDetector
    from detect_secrets.plugins.mailchimp import MailchimpDetector
    from detect_secrets.plugins.npm import NpmDetector
    from detect_secrets.plugins.openai import OpenAIDetector
    from detect_secrets.plugins.pypi_token import PypiTokenDetector
    from detect_secrets.plugins.sendgrid import SendGridDetector
    from detect_secrets.plugins.slack import SlackDetector
    from detect_secrets.plugins.square_oauth import SquareOAuthDetector
    from detect_secrets.plugins.stripe import StripeDetector
    from detect_secrets.plugins.telegram_token import TelegramBotTokenDetector
    from detect_secrets.plugins.twilio import TwilioKeyDetector

    return [
        ("aws_key", AWSKeyDetector()),
        ("connection_password", BasicAuthDetector()),
        ("jwt", JwtTokenDetector()),
        *(
            ("api_key", plugin())
            for plugin in (
                AzureStorageKeyDetector,
                DiscordBotTokenDetector,
                GitHubTokenDetector,
                GitLabTokenDetector,
                MailchimpDetector,
                NpmDetector,
                OpenAIDetector,
                PypiTokenDetector,
                SendGridDetector,
                SlackDetector,
                SquareOAuthDetector,
                StripeDetector,
                TelegramBotTokenDetector,
                TwilioKeyDetector,
            )
        ),
    ]


@functools.cache
def _bip39() -> tuple[frozenset[str], frozenset[str]]:
    from mnemonic import Mnemonic

    return frozenset(Mnemonic("english").wordlist), frozenset(
        Mnemonic("chinese_simplified").wordlist
    )


def _luhn(digits: str) -> bool:
    from stdnum import luhn

    return bool(luhn.is_valid(digits))


# ---- the detectors, in the order they claim text ----------------------------------------


def _private_keys(text: str, emit: Emit) -> None:
    if "PRIVATE KEY" in text:
        for m in _PRIVATE_KEY.finditer(text):
            emit("private_key", m.start(), m.end())
    if "Private-Lines" in text:
        for m in _PUTTY_KEY.finditer(text):
            emit("private_key", m.start(), m.end())


def _scanner_tokens(text: str, emit: Emit) -> None:
    for name, plugin in _secret_plugins():
        if name == "jwt":
            for m in _JWT.finditer(text):
                value = m.group(0).rstrip(".")
                if plugin.is_formally_valid(value):
                    emit(name, m.start(), m.start() + len(value))
            continue
        for regex in plugin.denylist:
            # Where a plugin's pattern captures, its first group is the secret (AWS's
            # quoted key, the password of a URL, npm's token); elsewhere the whole match.
            captures = name in ("aws_key", "connection_password") or "authToken" in regex.pattern
            group = 1 if captures and regex.groups else 0
            for m in regex.finditer(text):
                value = m.group(group)
                if not value:
                    continue
                if name == "connection_password" and value.startswith("$"):
                    continue  # a template variable, not a password
                emit(name, m.start(group), m.end(group))


def _own_tokens(text: str, emit: Emit) -> None:
    for name, regex in _OWN_TOKENS:
        for m in regex.finditer(text):
            emit(name, m.start(), m.end())
    for m in _URL_PASSWORD.finditer(text):
        emit("connection_password", m.start(1), m.end(1))
    for m in _AWS_SECRET.finditer(text):
        emit("aws_key", m.start(1), m.end(1))
    if _AWS_ACCESS_KEY.search(text):  # a secret key travels with its access key id
        for m in _BASE64_40.finditer(text):
            v = m.group(0)
            if (
                any(c.isdigit() for c in v)
                and any(c.isupper() for c in v)
                and any(c.islower() for c in v)
            ):
                emit("aws_key", m.start(), m.end())
    for m in _LABELLED_TOKEN.finditer(text):
        v = m.group(1)
        if any(c.isdigit() for c in v) and any(c.isalpha() for c in v):
            emit("api_key", m.start(1), m.end(1))


def _credential_like(value: str, name: str, *, chinese: bool, assigned: bool = False) -> bool:
    """A value after a credential's label that looks like one: not a masked field, not a
    placeholder or a masked reference, not a word that describes it ("is required").
    ``assigned``: written ``password=value`` (a connection string, a config line), where
    any word is a value."""
    if not value or value[0] in "[(<{$%" or set(value) <= _MASK_CHARS:
        return False
    if assigned and name != "pin":
        return len(value) >= 3
    if chinese and not re.search(r"[A-Za-z0-9]", value):
        return False
    if name == "pin":
        return bool(re.fullmatch(r"[A-Za-z0-9-]{4,12}", value)) and any(c.isdigit() for c in value)
    if len(value) < 4 or value.lower().strip(_TRAILING) in _STOP_WORDS:
        return False
    # "is expiring", "was changed", "is probably": words that describe it, not a value
    return not (value.isalpha() and value.islower() and re.search(r"(?:ing|ed|ly)$", value))


def _credential_kind(label: str) -> str:
    low = label.lower()
    if "phrase" in low:
        return "passphrase"
    if re.search(r"pin|code|otp|验证码|动态码|校验码|安全码", low):
        return "pin"
    return "password"


def _credentials(text: str, emit: Emit) -> None:
    for regex, chinese in ((_CREDENTIAL_EN, False), (_CREDENTIAL_ZH, True)):
        for m in regex.finditer(text):
            name = _credential_kind(m.group(1))
            if name == "passphrase":
                v = _PHRASE.match(text, m.end())
            else:
                v = _VALUE.match(text, m.end())
            if v is None:
                continue
            value = v.group(1).rstrip(_TRAILING).strip()
            if (
                name == "passphrase"
                and len(value.split()) < 2
                and not _credential_like(value, "password", chinese=chinese)
            ):
                continue
            assigned = m.group(2) == "="
            if name != "passphrase" and not _credential_like(
                value, name, chinese=chinese, assigned=assigned
            ):
                continue
            if not value:
                continue
            start = v.start(1)
            emit(name, start, start + len(value))


def _bare_pins(text: str, emit: Emit) -> None:
    for m in _PIN_BARE.finditer(text):
        emit("pin", m.start(1), m.end(1))


def _backup_codes(text: str, emit: Emit) -> None:
    for label in _BACKUP_LABEL.finditer(text):
        pos = label.end()
        colon = re.match(r"\s*(?:are|is|:|：)?", text[pos:])
        pos += colon.end() if colon else 0
        for _ in range(24):
            m = _CODE.match(text, pos)
            code = m.group(1) if m else ""
            # a code has a digit, or groups of letters joined by a dash (ABCD-EFGH-IJKL)
            if m is None or not (any(c.isdigit() for c in code) or code.count("-") >= 1):
                break
            emit("backup_code", m.start(1), m.end(1))
            pos = m.end()


def _seed_phrases(text: str, emit: Emit) -> None:
    english, chinese = _bip39()
    labelled = _SEED_LABEL.search(text) is not None
    need = 10 if labelled else 12
    run: list[re.Match[str]] = []

    def close() -> None:
        if len(run) >= need:
            emit("seed_phrase", run[0].start(), run[-1].end())
        run.clear()

    for m in _WORD.finditer(text):
        word = m.group(0)
        whole = (m.start() == 0 or not text[m.start() - 1].isalpha()) and (
            m.end() == len(text) or not text[m.end()].isalpha()
        )
        gap_ok = not run or _SEED_GAP.fullmatch(text, run[-1].end(), m.start()) is not None
        if whole and word in english:
            if not gap_ok:
                close()
            run.append(m)
        else:
            close()
    close()
    for m in re.finditer(r"(?:[\u4e00-\u9fff][ \u3000]){11,23}[\u4e00-\u9fff]", text):
        chars = m.group(0).split()
        if all(c in chinese for c in chars):
            emit("seed_phrase", m.start(), m.end())


def _passports(text: str, emit: Emit) -> None:
    for m in _PASSPORT.finditer(text):
        v = m.group(1)
        if sum(c.isdigit() for c in v) >= 5:
            emit("passport", m.start(1), m.end(1))


def _ibans(text: str, emit: Emit) -> None:
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


def _cn_ids(text: str, emit: Emit) -> None:
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


def _cards(text: str, emit: Emit) -> None:
    for m in _CARD.finditer(text):
        raw = m.group(0)
        digits = re.sub(r"\D", "", raw)
        if not 13 <= len(digits) <= 19 or _label_before(text, m.start(), _NOT_SECRET_LABEL):
            continue
        if re.search(r"\d  +\d", raw) or _DATE.search(raw):
            continue  # two numbers side by side on a screen, or a date
        labelled = _label_before(text, m.start(), _CARD_CONTEXT)
        # A card network's prefix and length, or a label ("卡号", "card number") on a
        # 16-19 digit number of a bank that the prefix table does not know; Luhn always.
        if (_card_network(digits) or (labelled and 16 <= len(digits) <= 19)) and _luhn(digits):
            emit("card", m.start(), m.end())


def _ssns(text: str, emit: Emit) -> None:
    from stdnum.us import ssn

    for m in _SSN.finditer(text):
        if ssn.is_valid(m.group(1) + m.group(3) + m.group(4)):
            emit("us_ssn", m.start(), m.end())
    for m in _SSN_BARE.finditer(text):
        if _label_before(text, m.start(), _SSN_LABEL) and ssn.is_valid(m.group(0)):
            emit("us_ssn", m.start(), m.end())


def _nhs_numbers(text: str, emit: Emit) -> None:
    from stdnum.gb import nhs

    for m in _NHS.finditer(text):
        digits = m.group(1) + m.group(3) + m.group(4)
        if not nhs.is_valid(digits) or _label_before(text, m.start(), _NOT_SECRET_LABEL):
            continue
        if _label_before(text, m.start(), _PHONE_LABEL):
            continue  # "call 415 555 0132": a phone, whatever its checksum
        if not m.group(2) and (digits[0] in "123" or 1_000_000_000 <= int(digits) < 2_100_000_000):
            continue  # bare ten digits that read as a Unix time or a phone number
        emit("uk_nhs", m.start(), m.end())


def _wallets(text: str, emit: Emit) -> None:
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


def _emails(text: str, emit: Emit) -> None:
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


def _phones(text: str, emit: Emit) -> None:
    for m in _PHONE.finditer(text):
        raw = m.group(0)
        digits = re.sub(r"\D", "", raw)
        bare = raw.isdigit()
        if not ((10 <= len(digits) <= 11) if bare else (7 <= len(digits) <= 15)):
            continue
        if (
            _DATE.search(raw)
            or re.search(r"\d  +\d|\d\.\d+\.\d", raw)
            or raw.count("(") != raw.count(")")
        ):
            continue  # a date (with its hour), two numbers side by side, a version number
        if re.fullmatch(r"\d{3}[- .]\d{2}[- .]\d{4}", raw) or len(digits) < 9 and raw[0] != "+":
            continue  # the shape of a social security number; too short without a country
        if _label_before(text, m.start(), _NOT_SECRET_LABEL):
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        if _GROUPED_CODE.search(text[line_start : m.start()]):
            continue  # the end of a code written in groups of four (an IBAN that failed)
        if _is_phone(raw):
            emit("phone", m.start(), m.end())


DETECTORS: list[Callable[[str, Emit], None]] = [
    _private_keys,
    _scanner_tokens,
    _own_tokens,
    _backup_codes,
    _credentials,
    _bare_pins,
    _seed_phrases,
    _passports,
    _ibans,
    _cn_ids,
    _cards,
    _ssns,
    _nhs_numbers,
    _wallets,
    _emails,
    _phones,
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
            if any(_label_before(text, start, _NOT_SECRET_LABEL) for start in at):
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
