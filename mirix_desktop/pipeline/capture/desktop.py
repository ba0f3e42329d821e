"""The visible windows and where they are, behind one small interface per platform.

A :class:`WindowLister` returns the windows on screen, bottom to top, with
their rectangles in screen pixels (decorations included), app, title, process
id, whether each is a panel/dock/tray and which one has the focus; or None when
the list cannot be read (then capture falls back to checking the focused window
only, and ``doctor`` says so).

- X11 reads EWMH: ``_NET_CLIENT_LIST_STACKING`` (or the root's children without
  a window manager), each window's geometry and ``_NET_FRAME_EXTENTS``,
  ``WM_CLASS``, ``_NET_WM_NAME``, ``_NET_WM_PID``, ``_NET_WM_WINDOW_TYPE`` and
  ``_NET_WM_STATE`` (hidden windows are left out), plus this process's own
  override-redirect windows (menus, tooltips), which no window manager lists.
- Windows: ``EnumWindows`` in Z order, best effort.
- macOS: ``CGWindowListCopyWindowInfo`` through pyobjc's Quartz when installed,
  best effort.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from typing import Any, Protocol

from mirix_desktop.pipeline.capture.gate import Box

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VisibleWindow:
    app: str
    title: str
    rect: Box  # left, top, right, bottom in screen pixels, decorations included
    pid: int | None = None
    dock: bool = False  # a panel, dock, tray host or menu bar: not content
    focused: bool = False


class WindowLister(Protocol):
    def windows(self) -> list[VisibleWindow] | None:
        """The visible windows, bottom to top; None when they cannot be read."""
        ...


_X_ATOMS = (
    "_NET_CLIENT_LIST_STACKING",
    "_NET_ACTIVE_WINDOW",
    "_NET_WM_NAME",
    "_NET_WM_PID",
    "_NET_WM_STATE",
    "_NET_WM_STATE_HIDDEN",
    "_NET_WM_WINDOW_TYPE",
    "_NET_WM_WINDOW_TYPE_DOCK",
    "_NET_FRAME_EXTENTS",
    "UTF8_STRING",
)


class X11Windows:
    """EWMH through python-xlib; one display connection, used by one thread at a time."""

    def __init__(self, display_name: str | None = None) -> None:
        from Xlib import display

        self._d: Any = display.Display(display_name)
        self._root = self._d.screen().root
        self._atom = {name: self._d.intern_atom(name) for name in _X_ATOMS}

    def _prop(self, win: Any, name: str, kind: Any = None) -> Any:
        from Xlib import X

        prop = win.get_full_property(self._atom[name], kind or X.AnyPropertyType)
        return None if prop is None else prop.value

    def _static_of(self, win: Any) -> tuple[str, int | None, bool]:
        """App (WM_CLASS), process id and whether it is a dock; read every time, since a
        window may change its class, and a stale class could show an excluded window."""
        wm_class = win.get_wm_class()
        pid = self._prop(win, "_NET_WM_PID")
        types = self._prop(win, "_NET_WM_WINDOW_TYPE")
        docks = {self._atom["_NET_WM_WINDOW_TYPE_DOCK"]}  # not DESKTOP: it spans the screen
        return (
            (wm_class[1] if wm_class else "") or "unknown",
            int(pid[0]) if pid is not None and len(pid) else None,
            types is not None and any(int(t) in docks for t in types),
        )

    def _title(self, win: Any) -> str:
        raw = self._prop(win, "_NET_WM_NAME", self._atom["UTF8_STRING"])
        if raw is None:
            return str(win.get_wm_name() or "")
        return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)

    def _describe(self, win: Any, active: int, *, managed: bool) -> VisibleWindow | None:
        from Xlib import X

        if win.get_attributes().map_state != X.IsViewable:
            return None
        state = self._prop(win, "_NET_WM_STATE")
        if state is not None and self._atom["_NET_WM_STATE_HIDDEN"] in list(state):
            return None
        geom = win.get_geometry()
        origin = self._root.translate_coords(win, 0, 0)
        left, top = int(origin.x), int(origin.y)
        right, bottom = left + int(geom.width), top + int(geom.height)
        extents = self._prop(win, "_NET_FRAME_EXTENTS") if managed else None
        if extents is not None and len(extents) == 4:  # left, right, top, bottom
            left, right = left - int(extents[0]), right + int(extents[1])
            top, bottom = top - int(extents[2]), bottom + int(extents[3])
        app, pid, dock = self._static_of(win)
        return VisibleWindow(
            app=app,
            title=self._title(win),
            rect=(left, top, right, bottom),
            pid=pid,
            dock=dock,
            focused=win.id == active,
        )

    def _unmanaged(self) -> list[Any]:
        """Top-level windows without a window manager: the root's children (or, for a frame
        without a class, its first child that has one), bottom to top."""
        from Xlib.error import XError

        out = []
        for child in self._root.query_tree().children:
            try:
                if child.get_wm_class() is not None:
                    out.append(child)
                    continue
                inner = [c for c in child.query_tree().children if c.get_wm_class() is not None]
            except XError:
                continue  # the window went away meanwhile
            out.extend(inner[:1])
        return out

    def _own_popups(self) -> list[Any]:
        """This process's override-redirect windows (menus, tooltips, drop-downs)."""
        from Xlib import X
        from Xlib.error import XError

        mine = os.getpid()
        out = []
        for child in self._root.query_tree().children:
            try:
                attrs = child.get_attributes()
                if not attrs.override_redirect or attrs.map_state != X.IsViewable:
                    continue
                pid = self._prop(child, "_NET_WM_PID")
            except XError:
                continue  # the window went away meanwhile
            if pid is not None and len(pid) and int(pid[0]) == mine:
                out.append(child)
        return out

    def windows(self) -> list[VisibleWindow] | None:
        from Xlib.error import XError

        try:
            active_prop = self._prop(self._root, "_NET_ACTIVE_WINDOW")
            active = int(active_prop[0]) if active_prop is not None and len(active_prop) else 0
            stacking = self._prop(self._root, "_NET_CLIENT_LIST_STACKING")
            managed = stacking is not None
            if managed:
                clients = [self._d.create_resource_object("window", int(i)) for i in stacking]
            else:
                clients = self._unmanaged()
            popups = self._own_popups()
        except (XError, OSError, ValueError) as exc:
            log.debug("window list unreadable: %s", exc)
            return None
        out = []
        for win, is_managed in [(w, managed) for w in clients] + [(w, False) for w in popups]:
            try:
                described = self._describe(win, active, managed=is_managed)
            except (XError, OSError, ValueError):
                continue  # the window went away meanwhile
            if described is not None:
                out.append(described)
        return out


