"""A fake OpenAI-compatible server on 127.0.0.1 for tests: scripted replies, recorded requests.

Each POST to /v1/chat/completions takes the next scripted step:
``{"content": "..."}``, ``{"tool_calls": [{"name": ..., "arguments": {...}}]}``,
``{"status": 429}`` (or any status), ``{"delay": seconds, ...}`` before answering,
``{"raw": "body", "content_type": "text/html"}`` for a 200 answer that is garbage.
A step with ``"when": "text"`` is only taken by a request whose messages contain
that text (so agents that run in parallel each get their own replies); the first
matching step is taken. A request with ``"stream": true`` gets the content, and
any tool calls, as server-sent events. ``max_in_flight`` records how many
requests were being answered at once. GET /v1/models lists ``models`` (404 when
None, like a server without a list); with ``api_key`` set, a request without
that bearer key gets 401.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def _calls(step: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "id": f"call_{i}",
            "type": "function",
            "function": {
                "name": c["name"],
                "arguments": c["arguments"]
                if isinstance(c["arguments"], str)
                else json.dumps(c["arguments"]),
            },
        }
        for i, c in enumerate(step.get("tool_calls", []))
    ]


class FakeOpenAI:
    def __init__(
        self,
        script: list[dict[str, Any]] | None = None,
        *,
        models: list[str] | None = None,
        api_key: str | None = None,
    ) -> None:
        self.script: list[dict[str, Any]] = list(script or [])
        self.models = models
        self.api_key = api_key
        self.requests: list[dict[str, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _refused(self) -> bool:
                """Answer 401 (True) when a key is required and not given."""
                if fake.api_key is None:
                    return False
                if self.headers.get("Authorization") == f"Bearer {fake.api_key}":
                    return False
                self._json(401, {"error": {"message": "Incorrect API key provided"}})
                return True

            def _json(self, status: int, obj: dict[str, Any]) -> None:
                payload = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                if self._refused():
                    return
                if self.path.rstrip("/").endswith("/models") and fake.models is not None:
                    data = [{"id": m, "object": "model", "owned_by": "fake"} for m in fake.models]
                    self._json(200, {"object": "list", "data": data})
                else:
                    self._json(404, {"error": {"message": f"no route {self.path}"}})

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self._refused():
                    return
                with fake._lock:
                    fake.requests.append(body)
                    step = fake._next_step(body)
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                try:
                    self._answer(body, step)
                finally:
                    with fake._lock:
                        fake.in_flight -= 1

            def _answer(self, body: dict[str, Any], step: dict[str, Any]) -> None:
                if "delay" in step:
                    time.sleep(step["delay"])
                status = step.get("status", 200)
                if status != 200:
                    payload = json.dumps({"error": {"message": f"scripted {status}"}}).encode()
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    if status == 429:
                        self.send_header("Retry-After", "0")
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                if "raw" in step:  # garbage: any body, with any content type
                    payload = step["raw"].encode()
                    self.send_response(200)
                    self.send_header("Content-Type", step.get("content_type", "application/json"))
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                if body.get("stream"):
                    self._stream(step)
                    return
                message: dict[str, Any] = {"role": "assistant", "content": step.get("content")}
                if "tool_calls" in step:
                    message["tool_calls"] = _calls(step)
                payload = json.dumps(
                    {
                        "id": "chatcmpl-fake",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body.get("model", "fake"),
                        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _chunk(self, delta: dict[str, Any]) -> None:
                chunk = {
                    "id": "c",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": "fake",
                    "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
                }
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()

            def _stream(self, step: dict[str, Any]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                content = step.get("content") or ""
                words = content.split(" ") if content else []
                for i, word in enumerate(words):
                    self._chunk({"content": word + (" " if i < len(words) - 1 else "")})
                    if step.get("chunk_delay"):
                        time.sleep(step["chunk_delay"])
                for i, call in enumerate(_calls(step)):
                    # Split like real servers do: id and name first, the arguments after.
                    args = call["function"]["arguments"]
                    half = len(args) // 2
                    self._chunk(
                        {
                            "tool_calls": [
                                {
                                    "index": i,
                                    "id": call["id"],
                                    "type": "function",
                                    "function": {"name": call["function"]["name"], "arguments": ""},
                                }
                            ]
                        }
                    )
                    for part in (args[:half], args[half:]):
                        self._chunk({"tool_calls": [{"index": i, "function": {"arguments": part}}]})
                self.wfile.write(b"data: [DONE]\n\n")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def _next_step(self, body: dict[str, Any]) -> dict[str, Any]:
        text = json.dumps(body.get("messages", []), ensure_ascii=False)
        for i, step in enumerate(self.script):
            if "when" not in step or step["when"] in text:
                return self.script.pop(i)
        return {"content": ""}

    def prompts(self, containing: str) -> list[dict[str, Any]]:
        """Recorded requests whose messages contain ``containing``."""
        return [
            r
            for r in self.requests
            if containing in json.dumps(r.get("messages", []), ensure_ascii=False)
        ]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
