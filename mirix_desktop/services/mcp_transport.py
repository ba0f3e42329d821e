"""How ``mirix-desktop mcp`` is reached: stdio, or streamable HTTP on 127.0.0.1.

Over stdio, stdout carries only the protocol (the SDK points file descriptor 1 at
stderr while it serves); logging goes to ``logs/mcp.log``. Over HTTP the server
listens on the loopback address only, at ``http://127.0.0.1:PORT/mcp``, and
answers 401 to any request without ``Authorization: Bearer <token>``; the token
is made on first use and kept in the secrets store (keyring or encrypted file).
Several clients may be connected at once: each has its own MCP session.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from agents.errors import InvalidInput
from agents.privacy import LogFilter
from mirix_desktop import __version__
from mirix_desktop.services.mcp_protocol import SERVER_NAME, LazyTools, build_server

if TYPE_CHECKING:
    from mirix_desktop.config.keystore import SecretStore
    from mirix_desktop.config.paths import Paths

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
PATH = "/mcp"
TOKEN_NAME = "mcp-http-token"
_TOKEN_LOCK = threading.Lock()

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def log_to_file(paths: Paths) -> None:
    """Send every log record to ``logs/mcp.log`` and none to stderr or stdout."""
    paths.log_dir.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.FileHandler(paths.log_dir / "mcp.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(LogFilter())  # no key, token or password reaches the log
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.captureWarnings(True)


def serve_stdio(tools: LazyTools) -> int:
    """Serve MCP over stdin and stdout until the client closes stdin."""
    import anyio

    server = build_server(tools)
    log.info("MCP server %s %s serving over stdio", SERVER_NAME, __version__)
    try:
        anyio.run(server.run_stdio_async)
    finally:
        tools.close()
    log.info("MCP client closed the connection")
    return 0


# ---- the token ----------------------------------------------------------------------


def http_token(secret_store: SecretStore, *, rotate: bool = False) -> tuple[str, bool]:
    """The HTTP bearer token and whether it was made just now (first use, or ``rotate``).

    One thread at a time: the app's server and its settings dialog may both ask first."""
    with _TOKEN_LOCK:
        token = None if rotate else secret_store.get(TOKEN_NAME)
        if token:
            return token, False
        token = secrets.token_urlsafe(32)
        secret_store.set(TOKEN_NAME, token)
        return token, True


class BearerGate:
    """ASGI middleware: HTTP requests without the right bearer token get 401, nothing else.

    The comparison takes the same time whatever the token sent (``hmac.compare_digest``).
    """

    def __init__(self, app: App, token: str) -> None:
        self.app = app
        self._expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self._allowed(scope):
            log.info("refused an HTTP request without the right token from %s", scope.get("client"))
            body = json.dumps(
                {"error": "unauthorized", "detail": "send Authorization: Bearer <token>"}
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                        (b"www-authenticate", b'Bearer realm="mirix-desktop"'),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)

    def _allowed(self, scope: Scope) -> bool:
        sent = [v for k, v in scope.get("headers", []) if k.lower() == b"authorization"]
        return len(sent) == 1 and hmac.compare_digest(bytes(sent[0]), self._expected)


def http_app(tools: LazyTools, token: str) -> App:
    """The streamable HTTP app at ``/mcp`` behind :class:`BearerGate` (DNS-rebinding
    protection on: only 127.0.0.1 and localhost as Host)."""
    server = build_server(tools)
    inner: App = server.streamable_http_app(streamable_http_path=PATH, host=HOST)
    return BearerGate(inner, token)


class HttpServer:
    """uvicorn on 127.0.0.1:``port`` serving :func:`http_app`; :meth:`run` blocks,
    :meth:`start` runs it on a thread (the app), :meth:`stop` ends it.

    The socket is bound here (port 0: any free port), so a taken port raises
    InvalidInput at once rather than inside uvicorn.
    """

    def __init__(self, tools: LazyTools, token: str, port: int) -> None:
        import socket

        import uvicorn

        self.tools = tools
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            self._socket.bind((HOST, port))
            self._socket.listen(128)  # connections wait from now, while uvicorn starts
        except OSError as exc:
            self._socket.close()
            raise InvalidInput(
                f"cannot listen on {HOST}:{port} ({exc.strerror}); choose another port with "
                "--port or `mirix-desktop config set mcp.http_port=N`"
            ) from None
        self.port: int = self._socket.getsockname()[1]
        config = uvicorn.Config(
            http_app(tools, token),
            log_config=None,  # our logging: logs/mcp.log for the command, the app's for the app
            log_level="warning",
            lifespan="on",
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}{PATH}"

    @property
    def started(self) -> bool:
        return bool(self._server.started)

    def run(self) -> None:
        """Serve until interrupted (or :meth:`stop`)."""
        log.info("MCP server %s %s serving at %s", SERVER_NAME, __version__, self.url)
        try:
            self._server.run(sockets=[self._socket])
        finally:
            self._socket.close()
            self.tools.close()

    def start(self) -> None:
        """Serve on a thread until :meth:`stop`."""
        self._thread = threading.Thread(target=self.run, name="mcp-http", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
