"""Rules for credentials, keys and tokens: the scanners' patterns (detect-secrets'
plugins, provider prefixes after gitleaks' rules), private-key blocks, labelled
passwords, PINs, passphrases and backup codes in English and Chinese, seed phrases
(BIP39 word lists). Each rule reports through an ``Emit``; see agents.privacy.detect."""

from __future__ import annotations

import functools
import re
from typing import Any

from agents.privacy.looks import Emit

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
_JWT = re.compile(r"(?<![\w-])eyJ[A-Za-z0-9_=-]+\.eyJ[A-Za-z0-9_=-]+(?:\.[A-Za-z0-9_+/=-]*)?")

_WORD = re.compile(r"[a-z]{3,8}")
_SEED_GAP = re.compile(r"[\s\d.,;)(\-]*")
_SEED_LABEL = re.compile(r"(?i)(?:seed|recovery|mnemonic|secret)\s+(?:phrase|words)|助记词")


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


def private_keys(text: str, emit: Emit) -> None:
    if "PRIVATE KEY" in text:
        for m in _PRIVATE_KEY.finditer(text):
            emit("private_key", m.start(), m.end())
    if "Private-Lines" in text:
        for m in _PUTTY_KEY.finditer(text):
            emit("private_key", m.start(), m.end())


def scanner_tokens(text: str, emit: Emit) -> None:
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


def own_tokens(text: str, emit: Emit) -> None:
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


def credentials(text: str, emit: Emit) -> None:
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


def bare_pins(text: str, emit: Emit) -> None:
    for m in _PIN_BARE.finditer(text):
        emit("pin", m.start(1), m.end(1))


def backup_codes(text: str, emit: Emit) -> None:
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


def seed_phrases(text: str, emit: Emit) -> None:
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
