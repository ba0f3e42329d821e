"""The task runner: work off the interface thread, results back on it, one serial lane."""

from __future__ import annotations

import errno
import shutil
import threading
import time

import pytest
from PySide6.QtCore import QElapsedTimer, QObject, QTimer

from agents.errors import InvalidInput


def test_results_come_back_on_the_interface_thread(qtbot, tasks) -> None:
    seen: dict[str, object] = {}

    def work() -> str:
        seen["worker"] = threading.current_thread().name
        return "done"

    def done(result: str) -> None:
        seen["result"] = result
        seen["callback"] = threading.current_thread() is threading.main_thread()

    with qtbot.waitSignal(tasks.idle, timeout=5000):
        tasks.run(work, on_done=done)
    assert seen == {"worker": seen["worker"], "result": "done", "callback": True}
    assert str(seen["worker"]).startswith("mirix-pool")


def test_serial_tasks_run_one_at_a_time_in_order(qtbot, tasks) -> None:
    order: list[int] = []
    threads: set[str] = set()
    running = 0
    overlap = False

    def write(n: int) -> int:
        nonlocal running, overlap
        running += 1
        overlap = overlap or running > 1
        threads.add(threading.current_thread().name)
        time.sleep(0.01)  # a slow write: a second serial thread would overlap it
        order.append(n)
        running -= 1
        return n

    with qtbot.waitSignal(tasks.idle, timeout=5000):
        for n in range(8):
            tasks.serial(write, n)
    assert order == list(range(8))
    assert not overlap
    assert len(threads) == 1


def test_errors_reach_on_error_or_the_failed_signal(qtbot, tasks) -> None:
    def boom() -> None:
        raise InvalidInput("the query is empty")

    errors: list[BaseException] = []
    with qtbot.waitSignal(tasks.idle, timeout=5000):
        tasks.run(boom, on_error=errors.append)
    assert isinstance(errors[0], InvalidInput)

    with qtbot.waitSignal(tasks.failed, timeout=5000) as blocker:
        tasks.run(boom)
    assert blocker.args == ["the query is empty"]


def test_a_full_disk_in_a_task_reads_as_the_command_lines_line(
    qtbot, tasks, home, monkeypatch, capsys
) -> None:
    """The app, the command line (and the MCP server) tell an error in the same words."""
    from lancedb.table import LanceTable

    from mirix_desktop.cli import main

    written = home / "data" / "store" / "part.lance"
    full = OSError(errno.ENOSPC, "No space left on device", str(written))

    def write(*args: object, **kwargs: object) -> None:
        raise full

    assert main(["remember", "Alice likes green tea"]) == 0
    capsys.readouterr()
    monkeypatch.setattr(LanceTable, "add", write)
    usage = shutil.disk_usage(home)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage)  # the same figure twice
    assert main(["remember", "Bob plays the cello"]) == 1
    cli_line = capsys.readouterr().err.strip()

    with qtbot.waitSignal(tasks.failed, timeout=5000) as blocker:
        tasks.serial(write)
    app_line = blocker.args[0]
    assert app_line.startswith("the disk is full (") and "MB free in " in app_line
    assert str(written.parent) in app_line and "Errno" not in app_line
    assert cli_line == f"mirix-desktop: error: {app_line}"


def test_a_callback_of_a_deleted_owner_is_dropped(qtbot, tasks) -> None:
    owner = QObject()
    gate = threading.Event()
    called: list[object] = []
    tasks.run(gate.wait, 5, on_done=called.append, owner=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _alive(owner))
    with qtbot.waitSignal(tasks.idle, timeout=5000):
        gate.set()
    assert called == []


def _alive(obj: QObject) -> bool:
    import shiboken6

    return shiboken6.isValid(obj)


def test_labelled_work_is_announced(qtbot, tasks) -> None:
    gate = threading.Event()
    with qtbot.waitSignal(tasks.working_changed, timeout=5000) as started:
        tasks.run(gate.wait, 5, label="Absorbing")
    assert started.args == ["Absorbing"]
    with qtbot.waitSignal(tasks.working_changed, timeout=5000) as ended:
        gate.set()
    assert ended.args == [""]


def test_the_event_loop_stays_responsive_while_work_runs(qtbot, tasks) -> None:
    """A second-long job on the pool and on the serial lane: timers still fire within 100 ms."""
    delays: list[int] = []
    clock = QElapsedTimer()
    timer = QTimer(interval=20)

    def tick() -> None:
        if clock.isValid():
            delays.append(clock.restart())
        else:
            clock.start()

    timer.timeout.connect(tick)
    timer.start()
    with qtbot.waitSignal(tasks.idle, timeout=10_000):
        tasks.run(time.sleep, 1.0)
        tasks.serial(time.sleep, 1.0)
    timer.stop()
    assert len(delays) > 20
    assert max(delays) < 100


def test_shut_down_runner_refuses_work(tasks) -> None:
    tasks.shutdown()
    with pytest.raises(RuntimeError):
        tasks.run(print)
