"""Search queries through LanceDB's async API on one event-loop thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from datetime import timedelta
from pathlib import Path
from typing import Any

import lancedb

from agents.errors import StoreError
from agents.threadname import name_os_thread


class Reads:
    """Search queries through LanceDB's async API on one event-loop thread.

    The sync API costs a Python thread and several round trips to its own loop per
    query; a search here hands all its queries to LanceDB at once. The tables are
    moved to the latest version when this process wrote since they were last read
    (``generation``), and within the read-consistency interval otherwise.
    """

    def __init__(self, path: Path, read_consistency: timedelta, session: Any = None) -> None:
        self._path = str(path)
        self._read_consistency = read_consistency
        self._session = session
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name="store-reads", daemon=True)
        self._thread.start()
        self._db: Any = None
        self._tables: dict[str, tuple[Any, int]] = {}
        self._closed = False

    def _serve(self) -> None:
        name_os_thread()
        self._loop.run_forever()

    @property
    def closed(self) -> bool:
        return self._closed

    def submit(self, coro: Any) -> Future[Any]:
        if self._closed:
            coro.close()
            raise StoreError("the memory store is closed")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    async def table(self, name: str, generation: int) -> Any:
        if self._db is None:
            self._db = await lancedb.connect_async(
                self._path, read_consistency_interval=self._read_consistency, session=self._session
            )
        known = self._tables.get(name)
        if known is None:
            table = await self._db.open_table(name)
        else:
            table, seen = known
            if seen != generation:
                await table.checkout_latest()
        self._tables[name] = (table, generation)
        return table

    def close(self) -> None:
        """Stop the loop; queries still running fail (StoreError), later ones are refused."""
        if self._closed:
            return
        self._closed = True

        async def cancel_all() -> None:
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        if self._loop.is_running():
            asyncio.run_coroutine_threadsafe(cancel_all(), self._loop).result(timeout=5)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._loop.close()


async def gather(coros: Iterable[Any]) -> list[Any]:
    return list(await asyncio.gather(*coros))


async def rows(query: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await query.to_arrow()).to_pylist()
    return found
