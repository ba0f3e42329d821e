"""A model batch is all or nothing: what a failed batch wrote is rolled back, what failed
waits for the next run (never retried within the same one, and counted once), and items
the model keeps failing on are absorbed offline, with the reason."""

from __future__ import annotations

import pytest

from agents.store import MemoryType
from mirix_desktop.pipeline.absorb_job import OFFLINE_AFTER
from mirix_desktop.services.context import open_context
from tests.helpers import add_turns
from tests.test_absorb_model import CORE, EPI, SEM, VAULT, call, choose, done


@pytest.fixture
def mctx(fake, monkeypatch):
    monkeypatch.setenv("MIRIX_MEMORY_MODEL__BASE_URL", fake.url)
    monkeypatch.setenv("MIRIX_MEMORY_MODEL__MODEL", "memory-model")
    monkeypatch.setenv("MIRIX_MEMORY_MODEL__MAX_RETRIES", "0")
    monkeypatch.setenv("MIRIX_MEMORY_MODEL__TIMEOUT_S", "5")
    monkeypatch.setenv("MIRIX_ABSORB__BATCH_SIZE", "2")
    ctx = open_context()
    yield ctx
    ctx.close()


def test_a_failed_batch_leaves_no_memory_and_no_empty_core_block(fake, mctx) -> None:
    add_turns(mctx, "I finished the quarterly report and sent it to Dana.")
    fake.script = [
        choose("episodic", "core", "semantic"),
        call(EPI, "insert_memory", {"summary": "Sent the quarterly report to Dana"}),
        done(EPI),
        call(CORE, "core_append", {"label": "human", "text": "Works with Dana"}),
        done(CORE),
        call(SEM, "bogus", {}),
        call(SEM, "bogus", {}),  # the semantic agent fails: the whole batch fails
    ]
    report = mctx.absorb_job().absorb()
    assert report.items_failed == 1 and report.items_done == 0
    for mtype in (MemoryType.EPISODIC, MemoryType.CORE, MemoryType.SEMANTIC):
        assert mctx.store.list_memories(mtype) == [], mtype
    assert "rolled back" in mctx.inbox.failing()[0].error
    rows = mctx.store.history(limit=50)
    assert {e.actor for e in rows} >= {"agent:episodic", "agent:core", "rollback"}


def test_a_run_never_takes_again_what_failed_in_it(fake, mctx) -> None:
    add_turns(mctx, "one", "two", "three")  # two batches of at most 2
    mctx.inbox._max_backoff_s = 0  # a retry would be due at once
    fake.script = [{"raw": "<html>busy</html>", "content_type": "text/html"}] * 40
    report = mctx.absorb_job().absorb(max_batches=10)
    assert report.batches == 2
    assert report.items_failed == 3  # each item counted once
    assert len(fake.requests) == 2  # one answer a batch, no retry inside the run
    assert "3 items kept for a retry" in report.line()


def test_items_the_model_keeps_failing_on_are_absorbed_offline(fake, mctx) -> None:
    add_turns(mctx, "remember that the plumber comes on Tuesday at 3")
    fake.script = [{"status": 500}] * 20
    for run in range(1, OFFLINE_AFTER + 1):
        mctx.inbox._db.execute("UPDATE items SET next_try_at = 0")  # the backoff has passed
        report = mctx.absorb_job().absorb()
        if run < OFFLINE_AFTER:
            assert report.items_failed == 1 and report.items_offline == 0
    assert report.items_offline == 1 and report.items_failed == 0
    assert report.offline_note is not None
    assert f"failed on them {OFFLINE_AFTER} times" in report.offline_note
    assert "absorb --redo" in report.line()
    assert mctx.inbox.counts() == {"pending": 0, "failing": 0, "done": 1}
    [fact] = mctx.store.list_memories(MemoryType.SEMANTIC)
    assert "plumber" in fact.text


def test_a_failed_batch_puts_back_the_vault_value_it_changed(fake, mctx) -> None:
    locker = mctx.store.add(
        MemoryType.KNOWLEDGE_VAULT,
        {"caption": "Gym locker code", "secret_value": "4471", "sensitivity": "medium"},
    )
    add_turns(mctx, "The gym changed my locker code to 9902.")
    fake.script = [
        choose("knowledge_vault", "semantic"),
        call(VAULT, "update_memory", {"id": locker.id, "changes": {"secret_value": "9902"}}),
        done(VAULT),
        call(SEM, "bogus", {}),
        call(SEM, "bogus", {}),  # the semantic agent fails: the whole batch fails
    ]
    report = mctx.absorb_job().absorb()
    assert report.items_failed == 1
    changed = [e for e in mctx.store.history(locker.id) if e.actor == "agent:knowledge_vault"]
    assert changed, "the vault agent's change was made before the batch failed"
    assert mctx.store.get(locker.id).data.secret_value == "4471"  # type: ignore[union-attr]
