"""Values through the whole program: what is sealed stays sealed in every output, what
only looks like a secret stays readable, and screenshots show no more than their text."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image, ImageDraw

from agents.store import ChatTurn, MemoryType
from mirix_desktop.cli import main
from mirix_desktop.pipeline.capture.ocr import Ocr
from mirix_desktop.services.context import open_context
from mirix_desktop.services.mcp_server import MemoryTools
from tests.helpers import T0, add_frame, add_turns
from tests.test_sealing import files_holding

AIRLINE = "My password for the airline app is Tulip#2026!"
PASSWORD = "Tulip#2026"
ORDER = "4111111111111111"  # passes Luhn, but it is labelled an order number
PARCEL = "SF1422876530"
CARD = "5105 1051 0510 5100"
KEY_BODY = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"


def _chat(tmp_path: Path, *lines: str, speaker: str = "user") -> Path:
    path = tmp_path / "chat.jsonl"
    path.write_text(
        "".join(
            json.dumps(
                {
                    "id": f"p{i}",
                    "conversation_id": "c9",
                    "speaker": speaker,
                    "text": text,
                    "created_at": f"2026-11-21T09:0{i}:00Z",
                }
            )
            + "\n"
            for i, text in enumerate(lines)
        )
    )
    return path


def test_a_password_said_in_passing_reaches_only_the_vault(home, tmp_path, capsys) -> None:
    assert main(["ingest", "chat", str(_chat(tmp_path, AIRLINE))]) == 0
    assert main(["absorb"]) == 0
    out = tmp_path / "export.jsonl"
    assert main(["export", "-o", str(out)]) == 0
    assert main(["search", "airline app password", "--json"]) == 0
    assert main(["ask", "What is my password for the airline app?"]) == 0
    printed = capsys.readouterr().out
    assert PASSWORD not in printed and PASSWORD not in out.read_text()
    assert "password, kept in the vault" in printed
    ctx = open_context()
    try:
        vault = [m.data.secret_value for m in ctx.store.list_memories(MemoryType.KNOWLEDGE_VAULT)]
        assert PASSWORD in vault
    finally:
        ctx.close()
    assert files_holding(home, [PASSWORD]) == []


def test_labelled_order_and_parcel_numbers_stay_readable(home, tmp_path, capsys) -> None:
    lines = (f"订单编号：{ORDER}，明天发货", f"顺丰快递单号 {PARCEL}，已经寄出")
    assert main(["ingest", "chat", str(_chat(tmp_path, *lines))]) == 0
    assert main(["absorb"]) == 0
    capsys.readouterr()
    assert main(["ask", "顺丰快递单号是多少？"]) == 0
    assert PARCEL in capsys.readouterr().out
    assert main(["ask", "订单编号是多少？"]) == 0
    assert ORDER in capsys.readouterr().out
    ctx = open_context()
    try:
        assert ctx.store.list_memories(MemoryType.KNOWLEDGE_VAULT) == []
    finally:
        ctx.close()


def test_a_masked_reference_is_not_sealed_again(ctx) -> None:
    add_turns(ctx, "my password is Hunter2-blue")
    ctx.absorb_job().absorb()
    # A model (or a user) quotes the masked reference back, with more words after it.
    add_turns(ctx, "My password is [password, kept in the vault] ending Blue", conversation="c2")
    ctx.store.add(
        MemoryType.SEMANTIC,
        {"name": "login", "summary": "password: [password, kept in the vault] ending Blue"},
        actor="test",
    )
    ctx.absorb_job().absorb()
    values = [m.data.secret_value for m in ctx.store.list_memories(MemoryType.KNOWLEDGE_VAULT)]
    assert values == ["Hunter2-blue"]


def test_the_assistants_own_answers_fill_no_vault(ctx) -> None:
    answer = (
        "From your screen on 2026-11-24 15:02, the backup ran at 2024-05-07 10 and again "
        "at 17:09; Lena's number is +1 415 555 0132 and her mail lena@example.de."
    )
    turns = [
        ChatTurn(id="a1", conversation_id="c1", speaker="assistant", text=answer, created_at=T0)
    ]
    from mirix_desktop.pipeline.inbox import store_turns

    store_turns(ctx.store, ctx.inbox, turns)
    ctx.absorb_job().absorb()
    assert ctx.store.list_memories(MemoryType.KNOWLEDGE_VAULT) == []


def test_mcp_keeps_times_and_sends_a_screenshot_with_an_email(ctx) -> None:
    fid = add_frame(ctx, "Reply to lena@example.de before 17:09 on 2024-05-07 10:30")
    tools = MemoryTools(ctx)
    info, image = tools.get_screenshot(fid)
    assert image is not None and info["image"] == "attached (JPEG)"
    assert "17:09" in info["ocr_text"] and "2024-05-07 10:30" in info["ocr_text"]
    assert "lena@example.de" not in info["ocr_text"]  # contacts masked: sharing is off
    assert "[withheld phone" not in json.dumps(tools.recent_context(minutes=60 * 24 * 3650))


def test_a_question_holding_a_key_reaches_no_prompt(ctx) -> None:
    from agents.answer.chat import ChatAgent

    agent = ChatAgent(ctx.store, None, options=ctx.search_options())
    answer = agent.ask("is sk-proj-Zx9pQ2rLm8TnV4wB7yK1sD still my key?")
    assert "Zx9pQ2rLm8TnV4wB7yK1sD" not in json.dumps(answer.messages)


def _screenshot(path: Path) -> None:
    image = Image.new("RGB", (1100, 420), "white")
    draw = ImageDraw.Draw(image)
    lines = [
        "Flight LH1172 departs Madrid at 14:35",
        f"Card number {CARD}",
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        KEY_BODY,
        "-----END OPENSSH PRIVATE KEY-----",
    ]
    for i, line in enumerate(lines):
        draw.text((30, 20 + i * 78), line, fill="black", font_size=38)
    image.save(path)


def _read_stored(ctx, frame_id: str) -> str:
    frame = ctx.store.frame(frame_id)
    with Image.open(frame.image_path) as img:
        lines = Ocr("accurate").read(img.convert("RGB"))
    return "\n".join(line.text for line in lines)


def test_a_stored_screenshot_has_its_secret_lines_painted(home, tmp_path, capsys) -> None:
    folder = tmp_path / "shots"
    folder.mkdir()
    _screenshot(folder / "20261121_090000.png")
    assert main(["ingest", "screenshots", str(folder)]) == 0
    ctx = open_context()
    try:
        [row] = ctx.store.frame_rows()
        seen = _read_stored(ctx, row["id"])
        assert "LH1172" in seen  # the rest of the screen is still there
        flat = seen.replace(" ", "")
        assert "5105" not in flat and "b3BlbnNzaC1rZXkt" not in flat and "PRIVATEKEY" not in flat
        text = ctx.store.frame(row["id"]).ocr_text
        assert "card number ending 5100, kept in the vault" in text
    finally:
        ctx.close()


def test_frames_stored_before_painting_are_painted_once(ctx, tmp_path) -> None:
    from mirix_desktop.pipeline.capture.worker import OcrWorker, queue_repaints

    # A frame of an older version: its text sealed by the store, its image untouched.
    shot = tmp_path / "old.png"
    _screenshot(shot)
    fid = add_frame(ctx, "placeholder", queue=False)
    frame = ctx.store.frame(fid)
    with Image.open(shot) as img:
        img.convert("RGB").save(frame.image_path, "WEBP")
    ctx.store.set_frame_text(fid, f"Flight LH1172\nCard number {CARD}", clip_vector=None)
    assert "5105" in _read_stored(ctx, fid).replace(" ", "")

    worker = OcrWorker(ctx.store, ctx.inbox, Ocr("auto"))
    worker.drain()
    after = _read_stored(ctx, fid).replace(" ", "")
    assert "5105" not in after and "LH1172" in after
    assert queue_repaints(ctx.store, ctx.inbox) == 0  # once only
