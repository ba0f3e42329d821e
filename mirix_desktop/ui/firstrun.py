"""The first-run page: what is captured, where it is kept, what leaves the machine.

Capture starts only after the user agrees; the agreement is remembered in the
data folder (:func:`mirix_desktop.config.consent.record_consent`), so the page is
shown once.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from mirix_desktop.config.paths import Paths
from mirix_desktop.config.settings import Settings
from mirix_desktop.ui.icons import icon


def first_run_text(paths: Paths, settings: Settings) -> str:
    """The page's text (HTML): what is captured, where it goes, what leaves the machine."""
    c = settings.capture
    remote = [
        f"{role} model at {escape(cfg.base_url)}"
        for role, cfg in (("the chat", settings.chat_model), ("the memory", settings.memory_model))
        if cfg.base_url
    ]
    if remote:
        leaves = (
            "Text from your screenshots and chats is sent to "
            + " and ".join(remote)
            + " to be filed into memories and to answer your questions"
            + (
                " (screenshots too, to a model that can see images)."
                if any(
                    cfg.vision
                    for cfg in (settings.chat_model, settings.memory_model)
                    if cfg.base_url
                )
                else "."
            )
        )
    else:
        leaves = (
            "<b>Nothing.</b> No language model is set, so everything is done on this machine "
            "(offline mode). If you later point the app at a remote model in Settings, the "
            "text of your screenshots and chats is sent there."
        )
    excluded = ", ".join(escape(a) for a in c.excluded_apps[:6]) or "none"
    return f"""
<h2>Welcome to Mirix, your personal memory</h2>
<p>Mirix remembers what you saw and said, so that you can ask about it later.</p>
<h3>What is captured</h3>
<ul>
<li>A screenshot of {"every monitor" if c.monitors == "all" else "the primary monitor"}
every {c.interval_s:g} seconds while the screen changes (less often when it does not),
with the active app and window title.</li>
<li>The text on those screenshots, read on this machine.</li>
<li>What you write in the chat window, and the answers.</li>
</ul>
<p>Never captured: password managers and private browsing windows (apps: {excluded};
change the list in Settings). You can pause capture at any time from the tray icon,
and forget the last 5 minutes or the last hour.</p>
<h3>Where it is kept</h3>
<ul>
<li>Screenshots and memories: <code>{escape(str(paths.data_dir))}</code></li>
<li>Settings: <code>{escape(str(paths.config_file))}</code></li>
<li>API keys and the key that encrypts sensitive values: the system keyring
(or an encrypted file in the settings folder where there is none).</li>
</ul>
<p>Screenshots are kept up to {c.storage_budget_bytes / 1e9:g} GB and for {c.max_age_days:g}
days at most; memories stay until you delete them.</p>
<h3>What leaves this machine</h3>
<p>{leaves}</p>
"""


class FirstRunDialog(QDialog):
    """Shown until the user agrees; :attr:`agreed` fires on "Start capturing"."""

    agreed = Signal()
    settings_requested = Signal()

    def __init__(self, paths: Paths, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to Mirix")
        self.setWindowIcon(icon("app"))
        self.resize(640, 640)
        self.text = QLabel(first_run_text(paths, settings))
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.text)

        self.settings_button = QPushButton("Set up a language model (optional)…")
        self.decline_button = QPushButton("Not now")
        self.agree_button = QPushButton("Start capturing")
        self.agree_button.setDefault(True)
        self.agree_button.clicked.connect(self._agree)
        self.decline_button.clicked.connect(self.reject)
        self.settings_button.clicked.connect(self.settings_requested.emit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.settings_button)
        buttons.addStretch(1)
        buttons.addWidget(self.decline_button)
        buttons.addWidget(self.agree_button)

        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self.agree_button.setFocus()

    def _agree(self) -> None:
        self.agreed.emit()
        self.accept()
