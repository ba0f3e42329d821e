"""The command line: ``mirix-desktop [--home DIR] COMMAND``.

Errors of the program (:class:`agents.errors.MirixError`) become one line on
stderr and a non-zero exit code here, and nowhere else.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from agents.errors import InvalidInput, MirixError, one_line
from agents.ids import data_from_text
from agents.store import ChatTurn, MemoryType
from agents.store.schema import MAX_TEXT_CHARS, parse_type
from agents.store.timeutil import parse_time
from mirix_desktop import __version__
from mirix_desktop.context import Context, open_context
from mirix_desktop.inbox import store_turns
from mirix_desktop.paths import private_files

EXIT_ERROR = 1
EXIT_USAGE = 2
MAX_QUESTION_CHARS = 4000
log = logging.getLogger("mirix_desktop")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, not argparse's usage dump
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="mirix-desktop", description="A personal-memory assistant.")
    p.add_argument("--home", metavar="DIR", help="keep every file of the program under DIR")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    a = sub.add_parser("app", help="start the desktop app (the default without a command)")
    a.add_argument(
        "--background", action="store_true", help="start in the tray, without the window"
    )

    d = sub.add_parser("doctor", help="versions, folders, models, indexes, counts")
    d.add_argument("--json", action="store_true")

    ing = sub.add_parser("ingest", help="import chat turns")
    ing_sub = ing.add_subparsers(dest="what", required=True, parser_class=_Parser)
    chat = ing_sub.add_parser("chat", help="a JSONL file of chat turns")
    chat.add_argument("file", type=Path)
    shots = ing_sub.add_parser("screenshots", help="a folder of PNG, JPEG and WebP files")
    shots.add_argument("folder", type=Path)

    r = sub.add_parser("remember", help="add a memory by hand")
    r.add_argument("text")
    r.add_argument("--type", default="semantic", help="memory type (default: semantic)")

    s = sub.add_parser("search", help="hybrid search over memories, chat turns and frames")
    s.add_argument("query", nargs="?")
    s.add_argument("-k", type=int, default=None, help="how many results (default: setting)")
    s.add_argument("--type", action="append", dest="types", help="limit to a type (repeatable)")
    s.add_argument("--since", help="ISO 8601 date or time")
    s.add_argument("--until", help="ISO 8601 date or time")
    s.add_argument("--app", help="only results from this app")
    s.add_argument("--batch", type=Path, help='JSONL of {"id","query","k"} to answer in one run')
    s.add_argument("--json", action="store_true", help="one JSON object a line")

    e = sub.add_parser("export", help="write every memory and chat turn")
    e.add_argument("--format", choices=["jsonl"], default="jsonl")
    e.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    e.add_argument(
        "--include-secrets", action="store_true", help="write vault values in plain text"
    )

    cap = sub.add_parser("capture", help="take screenshots without the app")
    when = cap.add_mutually_exclusive_group()
    when.add_argument("--once", action="store_true", help="one round, then exit (default)")
    when.add_argument(
        "--for",
        dest="duration",
        type=float,
        metavar="SECONDS",
        help="capture every capture.interval_s seconds for this long",
    )

    sub.add_parser("pause", help="pause capture (every running capture sees it)")
    sub.add_parser("resume", help="resume capture")

    fg = sub.add_parser("forget", help="delete recent frames and the memories made only from them")
    fg.add_argument("--last", type=float, required=True, metavar="MINUTES")

    ask = sub.add_parser("ask", help="ask a question about what you saw and said")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="answer, topic and citations as JSON")
    ask.add_argument("--conversation", metavar="ID", help="continue this conversation")
    ask.add_argument("--image", type=Path, metavar="FILE", help="a screenshot to ask about")

    ab = sub.add_parser("absorb", help="turn waiting frames and chat turns into memories")
    ab.add_argument(
        "--redo", action="store_true", help="run the memory model over what offline mode absorbed"
    )
    ab.add_argument("--max-batches", type=int, default=None, metavar="N")

    sub.add_parser("stats", help="counts and disk usage")
    sub.add_parser("optimize", help="compact tables and update indexes")
    sub.add_parser("mcp", help="serve the memory to other assistants (MCP over stdio)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        args.command, args.background = "app", False
    private_files()  # folders 0700 and files 0600, whatever the umask
    _setup_logging(args.verbose)
    ctx: Context | None = None
    try:
        ctx = open_context(args.home)
        handler = _COMMANDS[args.command]
        return handler(ctx, args)
    except MirixError as exc:
        print(f"mirix-desktop: error: {exc}", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, InvalidInput) else EXIT_ERROR
    except KeyboardInterrupt:
        print("mirix-desktop: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, details logged
        where = _log_crash(args.home)
        print(
            f"mirix-desktop: internal error: {type(exc).__name__}: {exc}".splitlines()[0],
            file=sys.stderr,
        )
        print(f"mirix-desktop: details in {where}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        if ctx is not None:
            ctx.close()


def _log_crash(home: str | None) -> Path:
    import traceback

    from mirix_desktop.paths import resolve_paths

    log_dir = resolve_paths(home).log_dir
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "crash.log"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(traceback.format_exc() + "\n")
    return path


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="mirix-desktop: %(levelname)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("sentence_transformers", "transformers", "httpx", "huggingface_hub"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line every capture round
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


# ---- commands --------------------------------------------------------------------------


def cmd_doctor(ctx: Context, args: argparse.Namespace) -> int:
    from mirix_desktop.doctor import report

    info = report(ctx)
    if args.json:
        print(json.dumps(info, indent=2, default=str))
        return 0
    print(f"mirix-desktop {info['version']} (Python {platform.python_version()})")
    for name, version in info["packages"].items():
        print(f"  {name:<16} {version}")
    print(f"config   {info['paths']['config_file']}")
    print(f"data     {info['paths']['data_dir']}")
    print(f"logs     {info['paths']['log_dir']}")
    print(f"secrets  {info['secrets']}")
    for name, model in info["models"].items():
        state = "available" if model["available"] else f"unavailable ({model['detail']})"
        print(f"model    {name}: {model['name']}: {state}")
    for role, lm in info["language_models"].items():
        where = f"{lm['model']} at {lm['base_url']}" if lm["base_url"] else "none (offline mode)"
        print(f"llm      {role}: {where}")
    print(f"privacy  {info['window_privacy']['detail']}")
    inbox = info["inbox"]
    print(f"inbox    {inbox['pending']} waiting ({inbox['failing']} failing), {inbox['done']} done")
    for f in inbox["failures"]:
        print(
            f"  {f['id']} ({f['kind']}): tried {f['attempts']}x, again in {f['retry_in_s']} s: "
            f"{f['error']}"
        )
    if inbox["failing"] > len(inbox["failures"]):
        print(f"  … and {inbox['failing'] - len(inbox['failures'])} more failing items")
    loose = info["loose_permissions"]
    if loose:
        print(f"warning  {len(loose)} files or folders others may read (should be 0700/0600):")
        for item in loose[:10]:
            print(f"  {item['mode']}  {item['path']}")
        print("  fix:    chmod -R go-rwx on the folders above")
    print("tables")
    for name, count in info["counts"].items():
        indexes = ", ".join(
            f"{i['name']}({i['unindexed_rows']} unindexed)" for i in info["indexes"].get(name, [])
        )
        print(f"  {name:<16} {count:>9} rows  {indexes}")
    return 0


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """Open ``path`` now (raising InvalidInput) and return an iterator of
    (line number, object, error) for each non-blank line."""
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        raise InvalidInput(f"no such file: {path}") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path} is a folder, not a file") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None
    return _parse_lines(path, fh)


def _parse_lines(
    path: Path, fh: BinaryIO
) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """Each line on its own: one that is not UTF-8 or not a JSON object is reported, the
    rest are read."""
    with fh:
        for number, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield number, None, f"not UTF-8 text (byte {exc.start + 1} of the line)"
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, None, f"not JSON ({exc.msg})"
                continue
            if not isinstance(obj, dict):
                yield number, None, "not a JSON object"
                continue
            yield number, obj, None


def _count_lines(path: Path) -> int:
    try:
        with path.open("rb") as fh:
            return sum(1 for line in fh if line.strip())
    except OSError:
        return 0


def cmd_ingest(ctx: Context, args: argparse.Namespace) -> int:
    if args.what == "screenshots":
        return _ingest_screenshots(ctx, args.folder)
    return _ingest_chat(ctx, args)


def _ingest_screenshots(ctx: Context, folder: Path) -> int:
    from tqdm import tqdm

    from mirix_desktop.capture.frames import FrameStore
    from mirix_desktop.capture.gate import ChangeGate
    from mirix_desktop.capture.importer import import_screenshots, screenshot_files

    files = screenshot_files(folder)
    c = ctx.settings.capture
    frames = FrameStore(
        ctx.paths.frames_dir, ctx.store, image_format=c.image_format, quality=c.quality
    )
    gate = ChangeGate(threshold=c.change_threshold, keyframe_s=c.keyframe_minutes * 60)
    with tqdm(total=len(files), unit="file", desc="import", file=sys.stderr, leave=False) as bar:

        def on_file(path: Path, outcome: str) -> None:
            bar.update(1)
            if outcome not in ("stored", "unchanged"):
                tqdm.write(f"mirix-desktop: {path}: skipped: {outcome}", file=sys.stderr)

        report = import_screenshots(files, frames, ctx.ocr_worker(), gate=gate, on_file=on_file)
    _retention(ctx)
    print(
        f"imported {report.stored} screenshots ({report.unchanged} unchanged, "
        f"{len(report.unreadable)} unreadable skipped)"
    )
    return EXIT_USAGE if report.unreadable else 0


def _ingest_chat(ctx: Context, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    path: Path = args.file
    lines = _read_jsonl(path)
    total = _count_lines(path)
    bad = added = seen = 0
    batch: list[ChatTurn] = []
    store = ctx.store

    def flush() -> None:
        nonlocal added
        if batch:
            # A crash between storing and queueing is mended by ingesting the file again.
            added += store_turns(store, ctx.inbox, batch)
            batch.clear()

    with tqdm(total=total, unit="turn", desc="ingest", file=sys.stderr, leave=False) as bar:
        for number, obj, error in lines:
            bar.update(1)
            if obj is not None:
                try:
                    batch.append(ChatTurn.model_validate(obj))
                    seen += 1
                except ValueError as exc:
                    error = one_line(exc, whole="line")
            if error is not None:
                bad += 1
                tqdm.write(f"mirix-desktop: {path}:{number}: skipped: {error}", file=sys.stderr)
            if len(batch) >= 256:
                flush()
        flush()
    if added:
        store.optimize()
    print(f"added {added} chat turns ({seen - added} already stored, {bad} bad lines skipped)")
    return EXIT_USAGE if bad else 0


def cmd_remember(ctx: Context, args: argparse.Namespace) -> int:
    text = args.text.strip()
    if not text:
        raise InvalidInput("nothing to remember: the text is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput(f"the text is {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,}")
    mtype = parse_type(args.type)
    if not isinstance(mtype, MemoryType):
        raise InvalidInput(f"{args.type!r} is not a memory type")
    data = data_from_text(mtype, text)
    memory = ctx.store.add(mtype, data, actor="user")
    print(f"remembered {memory.id}")
    return 0


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
    since = parse_time(spec["since"]) if spec.get("since") else None
    until = parse_time(spec["until"]) if spec.get("until") else None
    return ctx.search_options(
        k=k, types=tuple(types or ()), since=since, until=until, app=spec.get("app")
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
    }
    hits = ctx.store.search(args.query, _search_options(ctx, spec))
    _print_hits(hits, as_json=args.json, out=sys.stdout)
    if not hits and not args.json:
        print("no results", file=sys.stderr)
    return 0


def _search_batch(ctx: Context, args: argparse.Namespace) -> int:
    bad = 0
    for number, obj, error in _read_jsonl(args.batch):
        try:
            if error is not None:
                raise InvalidInput(error)
            assert obj is not None
            query = obj.get("query")
            if not isinstance(query, str):
                raise InvalidInput('"query" must be a string')
            hits = ctx.store.search(query, _search_options(ctx, obj))
        except MirixError as exc:
            bad += 1
            print(f"mirix-desktop: {args.batch}:{number}: skipped: {exc}", file=sys.stderr)
            continue
        _print_hits(hits, as_json=True, out=sys.stdout, query_id=obj.get("id", number))
    sys.stdout.flush()
    return EXIT_USAGE if bad else 0


def cmd_export(ctx: Context, args: argparse.Namespace) -> int:
    out: TextIO = sys.stdout
    if args.output is not None:
        out = args.output.open("w", encoding="utf-8")
    count = 0
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
    finally:
        if out is not sys.stdout:
            out.close()
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


def cmd_capture(ctx: Context, args: argparse.Namespace) -> int:
    if args.duration is not None and args.duration <= 0:
        raise InvalidInput("--for needs a positive number of seconds")
    from mss.exception import ScreenShotError

    capturer = ctx.capturer()
    worker = ctx.ocr_worker()
    try:
        if args.duration is None:
            capturer.capture_once()
        else:
            from mirix_desktop.scheduler import run_for

            worker.start()
            try:
                run_for(ctx.capture_schedule(capturer), args.duration)
            finally:
                worker.stop()
    except (OSError, ScreenShotError) as exc:  # no screen (no display, or the X server went)
        raise InvalidInput(f"cannot take a screenshot: {exc}") from None
    read = worker.drain()
    if read:
        print(f"read the text of {read} frames", file=sys.stderr)
    _retention(ctx)
    counts = capturer.stats.counts
    print(
        f"stored {counts['stored']} frames; skipped {counts['unchanged']} unchanged, "
        f"{counts['excluded']} excluded"
        + (f", {counts['paused']} while paused" if counts["paused"] else "")
    )
    return 0


def _retention(ctx: Context) -> None:
    removed = ctx.enforce_retention()
    if removed.frames:
        print(
            f"retention: removed {removed.frames} old frames ({removed.bytes / 1e6:.1f} MB)",
            file=sys.stderr,
        )


def cmd_app(ctx: Context, args: argparse.Namespace) -> int:
    if not _has_display():
        print(
            "mirix-desktop: error: no display to show the app on (neither DISPLAY nor "
            "WAYLAND_DISPLAY is set); start it from a desktop session, or use the command "
            "line: mirix-desktop --help",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from mirix_desktop.ui.app import run_app  # Qt only for the app

    return run_app(ctx, show=not args.background)


def _has_display() -> bool:
    """Whether Qt can show windows here (Linux and BSD need an X or Wayland display)."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd")):
        return True
    if os.environ.get("QT_QPA_PLATFORM"):
        return True  # chosen on purpose (offscreen, vnc, ...)
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def cmd_pause(ctx: Context, args: argparse.Namespace) -> int:
    ctx.capturer().set_paused(args.command == "pause")
    print("capture paused" if args.command == "pause" else "capture resumed")
    return 0


