"""The durable inbox: idempotent puts, claims, done only on commit, retries, kill -9."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from mirix_desktop.pipeline.inbox import Inbox


def test_put_is_idempotent_and_take_claims(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite")
    assert inbox.put("chat", "t1", {"text": "hi"})
    assert not inbox.put("chat", "t1", {"text": "changed"})
    assert inbox.put_many("frame", [("f1", {}), ("f2", {}), ("t1", {})]) == 2
    batch = inbox.take(10)
    assert [i.id for i in batch] == ["t1", "f1", "f2"]
    assert batch[0].payload == {"text": "hi"}
    assert inbox.take(10) == []  # claimed
    inbox.done(["t1", "f1"])
    inbox.release(["f2"])
    assert [i.id for i in inbox.take(10)] == ["f2"]
    assert inbox.counts() == {"pending": 1, "failing": 0, "done": 2}


def test_failed_items_wait_with_backoff_and_are_reported(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite")
    inbox.put("chat", "t1", {})
    inbox.fail([i.id for i in inbox.take(5)], "model answered nothing useful")
    assert inbox.take(5) == []  # backing off
    assert inbox.counts() == {"pending": 1, "failing": 1, "done": 0}
    assert inbox.failures() == [("t1", 1, "model answered nothing useful")]


def test_an_expired_claim_comes_back(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite", lease_s=0.05)
    inbox.put("chat", "t1", {})
    assert len(inbox.take(5)) == 1
    time.sleep(0.1)
    assert [i.id for i in inbox.take(5)] == ["t1"]


def test_kill_9_loses_no_committed_item(tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite"
    writer = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from mirix_desktop.pipeline.inbox import Inbox
        inbox = Inbox(Path({str(path)!r}))
        i = 0
        while True:
            inbox.put("frame", f"f{{i}}", {{"n": i, "pad": "x" * 500}})
            print(i, flush=True)
            i += 1
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", writer], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    acknowledged = -1
    while acknowledged < 300:
        acknowledged = int(proc.stdout.readline())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    check.close()
    inbox = Inbox(path)
    ids = {item.id for item in inbox.take(100_000)}
    assert {f"f{i}" for i in range(acknowledged + 1)} <= ids


def test_claims_of_a_dead_process_are_released_at_once(tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite"
    inbox = Inbox(path)
    inbox.put_many("ocr", [("a", {}), ("b", {})])
    claimer = (
        "from pathlib import Path; from mirix_desktop.pipeline.inbox import Inbox;"
        f"print(len(Inbox(Path({str(path)!r})).take(10)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", claimer], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "2"
    assert [i.id for i in inbox.take(10)] == ["a", "b"]  # the claimer is gone: free again
