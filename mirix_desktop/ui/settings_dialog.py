"""The settings dialog: language models (keys in the keyring), capture, storage, MCP.

Saving writes ``config.toml`` (never a key) and the keys to the secret store, on
a worker; :attr:`SettingsDialog.saved` then carries the settings now in effect,
and the app applies them without a restart where it can.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from agents.errors import InvalidInput
from mirix_desktop.config.endpoints import PRESETS, CheckResult, EndpointProblem, preset_for
from mirix_desktop.config.settings import ModelEndpointSettings, Settings
from mirix_desktop.services.backend import Backend
from mirix_desktop.services.preferences import Preferences
from mirix_desktop.ui.common import shortened
from mirix_desktop.ui.settings_mcp import McpTab
from mirix_desktop.ui.tasks import Tasks, describe

GB = 1_000_000_000
ROLES = {"chat": "Chat model", "memory": "Memory model"}


class EndpointBox(QGroupBox):
    """Base URL (or a preset), model, vision and API key of one role, with a Test connection
    button that lists the models the endpoint serves to pick from."""

    tested = Signal(bool, str)  # worked, message
    CUSTOM = "Custom…"

    def __init__(
        self,
        role: str,
        cfg: ModelEndpointSettings,
        preferences: Preferences,
        tasks: Tasks,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ROLES[role], parent)
        self.role, self.preferences, self.tasks = role, preferences, tasks
        self.preset = QComboBox()
        self.preset.addItem("Offline (no model)", "")
        for p in PRESETS:
            self.preset.addItem(p.name, p.base_url)
            self.preset.setItemData(self.preset.count() - 1, p.hint, Qt.ItemDataRole.ToolTipRole)
        self.preset.addItem(self.CUSTOM, None)
        self.base_url = QLineEdit(cfg.base_url or "")
        self.base_url.setPlaceholderText("empty: offline mode (e.g. http://localhost:11434/v1)")
        self._show_preset(cfg.base_url or "")
        self.preset.activated.connect(self._preset_chosen)
        self.base_url.textEdited.connect(self._show_preset)
        self.model = QLineEdit(cfg.model)
        self.model.setPlaceholderText("e.g. gpt-4o-mini, llama3.2")
        self.models = QComboBox()
        self.models.setEnabled(False)
        self.models.setPlaceholderText("Test connection lists the models served")
        self.models.activated.connect(lambda _i: self.model.setText(self.models.currentText()))
        self.vision = QCheckBox("The model can see images")
        self.vision.setChecked(cfg.vision)
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("checking the keyring…")
        self.forget_key = QCheckBox("Remove the stored key")
        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self.test)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.has_key = False

        form = QFormLayout(self)
        form.addRow("Server:", self.preset)
        form.addRow("Base URL:", self.base_url)
        form.addRow("Model:", self.model)
        form.addRow("Served models:", self.models)
        form.addRow("", self.vision)
        form.addRow("API key:", self.key)
        form.addRow("", self.forget_key)
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        row.addWidget(self.result, 1)
        form.addRow("", row)
        tasks.run(preferences.api_key, role, on_done=self._key_known, owner=self)

    def _show_preset(self, url: str) -> None:
        """Select the preset matching ``url`` (Custom… for any other, Offline for none)."""
        preset = preset_for(url) if url.strip() else None
        if not url.strip():
            self.preset.setCurrentIndex(0)
        elif preset is None:
            self.preset.setCurrentIndex(self.preset.count() - 1)
        else:
            self.preset.setCurrentIndex(self.preset.findText(preset.name))

    def _preset_chosen(self, index: int) -> None:
        url = self.preset.itemData(index)
        if url is None:  # Custom…: keep what is typed
            self.base_url.setFocus()
            return
        self.base_url.setText(url)
        preset = preset_for(url)
        if preset is not None and preset.hint:
            self.result.setStyleSheet("")
            self.result.setText(preset.hint)

    @property
    def key_name(self) -> str:
        return f"{self.role}-api-key"

    def _key_known(self, key: str | None) -> None:
        self.has_key = bool(key)
        self.key.setPlaceholderText(
            "a key is stored (type to replace it)"
            if key
            else "none stored (not needed for local servers)"
        )
        self.forget_key.setEnabled(self.has_key)

    def values(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url.text().strip() or None,
            "model": self.model.text().strip(),
            "vision": self.vision.isChecked(),
        }

    def new_key(self) -> tuple[bool, str | None]:
        """(whether the key changes, the new key or None to remove it)."""
        typed = self.key.text().strip()
        if typed:
            return True, typed
        if self.forget_key.isChecked():
            return True, None
        return False, None

    def check(self) -> str | None:
        values = self.values()
        if values["base_url"] and not values["model"]:
            return f"{ROLES[self.role]}: enter the model name for {values['base_url']}"
        return None

    def test(self) -> None:
        """List the served models (to pick from) and check that the model calls tools."""
        values = self.values()
        if not values["base_url"]:
            self._tested(False, "Choose a server or enter a base URL first.")
            return
        typed = self.key.text().strip() or None
        self.test_button.setEnabled(False)
        self.result.setStyleSheet("")
        self.result.setText("Testing…")
        url, model = values["base_url"], values["model"]

        def call() -> CheckResult | list[str]:
            from mirix_desktop.config.endpoints import check_endpoint, list_models

            key = typed or self.stored_key()
            if not model:  # no model yet: list what is served, to pick from
                return list_models(url, key)
            return check_endpoint(url, model, key)

        self.tasks.run(call, on_done=self._checked, on_error=self._failed, owner=self)

    def _checked(self, result: CheckResult | list[str]) -> None:
        if isinstance(result, list):
            self._offer(result)
            if result:
                self._tested(False, f"{len(result)} models served: pick one, then test again.")
            else:
                self._tested(False, "The server lists no models: enter the model name.")
            return
        self._offer(result.models)
        self._tested(True, result.message(self.model.text().strip()))

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, EndpointProblem):
            self._offer(error.models)
            self._tested(False, shortened(str(error), 400))
            return
        self._tested(False, f"Failed: {describe(error)}")

    def _offer(self, models: list[str]) -> None:
        """Fill the served-models list; the current model stays selected when served."""
        current = self.model.text().strip()
        self.models.clear()
        self.models.addItems(models)
        self.models.setEnabled(bool(models))
        self.models.setCurrentIndex(models.index(current) if current in models else -1)

    def stored_key(self) -> str | None:
        """The stored key (called on a worker)."""
        return self.preferences.api_key(self.role)

    def _tested(self, worked: bool, message: str) -> None:
        self.test_button.setEnabled(True)
        self.result.setText(message)
        self.result.setStyleSheet("color: #1d6b3d" if worked else "color: #b00020")
        self.tested.emit(worked, message)


def _lines(edit: QPlainTextEdit) -> list[str]:
    return [line.strip() for line in edit.toPlainText().splitlines() if line.strip()]


class SettingsDialog(QDialog):
    """Edit the settings; :attr:`saved` carries the new settings once they are stored."""

    saved = Signal(object)  # Settings
    move_requested = Signal(object)  # Path: the folder the user chose for the data
    save_failed = Signal(str)
    models_checked = Signal()

    def __init__(
        self,
        backend: Backend,
        preferences: Preferences,
        tasks: Tasks,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.backend, self.preferences, self.tasks = backend, preferences, tasks
        settings = backend.ctx.settings
        self.setWindowTitle("Settings")
        self.resize(680, 560)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._models_tab(settings), "Language models")
        self.tabs.addTab(self._capture_tab(settings), "Capture")
        self.tabs.addTab(self._storage_tab(settings), "Storage and models")
        self.mcp = McpTab(settings, backend, tasks)
        self.tabs.addTab(self.mcp, "Assistants (MCP)")
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        # What the dialog showed: only fields changed from it are saved, so a value that
        # an environment variable overrides is not written into the file unasked.
        self._shown = self._entered()
        tasks.run(
            self._read_status, on_done=self._show_status, on_error=self._status_failed, owner=self
        )

    # ---- tabs --------------------------------------------------------------------------

    def _models_tab(self, settings: Settings) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        note = QLabel(
            "Any OpenAI-compatible server works (OpenAI, Ollama, LM Studio, vLLM, llama.cpp). "
            "Without a base URL the assistant works offline. Keys are kept in the system "
            "keyring (or its encrypted fallback), never in the settings file."
        )
        note.setWordWrap(True)
        self.chat = EndpointBox("chat", settings.chat_model, self.preferences, self.tasks)
        self.memory = EndpointBox("memory", settings.memory_model, self.preferences, self.tasks)
        layout.addWidget(note)
        layout.addWidget(self.chat)
        layout.addWidget(self.memory)
        layout.addStretch(1)
        return page

    def _capture_tab(self, settings: Settings) -> QWidget:
        c = settings.capture
        page = QWidget()
        form = QFormLayout(page)
        self.interval = QDoubleSpinBox()
        self.interval.setRange(0.5, 3600)
        self.interval.setDecimals(1)
        self.interval.setSuffix(" s")
        self.interval.setValue(c.interval_s)
        self.monitors = QComboBox()
        self.monitors.addItem("All monitors", "all")
        self.monitors.addItem("Primary monitor only", "primary")
        self.monitors.setCurrentIndex(0 if c.monitors == "all" else 1)
        self.excluded_apps = QPlainTextEdit("\n".join(c.excluded_apps))
        self.excluded_apps.setPlaceholderText("one app a line (X11 WM_CLASS, e.g. keepassxc)")
        self.excluded_titles = QPlainTextEdit("\n".join(c.excluded_title_patterns))
        self.excluded_titles.setPlaceholderText("one regular expression a line")
        self.budget = QDoubleSpinBox()
        self.budget.setRange(0.1, 10_000)
        self.budget.setDecimals(1)
        self.budget.setSuffix(" GB")
        self.budget.setValue(c.storage_budget_bytes / GB)
        self.retention = QSpinBox()
        self.retention.setRange(1, 3650)
        self.retention.setSuffix(" days")
        self.retention.setValue(round(c.max_age_days))
        self.start_at_login = QCheckBox("Start Mirix in the tray when I log in")
        self.start_at_login.setChecked(settings.desktop.start_at_login)
        form.addRow("", self.start_at_login)
        form.addRow("Screenshot every:", self.interval)
        form.addRow("Monitors:", self.monitors)
        form.addRow("Never capture these apps:", self.excluded_apps)
        form.addRow("Nor windows whose title matches:", self.excluded_titles)
        form.addRow("Keep screenshots up to:", self.budget)
        form.addRow("Delete screenshots after:", self.retention)
        return page

    def _choose_data_dir(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, "Move the data to this (empty) folder", str(Path.home())
        )
        if chosen:
            self.move_requested.emit(Path(chosen))

    def _storage_tab(self, settings: Settings) -> QWidget:
        paths = self.backend.paths
        page = QWidget()
        form = QFormLayout(page)
        self.data_dir = QLineEdit(str(paths.data_dir))
        self.data_dir.setReadOnly(True)
        open_button = QPushButton("Open folder")
        open_button.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(paths.data_dir)))
        )
        move_button = QPushButton("Move…")
        move_button.setToolTip("Move screenshots, memories and the inbox to another folder")
        move_button.clicked.connect(self._choose_data_dir)
        row = QHBoxLayout()
        row.addWidget(self.data_dir, 1)
        row.addWidget(open_button)
        row.addWidget(move_button)
        config = QLineEdit(str(paths.config_file))
        config.setReadOnly(True)
        self.secrets_label = QLabel("…")
        self.secrets_label.setWordWrap(True)
        self.text_model = QLabel("checking…")
        self.text_model.setWordWrap(True)
        self.clip_model = QLabel("checking…")
        self.clip_model.setWordWrap(True)
        form.addRow("Data folder:", row)
        form.addRow("Settings file:", config)
        form.addRow("Keys are kept in:", self.secrets_label)
        models = QGroupBox("Models on this machine")
        models_form = QFormLayout(models)
        models_form.addRow(f"Text embedder ({settings.models.text_embedder}):", self.text_model)
        models_form.addRow(f"CLIP ({settings.models.clip_model}):", self.clip_model)
        form.addRow(models)
        return page

    # ---- status ------------------------------------------------------------------------

    def _read_status(self) -> tuple[str, dict[str, dict[str, Any]]]:
        return self.backend.secrets.describe(), self.backend.model_status()

    def _show_status(self, status: tuple[str, dict[str, dict[str, Any]]]) -> None:
        secrets, models = status
        self.secrets_label.setText(secrets)
        for label, state in ((self.text_model, models["text"]), (self.clip_model, models["clip"])):
            if state["available"]:
                label.setText("available")
                label.setStyleSheet("color: #1d6b3d")
            else:
                detail = str(state.get("detail") or "").removeprefix("ModelUnavailable: ")
                label.setText(
                    "not available (search uses what is left)" + (f": {detail}" if detail else "")
                )
                label.setStyleSheet("color: #9a6700")
        self.models_checked.emit()

    def _status_failed(self, error: BaseException) -> None:
        self.text_model.setText(describe(error))
        self.clip_model.setText("")
        self.models_checked.emit()

    # ---- saving ------------------------------------------------------------------------

    def changes(self) -> dict[str, dict[str, Any]]:
        """The settings changed in the dialog, by section (raises InvalidInput on a bad
        value)."""
        for box in (self.chat, self.memory, self.mcp):
            problem = box.check()
            if problem:
                raise InvalidInput(problem)
        entered = self._entered()
        for pattern in entered["capture"]["excluded_title_patterns"]:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise InvalidInput(
                    f"title pattern {pattern!r} is not a regular expression: {exc}"
                ) from None
        return {
            section: changed
            for section, fields in entered.items()
            if (
                changed := {
                    name: value
                    for name, value in fields.items()
                    if value != self._shown.get(section, {}).get(name)
                }
            )
        }

    def _entered(self) -> dict[str, dict[str, Any]]:
        return {
            "chat_model": self.chat.values(),
            "memory_model": self.memory.values(),
            "capture": {
                "interval_s": self.interval.value(),
                "monitors": self.monitors.currentData(),
                "excluded_apps": _lines(self.excluded_apps),
                "excluded_title_patterns": _lines(self.excluded_titles),
                "storage_budget_bytes": int(self.budget.value() * GB),
                "max_age_days": float(self.retention.value()),
            },
            "desktop": {"start_at_login": self.start_at_login.isChecked()},
            "mcp": self.mcp.values(),
        }

    def keys(self) -> dict[str, str | None]:
        out = {}
        for box in (self.chat, self.memory):
            changed, value = box.new_key()
            if changed:
                out[box.key_name] = value
        return out

    def save(self) -> None:
        try:
            changes = self.changes()
        except InvalidInput as exc:
            self.error.setText(str(exc))
            return
        self.error.setText("Saving…")
        self.buttons.setEnabled(False)
        self.tasks.serial(
            self.preferences.save,
            changes,
            self.keys(),
            on_done=self._saved,
            on_error=self._not_saved,
            owner=self,
        )

    def _saved(self, settings: Settings) -> None:
        self.buttons.setEnabled(True)
        self.error.setText("")
        self.saved.emit(settings)
        self.accept()

    def _not_saved(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(f"Not saved: {describe(error)}")
        self.save_failed.emit(describe(error))
