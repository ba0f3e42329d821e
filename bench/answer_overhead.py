"""Time the chat agent spends outside the model, and the size of the prompt it builds.

A store is filled with N synthetic memories spread over the six types (plus
chat turns and frames with OCR text), then questions are answered up to the
point where the model would be called: active retrieval over every type with
the offline topic (keywords; a model's topic call is excluded), the vault
filter, and the prompt. Prints p50 and p95 of that time and the prompt size in
tokens (about four characters a token).

    .venv/bin/python bench/answer_overhead.py [--sizes 10000,100000] [--questions 200]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.answer.chat import ChatAgent, estimate_tokens  # noqa: E402
from agents.answer.retrieval import keywords  # noqa: E402
from agents.store import ChatTurn, Frame  # noqa: E402
from bench.search_scale import POOL, WORDS, sentence  # noqa: E402
from mirix_desktop.services.context import open_context  # noqa: E402

SHARE = {  # of N memories
    "episodic": 0.40,
    "semantic": 0.20,
    "procedural": 0.10,
    "resource": 0.20,
    "knowledge_vault": 0.10,
}
CHAT_TURNS = 2000
FRAMES = 500
CHUNK = 20_000
START = datetime(2025, 11, 1, tzinfo=UTC)


def item(kind: str, rng: random.Random, text: str) -> dict:
    when = START + timedelta(minutes=rng.randrange(525_600))
    if kind == "episodic":
        return {"summary": text, "details": sentence(rng), "occurred_at": when}
    if kind == "semantic":
        return {"name": rng.choice(WORDS), "summary": text, "details": sentence(rng)}
    if kind == "procedural":
        return {"summary": text, "steps": [sentence(rng) for _ in range(3)]}
    if kind == "resource":
        body = "\n".join(sentence(rng) for _ in range(8))
        return {"title": text[:60], "summary": text, "content": body}
    return {
        "caption": text,
        "secret_value": f"{rng.randrange(10**12):012d}",
        "sensitivity": rng.choice(["low", "medium", "high"]),
    }


def fill(ctx, n: int, pool_texts: list[str], pool_vecs: np.ndarray) -> None:
    rng = random.Random(n)
    nprng = np.random.default_rng(n)
    store = ctx.store
    for kind, share in SHARE.items():
        count = int(n * share)
        for offset in range(0, count, CHUNK):
            size = min(CHUNK, count - offset)
            idx = nprng.integers(0, POOL, size)
            vecs = pool_vecs[idx] + nprng.normal(0, 0.02, (size, pool_vecs.shape[1]))
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            rows = [item(kind, rng, pool_texts[i]) for i in idx]
            store.add_many(kind, rows, vectors=vecs.astype(np.float32), source_ids=[[]] * size)
    store.add("core", {"label": "human", "value": "Name: Sam. Nurse in Leeds. " * 20})
    store.add("core", {"label": "persona", "value": "Answer briefly, cite sources."})
    store.add_chat_turns(
        [
            ChatTurn(
                id=f"t{i}",
                conversation_id=f"c{i // 20}",
                speaker=rng.choice(["user", "assistant"]),
                text=sentence(rng),
                created_at=START + timedelta(minutes=i),
            )
            for i in range(CHAT_TURNS)
        ]
    )
    for i in range(FRAMES):
        ocr = "\n".join(sentence(rng) for _ in range(12))
        store.add_frame(
            Frame(
                id=f"frm_{i:024d}",
                captured_at=START + timedelta(minutes=7 * i),
                app=rng.choice(["firefox", "code", "slack"]),
                window_title=sentence(rng)[:50],
                image_path=f"/nonexistent/{i}.webp",
                width=1920,
                height=1080,
                size_bytes=22_000,
                ocr_text=ocr,
            )
        )
    store.optimize()


def run_size(n: int, questions: int, pool_texts: list[str], pool_vecs: np.ndarray) -> dict:
    rng = random.Random(n + 1)
    with tempfile.TemporaryDirectory(prefix="overhead-") as home:
        ctx = open_context(home)
        t0 = time.perf_counter()
        fill(ctx, n, pool_texts, pool_vecs)
        fill_s = time.perf_counter() - t0
        agent = ChatAgent(ctx.store, None, options=ctx.search_options())
        agent.retrieve("warm up the caches")
        times, tokens = [], []
        for _ in range(questions):
            question = (
                f"What did I {rng.choice(['do', 'read', 'write'])} about "
                + " and ".join(rng.sample(WORDS, 2))
                + "?"
            )
            topic = keywords(question)
            t0 = time.perf_counter()
            found = agent.retrieve(topic)
            messages = agent.build_messages(question, found)
            times.append((time.perf_counter() - t0) * 1000)
            tokens.append(estimate_tokens(messages))
        counts = ctx.store.counts()
        ctx.close()
    lat = sorted(times)
    return {
        "n": n,
        "rows": sum(v for k, v in counts.items() if k != "history"),
        "fill_s": fill_s,
        "p50_ms": lat[len(lat) // 2],
        "p95_ms": lat[max(0, int(len(lat) * 0.95) - 1)],
        "tokens_p50": int(statistics.median(tokens)),
        "tokens_max": max(tokens),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--questions", type=int, default=200)
    args = ap.parse_args()
    rng = random.Random(7)
    pool_texts = [sentence(rng) for _ in range(POOL)]
    with tempfile.TemporaryDirectory() as home:
        embedder = open_context(home).text_embedder.get()
    if embedder is None:
        print("the text embedder is unavailable; cannot run", file=sys.stderr)
        return 1
    pool_vecs = embedder.embed(pool_texts)
    print(
        f"{'memories':>9} {'rows':>9} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'prompt tokens p50':>18} {'max':>6}"
    )
    for n in [int(s) for s in args.sizes.split(",")]:
        r = run_size(n, args.questions, pool_texts, pool_vecs)
        print(
            f"{r['n']:>9,} {r['rows']:>9,} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} "
            f"{r['tokens_p50']:>18,} {r['tokens_max']:>6,}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
