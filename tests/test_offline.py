"""Offline heuristics: sensitive values for the vault, stated facts for memory."""

from __future__ import annotations

from agents.absorb.statements import Statement, extract_statements
from agents.privacy import detect as detect_sensitive


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(s.kind, s.value) for s in detect_sensitive(text)]


def test_emails_phones_cards_ibans_and_keys_are_found() -> None:
    text = (
        "Write to ada.lovelace@example.org or call +44 20 7946 0958. "
        "Card 4111 1111 1111 1111 exp 12/29. IBAN DE89 3704 0044 0532 0130 00. "
        "export OPENAI_API_KEY=sk-proj-abcdefghijklmnop1234 and token: 9f8e7d6c5b4a39281706"
    )
    found = _kinds(text)
    assert ("email", "ada.lovelace@example.org") in found
    assert ("phone", "+44 20 7946 0958") in found
    assert ("card", "4111 1111 1111 1111") in found
    assert ("iban", "DE89 3704 0044 0532 0130 00") in found
    assert ("api_key", "sk-proj-abcdefghijklmnop1234") in found
    assert ("api_key", "9f8e7d6c5b4a39281706") in found
    levels = {s.kind: s.sensitivity for s in detect_sensitive(text)}
    assert levels["card"] == "high" and levels["email"] == "medium"


def test_ordinary_numbers_are_not_sensitive() -> None:
    assert _kinds("Meeting on 2026-05-01 at 14:30, room 4.12, order 1234567890123") == []
    assert _kinds("Invoice 4471 total 129.50 EUR") == []


def test_statements_become_semantic_or_core() -> None:
    text = (
        "Remember that the spare key is under the blue pot. My dentist is Dr. Moreau! "
        "Is my cat hungry?"
    )
    assert extract_statements(text) == [
        Statement("semantic", "the spare key is under the blue pot"),
        Statement("core", "the user's dentist: Dr. Moreau"),
    ]
    assert extract_statements("please remember: dinner with Sam on Friday") == [
        Statement("semantic", "dinner with Sam on Friday")
    ]
    assert extract_statements("What did I say yesterday?") == []
    assert extract_statements("记住：下周三交报告。我的生日是五月三日。") == [
        Statement("semantic", "下周三交报告"),
        Statement("core", "用户的生日：五月三日"),
    ]
    [steps] = extract_statements("先别急。第一步：打蛋。第二步：炒番茄。第三步：混合翻炒。")
    assert steps.kind == "procedural" and steps.steps == ["打蛋。", "炒番茄。", "混合翻炒。"]
    [steps] = extract_statements(
        "To reset it: first, unplug the router, then wait ten seconds, then plug it in, "
        "and finally check the light."
    )
    assert steps.steps == [
        "unplug the router",
        "wait ten seconds",
        "plug it in",
        "check the light",
    ]
    assert steps.text == "To reset it"
