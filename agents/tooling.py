"""Tools for language models: schemas from pydantic, validation, recovery of tool calls
printed as text, and the one loop that runs a model's calls until it is done (absorption's
agents and the chat agent both use it; the chat agent streams).

Models make mistakes. Arguments are validated before a tool runs; an unknown
tool or invalid arguments go back to the model with the error, once: when the
next round fails again, :class:`~agents.errors.AgentError` is raised. A model
that prints its call as JSON in the message (``{"name": ..., "arguments": ...}``,
in a code block or ``<tool_call>`` tags) is understood as if it had called; when
replies are streamed, such a call is not shown as text.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from agents.errors import AgentError, InvalidInput, NotFound, validation_problems
from agents.llm import LLMClient, Reply, ToolCall

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tool:
    """One function a model may call: ``run`` gets the validated arguments, returns text."""

    name: str
    description: str
    params: type[BaseModel]
    run: Callable[[Any], str]

    def schema(self) -> dict[str, Any]:
        parameters = self.params.model_json_schema()
        parameters.pop("title", None)
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": parameters,
            },
        }


def acknowledge(_args: Any) -> str:
    """The run of a tool whose call is the point (``done``, ``update_topic``)."""
    return "ok"


def forced(name: str) -> dict[str, Any]:
    """The ``tool_choice`` that makes a model call the tool ``name``."""
    return {"type": "function", "function": {"name": name}}


# ---- tool calls printed as text ---------------------------------------------------------

_NAME_KEYS = ("name", "tool", "tool_name", "function")
_ARG_KEYS = ("arguments", "parameters", "args", "input")


def _as_call(obj: Any, names: set[str]) -> ToolCall | None:
    if not isinstance(obj, dict):
        return None
    if isinstance(obj.get("function"), dict):  # {"type": "function", "function": {...}}
        return _as_call(obj["function"], names)
    name = next((obj[k] for k in _NAME_KEYS if isinstance(obj.get(k), str)), None)
    if name not in names:
        return None
    args: Any = next((obj[k] for k in _ARG_KEYS if k in obj), {})
    text = args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)
    return ToolCall(id=f"text_{uuid.uuid4().hex[:12]}", name=str(name), arguments=text)


def calls_in_text(content: str, names: Sequence[str]) -> list[ToolCall]:
    """Tool calls that a model wrote into its message instead of calling."""
    known = set(names)
    found: list[ToolCall] = []
    decoder = json.JSONDecoder()
    opener = re.compile(r"[\[{]")
    i = 0
    while (m := opener.search(content, i)) is not None:
        start = m.start()
        try:
            obj, end = decoder.raw_decode(content, start)
        except json.JSONDecodeError:
            i = start + 1
            continue
        items = obj if isinstance(obj, list) else [obj]
        calls = [c for c in (_as_call(item, known) for item in items) if c is not None]
        found.extend(calls)
        i = end if calls else start + 1
    if not found:
        # Bare "name(args)" with JSON arguments, e.g. choose_memory_types({"types": [...]})
        for m in re.finditer(r"\b([A-Za-z_]\w*)\s*\(\s*(\{.*?\})\s*\)", content, re.S):
            if m.group(1) in known:
                found.append(ToolCall(f"text_{uuid.uuid4().hex[:12]}", m.group(1), m.group(2)))
    return found


def calls_of(reply: Reply, names: Sequence[str]) -> list[ToolCall]:
    """The reply's tool calls, or those printed in its text."""
    if reply.tool_calls:
        return list(reply.tool_calls)
    return calls_in_text(reply.content, names) if reply.content else []


# ---- running calls ----------------------------------------------------------------------


@dataclass
class Outcome:
    """What one call did: its result text, or the error the model is told."""

    call: ToolCall
    result: str
    error: bool


def validate(tool: Tool, call: ToolCall) -> Any:
    """The call's arguments as ``tool.params``; raises InvalidInput saying what is wrong."""
    try:
        raw = json.loads(call.arguments or "{}")
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"arguments of {call.name} are not JSON: {exc.msg}") from None
    if not isinstance(raw, dict):
        raise InvalidInput(f"arguments of {call.name} must be a JSON object")
    try:
        return tool.params.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{where or 'arguments'}: {msg}" for where, msg in validation_problems(exc, limit=5)
        )
        raise InvalidInput(f"invalid arguments for {call.name}: {problems}") from None


def run_call(tools: dict[str, Tool], call: ToolCall) -> Outcome:
    tool = tools.get(call.name)
    if tool is None:
        return Outcome(call, f"error: unknown tool {call.name!r}; use one of {sorted(tools)}", True)
    try:
        args = validate(tool, call)
        return Outcome(call, tool.run(args), False)
    except (InvalidInput, NotFound) as exc:
        return Outcome(call, f"error: {exc}", True)


