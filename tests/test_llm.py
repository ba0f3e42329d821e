"""The language-model client against a fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import socket

import pytest

from agents.errors import ModelUnavailable
from agents.llm import Endpoint, LLMClient
from tests.fake_openai import FakeOpenAI


def _client(fake: FakeOpenAI, **kw) -> LLMClient:
    return LLMClient(Endpoint(base_url=fake.url, model="fake-model", **kw), sleep=lambda s: None)


def test_answer_and_request_are_what_was_sent(fake) -> None:
    fake.script = [{"content": "Lisbon."}]
    reply = _client(fake).chat([{"role": "user", "content": "Where?"}])
    assert reply.content == "Lisbon." and reply.tool_calls == []
    assert fake.requests[0]["model"] == "fake-model"
    assert fake.requests[0]["messages"] == [{"role": "user", "content": "Where?"}]


def test_tool_calls_are_parsed(fake) -> None:
    fake.script = [{"tool_calls": [{"name": "update_topic", "arguments": {"topic": "flights"}}]}]
    tools = [
        {
            "type": "function",
            "function": {
                "name": "update_topic",
                "parameters": {"type": "object", "properties": {"topic": {"type": "string"}}},
            },
        }
    ]
    reply = _client(fake).chat(
        [{"role": "user", "content": "x"}],
        tools=tools,
        tool_choice={"type": "function", "function": {"name": "update_topic"}},
    )
    assert reply.tool_calls[0].name == "update_topic"
    assert reply.tool_calls[0].parsed() == {"topic": "flights"}
    assert fake.requests[0]["tool_choice"]["function"]["name"] == "update_topic"


def test_answers_stream(fake) -> None:
    fake.script = [{"content": "the flight is LX 318"}]
    parts = list(_client(fake).stream([{"role": "user", "content": "x"}]))
    assert len(parts) == 5 and "".join(parts).strip() == "the flight is LX 318"


def test_a_streamed_request_may_force_a_tool(fake) -> None:
    fake.script = [{"tool_calls": [{"name": "update_topic", "arguments": {"topic": "flights"}}]}]
    tool = {"type": "function", "function": {"name": "update_topic", "parameters": {}}}
    forced = {"type": "function", "function": {"name": "update_topic"}}
    reply = _client(fake).stream_chat(
        [{"role": "user", "content": "x"}], tools=[tool], tool_choice=forced
    )
    assert reply.tool_calls[0].parsed() == {"topic": "flights"}
    assert fake.requests[0]["stream"] is True and fake.requests[0]["tool_choice"] == forced


def test_429_and_5xx_are_retried(fake) -> None:
    fake.script = [{"status": 429}, {"status": 503}, {"content": "ok"}]
    assert _client(fake).chat([{"role": "user", "content": "x"}]).content == "ok"
    assert len(fake.requests) == 3


def test_a_429_storm_ends_in_model_unavailable(fake) -> None:
    fake.script = [{"status": 429}] * 10
    with pytest.raises(ModelUnavailable, match="failed 3 times"):
        _client(fake, max_retries=2).chat([{"role": "user", "content": "x"}])
    assert len(fake.requests) == 3


def test_a_timeout_is_retried(fake) -> None:
    fake.script = [{"delay": 1.0, "content": "late"}, {"content": "on time"}]
    reply = _client(fake, timeout_s=0.3).chat([{"role": "user", "content": "x"}])
    assert reply.content == "on time"


def test_a_dead_endpoint_is_model_unavailable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = LLMClient(
        Endpoint(base_url=f"http://127.0.0.1:{port}/v1", model="m", max_retries=1),
        sleep=lambda s: None,
    )
    with pytest.raises(ModelUnavailable):
        client.chat([{"role": "user", "content": "x"}])


def test_a_client_error_is_not_retried(fake) -> None:
    fake.script = [{"status": 400}, {"content": "never"}]
    with pytest.raises(ModelUnavailable, match="400"):
        _client(fake).chat([{"role": "user", "content": "x"}])
    assert len(fake.requests) == 1


def test_endpoints_come_from_settings_and_keys_from_the_keyring(fake, monkeypatch) -> None:
    from mirix_desktop.services.context import open_context

    ctx = open_context()
    assert ctx.llm("chat") is None and ctx.llm("memory") is None  # offline by default
    monkeypatch.setenv("MIRIX_MEMORY_MODEL__BASE_URL", fake.url)
    monkeypatch.setenv("MIRIX_MEMORY_MODEL__MODEL", "small-model")
    ctx = open_context()
    ctx.secrets.set("memory-api-key", "sk-test-from-keyring")
    client = ctx.llm("memory")
    assert client is not None and client.endpoint.api_key == "sk-test-from-keyring"
    fake.script = [{"content": "hi"}]
    assert client.chat([{"role": "user", "content": "x"}]).content == "hi"
    assert fake.requests[0]["model"] == "small-model"
    assert ctx.llm("chat") is None
