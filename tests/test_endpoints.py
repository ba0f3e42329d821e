"""Model server presets and the connection check, against the fake OpenAI-compatible server."""

from __future__ import annotations

import pytest

from mirix_desktop.config.endpoints import (
    PRESETS,
    EndpointProblem,
    check_endpoint,
    list_models,
    preset_for,
)
from tests.fake_openai import FakeOpenAI

REPLY_CALL = {"tool_calls": [{"name": "reply", "arguments": {"text": "OK"}}]}


@pytest.fixture
def server():
    fake = FakeOpenAI(models=["qwen2.5:0.5b", "llama3.2"])
    yield fake
    fake.close()


def test_presets_name_the_usual_local_servers() -> None:
    urls = {p.name: p.base_url for p in PRESETS}
    assert urls["Ollama"] == "http://localhost:11434/v1"
    assert set(urls) == {"Ollama", "LM Studio", "llama.cpp server", "vLLM", "OpenAI"}
    assert all(u.endswith("/v1") for u in urls.values())
    assert [p.name for p in PRESETS if p.needs_key] == ["OpenAI"]
    assert preset_for("http://localhost:11434/v1/").name == "Ollama"  # type: ignore[union-attr]
    assert preset_for("http://example.org/v1") is None


def test_models_are_listed_from_the_endpoint(server: FakeOpenAI) -> None:
    assert list_models(server.url, None) == ["llama3.2", "qwen2.5:0.5b"]


def test_a_server_without_a_model_list_gives_none() -> None:
    fake = FakeOpenAI(models=None)
    try:
        assert list_models(fake.url, None) == []
    finally:
        fake.close()


def test_a_model_that_calls_tools_passes(server: FakeOpenAI) -> None:
    server.script = [REPLY_CALL]
    result = check_endpoint(server.url, "llama3.2", None)
    assert result.models == ["llama3.2", "qwen2.5:0.5b"]
    assert not result.text_tool_calls
    assert "calls tools" in result.message("llama3.2")
    sent = server.requests[0]
    assert sent["model"] == "llama3.2"
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "reply"}}


def test_a_tool_call_printed_as_text_is_understood(server: FakeOpenAI) -> None:
    server.script = [{"content": '<tool_call>{"name": "reply", "arguments": {"text": "OK"}}'}]
    result = check_endpoint(server.url, "llama3.2", None)
    assert result.text_tool_calls
    assert "as text" in result.message("llama3.2")


def test_refused(server: FakeOpenAI) -> None:
    with pytest.raises(EndpointProblem) as caught:
        check_endpoint("http://127.0.0.1:9/v1", "llama3.2", None, timeout_s=5)
    assert caught.value.reason == "refused"
    assert str(caught.value).startswith("Connection refused: nothing answers at")


def test_unauthorised() -> None:
    fake = FakeOpenAI([REPLY_CALL], models=["gpt-4o-mini"], api_key="sk-right")
    try:
        with pytest.raises(EndpointProblem) as caught:
            check_endpoint(fake.url, "gpt-4o-mini", "sk-wrong")
        assert caught.value.reason == "unauthorised"
        assert str(caught.value).startswith("Unauthorised:") and "401" in str(caught.value)
        assert check_endpoint(fake.url, "gpt-4o-mini", "sk-right").models == ["gpt-4o-mini"]
    finally:
        fake.close()


def test_model_missing_names_what_is_served(server: FakeOpenAI) -> None:
    with pytest.raises(EndpointProblem) as caught:
        check_endpoint(server.url, "mistral", None)
    problem = caught.value
    assert problem.reason == "model_missing"
    assert problem.models == ["llama3.2", "qwen2.5:0.5b"]
    assert "does not serve 'mistral'" in str(problem) and "llama3.2" in str(problem)
    assert server.requests == []  # no chat request for a model that is not there


def test_no_tool_call_support(server: FakeOpenAI) -> None:
    server.script = [{"content": "OK"}]
    with pytest.raises(EndpointProblem) as caught:
        check_endpoint(server.url, "llama3.2", None)
    assert caught.value.reason == "no_tools"
    assert str(caught.value).startswith("No tool-call support: llama3.2 answered “OK”")


def test_a_server_refusing_tools_is_no_tool_call_support(server: FakeOpenAI) -> None:
    server.script = [{"status": 400}]
    with pytest.raises(EndpointProblem) as caught:
        check_endpoint(server.url, "llama3.2", None)
    assert caught.value.reason == "no_tools"
    assert "refused a request with tools" in str(caught.value)


def test_max_tokens_bounds_each_answer(fake, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from mirix_desktop.services.context import open_context

    monkeypatch.setenv("MIRIX_MEMORY_MODEL__BASE_URL", fake.url)
    monkeypatch.setenv("MIRIX_MEMORY_MODEL__MODEL", "tiny")
    monkeypatch.setenv("MIRIX_MEMORY_MODEL__MAX_TOKENS", "200")
    ctx = open_context()
    try:
        client = ctx.llm("memory")
        assert client is not None
        fake.script = [{"content": "a"}, {"content": "b"}]
        client.chat([{"role": "user", "content": "hi"}])
        client.stream_chat([{"role": "user", "content": "hi"}])
        assert [r["max_tokens"] for r in fake.requests] == [200, 200]
        assert ctx.llm("chat") is None  # no chat model set: offline
    finally:
        ctx.close()
