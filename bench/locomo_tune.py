"""Fusion settings chosen by leave-one-conversation-out cross-validation on LoCoMo.

Each conversation is ingested as chat turns (as in bench/locomo_retrieval.py);
for every category 1-4 question the full-text ranking and the text-vector
ranking are taken once from the store (each alone, 100 candidates), and then
fused offline by the store's own ``fuse`` for every setting of a grid: the
vector weight, the RRF constant, the conversation-context share and window.

For each conversation the setting with the best mean evidence recall@10 on
the *other* conversations is chosen and scored on it; the mean over all
questions of these held-out scores is the leave-one-out recall, the figure to
expect on conversations never seen. The setting chosen on all conversations
(what the product ships) is printed too.

    .venv/bin/python bench/locomo_tune.py [--data PATH] [--cache FILE]
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from locomo_retrieval import CATEGORIES, DEFAULT_DATA, evidence_ids, turns_of  # noqa: E402

from agents.store import SearchOptions  # noqa: E402
from agents.store.search import fuse  # noqa: E402
from mirix_desktop.services.context import open_context  # noqa: E402

DEPTH = 100  # taken from the store per retriever
FUSED_DEPTH = 50  # what fusion sees of each: the product's default `search.candidates`
GRID = {
    "vector_weight": [0.0, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0],
    "rrf_k": [10, 30, 60],
    "context_weight": [0.0, 0.1, 0.2, 0.35, 0.5],
    "context_window_s": [90.0, 300.0, 900.0],
}


def collect(samples: list[dict]) -> tuple[list[dict], str]:
    """Per question: its conversation, gold turns and the two rankings (id, time, conversation)."""
    out = []
    model = ""
    for sample in samples:
        with tempfile.TemporaryDirectory(prefix="locomo-") as home:
            ctx = open_context(home)
            turns = turns_of(sample)
            ctx.store.add_chat_turns(turns)
            ctx.store.optimize()
            embedder = ctx.text_embedder.get()
            model = embedder.model_id if embedder else "none"
            info = {t.id: (t.created_at.isoformat(), t.conversation_id) for t in turns}
            known = set(info)
            for qa in sample["qa"]:
                if qa.get("category") not in CATEGORIES:
                    continue
                gold = evidence_ids(sample["sample_id"], qa.get("evidence", []), known)
                if not gold:
                    continue
                rankings = {}
                for name, weights in (
                    ("fts", {"fts": 1.0, "vector": 0.0}),
                    ("vector", {"fts": 0.0, "vector": 1.0}),
                ):
                    opts = SearchOptions(k=DEPTH, candidates=DEPTH, weights=weights)
                    hits = ctx.store.search(qa["question"], opts)
                    rankings[name] = [h.id for h in hits]
                out.append(
                    {
                        "conv": sample["sample_id"],
                        "cat": qa["category"],
                        "gold": sorted(gold),
                        "rankings": rankings,
                        "info": {i: info[i] for r in rankings.values() for i in r if i in info},
                    }
                )
            ctx.close()
        print(f"  collected {sample['sample_id']}", file=sys.stderr)
    return out, model


def recall_at(question: dict, setting: dict, k: int = 10) -> float:
    from datetime import datetime

    info = question["info"]
    rankings = {
        name: [
            (
                "chat_turns",
                {
                    "id": i,
                    "time": datetime.fromisoformat(info[i][0]),
                    "conversation_id": info[i][1],
                },
            )
            for i in ids[:FUSED_DEPTH]
        ]
        for name, ids in question["rankings"].items()
    }
    opts = SearchOptions(
        rrf_k=setting["rrf_k"],
        weights={"fts": 1.0, "vector": setting["vector_weight"]},
        context_weight=setting["context_weight"],
        context_window_s=setting["context_window_s"],
    )
    top = {c.row["id"] for c in fuse(rankings, opts)[:k]}
    gold = set(question["gold"])
    return len(gold & top) / len(gold)


def settings() -> list[dict]:
    keys = list(GRID)
    out = []
    for values in itertools.product(*(GRID[k] for k in keys)):
        s = dict(zip(keys, values, strict=True))
        if s["context_weight"] == 0 and s["context_window_s"] != GRID["context_window_s"][0]:
            continue  # the window does not matter without context
        out.append(s)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--cache", type=Path, help="keep the rankings here (and reuse them)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    if args.cache and args.cache.is_file():
        cached = json.loads(args.cache.read_text())
        questions, model = cached["questions"], cached["model"]
    else:
        if not args.data.is_file():
            print(f"no data file at {args.data}", file=sys.stderr)
            return 2
        questions, model = collect(json.loads(args.data.read_text()))
        if args.cache:
            args.cache.write_text(json.dumps({"questions": questions, "model": model}))
    convs = sorted({q["conv"] for q in questions})
    grid = settings()
    # scores[setting index][question index]
    scores = [[recall_at(q, s) for q in questions] for s in grid]

    def best_on(subset: list[int]) -> int:
        return max(range(len(grid)), key=lambda i: sum(scores[i][j] for j in subset))

    held_out: list[float] = []
    print(f"text model: {model}; {len(questions)} questions, {len(grid)} settings")
    for conv in convs:
        train = [j for j, q in enumerate(questions) if q["conv"] != conv]
        test = [j for j, q in enumerate(questions) if q["conv"] == conv]
        chosen = best_on(train)
        fold = [scores[chosen][j] for j in test]
        held_out.extend(fold)
        print(f"  held out {conv}: R@10 {statistics.fmean(fold):.3f} with {grid[chosen]}")
    everything = list(range(len(questions)))
    final = best_on(everything)
    baseline = grid.index(
        {"vector_weight": 0.3, "rrf_k": 60, "context_weight": 0.0, "context_window_s": 90.0}
    )
    print(f"leave-one-conversation-out R@10: {statistics.fmean(held_out):.3f}")
    print(
        f"previous defaults (vector 0.3, rrf_k 60, no context) R@10: "
        f"{statistics.fmean(scores[baseline]):.3f}"
    )
    print(f"chosen on all five: {grid[final]}, R@10 {statistics.fmean(scores[final]):.3f}")
    for cat, name in CATEGORIES.items():
        idx = [j for j, q in enumerate(questions) if q["cat"] == cat]
        cat_recall = statistics.fmean(scores[final][j] for j in idx)
        print(f"  {name:<12} n={len(idx):>4}  R@10 {cat_recall:.3f}")
    print(f"({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
