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


PROPERTY_LONGS = 4096  # read up to 16 kB of a property in one reply (titles, lists)


def _text(value: Any, encoding: str) -> str:
    if value is None:
        return ""
    return value.decode(encoding, "replace") if isinstance(value, bytes) else str(value)


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

    # Each window takes ten requests. They are sent together and their replies read
    # together (python-xlib's deferred requests): one round trip a window list instead of
    # one a request, which was most of the capture thread's CPU time.

    def _ask_property(self, wid: int, atom: int, kind: int) -> Any:
        from Xlib.protocol import request

        return request.GetProperty(
            display=self._d.display,
            defer=True,
            delete=False,
            window=wid,
            property=atom,
            type=kind,
            long_offset=0,
            long_length=PROPERTY_LONGS,
        )

    def _ask(self, wid: int, *, managed: bool) -> dict[str, Any]:
        """The requests that describe one window, sent, not yet answered."""
        from Xlib import X, Xatom
        from Xlib.protocol import request

        d, a, anything = self._d.display, self._atom, X.AnyPropertyType
        asked = {
            "attributes": request.GetWindowAttributes(display=d, defer=True, window=wid),
            "state": self._ask_property(wid, a["_NET_WM_STATE"], anything),
            "geometry": request.GetGeometry(display=d, defer=True, drawable=wid),
            "origin": request.TranslateCoords(
                display=d, defer=True, src_wid=wid, dst_wid=self._root.id, src_x=0, src_y=0
            ),
            # read every time, since a window may change its class, and a stale class
            # could show an excluded window
            "class": self._ask_property(wid, Xatom.WM_CLASS, Xatom.STRING),
            "pid": self._ask_property(wid, a["_NET_WM_PID"], anything),
            "types": self._ask_property(wid, a["_NET_WM_WINDOW_TYPE"], anything),
            "name": self._ask_property(wid, a["_NET_WM_NAME"], a["UTF8_STRING"]),
            "wm_name": self._ask_property(wid, Xatom.WM_NAME, Xatom.STRING),
        }
        if managed:
            asked["extents"] = self._ask_property(wid, a["_NET_FRAME_EXTENTS"], anything)
        return asked

    @staticmethod
    def _value(asked: Any) -> Any:
        """The value of a property asked for (bytes for text, numbers otherwise), or None
        when the window does not have it; raises XError when the window is gone."""
        asked.reply()
        if not asked.property_type:
            return None
        return asked.value[1]

    def _describe(self, wid: int, asked: dict[str, Any], active: int) -> VisibleWindow | None:
        from Xlib import X

        for request in asked.values():
            request.reply()  # all of them: a window gone meanwhile raises here
        if asked["attributes"].map_state != X.IsViewable:
            return None
        state = self._value(asked["state"])
        if state is not None and self._atom["_NET_WM_STATE_HIDDEN"] in list(state):
            return None
        origin, geometry = asked["origin"], asked["geometry"]
        left, top = int(origin.x), int(origin.y)
        right, bottom = left + int(geometry.width), top + int(geometry.height)
        extents = self._value(asked["extents"]) if "extents" in asked else None
        if extents is not None and len(extents) == 4:  # left, right, top, bottom
            left, right = left - int(extents[0]), right + int(extents[1])
            top, bottom = top - int(extents[2]), bottom + int(extents[3])
        wm_class = _text(self._value(asked["class"]), "latin-1").split("\0")
        pid = self._value(asked["pid"])
        types = self._value(asked["types"])
        docks = {self._atom["_NET_WM_WINDOW_TYPE_DOCK"]}  # not DESKTOP: it spans the screen
        name = self._value(asked["name"])
        title = _text(name, "utf-8") if name is not None else ""
        if name is None:
            title = _text(self._value(asked["wm_name"]), "latin-1")
        return VisibleWindow(
            app=(wm_class[1] if len(wm_class) >= 2 else "") or "unknown",
            title=title,
            rect=(left, top, right, bottom),
            pid=int(pid[0]) if pid is not None and len(pid) else None,
            dock=types is not None and any(int(t) in docks for t in types),
            focused=wid == active,
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
        from Xlib.protocol import request

        mine, d = os.getpid(), self._d.display
        children = self._root.query_tree().children
        attributes = [
            request.GetWindowAttributes(display=d, defer=True, window=c) for c in children
        ]
        pids = []
        for child, asked in zip(children, attributes, strict=True):
            try:
                asked.reply()
            except XError:
                continue  # the window went away meanwhile
            if asked.override_redirect and asked.map_state == X.IsViewable:
                pid_atom = self._atom["_NET_WM_PID"]
                pids.append((child, self._ask_property(child.id, pid_atom, X.AnyPropertyType)))
        out = []
        for child, asked in pids:
            try:
                pid = self._value(asked)
            except XError:
                continue
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
        try:
            wins = [(w.id, managed) for w in clients] + [(w.id, False) for w in popups]
            asked = [(wid, self._ask(wid, managed=is_managed)) for wid, is_managed in wins]
        except (XError, OSError, ValueError) as exc:
            log.debug("window list unreadable: %s", exc)
            return None
        out = []
        for wid, requests in asked:
            try:
                described = self._describe(wid, requests, active)
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
