"""A full disk is one clear line and exit status 1, and leaves nothing half-written.

The disk is filled where the program meets it: the write calls raise ENOSPC (an
``OSError`` from Python's file writes, LanceDB's "No space left on device (os error
28)" from its Rust writer), as they do on a full disk; the program's own code runs as
it is."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest
from lancedb.table import LanceTable
from PIL import Image, ImageDraw

from mirix_desktop.cli import main

LANCE_FULL = (
    "lance error: LanceError(IO): Generic LocalFileSystem error: No space left on device "
    "(os error 28), /root/.cargo/registry/src/lance-io-13.0.0/src/local.rs:120:5"
)


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("mirix-desktop:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_a_full_disk_under_the_store_is_one_line(monkeypatch, capsys, home) -> None:
    assert main(["remember", "Alice likes green tea"]) == 0
    capsys.readouterr()

    def full(self, *args, **kwargs):  # the store's writer meets a full disk
        raise RuntimeError(LANCE_FULL)

    with monkeypatch.context() as patch:
        patch.setattr(LanceTable, "add", full)
        assert main(["remember", "Bob plays the cello"]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert line.startswith("mirix-desktop: error: the disk is full (")
    assert "MB free in " in line and str(home / "data") in line
    assert not (home / "logs" / "crash.log").exists()
    assert main(["search", "green tea"]) == 0  # what was stored before is there
    assert "Alice likes green tea" in capsys.readouterr().out


def test_a_full_disk_while_importing_leaves_no_partial_file(
    monkeypatch, capsys, home, tmp_path
) -> None:
    folder = tmp_path / "shots"
    folder.mkdir()
    image = Image.new("RGB", (200, 80), "white")
    ImageDraw.Draw(image).text((5, 5), "Invoice 1042", fill="black")
    image.save(folder / "a.png")
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".tmp"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc to tell which file is written")
    monkeypatch.setattr(os, "fsync", fsync)
    assert main(["ingest", "screenshots", str(folder)]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert "the disk is full" in line
    frames = home / "data" / "frames"
    assert not [p for p in frames.rglob("*") if p.is_file()]  # no half-written image


def test_a_full_disk_while_exporting_keeps_no_half_file(monkeypatch, capsys, tmp_path) -> None:
    assert main(["remember", "Alice likes green tea"]) == 0
    target = tmp_path / "out.jsonl"
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if ".out.jsonl." in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    assert main(["export", "-o", str(target)]) == 1
    assert "the disk is full" in _one_error_line(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == [tmp_path / "home"]  # neither the file nor a temp


def test_a_full_inbox_database_is_one_line(monkeypatch, capsys, home) -> None:
    import sqlite3

    assert main(["remember", "Alice likes green tea"]) == 0
    capsys.readouterr()
    real = sqlite3.connect

    class Full(sqlite3.Connection):
        def execute(self, sql, *args):  # type: ignore[no-untyped-def]
            if sql.lstrip().upper().startswith(("INSERT", "UPDATE")):
                raise sqlite3.OperationalError("database or disk is full")
            return super().execute(sql, *args)

    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: real(*a, factory=Full, **k))
    chat = home.parent / "chat.jsonl"
    chat.write_text(
        '{"id":"t1","conversation_id":"c","speaker":"user","text":"hi",'
        '"created_at":"2026-11-20T10:00:00Z"}\n'
    )
    assert main(["ingest", "chat", str(chat)]) == 1
    assert "the disk is full" in _one_error_line(capsys.readouterr().err)


@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed")
def test_capture_pauses_on_a_full_disk_and_resumes_when_space_returns(monkeypatch, home) -> None:
    from collections import namedtuple

    from mirix_desktop.pipeline.scheduler import RESUME_FREE_BYTES, CaptureSchedule
    from mirix_desktop.services.context import open_context
    from tests.helpers import start_xvfb

    display, proc = start_xvfb(640, 360, first=140)
    monkeypatch.setenv("DISPLAY", display)
    usage = namedtuple("usage", "total used free")
    free = {"bytes": 1 << 20}
    real_usage, real_fsync = shutil.disk_usage, os.fsync

    def disk_usage(path):  # type: ignore[no-untyped-def]
        real = real_usage(path)
        return usage(real.total, real.used, free["bytes"])

    def fsync(fd: int) -> None:
        written = os.readlink(f"/proc/self/fd/{fd}")
        if free["bytes"] < RESUME_FREE_BYTES and "/frames/" in written:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(shutil, "disk_usage", disk_usage)
    monkeypatch.setattr(os, "fsync", fsync)
    ctx = open_context()
    try:
        capturer = ctx.capturer()
        schedule = CaptureSchedule(capturer, interval_s=1, idle_interval_s=5, idle_after_s=60)
        schedule.round()
        error = capturer.stats.last_error or ""
        assert error.startswith("the disk is full (1.0 MB free in ")
        assert "capture is paused until 210 MB are free" in error
        schedule.round()  # still full: nothing is tried
        assert capturer.stats.counts["no space"] == 1
        frames = home / "data" / "frames"
        assert not [p for p in frames.rglob("*") if p.is_file()]
        free["bytes"] = 10 * RESUME_FREE_BYTES
        schedule.round()
        assert capturer.stats.last_error is None
        assert capturer.stats.counts["stored"] == 1
    finally:
        ctx.close()
        proc.terminate()
        proc.wait(timeout=10)


def test_the_ocr_worker_goes_on_after_its_inbox_was_full(monkeypatch, home) -> None:
    import sqlite3
    import time

    from mirix_desktop.pipeline.capture import worker as worker_module
    from mirix_desktop.services.context import open_context
    from tests.helpers import add_frame

    monkeypatch.setattr(worker_module, "PAUSE_AFTER_ERROR_S", 0.1)
    ctx = open_context()
    try:
        fid = add_frame(ctx, "Invoice 1042", queue=False)
        ctx.inbox.queue_ocr(fid, None)
        real = ctx.inbox._db
        failures = {"left": 3}

        class FullDisk:  # the database file's disk is full for the first few writes
            def execute(self, sql, *args):  # type: ignore[no-untyped-def]
                if failures["left"] and sql.lstrip().upper().startswith("BEGIN"):
                    failures["left"] -= 1
                    raise sqlite3.OperationalError("database or disk is full")
                return real.execute(sql, *args)

            def __getattr__(self, name):  # type: ignore[no-untyped-def]
                return getattr(real, name)

        ctx.inbox._db = FullDisk()
        worker = ctx.ocr_worker()
        worker.start(idle_s=0.05)
        deadline = time.time() + 30
        state = "SELECT state FROM items WHERE id = ?"
        while real.execute(state, (f"ocr:{fid}",)).fetchone()[0] != "done":
            assert time.time() < deadline, "the worker stopped"
            time.sleep(0.1)
        worker.stop()
        assert failures["left"] == 0
        assert ctx.inbox.counts()["pending"] == 1  # read, and waiting to be absorbed
    finally:
        ctx.close()


def test_an_mcp_tool_tells_a_full_disk_in_the_command_lines_words(monkeypatch, tmp_path) -> None:
    from mcp.server.mcpserver.exceptions import ToolError

    from mirix_desktop.pipeline.failures import explain
    from mirix_desktop.services.mcp_protocol import _as_tool_errors

    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage)
    full = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "part.lance"))
    with pytest.raises(ToolError) as caught, _as_tool_errors():
        raise full
    line = str(caught.value)
    assert line.startswith("the disk is full (") and str(tmp_path) in line
    assert line == explain(full)
