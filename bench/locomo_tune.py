"""Fusion settings chosen by leave-one-conversation-out cross-validation on LoCoMo.

Each conversation is ingested as chat turns (as in bench/locomo_retrieval.py);
for every category 1-4 question every ranking the store's search takes is
taken once (``MemoryStore.search_rankings``, each alone, 100 deep): full-text
and vector for the question, within the time it names, and for the question
without the speakers' names it holds. They are then fused offline by the
store's own ``fuse`` for every setting of a grid: the vector weight, the RRF
constant, the share of neighbouring turns, and the weights of the time, speaker
and content signals.

For each conversation the setting with the best mean evidence recall@10 on
the *other* conversations is chosen and scored on it; the mean over all
questions of these held-out scores is the leave-one-out recall, the figure to
expect on conversations never seen. The setting chosen on all conversations
(what the product ships) is printed too. ``--cache`` keeps the text vectors
(bench/embed_cache.py), which the multilingual model takes minutes to make.

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

from embed_cache import install  # noqa: E402
from locomo_retrieval import CATEGORIES, DEFAULT_DATA, evidence_ids, turns_of  # noqa: E402

from agents.store import SearchOptions  # noqa: E402
from agents.store.search import fuse, ranking_weight  # noqa: E402
from mirix_desktop.services.context import open_context  # noqa: E402

DEPTH = 100  # taken from the store per retriever
FUSED_DEPTH = 50  # what fusion sees of each: the product's default `search.candidates`
GRID = {
    # 1.0 gives 0.808 leave-one-out here (0.801 at 0.75) but costs the English-only
    # fallback model on Chinese (bench/chinese_retrieval.py R@5 0.917 -> 0.883): kept.
    "vector_weight": [0.75],
    "rrf_k": [10],
    "neighbour_weight": [0.2, 0.35, 0.5],
    "neighbour_window_s": [300.0],
    "time_weight": [0.0, 0.25, 0.5, 1.0],
    "speaker_weight": [0.0, 0.5, 1.0],
    "content_weight": [0.0, 0.5, 1.0],
}
PREVIOUS = {  # the defaults before dates and speakers were read from questions
    "vector_weight": 0.75,
    "rrf_k": 10,
    "neighbour_weight": 0.35,
    "neighbour_window_s": 300.0,
    "time_weight": 0.0,
    "speaker_weight": 0.0,
    "content_weight": 0.0,
}


def collect(samples: list[dict], cache: Path | None) -> tuple[list[dict], str]:
    """Per question: its conversation, gold turns and every ranking the store's search
    takes for it (each alone, DEPTH deep), with each found turn's time, conversation
    and speaker."""
    out = []
    model = ""
    for sample in samples:
        with tempfile.TemporaryDirectory(prefix="locomo-") as home:
            ctx = open_context(home)
            cached = install(ctx.text_embedder, cache) if cache else None
            turns = turns_of(sample)
            ctx.store.add_chat_turns(turns)
            ctx.store.optimize()
            embedder = ctx.text_embedder.get()
            model = embedder.model_id if embedder else "none"
            info = {t.id: (t.created_at.isoformat(), t.conversation_id, t.speaker) for t in turns}
            known = set(info)
            opts = SearchOptions(
                k=DEPTH,
                candidates=DEPTH,
                weights={"fts": 1.0, "vector": 1.0},
                time_weight=1.0,
                content_weight=1.0,
            )
            for qa in sample["qa"]:
                if qa.get("category") not in CATEGORIES:
                    continue
                gold = evidence_ids(sample["sample_id"], qa.get("evidence", []), known)
                if not gold:
                    continue
                found = ctx.store.search_rankings(qa["question"], opts)
                rankings = {name: [row["id"] for _, row in rows] for name, rows in found.items()}
                out.append(
                    {
                        "conv": sample["sample_id"],
                        "cat": qa["category"],
                        "question": qa["question"],
                        "gold": sorted(gold),
                        "rankings": rankings,
                        "info": {i: info[i] for r in rankings.values() for i in r if i in info},
                    }
                )
            if cached:
                cached.save()
            ctx.close()
        print(f"  collected {sample['sample_id']}", file=sys.stderr)
    return out, model


def prepared(question: dict) -> dict[str, list[tuple[str, dict]]]:
    """The rankings of a question as the store's fuse takes them (made once per question)."""
    from datetime import datetime

    info = question["info"]
    rows = {
        i: {
            "id": i,
            "time": datetime.fromisoformat(when),
            "conversation_id": conv,
            "speaker": role,
        }
        for i, (when, conv, role) in info.items()
    }
    return {
        name: [("chat_turns", rows[i]) for i in ids[:FUSED_DEPTH]]
        for name, ids in question["rankings"].items()
    }


def recall_at(question: dict, rankings: dict, setting: dict, k: int = 10) -> float:
    opts = SearchOptions(
        rrf_k=setting["rrf_k"],
        weights={"fts": 1.0, "vector": setting["vector_weight"]},
        neighbour_weight=setting["neighbour_weight"],
        neighbour_window_s=setting["neighbour_window_s"],
        time_weight=setting["time_weight"],
        speaker_weight=setting["speaker_weight"],
        content_weight=setting["content_weight"],
    )
    # As in the store: a ranking whose weight is 0 is not taken at all.
    used = {n: r for n, r in rankings.items() if ranking_weight(n, opts) > 0}
    # Fresh row dicts: fuse fills in columns of rows found by several rankings.
    used = {n: [(t, dict(row)) for t, row in r] for n, r in used.items()}
    top = {c.row["id"] for c in fuse(used, opts, query=question["question"])[:k]}
    gold = set(question["gold"])
    return len(gold & top) / len(gold)


def settings() -> list[dict]:
    keys = list(GRID)
    return [dict(zip(keys, values, strict=True)) for values in itertools.product(*GRID.values())]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument(
        "--cache", type=Path, help="keep the text vectors here (and reuse them): bench/embed_cache"
    )
    args = ap.parse_args()
    t0 = time.perf_counter()
    if not args.data.is_file():
        print(f"no data file at {args.data}", file=sys.stderr)
        return 2
    questions, model = collect(json.loads(args.data.read_text()), args.cache)
    convs = sorted({q["conv"] for q in questions})
    grid = settings()
    ready = [prepared(q) for q in questions]
    # scores[setting index][question index]
    scores = [[recall_at(q, r, s) for q, r in zip(questions, ready, strict=True)] for s in grid]

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
    baseline = grid.index(PREVIOUS)
    print(f"leave-one-conversation-out R@10: {statistics.fmean(held_out):.3f}")
    print(
        f"previous defaults (vector 0.75, rrf_k 10, neighbour 0.35, nothing read) R@10: "
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