class WinWindows:
    """Best effort on Windows: top-level visible, not minimised, not cloaked windows."""

    def windows(self) -> list[VisibleWindow] | None:
        import ctypes
        from ctypes import wintypes

        try:
            user32 = ctypes.windll.user32  # type: ignore[attr-defined]
            kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
            dwm = ctypes.windll.dwmapi  # type: ignore[attr-defined]
        except (OSError, AttributeError) as exc:
            log.debug("window list unreadable: %s", exc)
            return None
        foreground = user32.GetForegroundWindow()
        found: list[VisibleWindow] = []

        def visit(hwnd: int, _: int) -> bool:
            if not user32.IsWindowVisible(hwnd) or user32.IsIconic(hwnd):
                return True
            cloaked = wintypes.DWORD()
            dwm.DwmGetWindowAttribute(hwnd, 14, ctypes.byref(cloaked), 4)  # DWMWA_CLOAKED
            if cloaked.value:
                return True
            rect = wintypes.RECT()
            user32.GetWindowRect(hwnd, ctypes.byref(rect))
            if rect.right <= rect.left or rect.bottom <= rect.top:
                return True
            length = user32.GetWindowTextLengthW(hwnd)
            title = ctypes.create_unicode_buffer(length + 1)
            user32.GetWindowTextW(hwnd, title, length + 1)
            klass = ctypes.create_unicode_buffer(256)
            user32.GetClassNameW(hwnd, klass, 256)
            pid = wintypes.DWORD()
            user32.GetWindowThreadProcessId(hwnd, ctypes.byref(pid))
            app = "unknown"
            handle = kernel32.OpenProcess(0x1000, False, pid.value)
            if handle:
                size = wintypes.DWORD(1024)
                path = ctypes.create_unicode_buffer(1024)
                if kernel32.QueryFullProcessImageNameW(handle, 0, path, ctypes.byref(size)):
                    app = path.value.rsplit("\\", 1)[-1].removesuffix(".exe")
                kernel32.CloseHandle(handle)
            found.append(
                VisibleWindow(
                    app=app,
                    title=title.value,
                    rect=(rect.left, rect.top, rect.right, rect.bottom),
                    pid=int(pid.value),
                    dock=klass.value in ("Shell_TrayWnd", "Shell_SecondaryTrayWnd"),
                    focused=hwnd == foreground,
                )
            )
            return True

        callback = ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.HWND, wintypes.LPARAM)(visit)  # type: ignore[attr-defined]
        if not user32.EnumWindows(callback, 0):
            return None
        return found[::-1]  # EnumWindows goes top to bottom


