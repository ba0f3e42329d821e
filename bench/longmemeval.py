"""LongMemEval_S session recall through the chat importer (no language model needed).

For each question of ../shared/data/longmemeval/longmemeval_s_dev60.json (Wu et al.,
ICLR 2025; about 50 sessions and 500 turns each), a fresh home: its history is written
as the program's own JSONL and imported through ``ingest chat``'s path
(mirix_desktop/pipeline/chat_import.py), which returns once the turns are found by full
text ("searchable s"); then every vector is made ("vectors s", as ``optimize`` does);
then the question is searched among chat turns, with the question's date as the
reference time of the time words it says. The sessions of the hits, in rank order and
each once (LongMemEval's turn-to-session scoring), give recall_any@k (an evidence
session among the first k) and recall_all@k (all of them), per question type and
overall.

    .venv/bin/python bench/longmemeval.py [--limit N] [--offset N] [--type T] [--ids ID...]
        [--cache FILE] [--json FILE] [--fts-only]

--limit and --offset take a slice of the questions (the file holds 10 of each type in
turn, so --limit 6 takes one of each); --cache keeps the stored texts' vectors in FILE
for later runs (then "vectors s" measures the cache, not the model; the first run's
figure is the model's). --fts-only searches by full text alone (no vectors made).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from embed_cache import install  # noqa: E402

from mirix_desktop.config.paths import resolve_paths  # noqa: E402
from mirix_desktop.pipeline.chat_import import import_chats  # noqa: E402
from mirix_desktop.services.context import open_context  # noqa: E402

KS = (5, 10)
TURN_GAP = timedelta(seconds=30)  # sessions have a start time only: a turn every 30 s


def _default_data() -> Path:
    for base in ROOT.parents:
        path = base / "shared" / "data" / "longmemeval" / "longmemeval_s_dev60.json"
        if path.is_file():
            return path
    return ROOT.parent / "shared" / "data" / "longmemeval" / "longmemeval_s_dev60.json"


def lme_time(text: str) -> datetime:
    """LongMemEval's "2023/05/20 (Sat) 02:21" as UTC."""
    day, _, rest = text.partition(" (")
    clock = rest.partition(") ")[2] or "00:00"
    return datetime.strptime(f"{day} {clock}", "%Y/%m/%d %H:%M").replace(tzinfo=UTC)


def write_history(question: dict, path: Path) -> int:
    """The question's haystack as JSONL chat turns (id "session:index"); returns turns."""
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        sessions = zip(
            question["haystack_session_ids"],
            question["haystack_dates"],
            question["haystack_sessions"],
            strict=True,
        )
        for sid, date, turns in sessions:
            start = lme_time(date)
            for i, turn in enumerate(turns):
                row = {
                    "id": f"{sid}:{i}",
                    "conversation_id": sid,
                    "speaker": turn["role"],
                    "text": turn["content"],
                    "created_at": (start + i * TURN_GAP).isoformat(),
                }
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
    return n


def sessions_of(hits: list, k: int) -> list[str]:
    """The first ``k`` distinct sessions of the hits, in rank order."""
    out: list[str] = []
    for hit in hits:
        for source in hit.source_ids or [hit.id]:
            sid = source.rsplit(":", 1)[0]
            if sid not in out:
                out.append(sid)
    return out[:k]


