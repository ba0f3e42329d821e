"""The time reader on the dev time cases (Duckling's corpora): how many intervals match.

    python bench/time_cases.py [--cases FILE] [--cli] [--before REV]

Each case is read with the process's time zone set to the offset of its reference
time (``TZ``), as a person living there would read it, at that reference time.
By default the reader runs in this process (``time.tzset`` per case); ``--cli``
runs ``mirix-desktop when TEXT --as-of NOW`` in a child process per case, exactly
as a user would. ``--before REV`` measures the reader of git revision REV instead
(agents/store/query.py's ``time_window``, less the week it adds after a time).
Prints the count of exact matches (start and end, offsets included) and the misses.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CASES = Path("/work/shared/data/time/dev_cases.jsonl")


def posix_tz(offset: timedelta | None) -> str:
    """A POSIX TZ string for a fixed offset (POSIX counts west positive)."""
    minutes = int((offset or timedelta(0)).total_seconds() // 60)
    sign = "-" if minutes >= 0 else "+"
    name = f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    return f"<{name}>{sign}{abs(minutes) // 60}:{abs(minutes) % 60:02d}"


def _old_reader(rev: str) -> Callable[[str, datetime], dict[str, str] | None]:
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:agents/store/query.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    module = ModuleType("old_query")
    sys.modules["old_query"] = module  # dataclasses look their module up
    exec(compile(source, "old_query.py", "exec"), module.__dict__)  # noqa: S102 - our own code

    def read(text: str, now: datetime) -> dict[str, str] | None:
        window = module.time_window(text, now)
        if window is None:
            return None
        end = window.end - timedelta(days=module.AFTER_DAYS)
        return {"start": window.start.astimezone().isoformat(), "end": end.astimezone().isoformat()}

    return read


def _new_reader(text: str, now: datetime) -> dict[str, str] | None:
    from agents.timeread import read_time

    found = read_time(text, now)
    return found.to_json() if found else None


def _cli(text: str, now: str, tz: str) -> dict[str, str] | None:
    env = {**os.environ, "TZ": tz, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-m", "mirix_desktop", "when", text, "--as-of", now],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip())
    value = json.loads(out.stdout)
    return value if isinstance(value, dict) else None


def _same(got: dict[str, str] | None, case: dict[str, str]) -> bool:
    if got is None:
        return False
    for key in ("start", "end"):
        a, b = datetime.fromisoformat(got[key]), datetime.fromisoformat(case[key])
        if a != b or a.utcoffset() != b.utcoffset():
            return False
    return True


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    p.add_argument("--cli", action="store_true", help="run the when command for each case")
    p.add_argument("--before", metavar="REV", help="measure the reader of git revision REV")
    p.add_argument("--field", default="text", choices=["text", "expr"])
    args = p.parse_args()
    sys.path.insert(0, str(ROOT))
    cases = [json.loads(line) for line in args.cases.read_text().splitlines() if line.strip()]
    reader = _old_reader(args.before) if args.before else _new_reader
    matched: dict[str, list[int]] = {}
    misses = []
    started = time.perf_counter()
    for case in cases:
        now = datetime.fromisoformat(case["now"])
        tz = posix_tz(now.utcoffset())
        text = case[args.field]
        if args.cli:
            got = _cli(text, case["now"], tz)
        else:
            os.environ["TZ"] = tz
            time.tzset()
            got = reader(text, now)
        ok = _same(got, case)
        matched.setdefault(case["lang"], [0, 0])[0] += ok
        matched[case["lang"]][1] += 1
        if not ok:
            misses.append((case["expr"], case["start"], case["end"], got))
    took = time.perf_counter() - started
    total = sum(m[0] for m in matched.values())
    parts = ", ".join(f"{lang} {m[0]}/{m[1]}" for lang, m in sorted(matched.items()))
    who = f"reader of {args.before}" if args.before else "time reader"
    print(f"{who}: {total}/{len(cases)} intervals match exactly ({parts}); {took:.2f} s")
    for expr, start, end, got in misses:
        print(f"  miss: {expr!r}: want [{start}, {end}), got {got}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
