"""Background work for the interface: one serial lane for changes, a pool for the rest.

The interface thread never waits on disk, network or a model. It hands work to
:class:`Tasks`: :meth:`Tasks.serial` for anything that changes the store or the files
(one thread, so edits are applied in the order they were made; the store's own writer,
:class:`agents.store.writer.Writer`, then does the writing), :meth:`Tasks.run` for
reads, model calls and other I/O (a pool). The result, or the exception,
comes back on the interface thread through a queued signal and is given to the
``on_done`` or ``on_error`` callback there; a worker never touches a widget.

A callback tied to a widget (``owner``) is dropped when that widget is gone, so
closing a window while its data loads is harmless. An error without an
``on_error`` callback is logged and announced by :attr:`Tasks.failed`. Submit
from the interface thread (a worker that needs more work runs it itself).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal

from agents.threadname import name_os_thread

log = logging.getLogger(__name__)

Callback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]


@dataclass
class _Pending:
    on_done: Callback | None
    on_error: ErrorCallback | None
    owner: QObject | None
    label: str | None


def describe(error: BaseException) -> str:
    """One line for the user, the line the command line and the MCP server give:
    :func:`mirix_desktop.pipeline.failures.explain` (a full disk and damaged files are
    named plainly, our own errors give their message, others their type and message)."""
    from mirix_desktop.pipeline.failures import explain

    return explain(error)


class Tasks(QObject):
    """Runs callables off the interface thread and delivers their results back to it."""

    failed = Signal(str)  # a task without on_error raised; the one-line message
    working_changed = Signal(str)  # labels of the labelled tasks running now; "" when none
    idle = Signal()  # no task is pending any more

    _finished = Signal(int, object, object)  # task id, result, error

    def __init__(self, parent: QObject | None = None, *, pool_size: int = 4) -> None:
        super().__init__(parent)
        self._serial = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="mirix-serial", initializer=name_os_thread
        )
        self._pool = ThreadPoolExecutor(
            max_workers=pool_size, thread_name_prefix="mirix-pool", initializer=name_os_thread
        )
        self._pending: dict[int, _Pending] = {}
        self._ids = itertools.count(1)
        self._closed = False
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    # ---- submitting --------------------------------------------------------------------

    def serial(
        self,
        fn: Callable[..., Any],
        /,
        *args: Any,
        on_done: Callback | None = None,
        on_error: ErrorCallback | None = None,
        owner: QObject | None = None,
        label: str | None = None,
    ) -> Future[Any]:
        """Run ``fn(*args)`` on the serial lane (one thread), after every earlier serial
        task: changes made in the interface are applied in the order they were made."""
        return self._submit(self._serial, fn, args, _Pending(on_done, on_error, owner, label))

    def run(
        self,
        fn: Callable[..., Any],
        /,
        *args: Any,
        on_done: Callback | None = None,
        on_error: ErrorCallback | None = None,
        owner: QObject | None = None,
        label: str | None = None,
    ) -> Future[Any]:
        """Run ``fn(*args)`` on the pool (reads, model calls, file work).

        ``label`` marks a task the user should know about ("Absorbing"): while one
        runs, :attr:`working_changed` carries the labels (the tray shows "working").
        """
        return self._submit(self._pool, fn, args, _Pending(on_done, on_error, owner, label))

    def _submit(
        self,
        executor: ThreadPoolExecutor,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        pending: _Pending,
    ) -> Future[Any]:
        if self._closed:
            raise RuntimeError("background tasks are shut down")
        task_id = next(self._ids)
        self._pending[task_id] = pending
        if pending.label:
            self.working_changed.emit(self.working())

        def job() -> Any:
            try:
                result = fn(*args)
            except Exception as exc:  # noqa: BLE001 - delivered to the interface, not swallowed
                self._emit(task_id, None, exc)
                raise
            self._emit(task_id, result, None)
            return result

        return executor.submit(job)

    def _emit(self, task_id: int, result: Any, error: BaseException | None) -> None:
        try:
            self._finished.emit(task_id, result, error)
        except RuntimeError:  # the Tasks object was deleted while the job ran
            log.debug("task %d finished after the interface went away", task_id)

    # ---- delivering --------------------------------------------------------------------

    def _deliver(self, task_id: int, result: Any, error: BaseException | None) -> None:
        pending = self._pending.pop(task_id, None)
        if pending is None or self._closed:
            return  # after shutdown nothing is delivered (the windows are going away)
        try:
            if pending.owner is not None and not shiboken6.isValid(pending.owner):
                return
            if error is None:
                if pending.on_done is not None:
                    pending.on_done(result)
            elif pending.on_error is not None:
                pending.on_error(error)
            else:
                log.warning("background task failed: %s", describe(error), exc_info=error)
                self.failed.emit(describe(error))
        finally:
            if pending.label:
                self.working_changed.emit(self.working())
            if not self._pending:
                self.idle.emit()

    # ---- state -------------------------------------------------------------------------

    def working(self) -> str:
        """The labels of the labelled tasks pending now, joined; "" when none."""
        labels = dict.fromkeys(p.label for p in self._pending.values() if p.label)
        return ", ".join(label for label in labels if label)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def pending(self) -> int:
        return len(self._pending)

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop taking work; with ``wait``, finish what was submitted (serial tasks are
        never cut)."""
        self._closed = True
        self._pool.shutdown(wait=wait, cancel_futures=not wait)
        self._serial.shutdown(wait=True)
