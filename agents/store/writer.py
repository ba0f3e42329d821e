"""The one writer of a store: every write of this process runs on one thread, one at a
time, in the order asked; reads stay concurrent on their own loop.

A write asked from the writer's own thread (a verb that writes through another verb,
sealing a value into the vault while adding a memory, say) runs at once. Between
processes, LanceDB's optimistic commits still decide, with the retries in
:mod:`agents.store.tables`.
"""

from __future__ import annotations

import functools
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, ParamSpec, TypeVar

from agents.errors import StoreError
from agents.threadname import name_os_thread

P = ParamSpec("P")
T = TypeVar("T")
_STOP = object()


class Writer:
    """A thread that runs writes in order; :meth:`close` lets the queued ones finish."""

    def __init__(self, name: str = "store-writer") -> None:
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._closed = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def on_writer(self) -> bool:
        return threading.current_thread() is self._thread

    def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``fn`` on the writer and return its result (or raise its error)."""
        if self.on_writer():
            return fn(*args, **kwargs)
        future: Future[T] = Future()
        with self._lock:
            if self._closed:
                raise StoreError("the memory store is closed")
            self._queue.put((future, fn, args, kwargs))
        return future.result()

    def _serve(self) -> None:
        name_os_thread()
        while True:
            job = self._queue.get()
            if job is _STOP:
                return
            future, fn, args, kwargs = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                future.set_exception(exc)

    def close(self, timeout_s: float = 600.0) -> None:
        """Refuse new writes, finish the queued ones, stop the thread."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._queue.put(_STOP)
        if not self.on_writer():
            self._thread.join(timeout_s)


def written(method: Callable[P, T]) -> Callable[P, T]:
    """Run a store verb on its writer (``self._writer``): the whole verb is one write
    with respect to the process's other writes."""

    @functools.wraps(method)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        writer: Writer = args[0]._writer  # type: ignore[attr-defined]
        return writer.run(method, *args, **kwargs)

    return run
