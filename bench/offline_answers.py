"""Offline answers that name the value: an English and a Chinese day of screens.

For each language a fresh home is made, the day's screens (bench/answer_screens.py)
are imported with ``mirix-desktop ingest screenshots`` (the same gate and OCR as
live capture), optionally absorbed offline (``absorb``), and every question is
asked with ``mirix-desktop ask --json`` and no model, one after another (so the
earlier questions are in the store as chat turns, as in real use). Prints per
language and split:

- value: the share of answers that contain the expected value;
- lead: the share whose first sentence (the reader's value) contains it;
- first: the share whose first citation is the right screenshot (a frame, or a
  memory made from it);
- confident: the share the reader answered with confidence.

The questions by answer type and across languages (splits typed and cross) are also
counted by the question's language; "lead" there is "names the value".

    .venv/bin/python bench/offline_answers.py [--segmenter jieba|ngram] [--absorb]
        [--split dev|held|fresh|typed|cross|all] [--keep DIR] [-v]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shutil
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.answer.terms import CJK  # noqa: E402
from bench.answer_screens import generate  # noqa: E402
from mirix_desktop.cli import main as cli  # noqa: E402
from mirix_desktop.services.context import open_context  # noqa: E402


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def run_cli(*args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = cli(list(args))
    if code != 0:
        raise SystemExit(f"mirix-desktop {' '.join(args[:3])} … exited {code}")
    return out.getvalue()


def frame_ids(home: Path) -> dict[str, str]:
    """Screenshot file name -> frame id."""
    ctx = open_context(home)
    try:
        ids = [r["id"] for r in ctx.store.frame_rows()]
        return {Path(f.source_path or "").name: f.id for f in ctx.store.frames(ids)}
    finally:
        ctx.close()


def first_screenshot(citations: list[dict[str, object]]) -> str | None:
    for c in citations:
        if c["type"] == "frame":
            return str(c["id"])
        sources = [s for s in c.get("source_ids") or [] if str(s).startswith("frm_")]  # type: ignore[union-attr]
        if sources:
            return str(sources[0])
    return None


def bench_language(folder: Path, home: Path, args: argparse.Namespace) -> list[dict[str, object]]:
    started = time.perf_counter()
    imported = home.with_name(home.name + "-imported")
    if not (args.keep and (imported / "done").exists()):
        shutil.rmtree(imported, ignore_errors=True)
        run_cli("--home", str(imported), "ingest", "screenshots", str(folder / "screens"))
        if args.absorb:
            run_cli("--home", str(imported), "absorb")
        (imported / "done").touch()
    # Questions are asked on a copy: a rerun with --keep starts from the same import.
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(imported, home)
    ingest_s = time.perf_counter() - started
    frames = frame_ids(home)
    rows = []
    text = (folder / "questions.jsonl").read_text(encoding="utf-8")
    questions = [json.loads(line) for line in text.splitlines()]
    asked = time.perf_counter()
    for q in questions:
        if args.split != "all" and q["split"] != args.split:
            continue
        out = json.loads(run_cli("--home", str(home), "ask", q["question"], "--json"))
        answer = squash(out["answer"])
        lead = squash(out["answer"].split("\n", 1)[0])
        expected = [squash(v) for v in q["expected"]]
        reading = out.get("reading") or {}
        row = {
            "question": q["question"],
            "split": q["split"],
            "value": any(v in answer for v in expected),
            "lead": bool(reading.get("confident")) and any(v in lead for v in expected),
            "first": first_screenshot(out["citations"]) == frames.get(q["file"]),
            "confident": bool(reading.get("confident")),
            "answer": out["answer"],
            "expected": q["expected"],
        }
        rows.append(row)
        if args.verbose and not (row["lead"] and row["first"]):
            print(json.dumps(row, ensure_ascii=False, indent=1), file=sys.stderr)
    per_q = (time.perf_counter() - asked) / max(1, len(rows))
    print(f"  ({len(frames)} frames imported in {ingest_s:.0f} s; {per_q:.2f} s a question)")
    return rows


def share(rows: list[dict[str, object]], key: str) -> str:
    if not rows:
        return "   -  "
    return f"{100 * sum(1 for r in rows if r[key]) / len(rows):5.1f}%"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segmenter", choices=("jieba", "ngram"), default="jieba")
    parser.add_argument("--absorb", action="store_true", help="absorb offline before asking")
    parser.add_argument(
        "--split", choices=("dev", "held", "fresh", "typed", "cross", "all"), default="all"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--lang", choices=("en", "zh", "both"), default="both")
    parser.add_argument(
        "--keep", type=Path, help="keep the screens and imports here (a rerun reuses them)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    args = parser.parse_args()
    os.environ["MIRIX_SEARCH__SEGMENTER"] = args.segmenter
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        folders = generate(base / f"data-{args.seed}", args.seed)
        print(
            f"offline answers (segmenter {args.segmenter}, absorb {'on' if args.absorb else 'off'},"
            f" seed {args.seed})"
        )
        print("lang split   n   value    lead   first  confident")
        asked: list[dict[str, object]] = []
        for lang, folder in folders.items():
            if args.lang not in ("both", lang):
                continue
            absorbed = "-absorbed" if args.absorb else ""
            rows = bench_language(folder, base / f"home-{lang}-{args.seed}{absorbed}", args)
            for split in ("dev", "held", "fresh", "typed", "cross", "all"):
                part = [r for r in rows if split == "all" or r["split"] == split]
                if not part:
                    continue
                shares = " ".join(share(part, k) for k in ("value", "lead", "first", "confident"))
                print(f"{lang:4} {split:5} {len(part):3}  {shares}")
            asked += [r for r in rows if r["split"] in ("typed", "cross")]
        # The questions by answer type and across languages, by the question's language
        # (an English question over a Chinese screen counts as English). "Names the
        # value": the reader's first sentence, given with confidence, holds it.
        if asked:
            print("answer types and across languages, by the question's language:")
            print("question    n   value    lead   first  confident")
            for lang in ("en", "zh"):
                part = [r for r in asked if (lang == "zh") == bool(CJK.search(str(r["question"])))]
                shares = " ".join(share(part, k) for k in ("value", "lead", "first", "confident"))
                print(f"{lang:9} {len(part):3}  {shares}")


if __name__ == "__main__":
    main()
