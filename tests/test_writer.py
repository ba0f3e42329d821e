"""One writer: the threads of a process that write to the store (capture, OCR, absorption,
the interface) have every LanceDB write made on the store's one writer thread, one at a
time, and nothing is lost; a closed store finishes what was asked and refuses the rest."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import lancedb.table
import pytest

from agents.errors import StoreError
from agents.store import MemoryType
from tests.helpers import add_frame, add_turns


def _record_writer_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the threads that call LanceDB's table writes (the library is the edge)."""
    seen: list[str] = []
    for name in ("add", "update", "delete", "merge_insert"):
        original: Callable[..., Any] = getattr(lancedb.table.LanceTable, name)

        def spy(self: Any, *args: Any, _original: Callable[..., Any] = original, **kw: Any) -> Any:
            seen.append(threading.current_thread().name)
            return _original(self, *args, **kw)

        monkeypatch.setattr(lancedb.table.LanceTable, name, spy)
    return seen


def test_writes_from_many_threads_run_on_the_one_writer(ctx, monkeypatch) -> None:
    store = ctx.store
    store.add(MemoryType.SEMANTIC, {"name": "", "summary": "warm up", "source": "user"})
    seen = _record_writer_threads(monkeypatch)
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def work(n: int) -> None:
        start.wait()
        try:
            for i in range(5):
                memory = store.add(
                    MemoryType.SEMANTIC, {"name": "", "summary": f"fact {n}-{i}", "source": "user"}
                )
                store.update(memory.id, {"summary": f"fact {n}-{i} (checked)"})
            add_frame(ctx, f"page {n}", app=f"app{n}", queue=False)
            add_turns(ctx, f"turn of thread {n}", conversation=f"c{n}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,), name=f"caller-{n}") for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert seen and set(seen) == {"store-writer"}
    summaries = {m.data.summary for m in store.list_memories(MemoryType.SEMANTIC, limit=1000)}
    assert {f"fact {n}-{i} (checked)" for n in range(6) for i in range(5)} <= summaries
    assert len(store.frame_rows()) == 6
    assert all(store.conversation(f"c{n}") for n in range(6))


def test_a_closed_store_finishes_queued_writes_and_refuses_later_ones(ctx) -> None:
    store = ctx.store
    added: list[str] = []

    def writer() -> None:
        for i in range(10):
            added.append(
                store.add(MemoryType.SEMANTIC, {"name": "", "summary": f"n{i}", "source": "u"}).id
            )

    thread = threading.Thread(target=writer)
    thread.start()
    thread.join()
    ctx.close()
    with pytest.raises(StoreError, match="closed"):
        store.add(MemoryType.SEMANTIC, {"name": "", "summary": "late", "source": "user"})
    reopened = ctx.store
    assert {m.id for m in reopened.list_memories(MemoryType.SEMANTIC)} == set(added)