class MacWindows:
    """Best effort on macOS through pyobjc's Quartz; bounds are scaled from points to pixels."""

    def __init__(self) -> None:
        import Quartz

        self._q: Any = Quartz
        main = Quartz.CGMainDisplayID()
        mode = Quartz.CGDisplayCopyDisplayMode(main)
        points = Quartz.CGDisplayModeGetWidth(mode)
        self._scale = Quartz.CGDisplayModeGetPixelWidth(mode) / points if points else 1.0

    def windows(self) -> list[VisibleWindow] | None:
        q = self._q
        options = q.kCGWindowListOptionOnScreenOnly | q.kCGWindowListExcludeDesktopElements
        infos = q.CGWindowListCopyWindowInfo(options, q.kCGNullWindowID)
        if infos is None:
            return None
        out = []
        for number, info in enumerate(infos):  # front to back
            bounds = info.get("kCGWindowBounds") or {}
            s = self._scale
            left, top = int(bounds.get("X", 0) * s), int(bounds.get("Y", 0) * s)
            right = left + int(bounds.get("Width", 0) * s)
            bottom = top + int(bounds.get("Height", 0) * s)
            out.append(
                VisibleWindow(
                    app=str(info.get("kCGWindowOwnerName") or "unknown"),
                    title=str(info.get("kCGWindowName") or ""),
                    rect=(left, top, right, bottom),
                    pid=int(info.get("kCGWindowOwnerPID") or 0) or None,
                    dock=int(info.get("kCGWindowLayer") or 0) != 0,
                    focused=number == 0,
                )
            )
        return out[::-1]


class NoWindows:
    """Where no list can be read: capture checks the focused window only."""

    def windows(self) -> list[VisibleWindow] | None:
        return None


def window_lister() -> WindowLister:
    """The lister for this platform; :class:`NoWindows` when none can work."""
    try:
        if sys.platform == "win32":
            return WinWindows()
        if sys.platform == "darwin":
            return MacWindows()
        if os.environ.get("DISPLAY"):
            return X11Windows()
    except Exception as exc:  # noqa: BLE001 - no X server, no Xlib, no Quartz: fall back
        log.warning("cannot list the visible windows (%s); checking the focused one only", exc)
    return NoWindows()


def window_privacy() -> dict[str, Any]:
    """Whether capture can paint excluded and own windows over here (for ``doctor``)."""
    listed = window_lister().windows()
    if listed is None:
        return {
            "window_list": False,
            "detail": "the visible windows cannot be listed: only the focused window is "
            "checked, so an excluded window that is visible but not focused is captured",
        }
    return {
        "window_list": True,
        "detail": f"excluded and own windows are painted over ({len(listed)} visible now)",
    }
