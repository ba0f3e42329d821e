"""The language-model client: any OpenAI-compatible endpoint through the ``openai`` package.

Retries timeouts, connection failures, 429 and 5xx answers with exponential
backoff (honouring ``Retry-After``), then raises :class:`ModelUnavailable`.
Tool calls come back parsed; answers can be streamed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from agents.errors import ModelUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Endpoint:
    """One model at one OpenAI-compatible endpoint (OpenAI, Ollama, LM Studio, vLLM, ...)."""

    base_url: str
    model: str
    api_key: str | None = None
    vision: bool = False
    timeout_s: float = 60.0
    max_retries: int = 3
    backoff_s: float = 0.5
    max_tokens: int | None = None  # a bound on each answer (a small local model may ramble)


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # JSON text as the model wrote it; validated by the caller

    def parsed(self) -> Any:
        return json.loads(self.arguments or "{}")


@dataclass(frozen=True)
class Reply:
    content: str
    tool_calls: list[ToolCall] = field(default_factory=list)


class _Garbage(Exception):
    """An answer with status 200 that is not a chat completion (an HTML page, other JSON)."""


def _checked(response: Any) -> Any:
    """``response`` when it is a chat completion (or a stream of chunks); raises _Garbage."""
    import openai

    if isinstance(response, openai.Stream):
        kind = response.response.headers.get("content-type", "")
        if "event-stream" not in kind:
            raise _Garbage(f"answered {kind or 'no content type'} instead of an event stream")
        return response
    choices = getattr(response, "choices", None)
    if not isinstance(choices, list) or not choices or getattr(choices[0], "message", None) is None:
        sample = " ".join(str(response).split())[:80]
        raise _Garbage(f"answered something that is not a chat completion: {sample!r}")
    return response


class LLMClient:
    def __init__(self, endpoint: Endpoint, *, sleep: Callable[[float], None] = time.sleep):
        from openai import OpenAI

        self.endpoint = endpoint
        self._sleep = sleep
        self._client = OpenAI(
            base_url=endpoint.base_url,
            api_key=endpoint.api_key or "not-needed",
            timeout=endpoint.timeout_s,
            max_retries=0,  # retried here, with the policy above
        )

    def _with_retries(self, call: Callable[[], Any]) -> Any:
        import openai

        retryable = (
            openai.APITimeoutError,
            openai.APIConnectionError,
            openai.RateLimitError,
            openai.InternalServerError,
        )
        last: Exception | None = None
        for attempt in range(self.endpoint.max_retries + 1):
            try:
                return _checked(call())
            except (*retryable, _Garbage, ValueError) as exc:  # ValueError: a body not JSON
                last = exc
                if attempt == self.endpoint.max_retries:
                    break
                delay = self.endpoint.backoff_s * 2**attempt
                response = getattr(exc, "response", None)
                after = response.headers.get("retry-after") if response is not None else None
                if after is not None:
                    with contextlib.suppress(ValueError):
                        delay = max(delay, min(float(after), 60.0))
                log.info("model call failed (%s); retrying in %.1f s", type(exc).__name__, delay)
                self._sleep(delay)
            except openai.APIStatusError as exc:
                raise ModelUnavailable(
                    f"{self.endpoint.base_url} answered {exc.status_code}: {exc.message}"
                ) from exc
        if isinstance(last, _Garbage):
            what = str(last)
        elif isinstance(last, ValueError):
            what = f"answered a body that is not valid JSON ({last})"
        else:
            what = f"{type(last).__name__}: {last}"
        raise ModelUnavailable(
            f"{self.endpoint.base_url} failed {self.endpoint.max_retries + 1} times: {what}"
        ) from last

    def chat(
        self,
        messages: Sequence[dict[str, Any]],
        *,
        tools: Sequence[dict[str, Any]] | None = None,
        tool_choice: Any = None,
    ) -> Reply:
        """One completion; raises ModelUnavailable when the endpoint cannot answer."""
        kwargs: dict[str, Any] = {"model": self.endpoint.model, "messages": list(messages)}
        if self.endpoint.max_tokens is not None:
            kwargs["max_tokens"] = self.endpoint.max_tokens
        if tools:
            kwargs["tools"] = list(tools)
            if tool_choice is not None:
                kwargs["tool_choice"] = tool_choice
        response = self._with_retries(lambda: self._client.chat.completions.create(**kwargs))
        message = response.choices[0].message
        calls = [
            ToolCall(id=c.id, name=c.function.name, arguments=c.function.arguments or "")
            for c in (message.tool_calls or [])
        ]
        return Reply(content=message.content or "", tool_calls=calls)

    def stream_chat(
        self,
        messages: Sequence[dict[str, Any]],
        *,
        tools: Sequence[dict[str, Any]] | None = None,
        tool_choice: Any = None,
        on_text: Callable[[str], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> Reply:
        """A streamed completion: ``on_text`` gets the answer as it arrives, tool calls are
        gathered from their pieces. ``should_stop`` ends the stream early (the reply then
        holds what had arrived). Raises ModelUnavailable like :meth:`chat`."""
        kwargs: dict[str, Any] = {
            "model": self.endpoint.model,
            "messages": list(messages),
            "stream": True,
        }
        if self.endpoint.max_tokens is not None:
            kwargs["max_tokens"] = self.endpoint.max_tokens
        if tools:
            kwargs["tools"] = list(tools)
            if tool_choice is not None:
                kwargs["tool_choice"] = tool_choice
        stream = self._with_retries(lambda: self._client.chat.completions.create(**kwargs))
        text: list[str] = []
        calls: dict[int, dict[str, str]] = {}
        try:
            for chunk in stream:
                if should_stop is not None and should_stop():
                    break
                if not chunk.choices or chunk.choices[0].delta is None:
                    continue
                delta = chunk.choices[0].delta
                if delta.content:
                    text.append(delta.content)
                    if on_text is not None:
                        on_text(delta.content)
                for piece in delta.tool_calls or []:
                    call = calls.setdefault(piece.index, {"id": "", "name": "", "arguments": ""})
                    if piece.id:
                        call["id"] = piece.id
                    if piece.function is not None:
                        call["name"] += piece.function.name or ""
                        call["arguments"] += piece.function.arguments or ""
        finally:
            close = getattr(stream, "close", None)
            if callable(close):
                close()
        tool_calls = [
            ToolCall(id=c["id"] or f"call_{i}", name=c["name"], arguments=c["arguments"])
            for i, c in sorted(calls.items())
            if c["name"]
        ]
        return Reply(content="".join(text), tool_calls=tool_calls)

    def stream(self, messages: Sequence[dict[str, Any]]) -> Iterator[str]:
        """The answer's text as it arrives."""
        stream = self._with_retries(
            lambda: self._client.chat.completions.create(
                model=self.endpoint.model,
                messages=list(messages),  # type: ignore[arg-type]
                stream=True,
            )
        )
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                yield chunk.choices[0].delta.content
