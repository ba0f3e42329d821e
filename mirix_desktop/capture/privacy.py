"""Privacy before storage: frames of excluded apps or window titles are never written."""

from __future__ import annotations

import re
from collections.abc import Sequence

from mirix_desktop.capture.window import ActiveWindow

DEFAULT_EXCLUDED_APPS = (
    "mirix-desktop",  # this app's own windows: answers, memories, revealed vault values
    "keepassxc",
    "keepass",
    "1password",
    "bitwarden",
    "lastpass",
    "dashlane",
    "enpass",
    "keeper",
    "gnome-keyring",
    "seahorse",
    "kwalletmanager",
)
DEFAULT_EXCLUDED_TITLES = (
    r"incognito",
    r"private browsing",
    r"inprivate",
    r"\bprivate window\b",
    r"keepassxc",
    r"1password",
    r"bitwarden",
)


class PrivacyFilter:
    def __init__(self, apps: Sequence[str], title_patterns: Sequence[str]) -> None:
        self._apps = {a.strip().lower() for a in apps if a.strip()}
        self._titles = [re.compile(p, re.IGNORECASE) for p in title_patterns]

    def excluded(self, window: ActiveWindow) -> str | None:
        """Why this window must not be captured, or None when it may be."""
        if window.app.lower() in self._apps:
            return f"app {window.app!r} is excluded"
        for pattern in self._titles:
            if pattern.search(window.title):
                return f"window title matches {pattern.pattern!r}"
        return None