def cmd_forget(ctx: Context, args: argparse.Namespace) -> int:
    from mirix_desktop.capture.retention import forget_last

    if not 0 < args.last <= 10 * 365 * 24 * 60:
        raise InvalidInput("--last needs a positive number of minutes")
    removed = forget_last(ctx.store, ctx.inbox, args.last)
    print(
        f"forgot {removed.frames} frames ({removed.bytes / 1e6:.1f} MB) and "
        f"{removed.memories} memories made only from them"
    )
    return 0


def cmd_optimize(ctx: Context, args: argparse.Namespace) -> int:
    ctx.store.optimize(progress=lambda name: print(f"optimizing {name}", file=sys.stderr))
    print("done")
    return 0


def cmd_ask(ctx: Context, args: argparse.Namespace) -> int:
    from mirix_desktop.assistant import Assistant

    question = args.question.strip()
    if not question:
        raise InvalidInput("the question is empty")
    if len(question) > MAX_QUESTION_CHARS:
        raise InvalidInput(
            f"the question is {len(question):,} characters; the limit is {MAX_QUESTION_CHARS:,}"
        )
    if args.image is not None and not args.image.is_file():
        raise InvalidInput(f"no such file: {args.image}")
    assistant = Assistant(ctx)
    streamed = not args.json and assistant.llm is not None

    def show(text: str) -> None:
        sys.stdout.write(text)
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
        print(answer.answer)
    else:
        print()
    if answer.citations:
        print("\nsources:")
        for c in answer.citations:
            sources = f" from {', '.join(c.source_ids[:5])}" if c.source_ids else ""
            print(f"  [{c.id}] {c.type}, {c.time:%Y-%m-%d %H:%M}{sources}")
    print(f"(conversation {answer.conversation_id})", file=sys.stderr)
    return 0


