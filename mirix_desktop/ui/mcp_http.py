"""The MCP server over local HTTP, run by the app in the background (``mcp.http_in_app``).

It serves the app's own context (one writer per home) on 127.0.0.1 with the bearer
token of ``mirix-desktop mcp --show-token``; the tray's "MCP server for assistants"
entry turns it on and off and saves the setting. Starting and stopping run off the
interface thread.
"""

from __future__ import annotations

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

    @property
    def url(self) -> str | None:
        return self.server.url if self.server is not None else None

    def apply(self, enabled: bool) -> None:
        """Start the server (when ``enabled`` and not running) or stop it."""
        tasks = self.tasks
        if enabled and self.server is None and not self._starting:
            self._starting = True
            tasks.run(self._start, on_done=self._started, on_error=self._failed, owner=self)
        elif not enabled and self.server is not None:
            server, self.server = self.server, None
            tasks.run(server.stop, owner=self)
            self.changed.emit(False, "stopped")

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
        if self.server is not None:
            self.server.stop()
            self.server = None

    def _start(self) -> HttpServer:
        from mirix_desktop.services.mcp_protocol import LazyTools
        from mirix_desktop.services.mcp_transport import HttpServer, http_token

        ctx = self.preferences.ctx
        token, _ = http_token(ctx.secrets)
        server = HttpServer(LazyTools(lambda: ctx, owns=False), token, ctx.settings.mcp.http_port)
        server.start()
        return server

    def _started(self, server: Any) -> None:
        self._starting = False
        self.server = server
        self.changed.emit(True, server.url)
        self.message.emit(
            f"MCP server at {server.url} (`mirix-desktop mcp --show-token` prints its token)."
        )

    def _failed(self, error: BaseException) -> None:
        self._starting = False
        self.changed.emit(False, describe(error))
        self.error.emit(f"MCP server: {describe(error)}")
