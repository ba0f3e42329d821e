"""The time-expression parsers on PyPI, measured on the dev time cases: how many
intervals each reads exactly, its import time and its first call.

    python bench/time_parsers.py --all DIR

DIR holds one folder per candidate, each installed apart from the program's own
packages: ``pip install --target DIR/dateparser dateparser`` (likewise ``ctparse``,
``jionlp``, ``timefhuman``, and ``recognizers-text-date-time`` with ``emoji==0.6.0``,
which it needs). Each runs in a fresh process with only its folder on the path;
"ours" is agents.timeread. A candidate gets the question (``text``) and the
reference time; an answer that names a point is widened to its grain (an hour for
"8am", a day for a date). docs/time-reader.md has the figures.
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

ROOT = Path(__file__).resolve().parents[1]
CASES = Path("/work/shared/data/time/dev_cases.jsonl")
CANDIDATES = ["ours", "dateparser", "ctparse", "jionlp", "recognizers-text-date-time", "timefhuman"]
Interval = tuple[datetime, datetime]
Reader = Callable[[str, datetime, str], Interval | None]


def widen(t: datetime, grain: str) -> Interval:
    t = t.replace(tzinfo=None)
    if grain == "year":
        return datetime(t.year, 1, 1), datetime(t.year + 1, 1, 1)
    if grain == "month":
        end = datetime(t.year + t.month // 12, t.month % 12 + 1, 1)
        return datetime(t.year, t.month, 1), end
    if grain == "week":
        start = datetime(t.year, t.month, t.day) - timedelta(days=t.weekday())
        return start, start + timedelta(days=7)
    if grain == "day":
        start = datetime(t.year, t.month, t.day)
        return start, start + timedelta(days=1)
    if grain == "hour":
        start = t.replace(minute=0, second=0, microsecond=0)
        return start, start + timedelta(hours=1)
    start = t.replace(second=0, microsecond=0)
    return start, start + timedelta(minutes=1)


def _ours() -> Reader:
    sys.path.insert(0, str(ROOT))
    from agents.timeread import read_time

    def read(text: str, now: datetime, lang: str) -> Interval | None:
        found = read_time(text, now)
        if found is None:
            return None
        return found.start.replace(tzinfo=None), found.end.replace(tzinfo=None)

    return read


def _dateparser() -> Reader:
    from dateparser.date import DateDataParser
    from dateparser.search import search_dates

    def read(text: str, now: datetime, lang: str) -> Interval | None:
        settings = {"RELATIVE_BASE": now, "PREFER_DATES_FROM": "past"}
        settings["RETURN_TIME_AS_PERIOD"] = True
        found = search_dates(text, languages=[lang], settings=settings)
        if not found:
            return None
        data = DateDataParser(languages=[lang], settings=settings).get_date_data(found[0][0])
        if data.date_obj is None:
            return None
        return widen(data.date_obj, "hour" if data.period == "time" else str(data.period))

    return read


def _ctparse() -> Reader:
    from ctparse import ctparse
    from ctparse.types import Interval as CtInterval

    def one(t: object) -> Interval | None:
        y, mo, d, h = (getattr(t, a, None) for a in ("year", "month", "day", "hour"))
        if h is not None and y and mo and d:
            return widen(datetime(y, mo, d, h), "hour")
        if d is not None and y and mo:
            return widen(datetime(y, mo, d), "day")
        if mo is not None and y:
            return widen(datetime(y, mo, 1), "month")
        return widen(datetime(y, 1, 1), "year") if y else None

    def read(text: str, now: datetime, lang: str) -> Interval | None:
        found = ctparse(text, ts=now, timeout=1.0)
        if found is None:
            return None
        res = found.resolution
        if isinstance(res, CtInterval):
            a = one(res.t_from) if res.t_from else None
            b = one(res.t_to) if res.t_to else None
            return (a[0], b[1]) if a and b else None
        return one(res)

    return read


def _jionlp() -> Reader:
    import jionlp

    def read(text: str, now: datetime, lang: str) -> Interval | None:
        found = jionlp.ner.extract_time(text, time_base=now.timestamp(), with_parsing=True)
        if not found:
            return None
        start, end = found[0]["detail"]["time"][0], found[0]["detail"]["time"][-1]
        if "inf" in (start, end):
            return None
        fmt = "%Y-%m-%d %H:%M:%S"
        return datetime.strptime(start, fmt), datetime.strptime(end, fmt) + timedelta(seconds=1)

    return read


def _recognizers() -> Reader:
    from recognizers_date_time import Culture, recognize_datetime

    def read(text: str, now: datetime, lang: str) -> Interval | None:
        culture = Culture.English if lang == "en" else Culture.Chinese
        found = recognize_datetime(text, culture, reference=now)
        if not found:
            return None
        value = found[0].resolution["values"][0]
        if "start" in value and "end" in value:
            return datetime.fromisoformat(value["start"]), datetime.fromisoformat(value["end"])
        if "value" not in value:
            return None
        timed = "T" in value.get("timex", "") and value["type"] != "date"
        return widen(datetime.fromisoformat(value["value"]), "hour" if timed else "day")

    return read


def _timefhuman() -> Reader:
    import datetime as dt

    from timefhuman import tfhConfig, timefhuman

    def read(text: str, now: datetime, lang: str) -> Interval | None:
        found = timefhuman(text, config=tfhConfig(now=now))
        if not found:
            return None
        first = found[0]
        if isinstance(first, tuple):
            return first[0].replace(tzinfo=None), first[1].replace(tzinfo=None)
        if isinstance(first, datetime):
            return widen(first, "hour" if first.hour or first.minute else "day")
        if isinstance(first, dt.date):
            return widen(datetime(first.year, first.month, first.day), "day")
        return None

    return read


LOADERS: dict[str, Callable[[], Reader]] = {
    "ours": _ours,
    "dateparser": _dateparser,
    "ctparse": _ctparse,
    "jionlp": _jionlp,
    "recognizers-text-date-time": _recognizers,
    "timefhuman": _timefhuman,
}


def measure(name: str, cases_path: Path) -> dict[str, object]:
    started = time.perf_counter()
    reader = LOADERS[name]()
    imported = time.perf_counter() - started
    cases = [json.loads(line) for line in cases_path.read_text().splitlines() if line.strip()]
    right = {"en": 0, "zh": 0}
    first_call = None
    started = time.perf_counter()
    for case in cases:
        now = datetime.fromisoformat(case["now"]).replace(tzinfo=None)
        want = tuple(datetime.fromisoformat(case[k]).replace(tzinfo=None) for k in ("start", "end"))
        call = time.perf_counter()
        try:
            got = reader(case["text"], now, case["lang"])
        except Exception:  # noqa: BLE001 - a candidate that fails on a case misses it
            got = None
        first_call = first_call if first_call is not None else time.perf_counter() - call
        right[case["lang"]] += got == want
    per_case = (time.perf_counter() - started) / len(cases)
    return {
        "candidate": name,
        "en": right["en"],
        "zh": right["zh"],
        "total": sum(right.values()),
        "cases": len(cases),
        "import_s": imported,
        "first_call_s": first_call,
        "per_case_ms": per_case * 1000,
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--all", type=Path, metavar="DIR", help="a folder per candidate")
    p.add_argument("--one", choices=CANDIDATES, help=argparse.SUPPRESS)
    p.add_argument("--cases", type=Path, default=CASES)
    args = p.parse_args()
    os.environ["TZ"] = "UTC"
    time.tzset()
    if args.one:
        print(json.dumps(measure(args.one, args.cases)))
        return 0
    print(f"{'candidate':<28} {'dev cases':>10} {'en':>6} {'zh':>6} {'import':>8} {'1st call':>9}")
    for name in CANDIDATES:
        path = str(ROOT) if name == "ours" else str((args.all or Path(".")) / name)
        if name != "ours" and (args.all is None or not Path(path).is_dir()):
            print(f"{name:<28} (not installed under --all)")
            continue
        env = {**os.environ, "PYTHONPATH": path}
        out = subprocess.run(
            [sys.executable, __file__, "--one", name, "--cases", str(args.cases)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        lines = [x for x in out.stdout.splitlines() if x.startswith("{")]
        if out.returncode != 0 or not lines:
            print(f"{name:<28} failed: {out.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(lines[-1])
        print(
            f"{name:<28} {r['total']:>4}/{r['cases']:<5} {r['en']:>6} {r['zh']:>6} "
            f"{r['import_s']:>7.2f}s {r['first_call_s']:>8.2f}s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
