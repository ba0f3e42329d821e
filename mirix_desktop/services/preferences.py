"""Saving the settings the app changes, and what follows from them: the login entry
(autostart), API keys in the secret store, the settings in effect in the context.

As plain Python (no Qt): its methods block on disk and run on the app's serial worker.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mirix_desktop.config.settings import Settings, save_settings_changes
from mirix_desktop.services.context import Context


class Preferences:
    """The settings of ``ctx`` as the user changes them."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def save(
        self, changes: Mapping[str, Mapping[str, Any]], keys: Mapping[str, str | None]
    ) -> Settings:
        """Save changed settings and API keys (``{"chat-api-key": "sk-…"}``; None removes
        one), and put the new settings into effect. Keys go to the secret store only.
        Raises InvalidInput, naming the setting, when a value is refused."""
        settings = save_settings_changes(self.ctx.paths, changes)
        if "start_at_login" in changes.get("desktop", {}):
            from mirix_desktop.services.autostart import apply_autostart

            apply_autostart(settings.desktop.start_at_login, self.ctx.paths)
        secrets = self.ctx.secrets
        for name, value in keys.items():
            if value is None:
                secrets.delete(name)
            else:
                secrets.set(name, value)
        self.ctx.settings = settings
        return settings

    def set_start_at_login(self, enabled: bool) -> Settings:
        """Save ``desktop.start_at_login`` and write or remove the login entry to match."""
        return self.save({"desktop": {"start_at_login": enabled}}, {})

    def api_key(self, role: str) -> str | None:
        """The key for ``role`` ("chat" or "memory"): the environment's, else the stored one."""
        return self.ctx.api_key(role)
