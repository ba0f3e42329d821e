"""The absorb job: batches from the inbox become memories, with a model or offline.

Items are marked done only after the memories made from them are committed. An
item whose frame or chat turn is not stored (yet: another process may be writing
it) is kept for a retry, never marked done. A batch that fails (the model is down,
or its answers stay unusable) is kept with its reason and offered again later with
backoff; ``doctor`` shows it. A run never takes again what failed during it. Items
the memory model failed on :data:`OFFLINE_AFTER` times are absorbed offline instead
(``absorb --redo`` gives them to the model again), and the report says why.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from agents.absorb.batch import Absorber, BatchItem, load_items
from agents.absorb.model import ModelAbsorber
from agents.absorb.offline import OfflineAbsorber
from agents.errors import InvalidInput, MirixError
from agents.llm import LLMClient
from agents.store import MemoryStore
from mirix_desktop.config.settings import AbsorbSettings
from mirix_desktop.pipeline.inbox import ABSORB_KINDS, Inbox, InboxItem

log = logging.getLogger(__name__)
OFFLINE_AFTER = 3  # failed model attempts after which an item is absorbed offline


@dataclass
class AbsorbReport:
    mode: str
    batches: int = 0
    items_done: int = 0
    items_failed: int = 0
    writes: int = 0
    errors: list[str] = field(default_factory=list)
    items_offline: int = 0  # absorbed offline after the model failed on them repeatedly
    offline_note: str | None = None  # why, for the tray and the command line
    errors_offline: str = ""  # the model's last error on them

    def line(self) -> str:
        text = (
            f"absorbed {self.items_done} items in {self.batches} batches ({self.mode}): "
            f"{self.writes} memory writes"
        )
        if self.items_offline and self.offline_note:
            text += f"; {self.offline_note}"
        if self.items_failed:
            text += f"; {self.items_failed} items kept for a retry: {self.errors[-1]}"
        return text


def offline_note(count: int, reason: str) -> str:
    return (
        f"{count} items absorbed offline after the memory model failed on them "
        f"{OFFLINE_AFTER} times ({reason}); mirix-desktop absorb --redo gives them to the "
        "model again"
    )


class AbsorbJob:
    """Runs the absorb step over the inbox; safe to run in several processes at once.

    Built from its parts (``Context.absorb_job()`` builds it from the settings): the
    store the memories go to, the inbox the items come from, the memory model (None:
    offline) and the ``absorb`` settings.
    """

    def __init__(
        self,
        store: MemoryStore,
        inbox: Inbox,
        llm: LLMClient | None,
        settings: AbsorbSettings,
    ) -> None:
        self.store, self.inbox, self.llm, self.settings = store, inbox, llm, settings
        self.mode = "model" if llm is not None else "offline"
        self.batch_size = settings.batch_size
        self._absorber: Absorber
        if llm is not None:
            self._absorber = ModelAbsorber(
                store,
                llm,
                core_limit=settings.core_limit,
                max_images=settings.max_images,
            )
        else:
            self._absorber = OfflineAbsorber(store, core_limit=settings.core_limit)

    def due(self) -> bool:
        """Whether a batch is ready: enough items, or the oldest waited long enough."""
        count, oldest = self.inbox.waiting(ABSORB_KINDS)
        if count == 0:
            return False
        return count >= self.batch_size or (
            oldest is not None and oldest >= self.settings.max_wait_s
        )

    def _absorb_batch(self, *, ready_by: float | None = None) -> AbsorbReport | None:
        """Absorb one batch; None when nothing is ready (by ``ready_by``, see Inbox.take)."""
        inbox = self.inbox
        taken = inbox.take(self.batch_size, kinds=ABSORB_KINDS, ready_by=ready_by)
        if not taken:
            return None
        report = AbsorbReport(self.mode, batches=1)
        ids = [it.id for it in taken]
        try:
            items = self._load(taken, report)
            ids = [it.id for it in items]
            if not items:
                return report
            writes = self._absorber.absorb(items).writes
        except MirixError as exc:
            reason = f"{type(exc).__name__}: {exc}"
            attempts = {it.id: it.attempts + 1 for it in taken}
            worn = [it for it in items if attempts[it.id] >= OFFLINE_AFTER]
            if self.mode == "model" and worn and len(worn) == len(items):
                return self._offline(items, reason, report)
            inbox.fail(ids, reason)
            report.items_failed += len(ids)
            report.errors.append(reason)
            log.warning("absorbing %d items failed, kept for a retry: %s", len(ids), reason)
            return report
        except BaseException:
            inbox.release([it.id for it in taken])  # an interrupt or a bug: nothing was finished
            raise
        inbox.done(ids, by=self.mode)
        report.items_done = len(ids)
        report.writes = len(writes)
        return report

    def _offline(self, items: list[BatchItem], reason: str, report: AbsorbReport) -> AbsorbReport:
        """Absorb ``items`` offline: the memory model failed on them OFFLINE_AFTER times."""
        writes = OfflineAbsorber(self.store, core_limit=self.settings.core_limit)
        done = writes.absorb(items).writes
        self.inbox.done([it.id for it in items], by="offline")
        report.items_done += len(items)
        report.items_offline += len(items)
        report.writes += len(done)
        report.errors_offline = reason
        report.offline_note = offline_note(len(items), reason)
        log.warning("%s", report.offline_note)
        return report

    def _load(self, taken: list[InboxItem], report: AbsorbReport) -> list[BatchItem]:
        """The stored records of ``taken``; the items whose record is missing are given
        back with the reason and tried again later (their record may be on its way)."""
        store = self.store
        refs = [(it.kind, it.id) for it in taken]
        items = load_items(store, refs)
        if len(items) < len(refs):
            store.catch_up()  # another process may have written them a moment ago
            items = load_items(store, refs)
        found = {it.id for it in items}
        missing = [it for it in taken if it.id not in found]
        if missing:
            reason = f"its {missing[0].kind} record is not stored yet"
            self.inbox.fail([it.id for it in missing], reason)
            report.items_failed += len(missing)
            report.errors.append(f"{len(missing)} items: {reason}")
            log.warning("%d inbox items name records that are not stored yet", len(missing))
        return items

    def absorb(
        self,
        *,
        max_batches: int | None = None,
        progress: Callable[[AbsorbReport], None] | None = None,
    ) -> AbsorbReport:
        """Absorb ready batches until none is left (or ``max_batches``); a failing batch
        does not stop the others. Each batch goes to the absorber's ``absorb``."""
        total = AbsorbReport(self.mode)
        started = time.time()  # what fails during this run waits for the next one
        while max_batches is None or total.batches < max_batches:
            report = self._absorb_batch(ready_by=started)
            if report is None:
                break
            total.batches += 1
            total.items_done += report.items_done
            total.items_failed += report.items_failed
            total.items_offline += report.items_offline
            if report.offline_note:
                total.offline_note = offline_note(total.items_offline, report.errors_offline)
            total.writes += report.writes
            total.errors.extend(report.errors)
            if progress is not None:
                progress(total)
        return total

    def redo(self) -> int:
        """Queue what offline mode absorbed for the model; returns how many items."""
        if self.llm is None:
            raise InvalidInput(
                "absorb --redo needs a memory model: set memory_model.base_url and "
                "memory_model.model first"
            )
        return self.inbox.requeue(absorbed_by="offline", kinds=ABSORB_KINDS)
