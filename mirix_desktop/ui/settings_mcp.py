"""The settings dialog's "Assistants (MCP)" tab: the app's MCP server over HTTP (on or off,
port), whether assistants may read vault values, the URL and bearer token to give a
client, and a stdio client's configuration to copy.

The token is read from the secret store (and made there on first use) on a worker,
only when the user asks to copy or show it; until then no widget holds it.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from mirix_desktop.config.settings import Settings
from mirix_desktop.services.backend import Backend
from mirix_desktop.services.mcp_transport import HOST, PATH, http_token
from mirix_desktop.ui.tasks import Tasks, describe

HIDDEN = "hidden (Show or Copy token reads it)"
LOWEST_PORT = 1024  # below it a port needs administrator rights
WARNING_STYLE = "color: #9a6700"


def mcp_url(port: int) -> str:
    """Where the server listens for ``port`` (0: the port picked when it starts)."""
    return f"http://{HOST}:{port if port else '<any free port>'}{PATH}"


def stdio_command() -> str:
    """The full path of ``mirix-desktop`` where it can be found (a client starts it without
    the virtual environment's PATH), else the bare name."""
    beside = Path(sys.executable).with_name("mirix-desktop")
    if beside.is_file():
        return str(beside)
    return shutil.which("mirix-desktop") or "mirix-desktop"


def stdio_config(home: Path | None) -> str:
    """The ``mcpServers`` entry of docs/mcp.md (Claude Desktop, Cursor) for this home."""
    args = ["--home", str(home), "mcp"] if home is not None else ["mcp"]
    entry = {"mcpServers": {"mirix": {"command": stdio_command(), "args": args}}}
    return json.dumps(entry, indent=2)


class McpTab(QWidget):
    """The tab; :meth:`values` is its ``mcp`` section, :meth:`check` refuses a bad port."""

    def __init__(
        self, settings: Settings, backend: Backend, tasks: Tasks, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.backend, self.tasks = backend, tasks
        mcp = settings.mcp
        self._token: str | None = None  # read on a worker when first asked for
        self._shown_port = mcp.http_port

        self.in_app = QCheckBox("Serve MCP over HTTP while the app runs")
        self.in_app.setChecked(mcp.http_in_app)
        self.port = QSpinBox()
        self.port.setRange(0, 65535)
        self.port.setSpecialValueText("0 (any free port)")
        self.port.setValue(mcp.http_port)
        self.port.setMinimumWidth(160)
        self.port.setToolTip(f"{LOWEST_PORT} to 65535; 0 picks any free port at each start")
        self.state = QLabel("not running")
        self.url = QLineEdit(mcp_url(mcp.http_port))
        self.url.setReadOnly(True)
        self.port.valueChanged.connect(lambda port: self.url.setText(mcp_url(port)))
        copy_url = QPushButton("Copy")
        copy_url.clicked.connect(lambda: self._copy(self.url.text(), "URL copied."))

        self.token = QLabel(HIDDEN)
        self.token.setWordWrap(True)
        self.show_token = QPushButton("Show")
        self.show_token.setCheckable(True)
        self.show_token.toggled.connect(self._toggle_token)
        self.copy_token = QPushButton("Copy token")
        self.copy_token.clicked.connect(self._copy_token)

        self.share = QCheckBox("Let assistants read low- and medium-sensitivity vault values")
        self.share.setChecked(mcp.share_vault_values)
        warning = QLabel(
            "They then see e-mail addresses, phone numbers and similar values as stored; "
            "high ones (keys, passwords, cards) never leave."
        )
        warning.setWordWrap(True)
        warning.setStyleSheet(WARNING_STYLE)

        stdio = QLabel(
            "Clients that start the server themselves (Claude Desktop, Cursor) run "
            "<code>mirix-desktop mcp</code> over stdio: no port, no token."
        )
        stdio.setWordWrap(True)
        copy_stdio = QPushButton("Copy client config (JSON)")
        copy_stdio.setToolTip("The mcpServers entry of Claude Desktop's or Cursor's config")
        home = backend.paths.home
        copy_stdio.clicked.connect(
            lambda: self._copy(stdio_config(home), "Copied: paste it into mcpServers.")
        )
        self.note = QLabel()
        self.note.setWordWrap(True)

        http = QGroupBox("Over HTTP (VS Code, Cursor, Claude Code, several clients at once)")
        form = QFormLayout(http)
        form.addRow("", self.in_app)
        form.addRow("Port:", _row(self.port, stretch=True))
        form.addRow("Now:", self.state)
        form.addRow("URL:", _row(self.url, copy_url))
        form.addRow("Bearer token:", _row(self.token, self.show_token, self.copy_token))
        vault = QGroupBox("What assistants may read")
        vault_layout = QVBoxLayout(vault)
        vault_layout.addWidget(self.share)
        vault_layout.addWidget(warning)
        over_stdio = QGroupBox("Over stdio")
        stdio_layout = QVBoxLayout(over_stdio)
        stdio_layout.addWidget(stdio)
        stdio_layout.addLayout(_row(copy_stdio, stretch=True))
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Other assistants can search your memory and add to it over the Model Context "
            "Protocol. What they get passes the same privacy filter as everything that leaves."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(http)
        layout.addWidget(vault)
        layout.addWidget(over_stdio)
        layout.addWidget(self.note)
        layout.addStretch(1)

    # ---- the dialog's side -------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        return {
            "http_in_app": self.in_app.isChecked(),
            "http_port": self.port.value(),
            "share_vault_values": self.share.isChecked(),
        }

    def check(self) -> str | None:
        """Why the entered port is refused, or None (a port the file already had is kept)."""
        port = self.port.value()
        if 0 < port < LOWEST_PORT and port != self._shown_port:
            return (
                f"MCP port {port} is reserved for system services: choose a port from "
                f"{LOWEST_PORT} to 65535, or 0 for any free port."
            )
        return None

    def show_running(self, running: bool, note: str) -> None:
        """The app's server state (McpHttp.changed): its URL, or why it is not running."""
        self.state.setText(f"running at {note}" if running else note or "not running")
        self.state.setStyleSheet("color: #1d6b3d" if running else "")

    # ---- the token ---------------------------------------------------------------------

    def _read_token(self, then: Any) -> None:
        if self._token is not None:
            then()
            return

        def done(token_made: tuple[str, bool]) -> None:
            self._token = token_made[0]
            then()

        def failed(error: BaseException) -> None:
            self.show_token.setChecked(False)
            self._say(f"The token could not be read: {describe(error)}", error=True)

        backend = self.backend  # its secret store may open the keyring: on the worker
        self.tasks.run(
            lambda: http_token(backend.secrets), on_done=done, on_error=failed, owner=self
        )

    def _copy_token(self) -> None:
        def copy() -> None:
            assert self._token is not None
            self._copy(self._token, "Token copied: paste it as the Authorization: Bearer value.")

        self._read_token(copy)

    def _toggle_token(self, show: bool) -> None:
        self.show_token.setText("Hide" if show else "Show")
        if not show:
            self.token.setText(HIDDEN)
            self.token.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            return

        def reveal() -> None:
            if self.show_token.isChecked() and self._token is not None:
                self.token.setText(self._token)
                self.token.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self._read_token(reveal)

    # ---- notes -------------------------------------------------------------------------

    def _copy(self, text: str, note: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self._say(note)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.note.setText(text)
        self.note.setStyleSheet("color: #b00020" if error else "")


def _row(*widgets: QWidget, stretch: bool = False) -> QHBoxLayout:
    """The widgets side by side: the first takes the room left, or (``stretch``) none does."""
    row = QHBoxLayout()
    for i, widget in enumerate(widgets):
        row.addWidget(widget, 1 if i == 0 and not stretch else 0)
    if stretch:
        row.addStretch(1)
    return row