def assistant_message(reply: Reply, calls: Sequence[ToolCall]) -> dict[str, Any]:
    """The assistant turn that asked for ``calls`` (text-printed calls become real ones).

    Its content is a string even when empty: llama.cpp's server (llama-cpp-python)
    refuses an assistant message whose content is null, which OpenAI allows.
    """
    return {
        "role": "assistant",
        "content": reply.content or "",
        "tool_calls": [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in calls
        ],
    }


# ---- the loop ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Streaming:
    """Streaming for :func:`run_tool_loop`: ``on_text`` gets the model's text as it
    arrives (never a tool call printed in it), ``should_stop`` ends a reply early."""

    on_text: Callable[[str], None] | None = None
    should_stop: Callable[[], bool] | None = None

    def stopped(self) -> bool:
        return self.should_stop is not None and self.should_stop()


_OPENERS = ("{", "[{", "```", "<tool_call>")


class _Gate:
    """Streamed text on its way to ``on_text``, held back from where a tool call printed
    as text may begin (``{``, ``[{``, a code fence, ``<tool_call>``, ``name(``) until the
    reply ends: :meth:`release` then sends it when the reply held no call."""

    def __init__(self, on_text: Callable[[str], None], names: Sequence[str]) -> None:
        self.on_text = on_text
        self.openers = (*_OPENERS, *(f"{n}(" for n in names))
        self.text = ""
        self.sent = 0
        self.holding = False

    def feed(self, piece: str) -> None:
        self.text += piece
        if self.holding:
            return
        found = [i for o in self.openers if (i := self.text.find(o, self.sent)) != -1]
        if found:
            self.holding = True
            end = min(found)
        else:  # the tail may be the start of an opener: it waits for the next piece
            tail = max(
                (k for o in self.openers for k in range(1, len(o)) if self.text.endswith(o[:k])),
                default=0,
            )
            end = len(self.text) - tail
        self._send(end)

    def release(self) -> None:
        self._send(len(self.text))

    def _send(self, end: int) -> None:
        if end > self.sent:
            self.on_text(self.text[self.sent : end])
            self.sent = end


@dataclass
class LoopResult:
    outcomes: list[Outcome] = field(default_factory=list)
    final_text: str = ""
    rounds: int = 0
    stopped: bool = False  # ``should_stop`` ended it: ``final_text`` is what had arrived


def run_tool_loop(
    llm: LLMClient,
    messages: list[dict[str, Any]],
    tools: Sequence[Tool],
    *,
    who: str,
    max_rounds: int = 8,
    finish: str | None = None,
    tool_choice: Any = "auto",
    stream: Streaming | None = None,
    answer: bool = False,
) -> LoopResult:
    """Let the model call ``tools`` until it answers without a call, calls ``finish``,
    or ``max_rounds`` pass. ``messages`` grows with the conversation.

    ``stream``: replies are streamed (see :class:`Streaming`). ``answer``: the loop
    ends in a text answer: after ``max_rounds`` rounds with tools the model is asked
    once more without them, and an empty answer is an error in any round.

    Raises AgentError when a round with errors is followed by another one, or when
    the model's first reply (any reply, with ``answer``) is empty; ModelUnavailable
    passes through.
    """
    by_name = {t.name: t for t in tools}
    schemas = [t.schema() for t in tools]
    result = LoopResult()
    corrected = False
    for round_no in range(max_rounds + 1 if answer else max_rounds):
        offered = list(by_name) if round_no < max_rounds else []
        gate: _Gate | None = None
        if stream is None:
            reply = llm.chat(messages, tools=schemas if offered else None, tool_choice=tool_choice)
        else:
            on_text = stream.on_text
            if on_text is not None and offered:
                gate = _Gate(on_text, offered)
                on_text = gate.feed
            reply = llm.stream_chat(
                messages,
                tools=schemas if offered else None,
                tool_choice=tool_choice,
                on_text=on_text,
                should_stop=stream.should_stop,
            )
            if stream.stopped():
                result.final_text, result.stopped = reply.content, True
                return result
        result.rounds += 1
        calls = calls_of(reply, offered) if offered else []
        if not calls:
            if not reply.content.strip() and (answer or result.rounds == 1):
                raise AgentError(f"{who}: the model answered nothing")
            if gate is not None:
                gate.release()
            result.final_text = reply.content
            return result
        messages.append(assistant_message(reply, calls))
        outcomes = [run_call(by_name, c) for c in calls]
        for outcome in outcomes:
            messages.append(
                {"role": "tool", "tool_call_id": outcome.call.id, "content": outcome.result}
            )
        result.outcomes.extend(outcomes)
        errors = [o.result for o in outcomes if o.error]
        if errors:
            if corrected:
                raise AgentError(f"{who}: still failing after a correction: {errors[0]}")
            corrected = True
            log.info("%s: sending %d error(s) back to the model", who, len(errors))
        else:
            corrected = False
        if finish is not None and any(c.name == finish for c in calls) and not errors:
            return result
    return result
