"""The privacy package: each family of sensitive value is found by kind, in English and
Chinese, and the look-alikes the field's suites keep as negatives stay readable.

The cases are written for this file (shapes of the kinds, not the dev set's examples);
the checksummed numbers are valid by their standards (Luhn, mod 97, GB 11643, mod 11)."""

from __future__ import annotations

import logging

import pytest

from agents import privacy
from agents.privacy import Redactor, detect, masked, seal_text, sealed

PRIVATE_KEY = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "QyNTUxOQAAACBxNzQ0ZjM1ZWE4YjY0ZGQ3YmE5MGQ1ZjQ3ZWRlNGE1AAAAmDW2zz01ts\n"
    "-----END OPENSSH PRIVATE KEY-----"
)


def kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.value) for f in detect(text)]


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        # keys and tokens
        (f"deploy key:\n{PRIVATE_KEY}\nthanks", "private_key", PRIVATE_KEY),
        (
            "AWS_SECRET_ACCESS_KEY: Zx9pQ2rLm8TnV4wB7yK1sD6fH3jG5aE0cR2uI9oP",
            "aws_key",
            "Zx9pQ2rLm8TnV4wB7yK1sD6fH3jG5aE0cR2uI9oP",
        ),
        (
            "billing uses rk_live_9fKq2LmZx8TnV4wB7yK1sD6f",
            "api_key",
            "rk_live_9fKq2LmZx8TnV4wB7yK1sD6f",
        ),
        (
            "bot token xoxb-2093847561-9fKq2LmZx8TnV4wB",
            "api_key",
            "xoxb-2093847561-9fKq2LmZx8TnV4wB",
        ),
        ("CI uses glpat-Zx9pQ2rLm8TnV4wB7yK1", "api_key", "glpat-Zx9pQ2rLm8TnV4wB7yK1"),
        (
            "DATABASE_URL=postgresql://app:Sup3r-Secret9@db.internal:5432/prod",
            "connection_password",
            "Sup3r-Secret9",
        ),
        ("redis://:s3cretRedis@cache.local:6379/0", "connection_password", "s3cretRedis"),
        ("jdbc:mysql://db/app?user=fred&password=secret&ssl=true", "password", "secret"),
        ('{"password": "hunter2x", "user": "bob"}', "password", "hunter2x"),
        ("Recovery codes: ABCD-EFGH-IJKL MNOP-QRST-UVWX", "backup_code", "MNOP-QRST-UVWX"),
        ("港澳通行证：C12345678", "passport", "C12345678"),
        ("pin code 4821", "pin", "4821"),
        # credentials by label, English and Chinese
        ("My password for the airline app is Tulip#2026!", "password", "Tulip#2026"),
        ("passphrase: violet tractor lemon orbit", "passphrase", "violet tractor lemon orbit"),
        ("PIN: 8305", "pin", "8305"),
        ("我的支付密码是 582913，别告诉别人", "password", "582913"),
        ("家里WiFi密码：qz7mk2pd", "password", "qz7mk2pd"),
        ("您的验证码为 604217，5分钟内有效", "pin", "604217"),
        # identity and money
        ("身份证号码：11010519491231002X", "cn_resident_id", "11010519491231002X"),
        ("身份证 110105 19491231 002X", "cn_resident_id", "110105 19491231 002X"),
        ("护照号码：E83571946", "passport", "E83571946"),
        ("passport no. 533380006 expires 2031", "passport", "533380006"),
        ("银行卡号6217000010012345677", "card", "6217000010012345677"),
        ("paid with 5105 1051 0510 5100", "card", "5105 1051 0510 5100"),
        ("IBAN GB82 WEST 1234 5698 7654 32 for rent", "iban", "GB82 WEST 1234 5698 7654 32"),
        ("SSN 536-90-4399 on the form", "us_ssn", "536-90-4399"),
        ("NHS number 943 476 5919", "uk_nhs", "943 476 5919"),
        (
            "send BTC to 1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
            "crypto_wallet",
            "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
        ),
        # contact values
        ("联系电话13912345678，随时打", "phone", "13912345678"),
        ("write to lena.fischer@example.de", "email", "lena.fischer@example.de"),
    ],
)
def test_each_family_is_found_by_kind(text: str, kind: str, value: str) -> None:
    assert (kind, value) in kinds(text)


