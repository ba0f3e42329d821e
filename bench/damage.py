"""Damage every kind of file of every table four ways, then run doctor, search and repair.

For each table (semantic, chat_turns, history, knowledge_vault, vector_models), its
newest data file, newest manifest and an index file are cut in half, emptied,
deleted or overwritten with random bytes, in a fresh copy of a small home. Prints one
line a case and the totals: doctor's exit status (1 wanted) and whether it named the
table, whether it or search crashed (an "internal error"), search's exit status (0
wanted: the rest answers), repair's exit status and doctor's after it (0 wanted).

    .venv/bin/python bench/damage.py [--limit N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TABLES = ("semantic", "chat_turns", "history", "knowledge_vault", "vector_models")
KINDS = (
    ("data", "data/*.lance"),
    ("manifest", "_versions/*.manifest"),
    ("index", "_indices/*/*.lance"),
)
DAMAGES = ("half", "empty", "delete", "garbage")
TURNS = [
    ("t1", "I booked flight LH1172 to Madrid"),
    ("t2", "Noted, Madrid trip"),
    ("t3", "My dentist is Dr Alvarez"),
]


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MIRIX_SECRETS__BACKEND": "file"}
    command = [sys.executable, "-m", "mirix_desktop", "--home", str(home), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)


def build(home: Path, work: Path) -> None:
    chat = work / "chat.jsonl"
    chat.write_text(
        "".join(
            json.dumps(
                {
                    "id": tid,
                    "conversation_id": "c1",
                    "speaker": "user",
                    "text": text,
                    "created_at": f"2026-11-20T10:0{n}:00Z",
                }
            )
            + "\n"
            for n, (tid, text) in enumerate(TURNS)
        )
    )
    run(home, "ingest", "chat", str(chat))
    for text in (
        "Alice likes green tea",
        "Bob plays the cello",
        "my github token is ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    ):
        run(home, "remember", text)


def damage(path: Path, how: str) -> None:
    if how == "half":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "delete":
        path.unlink()
    else:
        path.write_bytes(os.urandom(max(64, path.stat().st_size)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=None, help="stop after this many cases")
    args = parser.parse_args()
    random.seed(7)
    work = Path(tempfile.mkdtemp(prefix="mirix-damage-"))
    original = work / "original"
    build(original, work)
    totals = {"cases": 0, "doctor 1": 0, "named": 0, "crashes": 0, "search 0": 0, "mended": 0}
    for table in TABLES:
        for kind, pattern in KINDS:
            for how in DAMAGES:
                if args.limit is not None and totals["cases"] >= args.limit:
                    break
                home = work / "home"
                shutil.rmtree(home, ignore_errors=True)
                shutil.copytree(original, home)
                files = sorted((home / "data" / "memory.lance" / f"{table}.lance").glob(pattern))
                if not files:
                    continue
                if kind == "manifest":  # the newest version has the smallest name
                    target = min(files, key=lambda p: int(p.stem))
                else:
                    target = max(files, key=lambda p: p.stat().st_mtime_ns)
                damage(target, how)
                doctor, search = run(home, "doctor"), run(home, "search", "tea")
                repair = run(home, "repair")
                after = run(home, "doctor")
                crashed = any("internal error" in p.stderr for p in (doctor, search, repair))
                case = {
                    "case": f"{table}/{kind}/{how}",
                    "doctor": doctor.returncode,
                    "named": f"table {table}" in doctor.stdout,
                    "search": search.returncode,
                    "repair": repair.returncode,
                    "doctor after": after.returncode,
                    "crashed": crashed,
                }
                print(json.dumps(case), flush=True)
                totals["cases"] += 1
                totals["doctor 1"] += doctor.returncode == 1
                totals["named"] += case["named"]
                totals["crashes"] += crashed
                totals["search 0"] += search.returncode == 0
                totals["mended"] += repair.returncode == 0 and after.returncode == 0
    print(json.dumps(totals))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
