"""Commands that put records in: ``ingest`` (screenshots, chat files) and ``remember``."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from mirix_desktop.commands import EXIT_USAGE
from mirix_desktop.commands.running import run_retention
from mirix_desktop.services.context import Context
from mirix_desktop.services.remember import remember

log = logging.getLogger("mirix_desktop")


def cmd_ingest(ctx: Context, args: argparse.Namespace) -> int:
    if args.what == "screenshots":
        return _ingest_screenshots(ctx, args.folder)
    return _ingest_chat(ctx, args)


def _ingest_screenshots(ctx: Context, folder: Path) -> int:
    from tqdm import tqdm

    from mirix_desktop.pipeline.capture.frames import FrameStore
    from mirix_desktop.pipeline.capture.gate import ChangeGate
    from mirix_desktop.pipeline.capture.importer import import_screenshots, screenshot_files

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
    run_retention(ctx)
    print(
        f"imported {report.stored} screenshots ({report.unchanged} unchanged, "
        f"{len(report.unreadable)} unreadable skipped)"
    )
    return EXIT_USAGE if report.unreadable else 0


def _ingest_chat(ctx: Context, args: argparse.Namespace) -> int:
    """Import a chat history, its format told from the file (agents/importers). Returns
    once the turns are stored and found by full text; their vectors come afterwards."""
    from tqdm import tqdm

    from agents.importers import Skipped, open_export
    from mirix_desktop.pipeline.chat_import import import_chats

    path: Path = args.file
    started = time.perf_counter()
    export = open_export(path)  # a file of no known format is one line, before any bar
    # What a failure (a full disk) leaves: each batch is stored before it is queued.
    ctx.kept = "the chat turns stored before it are kept; importing the file again adds the rest"
    with tqdm(unit="turn", desc="import", file=sys.stderr, leave=False) as bar:

        def skipped(item: Skipped) -> None:
            where = f"{path}:{item.line}" if item.line else f"{path}: {item.where}"
            tqdm.write(f"mirix-desktop: {where}: skipped: {item.reason}", file=sys.stderr)

        report = import_chats(
            ctx.store, ctx.inbox, export, on_turn=lambda _: bar.update(1), on_skip=skipped
        )
    bad = len(report.skipped)
    unit = "lines" if report.format in ("jsonl", "whatsapp") else "records"
    print(
        f"added {report.added} chat turns ({report.already_stored} already stored,"
        f" {bad} bad {unit} skipped)"
    )
    later = (
        ", by meaning once their vectors are made (in the app's background work,"
        " or now by `mirix-desktop optimize`)"
    )
    print(
        f"{report.label}: {report.conversations} conversations, {report.read} turns,"
        f" {bad} skipped, {time.perf_counter() - started:.1f} s; searchable by full text now"
        + (later if report.added else "")
    )
    return EXIT_USAGE if bad else 0


def cmd_remember(ctx: Context, args: argparse.Namespace) -> int:
    memory = remember(ctx.store, args.text, args.type, actor="user")
    print(f"remembered {memory.id}")
    return 0