def run_one(question: dict, *, cache: Path | None, fts_only: bool, models: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="lme-") as home:
        history = Path(home) / "history.jsonl"
        turns = write_history(question, history)
        # Converted models are made once (as for a user), not in every fresh home.
        data_dir = resolve_paths(home).data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        (data_dir / "models").symlink_to(models, target_is_directory=True)
        ctx = open_context(home)
        try:
            cached = install(ctx.text_embedder, cache, queries=False) if cache else None
            t0 = time.perf_counter()
            report = import_chats(ctx.store, ctx.inbox, history)
            searchable_s = time.perf_counter() - t0
            vectors_s = vectors_cpu_s = 0.0
            if not fts_only:
                t0, c0 = time.perf_counter(), time.process_time()
                ctx.store.fill_vectors()
                vectors_s = time.perf_counter() - t0
                vectors_cpu_s = time.process_time() - c0  # steadier on a shared machine
                assert not ctx.store.missing_vectors(), "vectors left unmade"
            # The question's date is the reference time ("a week ago", recency), as
            # `search --as-of` gives it.
            when = lme_time(question["question_date"])
            options = ctx.search_options(k=50, types=["chat"], as_of=when)
            if fts_only:
                options = ctx.search_options(
                    k=50,
                    types=["chat"],
                    as_of=when,
                    weights={"fts": 1.0, "vector": 0.0, "clip": 0.0},
                )
            t0 = time.perf_counter()
            hits = ctx.store.search(question["question"], options)
            search_ms = (time.perf_counter() - t0) * 1000
            if cached:
                cached.save()
        finally:
            ctx.close()
    gold = set(question["answer_session_ids"])
    out = {
        "type": question["question_type"],
        "turns": turns,
        "stored": report.added,
        "searchable_s": searchable_s,
        "vectors_s": vectors_s,
        "vectors_cpu_s": vectors_cpu_s,
        "search_ms": search_ms,
    }
    for k in KS:
        found = set(sessions_of(hits, k))
        out[f"any@{k}"] = float(bool(gold & found))
        out[f"all@{k}"] = float(gold <= found)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=_default_data())
    ap.add_argument("--limit", type=int, default=None, metavar="N")
    ap.add_argument("--offset", type=int, default=0, metavar="N")
    ap.add_argument("--type", dest="qtype", help="only questions of this type")
    ap.add_argument("--ids", nargs="+", metavar="ID", help="only these question ids")
    ap.add_argument("--cache", type=Path, help="reuse stored texts' vectors (bench/embed_cache)")
    ap.add_argument("--fts-only", action="store_true", help="full-text search alone")
    ap.add_argument("--json", type=Path, help="also write the per-question figures here")
    args = ap.parse_args()
    if not args.data.is_file():
        print(f"no data file at {args.data}", file=sys.stderr)
        return 2
    questions = json.loads(args.data.read_text())
    if args.qtype:
        questions = [q for q in questions if q["question_type"] == args.qtype]
    if args.ids:
        questions = [q for q in questions if q["question_id"] in set(args.ids)]
    # Interleave the types (the file holds them in blocks), so a slice covers them all.
    by_type: dict[str, list[dict]] = {}
    for q in questions:
        by_type.setdefault(q["question_type"], []).append(q)
    mixed = [q for group in zip(*by_type.values(), strict=False) for q in group]
    mixed += [q for q in questions if q not in mixed]
    chosen = mixed[args.offset :][: args.limit]
    models = Path(tempfile.mkdtemp(prefix="lme-models-"))
    if not args.fts_only:
        from agents.embeddings.e5 import E5Embedder

        t0 = time.perf_counter()
        E5Embedder(cache_dir=models).embed(["warm"] * 20)  # the one-time conversion
        print(f"models converted once in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    rows = []
    for i, question in enumerate(chosen, 1):
        row = run_one(question, cache=args.cache, fts_only=args.fts_only, models=models)
        rows.append({"question_id": question["question_id"], **row})
        if args.json:  # after each question, so a long run's part is kept
            args.json.write_text(json.dumps(rows, indent=1))
        print(
            f"  {i}/{len(chosen)} {question['question_id']} {row['type']}: {row['turns']} turns,"
            f" searchable {row['searchable_s']:.1f} s, vectors {row['vectors_s']:.1f} s,"
            f" any@5 {row['any@5']:.0f}",
            file=sys.stderr,
        )
    types = sorted({r["type"] for r in rows})
    head = f"{'question type':<28}{'n':>4}" + "".join(
        f"{m + '@' + str(k):>9}" for m in ("any", "all") for k in KS
    )
    print(head)
    for name in [*types, "overall"]:
        group = [r for r in rows if name in ("overall", r["type"])]
        cells = "".join(
            f"{statistics.fmean(r[f'{m}@{k}'] for r in group):>9.3f}"
            for m in ("any", "all")
            for k in KS
        )
        print(f"{name:<28}{len(group):>4}{cells}")
    turns = [r["turns"] for r in rows]
    print(
        f"\nimport of {statistics.fmean(turns):.0f} turns a history (mean of {len(rows)}):"
        f" searchable by full text in {statistics.fmean(r['searchable_s'] for r in rows):.1f} s"
        f" (max {max(r['searchable_s'] for r in rows):.1f}),"
        f" all vectors {statistics.fmean(r['vectors_s'] for r in rows):.1f} s more"
        f" (max {max(r['vectors_s'] for r in rows):.1f};"
        f" {statistics.fmean(r.get('vectors_cpu_s', 0.0) for r in rows):.1f} s of processor time)"
        + (" [vectors from --cache]" if args.cache else "")
        + (" [full text only]" if args.fts_only else "")
    )
    print(f"search: median {statistics.median(r['search_ms'] for r in rows):.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
