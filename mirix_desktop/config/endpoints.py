"""Local and remote model servers: presets, and the check behind "Test connection".

A preset fills the base URL of a well-known OpenAI-compatible server. The check
lists the models the endpoint serves (``GET /v1/models``), then asks the chosen
model for one forced tool call, and says plainly what failed: nothing listening,
the key refused, the model not served there, or no tool calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agents.errors import ModelUnavailable
from agents.llm import Reply
from agents.tooling import calls_of, forced


@dataclass(frozen=True)
class Preset:
    name: str
    base_url: str
    needs_key: bool = False
    hint: str = ""


PRESETS: tuple[Preset, ...] = (
    Preset("Ollama", "http://localhost:11434/v1", hint="ollama serve; ollama pull llama3.2"),
    Preset("LM Studio", "http://localhost:1234/v1", hint="Developer tab: Start server"),
    Preset(
        "llama.cpp server",
        "http://localhost:8080/v1",
        hint="llama-server -m MODEL.gguf --jinja (tool calls need --jinja)",
    ),
    Preset("vLLM", "http://localhost:8000/v1", hint="vllm serve MODEL --enable-auto-tool-choice"),
    Preset("OpenAI", "https://api.openai.com/v1", needs_key=True, hint="needs an API key"),
)


def preset_for(base_url: str) -> Preset | None:
    """The preset whose base URL this is (ignoring a trailing slash), if any."""
    wanted = base_url.strip().rstrip("/")
    return next((p for p in PRESETS if p.base_url == wanted), None)


class EndpointProblem(ModelUnavailable):
    """The check failed; ``reason`` is one of refused, timeout, unauthorised, not_found,
    model_missing, no_tools, error. ``models`` holds what the endpoint serves, if known."""

    def __init__(self, reason: str, message: str, models: list[str] | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.models = models or []


@dataclass
class CheckResult:
    models: list[str]  # what GET /models listed (empty when the server lists none)
    said: str  # what the model wrote back
    text_tool_calls: bool = False  # it printed the call as text instead of calling

    def message(self, model: str) -> str:
        served = f"{len(self.models)} models served" if self.models else "no model list"
        how = (
            "prints its tool calls as text (understood)" if self.text_tool_calls else "calls tools"
        )
        return f"Connected ({served}): {model} answers and {how}."


def _client(base_url: str, api_key: str | None, timeout_s: float) -> Any:
    from openai import OpenAI

    return OpenAI(
        base_url=base_url, api_key=api_key or "not-needed", timeout=timeout_s, max_retries=0
    )


def _problem(exc: Exception, base_url: str) -> EndpointProblem:
    """The openai package's error, said in the user's terms."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return EndpointProblem("timeout", f"Timed out: {base_url} did not answer in time.")
    if isinstance(exc, openai.APIConnectionError):
        return EndpointProblem(
            "refused",
            f"Connection refused: nothing answers at {base_url}. Is the server running, "
            "and is the port right?",
        )
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return EndpointProblem(
            "unauthorised",
            f"Unauthorised: {base_url} refused the API key ({exc.status_code}). "
            "Enter the right key, or none for a local server.",
        )
    if isinstance(exc, openai.NotFoundError):
        return EndpointProblem(
            "not_found",
            f"Not found: {base_url} has no OpenAI-compatible API there (404); "
            "the base URL usually ends in /v1.",
        )
    if isinstance(exc, openai.APIStatusError):
        return EndpointProblem("error", f"{base_url} answered {exc.status_code}: {exc.message}")
    return EndpointProblem("error", f"{type(exc).__name__}: {exc}")


def list_models(base_url: str, api_key: str | None, *, timeout_s: float = 10.0) -> list[str]:
    """The model ids that ``GET {base_url}/models`` lists, sorted; raises EndpointProblem.

    A server that has no model list (404 there but chat works) gives ``[]``.
    """
    import openai

    try:
        page = _client(base_url, api_key, timeout_s).models.list()
        return sorted({m.id for m in page.data if getattr(m, "id", None)})
    except openai.NotFoundError:
        return []
    except openai.OpenAIError as exc:
        raise _problem(exc, base_url) from None


_PING_TOOL = {
    "type": "function",
    "function": {
        "name": "reply",
        "description": "Send your reply.",
        "parameters": {
            "type": "object",
            "properties": {"text": {"type": "string"}},
            "required": ["text"],
        },
    },
}


def check_endpoint(
    base_url: str, model: str, api_key: str | None, *, timeout_s: float = 30.0
) -> CheckResult:
    """List the served models, then ask ``model`` for one forced tool call.

    Raises EndpointProblem: refused, timeout, unauthorised, not_found, model_missing
    (with the models served, to pick from), no_tools, error.
    """
    import openai

    models = list_models(base_url, api_key, timeout_s=min(timeout_s, 10.0))
    if models and model not in models:
        shown = ", ".join(models[:20]) + (" …" if len(models) > 20 else "")
        raise EndpointProblem(
            "model_missing",
            f"Model missing: {base_url} does not serve {model!r}. It serves: {shown}.",
            models,
        )
    client = _client(base_url, api_key, timeout_s)
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": "Call the reply tool with the text OK."}
    ]
    try:
        response = client.chat.completions.create(
            model=model, messages=messages, tools=[_PING_TOOL], tool_choice=forced("reply")
        )
    except openai.BadRequestError as exc:
        if "model" in str(exc.message).lower() and "tool" not in str(exc.message).lower():
            raise EndpointProblem(
                "model_missing", f"Model missing: {base_url} says: {exc.message}", models
            ) from None
        raise EndpointProblem(
            "no_tools",
            f"No tool-call support: {base_url} refused a request with tools ({exc.message}). "
            "Memory absorption needs tool calls; answers in chat still work.",
            models,
        ) from None
    except openai.NotFoundError as exc:
        raise EndpointProblem(
            "model_missing", f"Model missing: {base_url} says: {exc.message}", models
        ) from None
    except openai.OpenAIError as exc:
        problem = _problem(exc, base_url)
        problem.models = models
        raise problem from None
    message = response.choices[0].message if response.choices else None
    native = [c for c in (message.tool_calls or []) if c.type == "function"] if message else []
    reply = Reply(content=(message.content or "") if message else "")
    if native:
        return CheckResult(models, native[0].function.arguments or "")
    printed = calls_of(reply, ["reply"])
    if printed:
        return CheckResult(models, printed[0].arguments, text_tool_calls=True)
    said = " ".join(reply.content.split())[:80]
    raise EndpointProblem(
        "no_tools",
        f"No tool-call support: {model} answered “{said}” without calling the tool. "
        "Memory absorption needs tool calls (llama.cpp: start it with --jinja); answers "
        "in chat still work.",
        models,
    )
