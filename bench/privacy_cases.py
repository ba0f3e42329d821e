"""Secrets the way the field's test suites write them: what stays readable, what is masked.

Every case of ``../shared/data/privacy/dev_cases.jsonl`` (presidio's and detect-secrets'
test cases; see its README) is said as one chat turn in a fresh home, through the
command line as a user would: ``ingest chat``, ``absorb`` (offline), ``export``,
``search --batch`` (each case's text and each of its secrets as a query), ``ask`` (the
kind's question), MCP's search and recent context and the chat model's prompt for
each case's text. Then every file under the data folder, old table versions included,
is read as bytes. Printed per kind:

- readable: high secrets (only the vault may hold them) found in plain text in the
  export, a search result, an answer, an MCP result, a prompt or a data file (should
  be 0); for contact kinds
  (email, phone), how many are kept readable in the export (they should be);
- masked negatives: negatives (``secret: null``) whose text did not come back as said.

    PYTHONPATH=. .venv/bin/python bench/privacy_cases.py [--cases FILE] [--keep DIR]

Runs against whatever ``mirix_desktop`` is importable, so the same script measures an
older checkout (``PYTHONPATH=that_checkout``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

DEFAULT_CASES = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "privacy" / "dev_cases.jsonl"
)
CONTACT = {"email", "phone"}


def run_cli(*args: str) -> str:
    from mirix_desktop.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    if code not in (0, 2):  # 2: some lines skipped or nothing found, reported per case
        raise SystemExit(f"mirix-desktop {args[0]} exited {code}: {err.getvalue()[-500:]}")
    return out.getvalue()


def mcp_and_prompts(texts: list[str]) -> str:
    """What an MCP client reads (search, recent context, each frame's screenshot text) and
    what the chat model's prompt holds, for a search with each case's text."""
    from agents.answer.chat import ChatAgent
    from mirix_desktop.services.context import open_context
    from mirix_desktop.services.mcp_server import MemoryTools

    ctx = open_context()
    try:
        tools = MemoryTools(ctx)
        agent = ChatAgent(ctx.store, None, options=ctx.search_options())
        out = [json.dumps(tools.recent_context(minutes=60 * 24 * 3650), ensure_ascii=False)]
        for text in texts:
            hits = tools.search_memories(text[:2000], k=20)["hits"]  # not the query echoed
            out.append(json.dumps(hits, ensure_ascii=False))
            out.append(json.dumps(agent.ask(text[:2000]).messages, ensure_ascii=False))
        return "\n".join(out)
    finally:
        ctx.close()


def secrets_of(case: dict) -> list[str]:
    return case.get("secrets") or ([case["secret"]] if case.get("secret") else [])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    ap.add_argument("--keep", type=Path, help="keep the home here instead of a temp dir")
    args = ap.parse_args(argv)
    cases = [json.loads(line) for line in args.cases.read_text().splitlines() if line.strip()]

    home = args.keep or Path(tempfile.mkdtemp(prefix="mirix-privacy-"))
    os.environ["MIRIX_HOME"] = str(home)
    os.environ.setdefault("MIRIX_SECRETS__BACKEND", "file")
    chat = home / "cases.jsonl"
    chat.parent.mkdir(parents=True, exist_ok=True)
    with chat.open("w", encoding="utf-8") as fh:
        for i, case in enumerate(cases):
            turn = {
                "id": f"case{i}",
                "conversation_id": f"conv{i}",
                "speaker": "user",
                "text": case["text"],
                "created_at": f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:00:00Z",
            }
            fh.write(json.dumps(turn, ensure_ascii=False) + "\n")
    run_cli("ingest", "chat", str(chat))
    run_cli("absorb")
    export = home / "export.jsonl"
    run_cli("export", "-o", str(export))
    exported = export.read_text(encoding="utf-8")
    turns: dict[str, dict] = {}
    derived: dict[str, list[str]] = defaultdict(list)  # case id -> exported rows from it
    for line in exported.splitlines():
        row = json.loads(line)
        rid = str(row.get("id", ""))
        if rid.startswith("case"):
            turns[rid] = row
            derived[rid].append(line)
        for source in row.get("source_ids") or []:
            if str(source).startswith("case") and source != rid:
                derived[str(source)].append(line)
    queries = home / "queries.jsonl"
    with queries.open("w", encoding="utf-8") as fh:
        for i, case in enumerate(cases):
            for j, query in enumerate([case["text"], *secrets_of(case)]):
                fh.write(json.dumps({"id": f"{i}.{j}", "query": query[:500], "k": 20}) + "\n")
    found: dict[str, list[str]] = defaultdict(list)  # case id -> search hits from it
    for line in run_cli("search", "--batch", str(queries), "--json").splitlines():
        hit = json.loads(line)
        for source in {hit.get("id"), *(hit.get("source_ids") or [])}:
            if str(source).startswith("case"):
                found[str(source)].append(line)
    # A secret that is part of another case's text that must stay (a negative such as an
    # address with one character too many) is readable there by design: such a secret
    # is judged by its own case's rows only, not by the answers and files of all cases.
    kept_texts = [c["text"] for c in cases if not secrets_of(c) or c["kind"] in CONTACT]
    answers = "\n".join(
        run_cli("ask", question)
        for question in (
            "What is my card number?",
            "What is my password or token?",
            "What is my IBAN?",
            "What is my social security number?",
            "What is my wallet address?",
        )
    )
    mcp = mcp_and_prompts([c["text"] for c in cases])
    data_bytes = b"".join(
        p.read_bytes()
        for p in (home / "data").rglob("*")
        if p.is_file() and p.stat().st_size < 2**28
    )

    rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for i, case in enumerate(cases):
        kind = case["kind"]
        row = rows[kind]
        secrets = secrets_of(case)
        turn = turns.get(f"case{i}")
        said = json.dumps(turn, ensure_ascii=False) if turn else ""
        if not secrets:
            row["negatives"] += 1
            text = (turn or {}).get("text") or (turn or {}).get("content") or ""
            if text.strip() != case["text"].strip():
                row["negatives masked"] += 1
            continue
        for secret in secrets:
            row["secrets"] += 1
            if kind in CONTACT:
                row["kept"] += secret in said
                continue
            where = []
            if any(secret in line for line in derived[f"case{i}"]):
                where.append("export")
            if any(secret in line for line in found[f"case{i}"]):
                where.append("search")
            shared = any(secret in text for text in kept_texts)
            if not shared and secret in answers:
                where.append("ask")
            if not shared and secret in mcp:
                where.append("MCP or prompt")
            if not shared and secret.encode() in data_bytes:
                where.append("files")
            if where:
                row["readable"] += 1
                print(f"  readable {kind}: {secret[:40]!r} in {', '.join(where)}", file=sys.stderr)

    print(f"{'kind':<20}{'secrets':>8}{'readable':>10}{'kept':>6}{'negatives':>11}{'masked':>8}")
    total = defaultdict(int)
    for kind in sorted(rows):
        row = rows[kind]
        for key, value in row.items():
            total[key] += value
        kept = str(row["kept"]) if kind in CONTACT else "-"
        print(
            f"{kind:<20}{row['secrets']:>8}{row['readable']:>10}{kept:>6}"
            f"{row['negatives']:>11}{row['negatives masked']:>8}"
        )
    print(
        f"{'all':<20}{total['secrets']:>8}{total['readable']:>10}{total['kept']:>6}"
        f"{total['negatives']:>11}{total['negatives masked']:>8}"
    )
    high = total["secrets"] - sum(rows[k]["secrets"] for k in CONTACT if k in rows)
    print(
        f"high secrets readable: {total['readable']} of {high}; negatives masked: "
        f"{total['negatives masked']} of {total['negatives']}"
    )
    if not args.keep:
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
