"""Secrets never become plain memories: a card number or an API key said in chat, seen on
screen or written by a model goes to the vault (encrypted) and every other text gets a
masked reference, in every file of the data folder, the export and a model's prompt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.store import MemoryType
from agents.store.sealing import Sealer
from mirix_desktop.cli import main
from mirix_desktop.services.context import open_context
from tests.helpers import T0, add_frame, add_turns
from tests.test_absorb_model import SEM, call, choose, done
from tests.test_chat_agent import topic

CARD = "4111 1111 1111 1111"
KEY = "sk-test-ABCDEF1234567890abcdef"
PASSWORD = "Hunter2-blue"
VALUES = [CARD, CARD.replace(" ", ""), KEY, PASSWORD]
# Said beside the secrets: it must be found in the same files, or the grep proves nothing.
MARKER = "Quokka"


def files_holding(root: Path, values: list[str]) -> list[tuple[str, str]]:
    """(file, value) for every file under ``root`` whose bytes hold a value."""
    hits = []
    for path in root.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            for value in values:
                if value.encode() in raw:
                    hits.append((str(path.relative_to(root)), value))
    return hits


def _chat_file(tmp_path: Path) -> Path:
    lines = [
        f"my card number is {CARD} and my API key is {KEY}",
        f"my password is {PASSWORD}!",
        f"my favourite animal is the {MARKER}",
        "remember that the dentist is on Friday",
    ]
    path = tmp_path / "chat.jsonl"
    path.write_text(
        "\n".join(
            json.dumps(
                {
                    "id": f"t{i}",
                    "conversation_id": "c1",
                    "speaker": "user",
                    "text": text,
                    "created_at": f"2026-11-21T09:0{i}:00Z",
                }
            )
            for i, text in enumerate(lines)
        )
        + "\n"
    )
    return path


def test_secrets_said_in_chat_reach_only_the_vault(home, tmp_path, fake, monkeypatch, capsys):
    assert main(["ingest", "chat", str(_chat_file(tmp_path))]) == 0
    assert main(["absorb"]) == 0
    capsys.readouterr()

    ctx = open_context()
    try:
        human = ctx.store.get("core_human").data.value
        assert "card number ending 1111, kept in the vault" in human
        assert "API key or token ending cdef, kept in the vault" in human
        assert f"favourite animal: the {MARKER}" in human
        vault = {
            m.data.secret_value: m for m in ctx.store.list_memories(MemoryType.KNOWLEDGE_VAULT)
        }
        assert {CARD, KEY, PASSWORD} <= set(vault)
        assert vault[CARD].data.sensitivity == "high" and vault[CARD].source_ids == ["t0"]
        [turn] = ctx.store.chat_turns(["t0"])
        assert CARD not in turn.text and "kept in the vault" in turn.text
    finally:
        ctx.close()

    data = home / "data"
    assert files_holding(data, [MARKER]), "the grep must see plain text in these files"
    assert files_holding(home, VALUES) == []

    out = tmp_path / "export.jsonl"
    assert main(["export", "-o", str(out)]) == 0
    exported = out.read_text()
    assert MARKER in exported and not any(v in exported for v in VALUES)

    assert main(["search", "card number", "--json"]) == 0
    found = capsys.readouterr().out
    assert "card number ending 1111" in found and not any(v in found for v in VALUES)

    monkeypatch.setenv("MIRIX_CHAT_MODEL__BASE_URL", fake.url)
    monkeypatch.setenv("MIRIX_CHAT_MODEL__MODEL", "chat-model")
    fake.script = [topic("card number API key"), {"content": "Your card is in the vault."}]
    assert main(["ask", "What is my card number and my API key?"]) == 0
    sent = json.dumps(fake.requests, ensure_ascii=False)
    assert fake.requests and MARKER in sent
    assert not any(v in sent for v in VALUES)


def test_a_model_that_writes_a_secret_into_a_fact_is_sealed(fake, monkeypatch) -> None:
    monkeypatch.setenv("MIRIX_MEMORY_MODEL__BASE_URL", fake.url)
    monkeypatch.setenv("MIRIX_MEMORY_MODEL__MODEL", "memory-model")
    ctx = open_context()
    try:
        ids = add_turns(ctx, "Paid the hotel with the usual card.")
        fake.script = [
            choose("semantic"),
            call(
                SEM,
                "insert_memory",
                {"name": "hotel card", "summary": f"The user pays hotels with card {CARD}."},
            ),
            done(SEM),
        ]
        report = ctx.absorb_job().absorb()
        assert report.items_done == 1
        [fact] = ctx.store.list_memories(MemoryType.SEMANTIC)
        assert CARD not in fact.text and "card number ending 1111" in fact.data.summary
        [entry] = ctx.store.list_memories(MemoryType.KNOWLEDGE_VAULT)
        assert entry.data.secret_value == CARD and entry.source_ids == ids
        history = json.dumps([h.model_dump(mode="json") for h in ctx.store.history()])
        assert CARD not in history
    finally:
        ctx.close()


def test_a_secret_read_on_screen_is_sealed_in_the_frame_text(ctx) -> None:
    fid = add_frame(ctx, f"Payment\nCard {CARD}\nExpires 12/29", app="firefox", at=T0)
    [frame] = ctx.store.frames([fid])
    assert CARD not in frame.ocr_text and "Expires 12/29" in frame.ocr_text
    [entry] = ctx.store.list_memories(MemoryType.KNOWLEDGE_VAULT)
    assert entry.data.secret_value == CARD and entry.source_ids == [fid]
    assert entry.data.caption.startswith("card number seen in firefox")


class _NoSealing(Sealer):
    """What an earlier version wrote: every text as it came."""

    def memory(self, mtype, data, **kwargs):  # type: ignore[no-untyped-def]
        return data

    def turn(self, turn):  # type: ignore[no-untyped-def]
        return turn

    def frame_text(self, frame, text):  # type: ignore[no-untyped-def]
        return text


def test_a_store_written_before_sealing_is_repaired_on_open(home) -> None:
    ctx = open_context()
    store = ctx.store
    store._sealer = _NoSealing(store)
    add_turns(ctx, f"my card number is {CARD}", f"my pet is a {MARKER}")
    add_frame(ctx, f"API settings\nkey {KEY}", app="firefox", at=T0)
    ctx.absorb_job().absorb()
    assert CARD in store.get("core_human").data.value  # the old behaviour, for the record
    ctx.close()
    data = home / "data"
    assert files_holding(data, [CARD])
    (data / "memory.lance" / "_migrations.json").unlink()

    ctx = open_context()
    try:
        human = ctx.store.get("core_human").data.value
        assert CARD not in human and "card number ending 1111" in human and MARKER in human
        secrets = {m.data.secret_value for m in ctx.store.list_memories(MemoryType.KNOWLEDGE_VAULT)}
        assert {CARD, KEY} <= secrets
        assert ctx.store.search("pet")  # the repaired tables are still searchable
    finally:
        ctx.close()
    assert files_holding(data, [MARKER])
    assert files_holding(data, VALUES) == []


def test_stores_opened_at_once_run_each_migration_once(home, caplog) -> None:
    """The app's threads and a command may open one home at the same moment: the
    migration runs once, no opener fails on the marker file, and the values are sealed."""
    import threading

    from agents.store import MemoryStore, VaultCipher
    from agents.store.migrations import MIGRATIONS

    ctx = open_context()
    store = ctx.store
    store._sealer = _NoSealing(store)
    add_turns(ctx, f"my card number is {CARD}", f"my pet is a {MARKER}")
    key = ctx.secrets.vault_key()
    embedder = ctx.text_embedder
    ctx.close()
    path = home / "data" / "memory.lance"
    (path / "_migrations.json").unlink()

    opened: list[MemoryStore] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def open_one() -> None:
        start.wait()
        try:
            opened.append(MemoryStore(path, text_embedder=embedder, cipher=VaultCipher(key)))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    with caplog.at_level("WARNING", logger="agents.store.db"):
        threads = [threading.Thread(target=open_one) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    try:
        assert errors == []
        assert len(opened) == 4
        said = [r.getMessage() for r in caplog.records]
        upgrades = [m for m in said if m.startswith("upgrading the memory store")]
        assert sorted(upgrades) == sorted(f"upgrading the memory store: {m}" for m in MIGRATIONS)
        assert json.loads((path / "_migrations.json").read_text()) == sorted(MIGRATIONS)
        assert not list(path.glob("_migrations*.tmp"))
    finally:
        for s in opened:
            s.close()
    assert files_holding(home / "data", [CARD]) == []


def test_threads_asking_for_the_store_share_one(ctx) -> None:
    import threading

    got: list[object] = []
    start = threading.Barrier(4)

    def ask() -> None:
        start.wait()
        got.append((ctx.store, ctx.inbox, ctx.text_embedder))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 4
    for parts in got:
        assert all(part is first for part, first in zip(parts, got[0], strict=True))


@pytest.mark.parametrize(
    "text",
    [
        "Password is required",  # a label, not a value
        "password: ••••••••",  # a masked field
        "Order 4111 1111 1111 1112 shipped",  # fails the Luhn check
    ],
)
def test_look_alikes_are_left_as_they_are(ctx, text) -> None:
    add_turns(ctx, text)
    assert ctx.store.list_memories(MemoryType.KNOWLEDGE_VAULT) == []
