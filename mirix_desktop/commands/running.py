"""Commands that run the program's machinery: ``app``, ``capture``, ``pause``, ``forget``,
``optimize``, ``absorb`` and ``doctor``."""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys

from agents.errors import InvalidInput
from mirix_desktop.commands import EXIT_ERROR, EXIT_USAGE
from mirix_desktop.services.context import Context

log = logging.getLogger("mirix_desktop")


def cmd_doctor(ctx: Context, args: argparse.Namespace) -> int:
    from mirix_desktop.services.doctor import report

    info = report(ctx)
    status = 0 if info["ok"] else EXIT_ERROR
    if args.json:
        print(json.dumps(info, indent=2, default=str))
        return status
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
    capture = info["capture"]
    if capture["paused"]:
        print(
            f"capture  paused by {capture['by']} since {capture['since']} "
            "(`mirix-desktop resume` or the app's Resume capture resumes it)"
        )
    else:
        print("capture  not paused")
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
    for line in info["damage_lines"]:
        print(line)
    for problem in info["problems"]:
        print(f"error    {problem}")
    if info["ok"]:
        tables = len(info["damage"]["tables"])
        print(f"health   all {tables} tables read whole; the inbox and the vault's key are sound")
    return status


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
            from mirix_desktop.pipeline.scheduler import run_for

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
    run_retention(ctx)
    counts = capturer.stats.counts
    print(
        f"stored {counts['stored']} frames; skipped {counts['unchanged']} unchanged, "
        f"{counts['excluded']} excluded"
        + (f", {counts['paused']} while paused" if counts["paused"] else "")
    )
    return 0


def run_retention(ctx: Context) -> None:
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
    ctx.capturer().set_paused(args.command == "pause", by="the command line (mirix-desktop pause)")
    print("capture paused" if args.command == "pause" else "capture resumed")
    return 0


def cmd_forget(ctx: Context, args: argparse.Namespace) -> int:
    from mirix_desktop.pipeline.capture.retention import forget_last

    if not 0 < args.last <= 10 * 365 * 24 * 60:
        raise InvalidInput("--last needs a positive number of minutes")
    removed = forget_last(ctx.store, ctx.inbox, args.last)
    print(
        f"forgot {removed.frames} frames ({removed.bytes / 1e6:.1f} MB), "
        f"{removed.turns} chat turns and {removed.memories} memories made only from them"
    )
    return 0


def cmd_optimize(ctx: Context, args: argparse.Namespace) -> int:
    """Finish the vectors an import left for later (with a progress bar), then compact the
    tables and fold new rows into their indexes."""
    from tqdm import tqdm

    waiting = sum(ctx.store.missing_vectors().values())
    if waiting:
        done_by_table: dict[str, int] = {}
        with tqdm(total=waiting, unit="row", desc="vectors", file=sys.stderr, leave=False) as bar:

            def progress(table: str, done: int, total: int) -> None:
                bar.update(done - done_by_table.get(table, 0))
                done_by_table[table] = done

            filled = ctx.store.fill_vectors(progress=progress)
        print(f"made the vectors of {filled} rows", file=sys.stderr)
    ctx.store.optimize(progress=lambda name: print(f"optimizing {name}", file=sys.stderr))
    print("done")
    return 0


def cmd_absorb(ctx: Context, args: argparse.Namespace) -> int:
    from mirix_desktop.pipeline.absorb_job import AbsorbReport

    if args.max_batches is not None and args.max_batches < 1:
        raise InvalidInput("--max-batches needs a positive number")
    job = ctx.absorb_job()
    if args.redo:
        queued = job.redo()
        print(f"queued {queued} items that offline mode absorbed for {job.mode} absorption")
    waiting, _ = ctx.inbox.waiting(("frame", "chat"))

    def progress(report: AbsorbReport) -> None:
        print(
            f"  batch {report.batches}: {report.items_done}/{waiting} items absorbed",
            file=sys.stderr,
        )

    report = job.absorb(max_batches=args.max_batches, progress=progress)
    print(report.line())
    return EXIT_ERROR if report.items_failed else 0
