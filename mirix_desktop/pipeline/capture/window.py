"""The active window (app and title), behind one small interface per platform.

X11 reads EWMH: ``_NET_ACTIVE_WINDOW`` on the root window, then the window's
``WM_CLASS`` and ``_NET_WM_NAME``. Windows and macOS are best effort. Anything
that fails gives ``unknown`` rather than an exception.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger(__name__)
UNKNOWN = "unknown"


@dataclass(frozen=True)
class ActiveWindow:
    app: str = UNKNOWN
    title: str = ""


class WindowProbe(Protocol):
    def active(self) -> ActiveWindow: ...


class X11Probe:
    def __init__(self, display_name: str | None = None) -> None:
        from Xlib import display

        self._display: Any = display.Display(display_name)
        self._root = self._display.screen().root
        self._atoms = {
            name: self._display.intern_atom(name)
            for name in ("_NET_ACTIVE_WINDOW", "_NET_WM_NAME", "UTF8_STRING")
        }

    def active(self) -> ActiveWindow:
        from Xlib import X
        from Xlib.error import XError

        try:
            prop = self._root.get_full_property(
                self._atoms["_NET_ACTIVE_WINDOW"], X.AnyPropertyType
            )
            if prop is None or not prop.value or not prop.value[0]:
                return ActiveWindow()
            window = self._display.create_resource_object("window", int(prop.value[0]))
            title_prop = window.get_full_property(
                self._atoms["_NET_WM_NAME"], self._atoms["UTF8_STRING"]
            )
            if title_prop is not None:
                raw = title_prop.value
                title = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            else:
                title = window.get_wm_name() or ""
            wm_class = window.get_wm_class()
            app = wm_class[1] if wm_class else UNKNOWN
            return ActiveWindow(app=app or UNKNOWN, title=str(title))
        except (XError, OSError, ValueError) as exc:
            log.debug("active window unknown: %s", exc)
            return ActiveWindow()


class WindowsProbe:
    """Best effort: the foreground window's title and its process's executable name."""

    def active(self) -> ActiveWindow:
        import ctypes
        from ctypes import wintypes

        try:
            user32 = ctypes.windll.user32  # type: ignore[attr-defined]
            kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
            hwnd = user32.GetForegroundWindow()
            if not hwnd:
                return ActiveWindow()
            length = user32.GetWindowTextLengthW(hwnd)
            title = ctypes.create_unicode_buffer(length + 1)
            user32.GetWindowTextW(hwnd, title, length + 1)
            pid = wintypes.DWORD()
            user32.GetWindowThreadProcessId(hwnd, ctypes.byref(pid))
            handle = kernel32.OpenProcess(0x1000, False, pid.value)  # QUERY_LIMITED_INFORMATION
            app = UNKNOWN
            if handle:
                size = wintypes.DWORD(1024)
                path = ctypes.create_unicode_buffer(1024)
                if kernel32.QueryFullProcessImageNameW(handle, 0, path, ctypes.byref(size)):
                    app = path.value.rsplit("\\", 1)[-1].removesuffix(".exe")
                kernel32.CloseHandle(handle)
            return ActiveWindow(app=app, title=title.value)
        except (OSError, AttributeError, ValueError) as exc:
            log.debug("active window unknown: %s", exc)
            return ActiveWindow()


class MacProbe:
    """Best effort through pyobjc's AppKit when installed: the frontmost app (no title)."""

    def __init__(self) -> None:
        from AppKit import NSWorkspace

        self._workspace = NSWorkspace.sharedWorkspace()

    def active(self) -> ActiveWindow:
        try:
            app = self._workspace.frontmostApplication()
            return ActiveWindow(app=str(app.localizedName()) if app else UNKNOWN)
        except (OSError, AttributeError, ValueError) as exc:
            log.debug("active window unknown: %s", exc)
            return ActiveWindow()


class UnknownProbe:
    def active(self) -> ActiveWindow:
        return ActiveWindow()


def window_probe() -> WindowProbe:
    """The probe for this platform; ``UnknownProbe`` when none can work."""
    try:
        if sys.platform == "win32":
            return WindowsProbe()
        if sys.platform == "darwin":
            return MacProbe()
        if os.environ.get("DISPLAY"):
            return X11Probe()
    except Exception as exc:  # noqa: BLE001 - no X server, no Xlib, no AppKit: fall back
        log.warning("cannot read the active window (%s); recording 'unknown'", exc)
    return UnknownProbe()
