"""Damage made by hand to real files: doctor names it and exits non-zero, search and ask
leave a damaged table out with one warning, repair rolls it back and says what that
loses, a lost key locks the vault only, and a bad character skips one line."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from mirix_desktop.cli import main
from mirix_desktop.services.context import open_context
from tests.helpers import add_frame

TOKEN = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"


def _turn(i: int, text: str) -> str:
    return json.dumps(
        {
            "id": f"t{i}",
            "conversation_id": "c1",
            "speaker": "user",
            "text": text,
            "created_at": f"2026-11-20T10:0{i}:00Z",
        },
        ensure_ascii=True,
    )


@pytest.fixture
def filled(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A home with chat turns, two semantic memories written one after the other (two
    versions, two data files) and a vault value; returns the store folder."""
    chat = tmp_path / "chat.jsonl"
    chat.write_text(
        "\n".join(
            [_turn(1, "I booked flight LH1172 to Madrid"), _turn(2, "My dentist is Dr Alvarez")]
        )
        + "\n"
    )
    assert main(["ingest", "chat", str(chat)]) == 0
    assert main(["remember", "Alice likes green tea"]) == 0
    assert main(["remember", "Bob plays the cello on Sundays"]) == 0
    assert main(["remember", f"my github token is {TOKEN}"]) == 0
    capsys.readouterr()
    return home / "data" / "memory.lance"


def _newest(folder: Path, pattern: str) -> Path:
    return max(folder.glob(pattern), key=lambda p: p.stat().st_mtime_ns)


def _newest_manifest(table: Path) -> Path:
    return min((table / "_versions").glob("*.manifest"), key=lambda p: int(p.stem))


