"""Start at login: one interface over the desktop's own mechanism.

- Linux and other freedesktop desktops: ``$XDG_CONFIG_HOME/autostart/mirix-desktop.desktop``.
- Windows (best effort): the ``HKCU\\...\\CurrentVersion\\Run`` registry value ``Mirix``.
- macOS (best effort): ``~/Library/LaunchAgents/org.mirix.desktop.plist``.

The entry starts the app in the tray (``app --background``), with ``--home`` when
the program runs on an explicit home folder. Nothing here imports Qt.
"""

from __future__ import annotations

import os
import plistlib
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from agents.errors import StoreError
from mirix_desktop.config.paths import Paths

ENTRY_NAME = "mirix-desktop"
RUN_VALUE = "Mirix"
LAUNCH_AGENT_LABEL = "org.mirix.desktop"


class Autostart(Protocol):
    """Where the login entry lives, and writing or removing it (raises StoreError)."""

    @property
    def location(self) -> str: ...

    def enabled(self) -> bool: ...

    def enable(self, command: list[str]) -> None: ...

    def disable(self) -> None: ...


def launch_command(paths: Paths | None = None) -> list[str]:
    """The command that starts this installation's app in the tray."""
    if getattr(sys, "frozen", False):  # a PyInstaller bundle: its own executable
        command = [sys.executable]
    else:
        command = [sys.executable, "-m", "mirix_desktop.cli"]
    if paths is not None and paths.home is not None:
        command += ["--home", str(paths.home)]
    return [*command, "app", "--background"]


def _exec_quote(arg: str) -> str:
    """One argument of a desktop entry's Exec key (the freedesktop quoting rules)."""
    if arg and not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`=%"):
        return arg
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return '"' + escaped.replace("%", "%%") + '"'


class FreedesktopAutostart:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        self.path = Path(base) / "autostart" / f"{ENTRY_NAME}.desktop"

    @property
    def location(self) -> str:
        return str(self.path)

    def enabled(self) -> bool:
        return self.path.is_file()

    def enable(self, command: list[str]) -> None:
        from mirix_desktop.services.icons_path import icon_file

        icon = icon_file("app.png")
        lines = [
            "[Desktop Entry]",
            "Type=Application",
            "Name=Mirix",
            "Comment=Personal memory assistant (starts in the tray)",
            "Exec=" + " ".join(_exec_quote(a) for a in command),
            f"Icon={icon if icon is not None else ENTRY_NAME}",
            "Terminal=false",
            "Categories=Utility;",
            "X-GNOME-Autostart-enabled=true",
            "",
        ]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text("\n".join(lines), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            raise StoreError(f"cannot write the login entry {self.path}: {exc}") from exc

    def disable(self) -> None:
        _remove(self.path, "the login entry")


class LaunchAgent:
    """macOS: a per-user LaunchAgent that runs the app at login (best effort)."""

    def __init__(self, home: Path | None = None) -> None:
        self.path = (
            (home or Path.home()) / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"
        )

    @property
    def location(self) -> str:
        return str(self.path)

    def enabled(self) -> bool:
        return self.path.is_file()

    def enable(self, command: list[str]) -> None:
        plist = {
            "Label": LAUNCH_AGENT_LABEL,
            "ProgramArguments": command,
            "RunAtLoad": True,
            "ProcessType": "Interactive",
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_bytes(plistlib.dumps(plist))
        except OSError as exc:
            raise StoreError(f"cannot write the LaunchAgent {self.path}: {exc}") from exc

    def disable(self) -> None:
        _remove(self.path, "the LaunchAgent")


class WindowsRunKey:
    """Windows: the current user's Run registry key (best effort)."""

    KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"

    @property
    def location(self) -> str:
        return f"HKEY_CURRENT_USER\\{self.KEY}\\{RUN_VALUE}"

    def enabled(self) -> bool:
        import winreg  # type: ignore[import-not-found,unused-ignore]

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, self.KEY) as key:  # type: ignore[attr-defined,unused-ignore]
                winreg.QueryValueEx(key, RUN_VALUE)  # type: ignore[attr-defined,unused-ignore]
            return True
        except OSError:
            return False

    def enable(self, command: list[str]) -> None:
        import subprocess
        import winreg  # type: ignore[import-not-found,unused-ignore]

        line = subprocess.list2cmdline(command)
        try:
            with winreg.CreateKey(winreg.HKEY_CURRENT_USER, self.KEY) as key:  # type: ignore[attr-defined,unused-ignore]
                winreg.SetValueEx(key, RUN_VALUE, 0, winreg.REG_SZ, line)  # type: ignore[attr-defined,unused-ignore]
        except OSError as exc:
            raise StoreError(f"cannot write the Run key: {exc}") from exc

    def disable(self) -> None:
        import winreg  # type: ignore[import-not-found,unused-ignore]

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, self.KEY, 0, winreg.KEY_SET_VALUE) as key:  # type: ignore[attr-defined,unused-ignore]
                winreg.DeleteValue(key, RUN_VALUE)  # type: ignore[attr-defined,unused-ignore]
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StoreError(f"cannot remove the Run key value: {exc}") from exc


def autostart_for_platform(platform: str | None = None) -> Autostart:
    """The mechanism of this platform (``sys.platform`` unless given)."""
    name = platform or sys.platform
    if name == "win32":
        return WindowsRunKey()
    if name == "darwin":
        return LaunchAgent()
    return FreedesktopAutostart()


def apply_autostart(enabled: bool, paths: Paths | None = None) -> str:
    """Write or remove the login entry to match ``enabled``; returns where it lives.
    Raises StoreError when it cannot be changed."""
    autostart = autostart_for_platform()
    if enabled:
        autostart.enable(launch_command(paths))
    else:
        autostart.disable()
    return autostart.location


def _remove(path: Path, what: str) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot remove {what} {path}: {exc}") from exc
