"""Privacy before storage: excluded apps and window titles, and this program's own windows.

A frame whose focused window is excluded is never written. With the list of
visible windows, every other excluded window and every window of this program
is painted over before the frame goes anywhere (see :mod:`mirix_desktop.pipeline.capture.mask`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Protocol

OWN_APPS = frozenset({"mirix-desktop"})  # this program's window class, whatever the settings


class Window(Protocol):
    @property
    def app(self) -> str: ...
    @property
    def title(self) -> str: ...


class PrivacyFilter:
    def __init__(self, apps: Sequence[str], title_patterns: Sequence[str]) -> None:
        self._apps = {a.strip().lower() for a in apps if a.strip()}
        self._titles = [re.compile(p, re.IGNORECASE) for p in title_patterns]

    def excluded(self, window: Window) -> str | None:
        """Why this window must not be captured, or None when it may be."""
        if window.app.lower() in self._apps:
            return f"app {window.app!r} is excluded"
        for pattern in self._titles:
            if pattern.search(window.title):
                return f"window title matches {pattern.pattern!r}"
        return None

    def hides(self, window: Window, pid: int | None = None) -> bool:
        """Whether a visible window is painted over: excluded, or one of this program's own."""
        if pid is not None and pid == os.getpid():
            return True
        return window.app.lower() in OWN_APPS or self.excluded(window) is not None
