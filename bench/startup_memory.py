"""Cold start of the commands that search: wall time, peak memory, and whether torch loads.

A home is filled with memories and chat turns (English and Chinese), then
``search``, ``ask`` (offline mode: no language model configured) and ``stats``
are each run as fresh processes, exactly as the console script runs them, a
few times; the median wall time and the largest peak RSS are printed, with
the heavy modules each process imported (torch, sentence-transformers,
transformers). The first run also shows the one-time ONNX conversion when the
English model is chosen and its file is not in the data folder yet.

    .venv/bin/python bench/startup_memory.py [--models auto,minilm] [--runs 5] [--memories 300]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DRIVER = (
    "import sys, json\n"
    "from mirix_desktop.cli import main\n"
    "rc = main(sys.argv[1:])\n"
    "heavy = [m for m in ('torch', 'sentence_transformers', 'transformers', 'open_clip')"
    " if m in sys.modules]\n"
    "sys.stderr.write('HEAVY ' + json.dumps(heavy) + '\\n')\n"
    "sys.exit(rc)\n"
)
FACTS = [
    "The spare key is under the blue pot by the back door",
    "Dentist appointment on Tuesday at 3 pm with Dr. Alvarez",
    "Flight MU5137 from Shanghai to Beijing leaves at 8:00 on March 20",
    "我把备用钥匙放在后门旁边的蓝色花盆下面了",
    "下周六中午在福满楼给外婆过八十大寿",
    "Quarterly budget review moved to Thursday, room 12B",
]
COMMANDS = {
    "search": ["search", "where is the spare key"],
    "search-zh": ["search", "备用钥匙在哪里"],
    "ask": ["ask", "when is the dentist appointment?"],
    "stats": ["stats"],
}


def run_once(env: dict[str, str], args: list[str]) -> tuple[float, float, int, list[str], int]:
    """Wall seconds, CPU seconds, peak RSS in MB, heavy modules imported, exit code."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    heavy: list[str] = []
    for line in err.splitlines():
        if line.startswith("HEAVY "):
            heavy = json.loads(line[6:])
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, heavy, proc.returncode


def fill(env: dict[str, str], memories: int) -> None:
    code = (
        "import sys, json\n"
        "from mirix_desktop.services.context import open_context\n"
        "facts = json.loads(sys.argv[1]); n = int(sys.argv[2])\n"
        "ctx = open_context()\n"
        "items = [{'summary': f'{facts[i % len(facts)]} (note {i})'} for i in range(n)]\n"
        "ctx.store.add_many('semantic', items)\n"
        "ctx.store.optimize()\n"
        "ctx.close()\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, json.dumps(FACTS), str(memories)],
        env=env,
        cwd=ROOT,
        check=True,
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="auto,minilm")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--memories", type=int, default=300)
    args = ap.parse_args()
    print(
        f"{'model':<10}{'command':<11}{'first s':>9}{'median s':>10}{'cpu s':>7}{'peak MB':>9}"
        "  imported"
    )
    for provider in args.models.split(","):
        with tempfile.TemporaryDirectory(prefix="startup-") as home:
            env = {k: v for k, v in os.environ.items() if not k.startswith("MIRIX_")} | {
                "MIRIX_HOME": home,
                "MIRIX_SECRETS__BACKEND": "file",
                "MIRIX_MODELS__TEXT_EMBEDDER": provider,
            }
            t0 = time.perf_counter()
            fill(env, args.memories)
            fill_s = time.perf_counter() - t0
            for name, command in COMMANDS.items():
                walls, cpus, peaks, heavy = [], [], [], set()
                for _ in range(args.runs):
                    wall, cpu, peak, imported, rc = run_once(env, command)
                    cpus.append(cpu)
                    if rc != 0:
                        print(f"{provider} {name}: exit {rc}", file=sys.stderr)
                    walls.append(wall)
                    peaks.append(peak)
                    heavy.update(imported)
                loaded = ", ".join(sorted(heavy)) or "no torch"
                print(
                    f"{provider:<10}{name:<11}{walls[0]:>9.2f}{statistics.median(walls):>10.2f}"
                    f"{statistics.median(cpus):>7.2f}{max(peaks):>9}  {loaded}",
                    flush=True,
                )
            print(f"{provider:<10}(filling {args.memories} memories took {fill_s:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
