"""Smoke run of the PyInstaller bundle: ``--version`` and ``doctor`` from the bundle, with
its size and start times (``make package`` runs it).

    .venv/bin/python bench/package_smoke.py dist/mirix-desktop
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600, check=False)
    return time.perf_counter() - start, done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path, help="the one-folder app (dist/mirix-desktop)")
    args = parser.parse_args()
    exe = args.bundle / ("mirix-desktop.exe" if sys.platform == "win32" else "mirix-desktop")
    if not exe.is_file():
        print(f"no executable at {exe}; run make package first", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "MIRIX_HOME": tmp,
            "MIRIX_SECRETS__BACKEND": "file",
            "MIRIX_MODELS__CLIP_PROVIDER": "none",  # no weights download in a smoke run
            "HF_HUB_OFFLINE": "1",
        }
        failures = []
        cold, version = _timed([str(exe), "--version"], env)
        warm, _ = _timed([str(exe), "--version"], env)
        if version.returncode != 0 or not version.stdout.startswith("mirix-desktop "):
            failures.append(f"--version: exit {version.returncode}: {version.stderr[-500:]}")
        doctor_s, doctor = _timed([str(exe), "doctor", "--json"], env)
        if doctor.returncode != 0:
            failures.append(f"doctor: exit {doctor.returncode}: {doctor.stderr[-800:]}")
        else:
            info = json.loads(doctor.stdout)
            text = info["models"]["text"]
            print(f"doctor: text embedder {'available' if text['available'] else text['detail']}")
            missing = [name for name, v in info["packages"].items() if v == "not installed"]
            if missing:
                failures.append(f"doctor: package metadata missing in the bundle: {missing}")
        print(f"version: {version.stdout.strip()}")
        print(f"bundle size: {_size(args.bundle) / 1e6:,.0f} MB ({args.bundle})")
        print(f"--version: {cold:.2f} s cold, {warm:.2f} s warm")
        print(f"doctor --json: {doctor_s:.2f} s")
    for failure in failures:
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
