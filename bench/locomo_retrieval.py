"""LoCoMo evidence recall of the memory search (no language model needed).

Each conversation of ../shared/data/locomo/locomo_dev.json is ingested, turn by
turn, as chat turns into a fresh home; every category 1-4 question is then
asked through the same search as ``mirix-desktop search``, and LoCoMo's
evidence recall is printed at k = 5, 10, 25, 50 per category and overall, with
search latency.

    .venv/bin/python bench/locomo_retrieval.py [--data PATH] [--limit-conversations N]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.store import ChatTurn  # noqa: E402
from mirix_desktop.context import open_context  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "locomo" / "locomo_dev.json"
KS = (5, 10, 25, 50)
CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop"}


def session_time(text: str) -> datetime:
    return datetime.strptime(text.strip(), "%I:%M %p on %d %B, %Y")


def turns_of(sample: dict) -> list[ChatTurn]:
    conv = sample["conversation"]
    sid = sample["sample_id"]
    turns = []
    n = 1
    while f"session_{n}" in conv:
        when = session_time(conv[f"session_{n}_date_time"])
        for i, turn in enumerate(conv[f"session_{n}"]):
            turns.append(
                ChatTurn(
                    id=f"{sid}:{turn['dia_id']}",
                    conversation_id=f"{sid}:session_{n}",
                    speaker=turn["speaker"],
                    text=turn["text"],
                    created_at=when + timedelta(seconds=i),
                    image_caption=turn.get("blip_caption"),
                )
            )
        n += 1
    return turns


def evidence_ids(sample_id: str, evidence: list[str], known: set[str]) -> set[str]:
    out = set()
    for item in evidence:
        for part in re.split(r"[;\s,]+", item):
            key = f"{sample_id}:{part.strip()}"
            if part.strip() and key in known:
                out.add(key)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit-conversations", type=int, default=None)
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args()
    if not args.data.is_file():
        print(f"no data file at {args.data}", file=sys.stderr)
        return 2
    samples = json.loads(args.data.read_text())[: args.limit_conversations]
    recall: dict[int, dict[int, list[float]]] = {c: {k: [] for k in KS} for c in CATEGORIES}
    latencies: list[float] = []
    ingest_s = 0.0
    n_turns = 0
    for sample in samples:
        with tempfile.TemporaryDirectory(prefix="locomo-") as home:
            ctx = open_context(home)
            turns = turns_of(sample)
            t0 = time.perf_counter()
            ctx.store.add_chat_turns(turns)
            ctx.store.optimize()
            ingest_s += time.perf_counter() - t0
            n_turns += len(turns)
            known = {t.id for t in turns}
            options = ctx.search_options(k=max(KS))
            for qa in sample["qa"]:
                cat = qa.get("category")
                if cat not in CATEGORIES:
                    continue
                gold = evidence_ids(sample["sample_id"], qa.get("evidence", []), known)
                if not gold:
                    continue
                t0 = time.perf_counter()
                hits = ctx.store.search(qa["question"], options)
                latencies.append((time.perf_counter() - t0) * 1000)
                for k in KS:
                    covered = set()
                    for hit in hits[:k]:
                        covered.update(hit.source_ids)
                    recall[cat][k].append(len(gold & covered) / len(gold))
            ctx.close()
        print(f"  {sample['sample_id']}: {len(turns)} turns", file=sys.stderr)

    figures: dict[str, dict[str, float]] = {}
    header = f"{'category':<14}{'n':>5}" + "".join(f"{'R@' + str(k):>8}" for k in KS)
    print(header)
    everything: dict[int, list[float]] = {k: [] for k in KS}
    for cat, name in CATEGORIES.items():
        n = len(recall[cat][KS[0]])
        row = {f"R@{k}": statistics.fmean(recall[cat][k]) if n else 0.0 for k in KS}
        figures[name] = row
        for k in KS:
            everything[k].extend(recall[cat][k])
        print(f"{name:<14}{n:>5}" + "".join(f"{row[f'R@{k}']:>8.3f}" for k in KS))
    overall = {f"R@{k}": statistics.fmean(everything[k]) for k in KS}
    figures["overall"] = overall
    print(
        f"{'overall':<14}{len(everything[5]):>5}"
        + "".join(f"{overall[f'R@{k}']:>8.3f}" for k in KS)
    )
    lat = sorted(latencies)
    p50 = lat[len(lat) // 2]
    p95 = lat[int(len(lat) * 0.95) - 1]
    print(f"search latency: p50 {p50:.1f} ms, p95 {p95:.1f} ms over {len(lat)} queries")
    print(f"ingest: {n_turns} turns in {ingest_s:.1f} s ({n_turns / ingest_s:.0f} turns/s)")
    if args.json:
        figures["latency_ms"] = {"p50": p50, "p95": p95}
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
