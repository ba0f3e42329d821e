"""Start at login: the freedesktop entry is written and removed by the setting; the macOS
LaunchAgent is a plist; the Windows Run key is tried only on Windows."""

from __future__ import annotations

import configparser
import plistlib
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from mirix_desktop import __version__
from mirix_desktop.config.paths import resolve_paths
from mirix_desktop.services.autostart import (
    FreedesktopAutostart,
    LaunchAgent,
    WindowsRunKey,
    apply_autostart,
    autostart_for_platform,
    launch_command,
)


@pytest.fixture
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "xdg config"  # a space, so that Exec needs quoting
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    return folder / "autostart" / "mirix-desktop.desktop"


def _entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser["Desktop Entry"]


def test_the_platform_chooses_the_mechanism() -> None:
    assert isinstance(autostart_for_platform("linux"), FreedesktopAutostart)
    assert isinstance(autostart_for_platform("freebsd14"), FreedesktopAutostart)
    assert isinstance(autostart_for_platform("darwin"), LaunchAgent)
    assert isinstance(autostart_for_platform("win32"), WindowsRunKey)


def test_the_entry_starts_this_installation_in_the_tray(xdg: Path, home: Path) -> None:
    paths = resolve_paths(home / "with space")
    where = apply_autostart(True, paths)
    assert where == str(xdg) and xdg.is_file()
    entry = _entry(xdg)
    assert entry["Type"] == "Application" and entry["Name"] == "Mirix"
    assert Path(entry["Icon"]).is_file() and entry["Icon"].endswith("app.png")
    argv = shlex.split(entry["Exec"])  # the desktop entry quoting is a subset of the shell's
    assert argv == launch_command(paths)
    assert argv[-2:] == ["app", "--background"]
    assert argv[argv.index("--home") + 1] == str(home / "with space")
    # The command really starts this program (asked for its version instead of the app).
    version = subprocess.run(
        [*argv[:-2], "--version"], capture_output=True, text=True, timeout=120, check=True
    )
    assert version.stdout.strip() == f"mirix-desktop {__version__}"

    apply_autostart(False, paths)
    assert not xdg.exists()
    apply_autostart(False, paths)  # removing twice is fine


def test_the_setting_writes_and_removes_the_entry(xdg: Path, ctx) -> None:  # type: ignore[no-untyped-def]
    from mirix_desktop.services.preferences import Preferences

    preferences = Preferences(ctx)
    settings = preferences.set_start_at_login(True)
    assert settings.desktop.start_at_login is True
    assert xdg.is_file()
    assert "start_at_login = true" in ctx.paths.config_file.read_text()
    settings = preferences.set_start_at_login(False)
    assert settings.desktop.start_at_login is False
    assert not xdg.exists()
    # Saving other settings leaves the entry alone.
    preferences.set_start_at_login(True)
    preferences.save({"capture": {"interval_s": 5.0}}, {})
    assert xdg.is_file()


def test_launch_agent_plist(tmp_path: Path) -> None:
    agent = LaunchAgent(home=tmp_path)
    agent.enable(["/Applications/Mirix.app/Contents/MacOS/mirix-desktop", "app", "--background"])
    assert agent.enabled()
    plist = plistlib.loads(agent.path.read_bytes())
    assert plist["Label"] == "org.mirix.desktop" and plist["RunAtLoad"] is True
    assert plist["ProgramArguments"][-2:] == ["app", "--background"]
    agent.disable()
    assert not agent.enabled()


@pytest.mark.skipif(sys.platform != "win32", reason="the Run key exists on Windows only")
def test_windows_run_key() -> None:  # pragma: no cover - Windows
    key = WindowsRunKey()
    key.enable(launch_command())
    try:
        assert key.enabled()
    finally:
        key.disable()
    assert not key.enabled()