def test_doctor_reads_every_table_through_and_names_a_cut_file(filled, capsys) -> None:
    cut = _newest(filled / "semantic.lance" / "data", "*.lance")
    with cut.open("r+b") as fh:
        fh.truncate(cut.stat().st_size // 2)
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "damaged  table semantic (semantic memories" in out
    assert f"data/{cut.name} is cut short" in out
    assert "mirix-desktop repair" in out


def test_doctor_survives_a_garbled_manifest_and_a_cut_inbox(filled, home, capsys) -> None:
    _newest_manifest(filled / "chat_turns.lance").write_bytes(b"\x07garbage" * 60)
    inbox = home / "data" / "inbox.sqlite"
    inbox.write_bytes(inbox.read_bytes()[:3000])
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "damaged  table chat_turns (chat turns" in out
    assert "cannot be opened" in out
    assert "damaged  the inbox" in out
    assert main(["doctor", "--json"]) == 1
    info = json.loads(capsys.readouterr().out)
    assert {t["name"] for t in info["damage"]["tables"] if not t["ok"]} == {"chat_turns"}


def test_doctor_tells_of_a_lost_latest_manifest(filled, capsys) -> None:
    _newest_manifest(filled / "semantic.lance").unlink()
    assert main(["doctor"]) == 1
    assert "the newer version's manifest is missing" in capsys.readouterr().out


def test_search_and_ask_leave_a_damaged_table_out_with_one_warning(filled, capsys, caplog) -> None:
    cut = _newest(filled / "semantic.lance" / "data", "*.lance")
    cut.write_bytes(b"")
    assert main(["search", "Madrid dentist"]) == 0
    captured = capsys.readouterr()
    assert "LH1172" in captured.out
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "table semantic cannot be read" in warnings[0]
    assert main(["ask", "where does my flight go?"]) == 0
    captured = capsys.readouterr()
    assert "Madrid" in captured.out
    assert "internal error" not in captured.err


def test_repair_rolls_a_table_back_and_says_what_it_loses(filled, home, capsys) -> None:
    cut = _newest(filled / "semantic.lance" / "data", "*.lance")
    with cut.open("r+b") as fh:
        fh.truncate(100)
    assert main(["repair"]) == 0
    out = capsys.readouterr().out
    assert "semantic (semantic memories): rolled back from version" in out
    assert "1 row lost" in out
    backups = list(
        (home / "data" / "repair-backup").glob(f"*/memory.lance/semantic.lance/data/{cut.name}")
    )
    assert backups and backups[0].stat().st_size == 100  # the damaged file, as it was
    assert main(["doctor"]) == 0
    assert "health   all" in capsys.readouterr().out
    assert main(["search", "cello"]) == 0
    assert "Bob plays the cello" in capsys.readouterr().out


def test_repair_sets_a_garbled_manifest_aside(filled, capsys) -> None:
    _newest_manifest(filled / "chat_turns.lance").write_bytes(b"\x07garbage" * 60)
    assert main(["repair"]) == 0
    assert "1 newer version could not be read and was set aside" in capsys.readouterr().out
    assert main(["doctor"]) == 0
    capsys.readouterr()
    assert main(["search", "LH1172", "--type", "chat"]) == 0
    assert "LH1172" in capsys.readouterr().out


def test_repair_queues_again_frames_whose_images_are_on_disk(home, capsys) -> None:
    ctx = open_context()
    try:
        ids = [add_frame(ctx, f"Invoice {n} from Acme", queue=False) for n in (1, 2)]
        images = {f.image_path for f in ctx.store.frames(ids)}
    finally:
        ctx.close()
    table = home / "data" / "memory.lance" / "frames.lance"
    for data in (table / "data").glob("*.lance"):
        data.write_bytes(b"")
    assert main(["repair"]) == 0
    out = capsys.readouterr().out
    assert "2 screenshots whose images are still on disk are queued to be read again" in out
    ctx = open_context()
    try:
        read = ctx.ocr_worker().drain()
        assert read == 2
        assert {row["image_path"] for row in ctx.store.frame_rows()} == images
    finally:
        ctx.close()


def test_repair_replaces_a_cut_inbox_with_the_rows_that_read(filled, home, capsys) -> None:
    inbox = home / "data" / "inbox.sqlite"
    inbox.write_bytes(inbox.read_bytes()[:3000])
    assert main(["repair"]) == 0
    assert "inbox: damaged; a new one holds" in capsys.readouterr().out
    db = sqlite3.connect(inbox)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    assert main(["doctor"]) == 0


def test_a_lost_key_locks_the_vault_only(filled, home, capsys) -> None:
    key = home / "config" / "secrets.key"
    key.unlink()
    for command in (["stats"], ["search", "Madrid"], ["remember", "Carol drinks coffee"]):
        assert main(command) == 0, command
    captured = capsys.readouterr()
    assert "cannot be decrypted" not in captured.err
    assert not key.exists()  # no new key over values the old one encrypted
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "locked   the knowledge vault: 1 value and 1 history row" in out
    assert "repair --reset-vault" in out
    assert main(["remember", f"another token {TOKEN[:-4]}ZZZZ"]) == 1
    assert "the knowledge vault is locked" in capsys.readouterr().err
    assert main(["repair", "--reset-vault"]) == 0
    assert "vault: reset; 1 vault value and 1 history row of them removed" in (
        capsys.readouterr().out
    )
    assert main(["doctor"]) == 0
    assert main(["search", "coffee"]) == 0
    assert "Carol drinks coffee" in capsys.readouterr().out


def test_a_lone_surrogate_skips_its_line_only(tmp_path, capsys) -> None:
    path = tmp_path / "chat.jsonl"
    path.write_text(
        "\n".join([_turn(1, "first"), _turn(2, "bad \ud800 here"), _turn(3, "third")]) + "\n"
    )
    assert "\\ud800" in path.read_text()  # as JSON writes it: an escape
    assert main(["ingest", "chat", str(path)]) == 2
    captured = capsys.readouterr()
    assert "added 2 chat turns" in captured.out
    assert "chat.jsonl:2: skipped: a lone surrogate (\\ud800)" in captured.err


def test_a_lost_index_file_is_named_and_made_again(filled, capsys) -> None:
    lost = next((filled / "semantic.lance" / "_indices").glob("*/part_0_invert.lance"))
    lost.unlink()
    assert main(["doctor"]) == 1
    assert "its index fts_idx cannot be read" in capsys.readouterr().out
    assert main(["repair"]) == 0
    assert "semantic: index fts_idx was damaged: made again from the rows" in (
        capsys.readouterr().out
    )
    assert main(["doctor"]) == 0
    capsys.readouterr()
    assert main(["search", "cello", "--type", "semantic"]) == 0
    assert "Bob plays the cello" in capsys.readouterr().out


def test_ask_answers_when_the_chat_table_is_damaged(filled, capsys, caplog) -> None:
    _newest_manifest(filled / "chat_turns.lance").write_bytes(b"\x07garbage" * 60)
    assert main(["ask", "what does Alice like?"]) == 0
    assert "green tea" in capsys.readouterr().out
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "table chat_turns cannot be read" in warnings[0]


def test_a_lost_key_does_not_stop_a_model_that_needs_none(filled, home, fake, monkeypatch, capsys):
    (home / "config" / "secrets.key").unlink()
    monkeypatch.setenv("MIRIX_MEMORY_MODEL__BASE_URL", fake.url)
    monkeypatch.setenv("MIRIX_MEMORY_MODEL__MODEL", "local-model")
    choose_none = {"name": "choose_memory_types", "arguments": {"types": []}}
    fake.script = [{"tool_calls": [choose_none]}] * 3
    assert main(["absorb"]) == 0
    assert "absorbed 2 items" in capsys.readouterr().out
    assert not (home / "config" / "secrets.key").exists()


def test_repair_keeps_the_inbox_rows_that_still_read(home, tmp_path, capsys) -> None:
    chat = tmp_path / "chat.jsonl"
    lines = [
        json.dumps(
            {
                "id": f"t{i}",
                "conversation_id": "c1",
                "speaker": "user",
                "text": f"turn number {i} about the trip",
                "created_at": "2026-11-20T10:00:00Z",
            }
        )
        for i in range(600)
    ]
    chat.write_text("\n".join(lines) + "\n")
    assert main(["ingest", "chat", str(chat)]) == 0
    inbox = home / "data" / "inbox.sqlite"
    db = sqlite3.connect(inbox)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.close()
    with inbox.open("r+b") as fh:  # one page in the middle of the file turns to garbage
        fh.seek(4096 * (pages // 2))
        fh.write(b"\xff" * 4096)
    capsys.readouterr()
    assert main(["doctor"]) == 1
    assert "damaged  the inbox" in capsys.readouterr().out
    assert main(["repair"]) == 0
    out = capsys.readouterr().out
    kept = int(out.split("a new one holds the ")[1].split(" items")[0].replace(",", ""))
    assert 500 <= kept <= 600  # a page holds some dozens of rows
    db = sqlite3.connect(inbox)
    assert db.execute("SELECT COUNT(*) FROM items WHERE state = 'pending'").fetchone()[0] == kept
    db.close()
    assert main(["doctor"]) == 0


@pytest.mark.parametrize("table", ["semantic", "vector_models"])
def test_search_goes_on_past_a_garbled_data_file(filled, capsys, caplog, table) -> None:
    garbled = _newest(filled / f"{table}.lance" / "data", "*.lance")
    garbled.write_bytes(bytes(range(256)) * 20)
    assert main(["search", "Madrid dentist"]) == 0
    assert "LH1172" in capsys.readouterr().out
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and f"table {table} cannot be read" in warnings[0]
    assert main(["repair"]) == 0
    assert main(["doctor"]) == 0
