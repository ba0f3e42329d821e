"""Hybrid search latency and insert throughput at 10k, 100k and 1M memories.

Memories are synthetic episodic events ("opened the quarterly budget review in
Excel ...") drawn from a word list with a Zipf-like distribution, spread over a
year. Text vectors come from the configured text model (models.text_embedder,
multilingual-e5-small by default) for a pool of distinct
sentences; rows beyond the pool reuse a pool vector with a little noise, since
embedding a million sentences would take an hour on two cores and does not
change what is measured (store writes and search). Embedding throughput is
printed separately. Latency includes embedding the query.

    .venv/bin/python bench/search_scale.py [--sizes 10000,100000,1000000] [--queries 200]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.store import SearchOptions  # noqa: E402
from mirix_desktop.services.context import open_context  # noqa: E402

VERBS = ["opened", "edited", "read", "reviewed", "sent", "searched", "watched", "wrote", "closed"]
APPS = ["Firefox", "Excel", "Slack", "VS Code", "Outlook", "Zoom", "Notion", "Terminal"]
WORDS = (
    "budget invoice flight hotel meeting roadmap design review contract lease dentist "
    "recipe pasta marathon training python release bug deploy server database backup "
    "photo album vacation lisbon tokyo berlin paris passport visa insurance tax refund "
    "salary bonus interview candidate offer onboarding laptop monitor keyboard mouse "
    "birthday gift party wedding anniversary concert ticket museum exhibition gallery "
    "garden tomato basil fertilizer bicycle repair tire chain brake helmet jacket boots "
    "mortgage savings pension stock dividend portfolio crypto wallet exchange report "
    "quarterly annual forecast revenue churn retention pricing launch campaign newsletter"
).split()
POOL = 4000
CHUNK = 20_000


def sentence(rng: random.Random) -> str:
    picks = [WORDS[min(int(rng.paretovariate(1.2)) - 1, len(WORDS) - 1)] for _ in range(6)]
    rng.shuffle(picks)
    return f"{rng.choice(VERBS)} the {' '.join(picks[:3])} in {rng.choice(APPS)}: {' '.join(picks)}"


def run_size(n: int, queries: int, pool_texts: list[str], pool_vecs: np.ndarray) -> dict:
    rng = random.Random(n)
    nprng = np.random.default_rng(n)
    start = datetime(2025, 11, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory(prefix="scale-") as home:
        ctx = open_context(home)
        store = ctx.store
        insert_s = 0.0
        for offset in range(0, n, CHUNK):
            size = min(CHUNK, n - offset)
            idx = nprng.integers(0, POOL, size)
            vecs = pool_vecs[idx] + nprng.normal(0, 0.02, (size, pool_vecs.shape[1]))
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            items = [
                {
                    "summary": pool_texts[i],
                    "details": sentence(rng),
                    "occurred_at": start + timedelta(minutes=rng.randrange(525_600)),
                }
                for i in idx
            ]
            t0 = time.perf_counter()
            store.add_many("episodic", items, vectors=vecs.astype(np.float32))
            insert_s += time.perf_counter() - t0
            print(f"    {offset + size:>9,} rows", file=sys.stderr, end="\r")
        t0 = time.perf_counter()
        store.optimize()
        optimize_s = time.perf_counter() - t0
        options = ctx.search_options(k=10)
        store.search("warm up the caches", options)
        latencies = []
        for _ in range(queries):
            q = " ".join(rng.sample(WORDS, 3))
            if rng.random() < 0.2:
                since = start + timedelta(days=rng.randrange(300))
                opts = SearchOptions(**{**options.__dict__, "since": since})
            else:
                opts = options
            t0 = time.perf_counter()
            store.search(q, opts)
            latencies.append((time.perf_counter() - t0) * 1000)
        ctx.close()
    lat = sorted(latencies)
    return {
        "n": n,
        "insert_rows_per_s": n / insert_s,
        "optimize_s": optimize_s,
        "p50_ms": lat[len(lat) // 2],
        "p95_ms": lat[max(0, int(len(lat) * 0.95) - 1)],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rng = random.Random(7)
    pool_texts = [sentence(rng) for _ in range(POOL)]
    with tempfile.TemporaryDirectory() as home:
        embedder = open_context(home).text_embedder.get()
    if embedder is None:
        print("the text embedder is unavailable; cannot run", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    pool_vecs = embedder.embed(pool_texts)
    embed_rate = POOL / (time.perf_counter() - t0)
    print(f"text embedding ({embedder.model_id}, CPU): {embed_rate:,.0f} sentences/s")
    print(f"{'memories':>10} {'insert rows/s':>14} {'optimize s':>11} {'p50 ms':>8} {'p95 ms':>8}")
    for n in sizes:
        r = run_size(n, args.queries, pool_texts, pool_vecs)
        print(
            f"{r['n']:>10,} {r['insert_rows_per_s']:>14,.0f} {r['optimize_s']:>11.1f} "
            f"{r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