def cmd_absorb(ctx: Context, args: argparse.Namespace) -> int:
    from mirix_desktop.absorber import AbsorbJob, AbsorbReport

    if args.max_batches is not None and args.max_batches < 1:
        raise InvalidInput("--max-batches needs a positive number")
    job = AbsorbJob(ctx)
    if args.redo:
        queued = job.redo()
        print(f"queued {queued} items that offline mode absorbed for {job.mode} absorption")
    waiting, _ = ctx.inbox.waiting(("frame", "chat"))

    def progress(report: AbsorbReport) -> None:
        print(
            f"  batch {report.batches}: {report.items_done}/{waiting} items absorbed",
            file=sys.stderr,
        )

    report = job.run(max_batches=args.max_batches, progress=progress)
    print(report.line())
    return EXIT_ERROR if report.items_failed else 0


def cmd_mcp(ctx: Context, args: argparse.Namespace) -> int:
    from mirix_desktop.mcp_server import serve_stdio

    return serve_stdio(ctx)


_COMMANDS = {
    "mcp": cmd_mcp,
    "app": cmd_app,
    "doctor": cmd_doctor,
    "ask": cmd_ask,
    "absorb": cmd_absorb,
    "ingest": cmd_ingest,
    "remember": cmd_remember,
    "search": cmd_search,
    "export": cmd_export,
    "stats": cmd_stats,
    "capture": cmd_capture,
    "forget": cmd_forget,
    "pause": cmd_pause,
    "resume": cmd_pause,
    "optimize": cmd_optimize,
}


if __name__ == "__main__":
    raise SystemExit(main())
