"""The first-run consent: a small file in the data folder says the user agreed to capture,
so the first-run page is shown once."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from mirix_desktop import __version__
from mirix_desktop.config.paths import Paths

CONSENT_FILE = "first-run-accepted.json"


def consent_path(paths: Paths) -> Path:
    return paths.data_dir / CONSENT_FILE


def has_consent(paths: Paths) -> bool:
    """Whether the user agreed to capture on the first-run page."""
    return consent_path(paths).is_file()


def record_consent(paths: Paths) -> None:
    """Remember that the user agreed (the first-run page is shown once)."""
    path = consent_path(paths)
    # Private whatever the umask of the process that calls it: data/ 0700, the file 0600.
    missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    for folder in missing:
        os.chmod(folder, 0o700)
    payload = {"accepted_at": datetime.now(UTC).isoformat(), "version": __version__}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(payload))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
