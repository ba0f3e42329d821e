"""The MCP server over local HTTP, run by the app in the background (``mcp.http_in_app``).

It serves the app's own context (one writer per home) on 127.0.0.1 with the bearer
token of ``mirix-desktop mcp --show-token``; the tray's "MCP server for assistants"
entry turns it on and off and saves the setting, and settings saved in the dialog
start, stop or restart it (a new port). Starting and stopping run off the interface
thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from mirix_desktop.services.preferences import Preferences
from mirix_desktop.ui.tasks import Tasks, describe

if TYPE_CHECKING:
    from mirix_desktop.services.mcp_transport import HttpServer


class McpHttp(QObject):
    """Starts and stops the background MCP HTTP server to match the setting."""

    changed = Signal(bool, str)  # running, the URL or why it is not running
    message = Signal(str)  # a note for the user (where it serves)
    error = Signal(str)  # one line for the user

    def __init__(
        self, preferences: Preferences, tasks: Tasks, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.preferences = preferences
        self.tasks = tasks
        self.server: HttpServer | None = None
        self._starting = False
        self._wanted = False  # what was asked last: a start that ends after a stop stops
        self._port = -1  # the setting the running server was started with (0: any)

    @property
    def url(self) -> str | None:
        return self.server.url if self.server is not None else None

    def show_state_in(self, slot: Callable[[bool, str], None]) -> None:
        """Tell ``slot`` the state now, then at each change (as :attr:`changed`)."""
        slot(self.server is not None, self.url or "")
        self.changed.connect(slot)

    def apply(self, enabled: bool) -> None:
        """Start the server (when ``enabled`` and not running) or stop it."""
        self._wanted = enabled
        if enabled and self.server is None and not self._starting:
            self._begin(None)
        elif not enabled and self.server is not None:
            server, self.server = self.server, None
            self.tasks.run(server.stop, owner=self)
            self.changed.emit(False, "stopped")

    def reconfigure(self, enabled: bool, port: int) -> None:
        """Settings were saved: start or stop to match, and restart a running server
        whose port setting changed."""
        if enabled and self.server is not None and port != self._port:
            self._wanted = True
            server, self.server = self.server, None
            self.changed.emit(False, "restarting")
            self._begin(server)
        else:
            self.apply(enabled)

    def _begin(self, old: HttpServer | None) -> None:
        """Start on a worker, after stopping ``old`` there (its port may be the new one)."""
        self._starting = True
        self._port = port = self.preferences.ctx.settings.mcp.http_port

        def start() -> HttpServer:
            if old is not None:
                old.stop()
            return self._start(port)

        self.tasks.run(start, on_done=self._started, on_error=self._failed, owner=self)

    def set_enabled(self, enabled: bool) -> None:
        """The tray's toggle: save ``mcp.http_in_app``, then start or stop."""

        def saved(_: object) -> None:
            self.apply(enabled)

        def failed(error: BaseException) -> None:
            self.changed.emit(self.server is not None, describe(error))
            self.error.emit(describe(error))

        self.tasks.serial(
            self.preferences.save,
            {"mcp": {"http_in_app": enabled}},
            {},
            on_done=saved,
            on_error=failed,
            owner=self,
        )

    def stop(self) -> None:
        """Stop now (the app is quitting)."""
        self._wanted = False
        if self.server is not None:
            self.server.stop()
            self.server = None

    def _start(self, port: int) -> HttpServer:
        from mirix_desktop.services.mcp_protocol import LazyTools
        from mirix_desktop.services.mcp_transport import HttpServer, http_token

        ctx = self.preferences.ctx
        token, _ = http_token(ctx.secrets)
        server = HttpServer(LazyTools(lambda: ctx, owns=False), token, port)
        server.start()
        return server

    def _started(self, server: Any) -> None:
        self._starting = False
        if not self._wanted:  # turned off while it started
            self.tasks.run(server.stop, owner=self)
            return
        if self.preferences.ctx.settings.mcp.http_port != self._port:  # a new port meanwhile
            self._begin(server)
            return
        self.server = server
        self.changed.emit(True, server.url)
        self.message.emit(
            f"MCP server at {server.url} (`mirix-desktop mcp --show-token` prints its token)."
        )

    def _failed(self, error: BaseException) -> None:
        self._starting = False
        self.changed.emit(False, describe(error))
        self.error.emit(f"MCP server: {describe(error)}")
