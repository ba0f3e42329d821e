"""Commands that read the memory: ``search``, ``ask``, ``export`` and ``stats``; and
``when``, the interval a text names."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from agents.answer import MAX_QUESTION_CHARS
from agents.answer.citing import StreamFootnotes
from agents.answer.retrieval import sources_first
from agents.errors import InvalidInput, MirixError
from agents.store import MemoryType
from agents.store.schema import parse_type
from agents.timeread import parse_as_of, parse_bound, read_time
from mirix_desktop.commands import EXIT_USAGE, read_jsonl
from mirix_desktop.services.context import Context

log = logging.getLogger("mirix_desktop")


def _search_options(ctx: Context, spec: dict[str, Any]) -> Any:
    types = spec.get("type")
    if isinstance(types, str):
        types = [types]
    if types is not None and (
        not isinstance(types, list) or not all(isinstance(t, str) for t in types)
    ):
        raise InvalidInput("type must be a string or a list of strings")
    for t in types or ():
        parse_type(t)
    k = spec.get("k")
    if k is not None and (not isinstance(k, int) or isinstance(k, bool) or k < 1 or k > 1000):
        raise InvalidInput(f"k must be a whole number from 1 to 1000, got {k!r}")
    as_of = spec.get("as_of")
    if as_of is not None and not isinstance(as_of, str):
        raise InvalidInput("as_of must be an ISO 8601 date or time")
    reference = parse_as_of(as_of) if as_of else None
    bounds = {}
    for name in ("since", "until"):
        value = spec.get(name)
        if value is not None and not isinstance(value, str):
            raise InvalidInput(f"{name} must be a string")
        if value:
            bounds[name] = parse_bound(value, end=name == "until", as_of=reference)
    return ctx.search_options(
        k=k, types=tuple(types or ()), app=spec.get("app"), as_of=reference, **bounds
    )


def _print_hits(hits: Sequence[Any], *, as_json: bool, out: TextIO, query_id: Any = None) -> None:
    for hit in hits:
        if as_json:
            obj = hit.to_json()
            if query_id is not None:
                obj = {"query_id": query_id, **obj}
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        else:
            text = " ".join(hit.text.split())
            if len(text) > 160:
                text = text[:157] + "..."
            out.write(f"{hit.score:.4f}  {hit.type:<15} {hit.id}  {hit.time:%Y-%m-%d %H:%M}\n")
            out.write(f"        {text}\n")


def cmd_search(ctx: Context, args: argparse.Namespace) -> int:
    if args.batch is not None:
        if args.query:
            raise InvalidInput("give either a query or --batch FILE, not both")
        return _search_batch(ctx, args)
    if args.query is None or not args.query.strip():
        raise InvalidInput("the search query is empty")
    spec = {
        "type": args.types,
        "k": args.k,
        "since": args.since,
        "until": args.until,
        "app": args.app,
        "as_of": args.as_of,
    }
    hits = sources_first(ctx.store.search(args.query, _search_options(ctx, spec)))
    _print_hits(hits, as_json=args.json, out=sys.stdout)
    if not hits and not args.json:
        print("no results", file=sys.stderr)
    return 0


def _search_batch(ctx: Context, args: argparse.Namespace) -> int:
    bad = 0
    for number, obj, error in read_jsonl(args.batch):
        try:
            if error is not None:
                raise InvalidInput(error)
            assert obj is not None
            query = obj.get("query")
            if not isinstance(query, str):
                raise InvalidInput('"query" must be a string')
            hits = sources_first(ctx.store.search(query, _search_options(ctx, obj)))
        except MirixError as exc:
            bad += 1
            print(f"mirix-desktop: {args.batch}:{number}: skipped: {exc}", file=sys.stderr)
            continue
        _print_hits(hits, as_json=True, out=sys.stdout, query_id=obj.get("id", number))
    sys.stdout.flush()
    return EXIT_USAGE if bad else 0


def cmd_when(args: argparse.Namespace) -> int:
    """Print the interval the text names, as one JSON object (or null)."""
    as_of = parse_as_of(args.as_of) if args.as_of else None
    found = read_time(args.text, as_of)
    print(json.dumps(found.to_json() if found else None))
    return 0


def cmd_export(ctx: Context, args: argparse.Namespace) -> int:
    out: TextIO = sys.stdout
    tmp: Path | None = None
    if args.output is not None:  # written beside, then renamed: never half a file
        tmp = args.output.with_name(f".{args.output.name}.{os.getpid()}.tmp")
        out = tmp.open("w", encoding="utf-8")
    count = 0
    done = False
    try:
        for memory in ctx.store.iter_memories():
            obj = memory.model_dump(mode="json")
            if memory.type is MemoryType.KNOWLEDGE_VAULT and not args.include_secrets:
                obj["data"]["secret_value"] = None
            out.write(json.dumps({"kind": "memory", **obj}, ensure_ascii=False) + "\n")
            count += 1
        for turn in ctx.store.iter_chat_turns():
            obj = {**turn, "created_at": turn["created_at"].isoformat()}
            out.write(json.dumps({"kind": "chat_turn", **obj}, ensure_ascii=False) + "\n")
            count += 1
        if tmp is not None:
            out.flush()
            os.fsync(out.fileno())
        done = True
    finally:
        if tmp is not None:
            try:
                out.close()
                if done:
                    os.replace(tmp, args.output)
            finally:
                tmp.unlink(missing_ok=True)
    print(f"exported {count} records", file=sys.stderr)
    return 0


def _folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0


def cmd_stats(ctx: Context, args: argparse.Namespace) -> int:
    counts = ctx.store.counts()
    for name, count in counts.items():
        print(f"{name:<16} {count:>9}")
    frames = sum(int(r["size_bytes"]) for r in ctx.store.frame_rows())
    budget = ctx.settings.capture.storage_budget_bytes
    print(f"{'frames on disk':<16} {frames / 1e6:>8.1f} MB of {budget / 1e6:,.0f} MB budget")
    print(f"{'disk (data)':<16} {_folder_size(ctx.paths.data_dir) / 1e6:>8.1f} MB")
    return 0


def cmd_ask(ctx: Context, args: argparse.Namespace) -> int:
    question = args.question.strip()
    if not question:
        raise InvalidInput("the question is empty")
    if len(question) > MAX_QUESTION_CHARS:
        raise InvalidInput(
            f"the question is {len(question):,} characters; the limit is {MAX_QUESTION_CHARS:,}"
        )
    if args.image is not None and not args.image.is_file():
        raise InvalidInput(f"no such file: {args.image}")
    assistant = ctx.assistant(as_of=parse_as_of(args.as_of) if args.as_of else None)
    streamed = not args.json and assistant.llm is not None

    notes = StreamFootnotes()  # ids arrive as "[1]", "[2]" …, listed under the answer

    def show(text: str) -> None:
        sys.stdout.write(notes.feed(text))
        sys.stdout.flush()

    answer = assistant.ask(
        question,
        conversation_id=args.conversation,
        image_path=args.image,
        on_token=show if streamed else None,
    )
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False))
        return 0
    if not streamed:
        print(answer.text)
    else:
        print(notes.close())
    if answer.citations:
        # Each source once: its number in the answer, what it is, who said it, its id.
        print("\nsources:")
        for n, c in enumerate(answer.citations, 1):
            who = f", said by {c.speaker}" if c.speaker else ""
            print(f"  [{n}] {c.type}, {c.time:%Y-%m-%d %H:%M}{who}: {c.id}")
    print(f"(conversation {answer.conversation_id})", file=sys.stderr)
    return 0
