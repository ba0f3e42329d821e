"""Chat-history importers: each format read from a small sample export under
tests/fixtures/chats (written after the vendors' layouts and open-source parsers of
them), imported through ``ingest chat``, deduplicated on import again, bad records
skipped one at a time with their position."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from agents.errors import InvalidInput
from agents.importers import Skipped, open_export
from agents.store import ChatTurn
from mirix_desktop.cli import main

CHATS = Path(__file__).parent / "fixtures" / "chats"


def _read(path: Path) -> tuple[str, list[ChatTurn], list[Skipped]]:
    export = open_export(path)
    items = list(export.items)
    return (
        export.format,
        [i for i in items if isinstance(i, ChatTurn)],
        [i for i in items if isinstance(i, Skipped)],
    )


def _zip(target: Path, members: dict[str, Path | str]) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for name, content in members.items():
            if isinstance(content, Path):
                archive.write(content, name)
            else:
                archive.writestr(name, content)
    return target


# ---- ChatGPT ---------------------------------------------------------------------------


def test_chatgpt_follows_the_current_branch_and_keeps_user_and_assistant_text() -> None:
    fmt, turns, skipped = _read(CHATS / "chatgpt" / "conversations.json")
    assert fmt == "chatgpt"
    lisbon = [t for t in turns if t.title == "Trip to Lisbon"]
    # The edited question's first branch (Cascais) is left out; the system message, the
    # call to the browser, the tool's output and the empty answer too.
    assert [t.id for t in lisbon] == [
        "chatgpt:u-1",
        "chatgpt:a-1",
        "chatgpt:u-2",
        "chatgpt:a-2",
        "chatgpt:u-3",
        "chatgpt:a-3",
    ]
    assert not any("Cascais" in t.text or "[results]" in t.text for t in turns)
    assert [t.speaker for t in lisbon[:2]] == ["user", "assistant"]
    assert lisbon[4].text == "This is my boarding pass, is the gate time right?"  # image left out
    assert lisbon[0].conversation_id == "chatgpt:6630c8f0-1111-8000-aaaa-lisbon000001"
    assert lisbon[0].created_at.isoformat() == "2024-04-30T08:20:01+00:00"
    # A message without a time comes just after the one before it.
    sour = [t for t in turns if t.title == "Sourdough starter"]
    assert sour[-1].id == "chatgpt:s-u3" and sour[-1].created_at > sour[-2].created_at
    assert [(s.where, s.reason) for s in skipped] == [
        (
            "conversation 2 (Sourdough starter), message s-u4",
            "text: a character UTF-8 cannot hold (U+D83D at character 28)",
        ),
        ("conversation 3", "not a conversation (no mapping)"),
    ]


def test_chatgpt_zip_import_and_a_newer_export_adds_only_what_is_new(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = CHATS / "chatgpt" / "conversations.json"
    assert main(["ingest", "chat", str(first)]) == 2  # two bad records, the rest stored
    out, err = capsys.readouterr()
    assert "added 9 chat turns (0 already stored, 2 bad records skipped)" in out
    assert "ChatGPT export: 2 conversations, 9 turns, 2 skipped" in out
    assert "conversations.json: conversation 3: skipped: not a conversation" in err
    assert main(["ingest", "chat", str(first)]) == 2
    assert "added 0 chat turns (9 already stored" in capsys.readouterr().out
    newer = _zip(
        tmp_path / "chatgpt-export.zip",
        {
            "conversations.json": CHATS / "chatgpt" / "conversations-newer.json",
            "chat.html": "<html></html>",
            "user.json": json.dumps({"id": "user-x"}),
        },
    )
    main(["ingest", "chat", str(newer)])
    assert "added 4 chat turns (9 already stored, 1 bad records skipped)" in (
        capsys.readouterr().out
    )
    assert main(["search", "derailleur skips", "--json", "-k", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == "chatgpt:b-u1"


# ---- Claude ----------------------------------------------------------------------------


def test_claude_export_text_blocks_senders_and_bad_dates(tmp_path: Path, capsys) -> None:
    fmt, turns, skipped = _read(CHATS / "claude" / "conversations.json")
    assert fmt == "claude"
    assert [t.speaker for t in turns] == ["user", "assistant", "assistant", "user", "assistant"]
    assert turns[1].text == (
        "Yes, about 10,600 euros are left.\n"
        "Quartz worktops run 2,500 to 4,000; a mid-range appliance set about 4,500."
    )
    assert turns[0].title == "Kitchen renovation budget" and turns[3].title is None
    assert turns[0].id == "claude:b1d2c3e4-0001-4000-8000-000000000001"
    assert [s.where for s in skipped] == [
        "conversation 1 (Kitchen renovation budget), message 4",
        "conversation 2 (7f0c1a22-9a7e-4c55-8d0e-3a3b1b2c4d5e), message 3",
    ]
    assert skipped[0].reason.startswith("created_at: ")
    path = _zip(
        tmp_path / "claude.zip", {"conversations.json": CHATS / "claude" / "conversations.json"}
    )
    assert main(["ingest", "chat", str(path)]) == 2
    assert main(["ingest", "chat", str(path)]) == 2
    assert "added 0 chat turns (5 already stored, 2 bad records skipped)" in (
        capsys.readouterr().out
    )


# ---- Telegram ---------------------------------------------------------------------------


def test_telegram_account_export_joins_entities_and_skips_service_messages() -> None:
    fmt, turns, skipped = _read(CHATS / "telegram" / "result.json")
    assert fmt == "telegram"
    assert [t.id for t in turns] == [
        "telegram:4242424242:102",
        "telegram:4242424242:103",
        "telegram:4242424242:106",
        "telegram:5011223344:7",
    ]
    assert turns[0].text == (
        "The climbing gym moved to Rua das Flores 12, see https://example.org/gym for hours."
    )
    assert turns[0].speaker == "Jonas" and turns[1].speaker == "Mara Ilić"
    assert turns[0].title == "Jonas" and turns[3].title == "Saved Messages"
    assert turns[0].created_at.isoformat() == "2024-03-01T09:01:10+00:00"  # date_unixtime
    assert [(s.where, s.reason) for s in skipped] == [
        ("chat 1 (Jonas), message 105", "text: a int, not a string or a list")
    ]


def test_telegram_one_chat_folder_imports_and_dedups(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "ChatExport_2024-03-02"
    folder.mkdir()
    shutil.copy(CHATS / "telegram" / "book-club.json", folder / "result.json")
    assert main(["ingest", "chat", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "added 2 chat turns" in out and "Telegram export: 1 conversations" in out
    assert main(["ingest", "chat", str(folder / "result.json")]) == 0
    assert "added 0 chat turns (2 already stored" in capsys.readouterr().out
    # A message without "from" keeps its sender's id.
    _, turns, _ = _read(folder / "result.json")
    assert turns[1].speaker == "user9"


# ---- WhatsApp ---------------------------------------------------------------------------


def test_whatsapp_android_us_dates_multiline_and_a_date_that_does_not_exist() -> None:
    fmt, turns, skipped = _read(CHATS / "whatsapp" / "WhatsApp Chat with Ana Souza.txt")
    assert fmt == "whatsapp"
    assert [(t.speaker, t.created_at.astimezone().strftime("%m-%d %H:%M")) for t in turns] == [
        ("Ana Souza", "03-21 09:14"),
        ("Tom", "03-21 09:20"),
        ("Ana Souza", "03-21 09:22"),
        ("Tom", "03-22 19:05"),
    ]
    assert turns[1].text == (
        "Yes, Dr. Lima on April 3 at 4:30 PM.\nIt's the clinic on Avenida Paulista,\n2nd floor."
    )
    assert {t.title for t in turns} == {"Ana Souza"}
    assert [(s.line, s.reason) for s in skipped] == [
        (8, "created_at: day is out of range for month")
    ]


def test_whatsapp_ios_zip_day_first_and_a_newer_export(tmp_path: Path, capsys) -> None:
    chat = (CHATS / "whatsapp" / "_chat.txt").read_text(encoding="utf-8")
    path = _zip(tmp_path / "WhatsApp Chat - Family.zip", {"_chat.txt": chat})
    fmt, turns, skipped = _read(path)
    assert fmt == "whatsapp" and not skipped
    assert [t.speaker for t in turns] == ["Mum", "Leo", "Mum", "Leo"]  # notices left out
    assert turns[2].created_at.astimezone().strftime("%Y-%m-%d") == "2024-01-13"  # 13/01
    assert turns[3].text == "I do, it's on my key ring\nwith the blue tag"
    assert {t.title for t in turns} == {"Family"}
    assert main(["ingest", "chat", str(path)]) == 0
    capsys.readouterr()
    later = chat + "[14/01/2024, 10:00:00] Mum: Thanks Leo!\n"
    # The chat is known by its name (the zip's): a newer export of it adds what is new.
    (tmp_path / "newer").mkdir()
    same = _zip(tmp_path / "newer" / "WhatsApp Chat - Family.zip", {"_chat.txt": later})
    assert main(["ingest", "chat", str(same)]) == 0
    assert "added 1 chat turns (4 already stored" in capsys.readouterr().out


# ---- JSONL and detection ----------------------------------------------------------------


def test_own_jsonl_is_still_read_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "turns.jsonl"
    good = {
        "id": "t1",
        "conversation_id": "c",
        "speaker": "user",
        "text": "hello",
        "created_at": "2026-01-01T10:00:00Z",
        "title": "Greetings",
    }
    path.write_text(
        json.dumps(good) + "\n" + json.dumps({**good, "id": "t2", "text": "\ud800"}) + "\n"
    )
    fmt, turns, skipped = _read(path)
    assert fmt == "jsonl" and [t.id for t in turns] == ["t1"] and turns[0].title == "Greetings"
    assert skipped == [
        Skipped("line 2", "a lone surrogate (\\ud800) that no text can hold", line=2)
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"hello": [1, 2]}', None),  # one JSON object: read as a JSONL line (and skipped)
        (b"[1, 2, 3]", "not a chat export this program knows"),
        (b"just some notes\nabout nothing\n", "not a chat export this program knows"),
    ],
)
def test_files_of_no_known_format(tmp_path: Path, content: bytes, message: str | None) -> None:
    path = tmp_path / "file.txt"
    path.write_bytes(content)
    if message is None:
        fmt, turns, skipped = _read(path)
        assert fmt == "jsonl" and not turns and skipped[0].line == 1
        return
    with pytest.raises(InvalidInput, match=message):
        open_export(path)


def test_unknown_format_is_one_line_on_the_command_line(tmp_path: Path, capsys) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("nothing to see\n")
    assert main(["ingest", "chat", str(path)]) == 2
    assert "not a chat export this program knows" in capsys.readouterr().err
