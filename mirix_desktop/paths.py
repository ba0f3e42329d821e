"""Where the program keeps its files.

``MIRIX_HOME`` (or ``--home DIR``) puts everything under one folder: config,
data, screenshots and logs. Otherwise the platform's user folders are used.
Folders are made when first needed, never at import.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "mirix-desktop"
HOME_ENV = "MIRIX_HOME"


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path
    log_dir: Path
    home: Path | None = None

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "memory.lance"

    @property
    def frames_dir(self) -> Path:
        return self.data_dir / "frames"

    def ensure(self) -> Paths:
        for folder in (self.config_dir, self.data_dir, self.log_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def resolve_paths(home: str | Path | None = None) -> Paths:
    """Paths for an explicit home, else ``$MIRIX_HOME``, else the platform's user folders."""
    chosen = home if home is not None else os.environ.get(HOME_ENV)
    if chosen:
        root = Path(chosen).expanduser().resolve()
        return Paths(root / "config", root / "data", root / "logs", home=root)
    return Paths(
        Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
    )
