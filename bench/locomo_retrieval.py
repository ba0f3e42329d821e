"""LoCoMo evidence recall of the memory search (no language model needed).

Each conversation of ../shared/data/locomo/locomo_dev.json is ingested, turn by
turn, as chat turns into a fresh home; every category 1-4 question is then
asked through the same search as ``mirix-desktop search`` ("plain"), and
LoCoMo's evidence recall is printed at k = 5, 10, 25, 50 per category and
overall, with search latency.

The "active" mode first absorbs the conversations in offline mode (statements
become semantic memories and core facts, sensitive values go to the vault),
then retrieves through the chat agent's active retrieval (keyword topic, every
memory type searched, hits merged by score); a memory counts for the turns in
its source_ids. With ``--mode both`` the two are printed side by side.

    .venv/bin/python bench/locomo_retrieval.py [--mode plain|active|both]
        [--data PATH] [--limit-conversations N] [--cache FILE]

With ``--cache`` the vectors of the turns are kept in FILE and reused (ingestion
times then measure the store, not the model); questions are always embedded.
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
sys.path.insert(0, str(ROOT / "bench"))

from embed_cache import install  # noqa: E402

from agents.answer.chat import ChatAgent  # noqa: E402
from agents.answer.retrieval import keywords  # noqa: E402
from agents.store import ChatTurn  # noqa: E402
from mirix_desktop.services.context import open_context  # noqa: E402


def _default_data() -> Path:
    for base in ROOT.parents:
        path = base / "shared" / "data" / "locomo" / "locomo_dev.json"
        if path.is_file():
            return path
    return ROOT.parent / "shared" / "data" / "locomo" / "locomo_dev.json"


DEFAULT_DATA = _default_data()
TURN_GAP = timedelta(seconds=30)  # LoCoMo gives session times only: a turn every 30 s
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
                    created_at=when + i * TURN_GAP,
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


def run(samples: list[dict], mode: str, cache: Path | None = None) -> tuple[dict, list[float], str]:
    """Recall per category and k, latencies, and a line about ingestion, for one mode."""
    recall: dict[int, dict[int, list[float]]] = {c: {k: [] for k in KS} for c in CATEGORIES}
    latencies: list[float] = []
    ingest_s = 0.0
    n_turns = 0
    memories = 0
    for sample in samples:
        with tempfile.TemporaryDirectory(prefix="locomo-") as home:
            ctx = open_context(home)
            # Stored texts only: questions are embedded as in real use, their time counted.
            cached = install(ctx.text_embedder, cache, queries=False) if cache else None
            turns = turns_of(sample)
            t0 = time.perf_counter()
            if mode == "active":
                ctx.inbox.put_many("chat", [(t.id, {}) for t in turns])
            ctx.store.add_chat_turns(turns)
            if mode == "active":
                ctx.settings.absorb.batch_size = 100
                ctx.absorb_job().absorb()
                counts = ctx.store.counts()
                memories += sum(counts[t] for t in ("core", "semantic", "knowledge_vault"))
            ctx.store.optimize()
            ingest_s += time.perf_counter() - t0
            n_turns += len(turns)
            known = {t.id for t in turns}
            options = ctx.search_options(k=max(KS))
            agent = ChatAgent(
                ctx.store, None, options=ctx.search_options(), per_type_k=10, chat_k=max(KS)
            )
            for qa in sample["qa"]:
                cat = qa.get("category")
                if cat not in CATEGORIES:
                    continue
                gold = evidence_ids(sample["sample_id"], qa.get("evidence", []), known)
                if not gold:
                    continue
                t0 = time.perf_counter()
                if mode == "active":
                    hits = agent.retrieve(keywords(qa["question"])).hits()
                    hits = [h for h in hits if h.type != "core"]
                else:
                    hits = ctx.store.search(qa["question"], options)
                latencies.append((time.perf_counter() - t0) * 1000)
                for k in KS:
                    covered = set()
                    for hit in hits[:k]:
                        covered.update(hit.source_ids)
                    recall[cat][k].append(len(gold & covered) / len(gold))
            if cached:
                cached.save()
            ctx.close()
        print(f"  {mode} {sample['sample_id']}: {len(turns)} turns", file=sys.stderr)
    note = f"{mode}: {n_turns} turns ingested in {ingest_s:.1f} s"
    if mode == "active":
        note += f", offline absorption made {memories} memories"
    return recall, latencies, note


def table(recall: dict) -> dict[str, dict[str, float]]:
    figures: dict[str, dict[str, float]] = {}
    everything: dict[int, list[float]] = {k: [] for k in KS}
    for cat, name in CATEGORIES.items():
        n = len(recall[cat][KS[0]])
        figures[name] = {f"R@{k}": statistics.fmean(recall[cat][k]) if n else 0.0 for k in KS}
        figures[name]["n"] = n
        for k in KS:
            everything[k].extend(recall[cat][k])
    figures["overall"] = {f"R@{k}": statistics.fmean(everything[k]) for k in KS}
    figures["overall"]["n"] = len(everything[KS[0]])
    return figures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit-conversations", type=int, default=None)
    ap.add_argument("--mode", choices=["plain", "active", "both"], default="both")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    ap.add_argument(
        "--cache", type=Path, help="keep the text vectors here (and reuse them): bench/embed_cache"
    )
    args = ap.parse_args()
    if not args.data.is_file():
        print(f"no data file at {args.data}", file=sys.stderr)
        return 2
    samples = json.loads(args.data.read_text())[: args.limit_conversations]
    modes = ["plain", "active"] if args.mode == "both" else [args.mode]
    results = {}
    notes = []
    for mode in modes:
        recall, latencies, note = run(samples, mode, args.cache)
        lat = sorted(latencies)
        results[mode] = table(recall)
        results[mode]["latency_ms"] = {
            "p50": lat[len(lat) // 2],
            "p95": lat[int(len(lat) * 0.95) - 1],
        }
        notes.append(note)
    header = f"{'category':<14}{'n':>5}"
    for mode in modes:
        header += "".join(f"{mode[:6] + ' R@' + str(k):>14}" for k in KS)
    print(header)
    for name in [*CATEGORIES.values(), "overall"]:
        row = f"{name:<14}{int(results[modes[0]][name]['n']):>5}"
        for mode in modes:
            row += "".join(f"{results[mode][name][f'R@{k}']:>14.3f}" for k in KS)
        print(row)
    for mode in modes:
        lat = results[mode]["latency_ms"]
        what = "search" if mode == "plain" else "active retrieval"
        print(f"{mode}: {what} latency p50 {lat['p50']:.1f} ms, p95 {lat['p95']:.1f} ms")
    for note in notes:
        print(note)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
