"""Where the program keeps its files.

``MIRIX_HOME`` (or ``--home DIR``) puts everything under one folder: config,
data, screenshots and logs. Otherwise the platform's user folders are used.
Folders are made when first needed, never at import. Everything the program
writes is private to its user: folders 0700 and files 0600, whatever the umask
(see :func:`private_files`); ``doctor`` warns about looser existing permissions.
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

    @property
    def pause_flag(self) -> Path:
        """The file whose presence pauses capture in every process of this data folder."""
        return self.data_dir / "capture.paused"

    def ensure(self) -> Paths:
        private_files()
        for folder in (self.config_dir, self.data_dir, self.log_dir):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self

    def loose_permissions(self) -> list[tuple[Path, int]]:
        """The program's folders and top-level files that others may read: (path, mode).
        Frame images are not walked one by one; their folders are."""
        if os.name != "posix":
            return []
        candidates: list[Path] = []
        for folder in (self.home, self.config_dir, self.data_dir, self.log_dir):
            if folder is None or not folder.exists():
                continue
            candidates.append(folder)
            candidates.extend(folder.iterdir())
        if self.frames_dir.exists():
            candidates.extend(p for p in self.frames_dir.rglob("*") if p.is_dir())
        out = []
        for path in dict.fromkeys(candidates):
            try:
                mode = path.lstat().st_mode & 0o777
            except OSError:
                continue
            if mode & 0o077:
                out.append((path, mode))
        return out


def private_files() -> None:
    """Make every folder and file this process creates from now on private to its user
    (a umask of 077: folders 0700, files 0600), whatever the umask it was started with."""
    if os.name == "posix":
        os.umask(0o077)


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
