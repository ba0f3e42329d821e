"""Where the icon files are, without Qt: the source tree, an installed wheel, or a bundle.

A checkout keeps them in the top-level ``assets/icons``; the wheel installs them as
data files under ``<prefix>/share/mirix-desktop/icons``; a PyInstaller bundle
carries them in its ``assets/icons``.
"""

from __future__ import annotations

import site
import sys
from pathlib import Path

SHARE = Path("share") / "mirix-desktop" / "icons"


def icon_dirs() -> list[Path]:
    """Folders that may hold the icons, first match wins."""
    dirs = [Path(__file__).resolve().parents[2] / "assets" / "icons"]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        dirs.append(Path(bundle) / "assets" / "icons")
    prefixes = [sys.prefix, sys.base_prefix]
    user_base = getattr(site, "USER_BASE", None)
    if user_base:
        prefixes.append(user_base)
    dirs.extend(Path(p) / SHARE for p in dict.fromkeys(prefixes))
    return dirs


def icon_file(name: str) -> Path | None:
    """The file ``name`` (e.g. ``app.png``, ``paused.svg``) in the first folder holding it."""
    for folder in icon_dirs():
        path = folder / name
        if path.is_file():
            return path
    return None
