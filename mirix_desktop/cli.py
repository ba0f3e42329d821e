"""The command line: ``mirix-desktop [--home DIR] COMMAND``.

Errors of the program (:class:`agents.errors.MirixError`) become one line on
stderr and a non-zero exit code here, and nowhere else; the line is
:func:`mirix_desktop.pipeline.failures.explain`'s, the one the app and the MCP server give.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agents.errors import InvalidInput
from agents.privacy import LogFilter, sealed
from mirix_desktop import __version__
from mirix_desktop.commands import EXIT_ERROR, EXIT_USAGE
from mirix_desktop.config.paths import private_files

if TYPE_CHECKING:
    from mirix_desktop.services.context import Context

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
    s.add_argument("--since", help='ISO 8601 date or time, or a time like "yesterday"')
    s.add_argument("--until", help='ISO 8601 date or time, or a time like "last week"')
    s.add_argument("--as-of", metavar="ISO", help="reference time for relative times (now)")
    s.add_argument("--app", help="only results from this app")
    s.add_argument(
        "--batch", type=Path, help='JSONL of {"id","query","k","as_of"} to answer in one run'
    )
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
    ask.add_argument("--as-of", metavar="ISO", help="reference time for relative times (now)")

    wh = sub.add_parser("when", help="the interval a text names, as JSON (or null)")
    wh.add_argument("text")
    wh.add_argument("--as-of", metavar="ISO", help="reference time (default: now)")

    ab = sub.add_parser("absorb", help="turn waiting frames and chat turns into memories")
    ab.add_argument(
        "--redo", action="store_true", help="run the memory model over what offline mode absorbed"
    )
    ab.add_argument("--max-batches", type=int, default=None, metavar="N")

    rep = sub.add_parser(
        "repair", help="roll damaged tables back to a version that reads whole (a copy is kept)"
    )
    rep.add_argument(
        "--reset-vault",
        action="store_true",
        help="when the vault's key is lost: remove the vault's values so the rest works again",
    )

    sub.add_parser("stats", help="counts and disk usage")
    sub.add_parser("optimize", help="compact tables and update indexes")
    _add_mcp_parser(sub)
    _add_setup_parsers(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        args.command, args.background = "app", False
    private_files()  # folders 0700 and files 0600, whatever the umask
    _setup_logging(args.verbose)
    ctx: Context | None = None
    try:
        if args.command in _WITHOUT_CONTEXT:  # they open what they need, when they need it
            return int(_handler(_WITHOUT_CONTEXT[args.command])(args))
        from mirix_desktop.services.context import open_context

        ctx = open_context(args.home)
        handler = _handler(_COMMANDS[args.command])
        return int(handler(ctx, args))
    except KeyboardInterrupt:
        print("mirix-desktop: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, details logged
        return _failed(exc, args.home, ctx)
    finally:
        if ctx is not None:
            try:
                ctx.close()
            except Exception as exc:  # noqa: BLE001 - the command's own outcome is told already
                log.warning("closing the store: %s", exc)


def _data_dir(home: str | None, ctx: Context | None) -> Path:
    from mirix_desktop.config.paths import resolve_paths

    return ctx.paths.data_dir if ctx is not None else resolve_paths(home).data_dir


def _failed(exc: Exception, home: str | None, ctx: Context | None) -> int:
    """One line for the error (the same line the app and the MCP server give) and the exit
    status; an unexpected error is an internal error, with its details in the crash log."""
    from mirix_desktop.pipeline.failures import explain, explained

    data_dir = _data_dir(home, ctx)
    line = explained(exc, data_dir, ctx.kept if ctx is not None else "")
    if line is not None:
        print(f"mirix-desktop: error: {line}", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, InvalidInput) else EXIT_ERROR
    where = _log_crash(home)
    print(f"mirix-desktop: internal error: {explain(exc)}", file=sys.stderr)
    if where is not None:
        print(f"mirix-desktop: details in {where}", file=sys.stderr)
    return EXIT_ERROR


def _log_crash(home: str | None) -> Path | None:
    """Append the traceback to crash.log; None when it cannot be written (a full disk)."""
    import traceback

    from mirix_desktop.config.paths import resolve_paths

    try:
        log_dir = resolve_paths(home).log_dir
        log_dir.mkdir(parents=True, exist_ok=True)
        path = log_dir / "crash.log"
        with path.open("a", encoding="utf-8") as fh:
            fh.write(sealed(traceback.format_exc()) + "\n")
    except OSError:
        return None
    return path


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="mirix-desktop: %(levelname)s: %(message)s",
        stream=sys.stderr,
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(LogFilter())  # no key, token or password reaches a log
    for noisy in ("sentence_transformers", "transformers", "httpx", "huggingface_hub"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line every capture round
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


# ---- commands --------------------------------------------------------------------------


# Each command's module is imported only when it runs: ``mcp`` must answer its client
# before the store (LanceDB) and the models are even imported.
_COMMANDS = {
    "app": "running:cmd_app",
    "doctor": "running:cmd_doctor",
    "ask": "queries:cmd_ask",
    "absorb": "running:cmd_absorb",
    "ingest": "records:cmd_ingest",
    "remember": "records:cmd_remember",
    "search": "queries:cmd_search",
    "export": "queries:cmd_export",
    "stats": "queries:cmd_stats",
    "capture": "running:cmd_capture",
    "forget": "running:cmd_forget",
    "pause": "running:cmd_pause",
    "resume": "running:cmd_pause",
    "optimize": "running:cmd_optimize",
    "vault": "setup:cmd_vault",
    "models": "setup:cmd_models",
    "repair": "repairing:cmd_repair",
}
# Commands that take the parsed arguments only (no context opened for them).
_WITHOUT_CONTEXT = {
    "mcp": "mcp:cmd_mcp",
    "when": "queries:cmd_when",  # reads no data: no folder, no store
    "config": "setup:cmd_config",
}


def _handler(where: str) -> Any:
    from importlib import import_module

    module, _, name = where.partition(":")
    return getattr(import_module(f"mirix_desktop.commands.{module}"), name)


def _add_mcp_parser(sub: Any) -> None:
    m = sub.add_parser(
        "mcp", help="serve the memory to other assistants (MCP over stdio, or local HTTP)"
    )
    m.add_argument(
        "--http", action="store_true", help="serve over streamable HTTP on 127.0.0.1 (a token)"
    )
    m.add_argument("--port", type=int, default=None, help="the HTTP port (default: mcp.http_port)")
    m.add_argument("--show-token", action="store_true", help="print the HTTP bearer token and exit")
    m.add_argument(
        "--rotate-token", action="store_true", help="make a new HTTP bearer token (the old fails)"
    )


def _add_setup_parsers(sub: Any) -> None:
    c = sub.add_parser("config", help="see and change settings (as the Settings window does)")
    c_sub = c.add_subparsers(dest="action", required=True, parser_class=_Parser)
    c_list = c_sub.add_parser("list", help="every setting with its value")
    c_list.add_argument("--changed", action="store_true", help="only those not at their default")
    c_list.add_argument("--json", action="store_true")
    c_get = c_sub.add_parser("get", help="one setting's value (section.name)")
    c_get.add_argument("key")
    c_set = c_sub.add_parser("set", help="change settings: section.name=value ...")
    c_set.add_argument("assignments", nargs="+", metavar="KEY=VALUE")
    c_unset = c_sub.add_parser("unset", help="back to the default")
    c_unset.add_argument("keys", nargs="+", metavar="KEY")

    mo = sub.add_parser("models", help="language-model endpoints")
    mo_sub = mo.add_subparsers(dest="action", required=True, parser_class=_Parser)
    mo_sub.add_parser("presets", help="well-known local and remote servers")
    t = mo_sub.add_parser("test", help="test the configured endpoints (or one given here)")
    t.add_argument("--role", choices=["chat", "memory"], help="only this role's endpoint")
    t.add_argument("--base-url", help="test this endpoint instead of the configured one")
    t.add_argument("--model", help="with --base-url: the model to try")
    t.add_argument("--json", action="store_true")
    k = mo_sub.add_parser("key", help="store a role's API key (read from stdin, never shown)")
    k.add_argument("role", choices=["chat", "memory"])
    k.add_argument("--delete", action="store_true", help="remove the stored key")

    v = sub.add_parser("vault", help="the knowledge vault's entries")
    v_sub = v.add_subparsers(dest="action", required=True, parser_class=_Parser)
    v_list = v_sub.add_parser("list", help="entries without their values")
    v_list.add_argument("--json", action="store_true")
    v_show = v_sub.add_parser("show", help="one entry (its value only with --reveal)")
    v_show.add_argument("id")
    v_show.add_argument("--reveal", action="store_true", help="print the value in plain text")
    v_show.add_argument("--json", action="store_true")


if __name__ == "__main__":
    raise SystemExit(main())