def test_a_seed_phrase_and_backup_codes_are_found() -> None:
    words = "legal winner thank year wave sausage worth useful legal winner thank yellow"
    assert ("seed_phrase", words) in kinds(f"wallet words: {words}")
    codes = kinds("GitHub recovery codes: 3f9a1-b7c2e 8d0e4-a6f13 5c2b9-e1d07")
    assert [k for k, _ in codes] == ["backup_code"] * 3
    assert "8d0e4-a6f13" in [v for _, v in codes]


@pytest.mark.parametrize(
    "text",
    [
        "订单编号：4111111111111111，已发货",  # Luhn-valid, but labelled an order number
        "Order no. 4012888888881881 shipped today",
        "顺丰快递单号 SF1422876530 已签收",  # not an IBAN: no such country, no mod 97
        "Backup ran 2024-05-07 10:30 and again at 17:09",  # a date with its hour, a time
        "Released version 10.4.12.3 on 12/05/2024",
        "身份证号码：110105194912310021",  # wrong check digit
        "Password is required",
        "password: ••••••••",
        "My password is [password, kept in the vault] since then",  # our own reference
        "[card number ending 1111, kept in the vault] was declined",
        "ticket 4539 1488 0343 6467 for the concert",
        "room 2604, call back in 15 minutes",
    ],
)
def test_look_alikes_are_not_high(text: str) -> None:
    assert [k for k, _ in kinds(text) if privacy.is_high(k)] == []


def test_a_masked_reference_is_never_sealed_again() -> None:
    first = seal_text("my password is Hunter2-blue", detect("my password is Hunter2-blue"))
    assert first == "my password is [password, kept in the vault]"
    assert detect(first) == [] and sealed(first) == first


def test_masked_references_give_no_credential_away() -> None:
    (found,) = [f for f in detect("PIN: 8305") if f.kind == "pin"]
    assert "8305" not in masked(found)
    (card,) = detect("card 5105 1051 0510 5100")
    assert masked(card) == "[card number ending 5100, kept in the vault]"


def test_redaction_is_proportionate() -> None:
    text = (
        "Mail lena.fischer@example.de at 17:09 on 2024-05-07 10:30, "
        "key sk-proj-Zx9pQ2rLm8TnV4wB7yK1sD"
    )
    shown = Redactor(mask_contacts=False).text(text)
    assert "17:09" in shown and "2024-05-07 10:30" in shown and "lena.fischer@example.de" in shown
    assert "Zx9pQ2rLm8TnV4wB7yK1sD" not in shown and "[withheld API key or token]" in shown
    masked_contacts = Redactor(mask_contacts=True).text(text)
    assert "lena.fischer@example.de" not in masked_contacts and "17:09" in masked_contacts
    known = Redactor([("Quokka-77", "password")], mask_contacts=False).text("it is Quokka-77")
    assert known == "it is [withheld password]"


def test_log_lines_are_sealed(caplog: pytest.LogCaptureFixture) -> None:
    handler = logging.StreamHandler()
    records: list[str] = []
    handler.emit = lambda record: records.append(record.getMessage())  # type: ignore[method-assign]
    handler.addFilter(privacy.LogFilter())
    log = logging.getLogger("test.privacy")
    log.addHandler(handler)
    try:
        log.warning("model said %s", "use token sk-proj-Zx9pQ2rLm8TnV4wB7yK1sD please")
    finally:
        log.removeHandler(handler)
    assert records and "Zx9pQ2rLm8TnV4wB7yK1sD" not in records[0]
    assert "API key or token ending" in records[0]
