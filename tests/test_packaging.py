"""Packaging: the wheel carries the icons and an installed wheel finds them; `make
install-desktop` puts a .desktop file and the icons into the user's data folder."""

from __future__ import annotations

import configparser
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ICONS = sorted(p.name for p in (ROOT / "assets" / "icons").iterdir())


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + [str(ROOT), "-w", str(out)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("mirix_desktop-*.whl")
    return built


def test_the_wheel_carries_the_icons_and_every_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(Path(n).name for n in names if "/data/share/mirix-desktop/icons/" in n)
    assert shipped == ICONS and "app.svg" in shipped and "app.png" in shipped
    packages = {
        str(p.parent.relative_to(ROOT)).replace("\\", "/") + "/__init__.py"
        for top in ("agents", "mirix_desktop")
        for p in (ROOT / top).rglob("__init__.py")
    }
    assert packages <= set(names)


@pytest.mark.slow
def test_an_installed_wheel_finds_its_icons(wheel: Path, tmp_path: Path) -> None:
    """Installed without dependencies into a fresh virtual environment, run away from the
    checkout: the icon lookup must find the files the wheel installed."""
    venv = tmp_path / "fresh venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120
    )
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps"]
        + ["--no-index", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    probe = (
        "import json, mirix_desktop.services.icons_path as ip; "
        "print(json.dumps([str(ip.icon_file(n)) for n in ('app.svg', 'app.png', 'paused.svg')]"
        " + [ip.__file__]))"
    )
    done = subprocess.run(
        [str(python), "-c", probe],
        cwd=tmp_path,  # not the checkout: the installed copy must be the one imported
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin"},
    )
    import json

    *found, module = json.loads(done.stdout)
    assert Path(module).resolve().is_relative_to(venv.resolve())
    for path in found:
        assert Path(path).resolve().is_relative_to(venv.resolve()), path
        assert Path(path).is_file()
    assert Path(found[0]).read_bytes() == (ROOT / "assets" / "icons" / "app.svg").read_bytes()


def test_make_install_desktop(tmp_path: Path) -> None:
    data = tmp_path / "share"
    subprocess.run(
        ["make", "-s", "-C", str(ROOT), "install-desktop", f"XDG_DATA_HOME={data}"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    desktop = data / "applications" / "mirix-desktop.desktop"
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(desktop.read_text(encoding="utf-8"))
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application" and entry["Icon"] == "mirix-desktop"
    exe = Path(entry["Exec"].split()[0])
    assert exe == ROOT / ".venv" / "bin" / "mirix-desktop" and exe.is_file()
    assert (data / "icons/hicolor/scalable/apps/mirix-desktop.svg").is_file()
    assert (data / "icons/hicolor/256x256/apps/mirix-desktop.png").is_file()
    subprocess.run(
        ["make", "-s", "-C", str(ROOT), "uninstall-desktop", f"XDG_DATA_HOME={data}"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert not desktop.exists()
