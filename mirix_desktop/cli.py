"""The command line: ``mirix-desktop [--home DIR] COMMAND``.

Errors of the program (:class:`agents.errors.MirixError`) become one line on
stderr and a non-zero exit code here, and nowhere else.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agents.errors import InvalidInput, MirixError
from mirix_desktop import __version__
from mirix_desktop.commands import EXIT_ERROR, EXIT_USAGE
from mirix_desktop.commands.queries import cmd_ask, cmd_export, cmd_search, cmd_stats
from mirix_desktop.commands.records import cmd_ingest, cmd_remember
from mirix_desktop.commands.running import (
    cmd_absorb,
    cmd_app,
    cmd_capture,
    cmd_doctor,
    cmd_forget,
    cmd_mcp,
    cmd_optimize,
    cmd_pause,
)
from mirix_desktop.config.paths import private_files
from mirix_desktop.services.context import Context, open_context

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

    ing = sub.add_parser("ingest", help="import chat histories or screenshots")
    ing_sub = ing.add_subparsers(dest="what", required=True, parser_class=_Parser)
    chat = ing_sub.add_parser(
        "chat",
        help="a chat history: ChatGPT, Claude, Telegram or WhatsApp export, or JSONL turns",
    )
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

    from mirix_desktop.config.paths import resolve_paths

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
