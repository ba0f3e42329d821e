"""Recall of Chinese questions over Chinese chat turns and screen text.

bench/data/chinese_retrieval.json holds chat turns of five conversations and
the OCR text of twelve windows, written for this project, and 30 Chinese
questions that paraphrase them. Each text model named is loaded in turn; the
turns and frames are stored in a fresh home and every question goes through
the same search as ``mirix-desktop search`` (default settings). Recall@1, @5
and the search latency are printed per model.

    .venv/bin/python bench/chinese_retrieval.py [--models auto,minilm,none]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.store import ChatTurn, Frame  # noqa: E402
from mirix_desktop.services.context import open_context  # noqa: E402

DATA = ROOT / "bench" / "data" / "chinese_retrieval.json"


def run(provider: str, data: dict) -> dict[str, float | str]:
    os.environ["MIRIX_MODELS__TEXT_EMBEDDER"] = provider
    os.environ["MIRIX_MODELS__CLIP_PROVIDER"] = "none"  # text only: no CLIP download
    with tempfile.TemporaryDirectory(prefix="zh-") as home:
        ctx = open_context(home)
        embedder = ctx.text_embedder.get()
        turns = [
            ChatTurn(
                id=c["id"],
                conversation_id=c["conversation"],
                speaker=c["speaker"],
                text=c["text"],
                created_at=datetime.fromisoformat(c["time"] + "+00:00"),
            )
            for c in data["chat"]
        ]
        ctx.store.add_chat_turns(turns)
        for s in data["screens"]:
            ctx.store.add_frame(
                Frame(
                    id=s["id"],
                    captured_at=datetime.fromisoformat(s["time"] + "+00:00"),
                    app=s["app"],
                    window_title=s["title"],
                    image_path=f"{s['id']}.webp",
                    width=1280,
                    height=800,
                    size_bytes=1,
                    ocr_text=s["text"],
                )
            )
        options = ctx.search_options(k=5)
        at1, at5, latencies = [], [], []
        misses = []
        for item in data["questions"]:
            t0 = time.perf_counter()
            hits = ctx.store.search(item["q"], options)
            latencies.append((time.perf_counter() - t0) * 1000)
            gold = set(item["gold"])
            found = [set(h.source_ids) | {h.id} for h in hits]
            at1.append(len(gold & (found[0] if found else set())) / len(gold))
            top5 = set().union(*found) if found else set()
            at5.append(len(gold & top5) / len(gold))
            if at5[-1] < 1:
                misses.append(item["q"])
        ctx.close()
    lat = sorted(latencies)
    return {
        "model": embedder.model_id if embedder else "none (full-text only)",
        "R@1": statistics.fmean(at1),
        "R@5": statistics.fmean(at5),
        "p50_ms": lat[len(lat) // 2],
        "misses": " | ".join(misses),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="auto,minilm,none")
    args = ap.parse_args()
    data = json.loads(DATA.read_text())
    n_q, n_c, n_s = len(data["questions"]), len(data["chat"]), len(data["screens"])
    print(f"{n_q} questions, {n_c} turns, {n_s} screens")
    print(f"{'setting':<16}{'model':<42}{'R@1':>7}{'R@5':>7}{'p50 ms':>9}")
    for provider in args.models.split(","):
        r = run(provider, data)
        print(
            f"{provider:<16}{r['model']:<42}{r['R@1']:>7.3f}{r['R@5']:>7.3f}{r['p50_ms']:>9.1f}",
            flush=True,
        )
        if r["misses"]:
            print(f"    missed at 5: {r['misses']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
