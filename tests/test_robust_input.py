"""Bad records are skipped one by one, garbage from a model is a model error, missing
records are retried, files are private whatever the umask, and no network is touched
without a remote model."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import stat
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from agents.store import MemoryType
from mirix_desktop.cli import main
from mirix_desktop.pipeline.inbox import Inbox
from mirix_desktop.services.context import open_context
from tests.helpers import T0, add_turns


def _turn(i: int, created_at: str, text: str = "hello") -> str:
    return json.dumps(
        {
            "id": f"t{i}",
            "conversation_id": "c",
            "speaker": "user",
            "text": text,
            "created_at": created_at,
        }
    )


def test_bad_records_are_skipped_one_by_one(tmp_path, capsys) -> None:
    lines = [
        _turn(1, "2026-11-21T09:00:00Z", "remember that the plumber comes at 3"),
        _turn(2, "0001-01-01T00:00:00Z"),
        _turn(3, "0001-01-01T00:00:00+05:00"),
        _turn(4, "9999-12-31T23:59:59-05:00"),
    ]
    path = tmp_path / "chat.jsonl"
    raw = "\n".join(lines).encode() + b'\n{"id": "t5", "text": "caf\xe9"}\n'
    raw += _turn(6, "2026-11-21T09:05:00+01:00", "my seat is 23A").encode() + b"\n"
    path.write_bytes(raw)
    assert main(["ingest", "chat", str(path)]) == 2
    captured = capsys.readouterr()
    assert "added 2 chat turns (0 already stored, 4 bad lines skipped)" in captured.out
    for number in (2, 3, 4):
        assert f"chat.jsonl:{number}: skipped: created_at: " in captured.err
    assert "out of range" in captured.err
    assert "chat.jsonl:5: skipped: not UTF-8 text" in captured.err
    assert main(["absorb"]) == 0
    ctx = open_context()
    try:
        assert {t.id for t in ctx.store.chat_turns(["t1", "t6"])} == {"t1", "t6"}
        assert ctx.store.get("core_human").data.value == "the user's seat: 23A"
    finally:
        ctx.close()


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
def test_search_refuses_a_date_out_of_range(capsys, when) -> None:
    assert main(["search", "plumber", "--since", when]) == 2
    assert "out of range" in capsys.readouterr().err


def _shot(path: Path, text: str, size: tuple[int, int] = (480, 160)) -> Path:
    """A screen whose text is large enough that two of them differ by real content."""
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).text((10, 10), text, fill="black", font_size=28)
    image.save(path)
    return path


def test_an_image_too_wide_for_webp_is_scaled_and_the_rest_imported(tmp_path, capsys) -> None:
    folder = tmp_path / "shots"
    folder.mkdir()
    _shot(folder / "20261121_090000.png", "first screen")
    _shot(folder / "20261121_090100.png", "a panorama", size=(16_500, 40))
    _shot(folder / "20261121_090200.png", "last screen")
    assert main(["ingest", "screenshots", str(folder)]) == 0
    assert "imported 3 screenshots" in capsys.readouterr().out
    ctx = open_context()
    try:
        widths = sorted(Image.open(r["image_path"]).width for r in ctx.store.frame_rows())
        assert widths == [480, 480, 16_383]
    finally:
        ctx.close()


@pytest.mark.parametrize(
    ("raw", "content_type", "reason"),
    [
        ("{not json", "application/json", "not valid JSON"),
        ('{"object": "list", "data": []}', "application/json", "not a chat completion"),
        ("<html><body>Sign in</body></html>", "text/html", "not a chat completion"),
    ],
)
def test_garbage_from_the_model_keeps_the_items_with_a_reason(
    fake, monkeypatch, capsys, raw, content_type, reason
) -> None:
    monkeypatch.setenv("MIRIX_MEMORY_MODEL__BASE_URL", fake.url)
    monkeypatch.setenv("MIRIX_MEMORY_MODEL__MODEL", "memory-model")
    monkeypatch.setenv("MIRIX_MEMORY_MODEL__MAX_RETRIES", "1")
    ctx = open_context()
    add_turns(ctx, "I booked the flight to Lisbon.")
    ctx.close()
    fake.script = [{"raw": raw, "content_type": content_type}] * 4
    assert main(["absorb"]) == 1
    out = capsys.readouterr()
    assert "internal error" not in out.err and "1 items kept for a retry" in out.out
    assert main(["doctor"]) == 0
    report = capsys.readouterr().out
    assert "(1 failing)" in report and reason in report


def test_an_item_whose_record_is_missing_is_retried_not_done(home) -> None:
    ctx = open_context()
    try:
        ctx.__dict__["inbox"] = Inbox(ctx.paths.data_dir / "inbox.sqlite", max_backoff_s=0.2)
        ctx.inbox.put("chat", "late-turn", {"conversation_id": "c1"})  # its row comes later
        report = ctx.absorb_job().absorb()
        assert report.items_done == 0 and report.items_failed == 1
        assert ctx.inbox.counts()["failing"] == 1
        [failure] = ctx.inbox.failing()
        assert "not stored yet" in failure.error
        from agents.store import ChatTurn

        turn = ChatTurn(
            id="late-turn",
            conversation_id="c1",
            speaker="user",
            text="remember that the boiler code is 7781",
            created_at=T0,
        )
        ctx.store.add_chat_turns([turn])
        time.sleep(0.3)  # the backoff
        report = ctx.absorb_job().absorb()
        assert report.items_done == 1
        [fact] = ctx.store.list_memories(MemoryType.SEMANTIC)
        assert fact.source_ids == ["late-turn"]
    finally:
        ctx.close()


def test_files_are_private_whatever_the_umask(home, tmp_path, capsys) -> None:
    folder = tmp_path / "shots"
    folder.mkdir()
    _shot(folder / "20261121_090000.png", "Quarterly report")
    chat = tmp_path / "chat.jsonl"
    chat.write_text(_turn(1, "2026-11-21T09:00:00Z", "remember that the report is due") + "\n")
    old = os.umask(0o022)
    try:
        assert main(["ingest", "chat", str(chat)]) == 0
        assert main(["ingest", "screenshots", str(folder)]) == 0
        assert main(["absorb"]) == 0
        assert main(["pause"]) == 0
    finally:
        os.umask(old)
    loose = []
    for path in [home, *home.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode & 0o077:
            loose.append((str(path.relative_to(home)), oct(mode)))
    assert loose == []
    assert (home / "data" / "inbox.sqlite").exists()
    capsys.readouterr()
    (home / "data").chmod(0o755)
    assert main(["doctor"]) == 0
    report = capsys.readouterr().out
    assert "others may read" in report and f"755  {home / 'data'}" in report


class _Guard:
    """Records every attempt to reach a host other than this machine, and refuses it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.attempts: list[str] = []
        real_getaddrinfo = socket.getaddrinfo
        real_connect = socket.socket.connect

        def local(host: object) -> bool:
            return str(host) in ("127.0.0.1", "localhost", "::1", "None") or str(host).startswith(
                "/"
            )

        def getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
            if not local(host):
                self.attempts.append(f"lookup {host}")
                raise socket.gaierror(socket.EAI_NONAME, "blocked by the test")
            return real_getaddrinfo(host, *args, **kwargs)

        def connect(sock, address):  # type: ignore[no-untyped-def]
            host = address[0] if isinstance(address, tuple) else address
            if not local(host):
                self.attempts.append(f"connect {host}")
                raise OSError("network blocked by the test")
            return real_connect(sock, address)

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture
def fresh_clip(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    """No CLIP weights cached, and no memory of an earlier probe or load in this process."""
    from agents.embeddings import clip, lazy_image_embedder

    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub-cache"))
    monkeypatch.setattr(clip, "_hub", {})
    lazy_image_embedder.cache_clear()
    yield
    lazy_image_embedder.cache_clear()


def _folder_of_shots(tmp_path: Path, count: int) -> Path:
    folder = tmp_path / "shots"
    folder.mkdir()
    for i in range(count):
        words = ("Quarterly budget", "Flight to Lisbon", "Dentist on Friday", "Garden plan")
        _shot(folder / f"20261121_09{i:02d}00.png", f"{words[i % 4]} page {i}")
    return folder


def test_without_a_remote_model_nothing_reaches_the_network(
    monkeypatch, tmp_path, capsys, use_tiny_clip
) -> None:
    folder = _folder_of_shots(tmp_path, 2)
    guard = _Guard(monkeypatch)
    assert main(["ingest", "screenshots", str(folder)]) == 0
    assert main(["absorb"]) == 0
    assert main(["search", "screen"]) == 0
    assert main(["ask", "what was on screen number 1?"]) == 0
    assert main(["doctor"]) == 0
    assert guard.attempts == []


def test_missing_clip_weights_are_probed_once_and_never_hold_up_an_import(
    monkeypatch, tmp_path, capsys, caplog, fresh_clip
) -> None:
    monkeypatch.setenv("MIRIX_MODELS__CLIP_PRETRAINED", "laion2b_s34b_b79k")
    folder = _folder_of_shots(tmp_path, 3)
    guard = _Guard(monkeypatch)
    with caplog.at_level("WARNING"):
        assert main(["ingest", "screenshots", str(folder)]) == 0
    assert "imported 3 screenshots" in capsys.readouterr().out
    assert len(guard.attempts) == 1 and guard.attempts[0] == "lookup huggingface.co"
    warnings = [r.getMessage() for r in caplog.records if "CLIP" in r.getMessage()]
    assert len(warnings) == 1 and "clip_checkpoint" in warnings[0]
    assert main(["doctor"]) == 0
    assert "models.clip_checkpoint" in capsys.readouterr().out
    assert len(guard.attempts) == 1  # doctor looks on disk only


def test_with_downloads_off_not_even_a_probe(monkeypatch, tmp_path, capsys, fresh_clip) -> None:
    monkeypatch.setenv("MIRIX_MODELS__CLIP_PRETRAINED", "laion2b_s34b_b79k")
    monkeypatch.setenv("MIRIX_MODELS__DOWNLOAD_WEIGHTS", "false")
    guard = _Guard(monkeypatch)
    assert main(["ingest", "screenshots", str(_folder_of_shots(tmp_path, 1))]) == 0
    assert guard.attempts == []


def test_the_inbox_file_holds_no_turn_text(home, tmp_path) -> None:
    chat = tmp_path / "chat.jsonl"
    chat.write_text(_turn(1, "2026-11-21T09:00:00Z", "a very particular sentence") + "\n")
    assert main(["ingest", "chat", str(chat)]) == 0
    db = sqlite3.connect(home / "data" / "inbox.sqlite")
    payloads = [row[0] for row in db.execute("SELECT payload FROM items")]
    db.close()
    assert payloads and not any("particular" in p for p in payloads)


def test_an_imported_screenshot_is_read_whole(tmp_path, capsys) -> None:
    folder = tmp_path / "shots"
    folder.mkdir()
    for name, word in (("20261121_090000.png", "GOODFIRST"), ("20261121_090100.png", "GOODLAST")):
        image = Image.new("RGB", (800, 200), "white")
        ImageDraw.Draw(image).text((40, 60), word, fill="black", font_size=48)
        image.save(folder / name)
    assert main(["ingest", "screenshots", str(folder)]) == 0
    ctx = open_context()
    try:
        rows = ctx.store.frame_rows()
        texts = [f.ocr_text for f in ctx.store.frames([r["id"] for r in rows])]
    finally:
        ctx.close()
    assert texts == ["GOODFIRST", "GOODLAST"]


def test_doctor_says_how_many_more_items_fail(home, capsys) -> None:
    ctx = open_context()
    try:
        ids = [f"item-{i}" for i in range(25)]
        ctx.inbox.put_many("chat", [(i, {}) for i in ids])
        ctx.inbox.fail(ids, "ModelUnavailable: scripted")
    finally:
        ctx.close()
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "(25 failing)" in out and "… and 5 more failing items" in out
    assert out.count("ModelUnavailable: scripted") == 20
