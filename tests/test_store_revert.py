"""Undo lives in the store: a change is reverted from its history row, and a vault value,
kept encrypted in the history, is decrypted there with the store's own key."""

from __future__ import annotations

import pytest

from agents.errors import InvalidInput


def test_reverting_a_vault_update_brings_the_old_secret_back(ctx) -> None:
    store = ctx.store
    memory = store.add("knowledge_vault", {"secret_value": "hunter2", "caption": "Wi-Fi"})
    store.update(memory.id, {"secret_value": "correct horse"})
    [change, _insert] = store.history(memory.id)
    assert "hunter2" not in str(change.old)  # the history keeps it encrypted
    back = store.revert(change)
    assert back is not None and back.data.secret_value == "hunter2"
    assert store.get(memory.id).data.secret_value == "hunter2"
    assert [(h.op, h.actor) for h in store.history(memory.id)][0] == ("update", "undo")


def test_reverting_a_delete_and_an_insert(ctx) -> None:
    store = ctx.store
    memory = store.add("semantic", {"name": "Boiler", "summary": "serviced in May"})
    store.delete(memory.id)
    [deleted, inserted] = store.history(memory.id)
    assert store.revert(deleted).id == memory.id  # added again under its id
    assert store.get(memory.id).data.summary == "serviced in May"
    assert store.revert(inserted) is None
    with pytest.raises(InvalidInput):
        store.revert(inserted.model_copy(update={"op": "update", "old": None}))
