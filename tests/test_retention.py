"""forget --last removes recent frames and the memories made only from them; retention trims."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PIL import Image

from agents.errors import NotFound
from agents.store.timeutil import now
from mirix_desktop.cli import main
from mirix_desktop.pipeline.capture.frames import FrameStore
from mirix_desktop.pipeline.capture.retention import enforce_retention
from mirix_desktop.pipeline.inbox import OCR_KIND, ocr_item


def _frame(frames: FrameStore, colour: tuple[int, int, int], age: timedelta, size=(320, 200)):
    image = Image.effect_noise(size, 60).convert("RGB")
    image.paste(colour, (0, 0, 40, 40))
    return frames.save(image, captured_at=now() - age, app="Firefox", window_title="x")


def test_forget_last_minutes(ctx, capsys) -> None:
    frames = FrameStore(ctx.paths.frames_dir, ctx.store)
    recent = _frame(frames, (255, 0, 0), timedelta(minutes=2))
    old = _frame(frames, (0, 255, 0), timedelta(hours=2))
    ctx.inbox.put(OCR_KIND, *ocr_item(recent.id, None))
    ctx.inbox.put("frame", recent.id, {})
    only_recent = ctx.store.add("episodic", {"summary": "read a page"}, source_ids=[recent.id])
    mixed = ctx.store.add("episodic", {"summary": "two pages"}, source_ids=[recent.id, old.id])
    by_hand = ctx.store.add("semantic", {"summary": "typed by hand"})
    ctx.close()
    assert main(["forget", "--last", "30"]) == 0
    assert "forgot 1 frames" in capsys.readouterr().out
    from mirix_desktop.services.context import open_context

    after = open_context()
    assert not Path(recent.image_path).exists() and Path(old.image_path).exists()
    assert [r["id"] for r in after.store.frame_rows()] == [old.id]
    try:
        after.store.get(only_recent.id)
        raise AssertionError("memory made only from a forgotten frame survived")
    except NotFound:
        pass
    assert after.store.get(mixed.id) and after.store.get(by_hand.id)
    assert after.store.history(only_recent.id)[0].op == "delete"
    assert after.store.history(only_recent.id)[0].actor == "forget"
    assert after.inbox.counts()["pending"] == 0
    assert after.store.search("page", after.search_options(types=("frame",))) == []
    after.close()


def test_forget_needs_positive_minutes(capsys) -> None:
    assert main(["forget", "--last", "-5"]) == 2
    assert "positive number of minutes" in capsys.readouterr().err


def test_retention_deletes_oldest_first_within_budget(ctx, capsys) -> None:
    frames = FrameStore(ctx.paths.frames_dir, ctx.store, image_format="jpeg", quality=90)
    made = [_frame(frames, (i * 40, 0, 0), timedelta(days=10 - i)) for i in range(5)]
    ancient = _frame(frames, (0, 0, 255), timedelta(days=400))
    memory = ctx.store.add("episodic", {"summary": "kept"}, source_ids=[made[0].id])
    sizes = {f.id: f.size_bytes for f in made}
    budget = sizes[made[3].id] + sizes[made[4].id]
    removed = enforce_retention(ctx.store, ctx.inbox, max_bytes=budget, max_days=90)
    assert removed.frames == 4  # oldest captured first: the ancient one, then made[0..2]
    left = [r["id"] for r in ctx.store.frame_rows()]
    assert left == [made[3].id, made[4].id]
    assert not Path(ancient.image_path).exists() and not Path(made[0].image_path).exists()
    assert ctx.store.get(memory.id).source_ids == [made[0].id]  # memories stay
    # Age counts from when a frame was stored: with a tiny maximum age all go.
    assert enforce_retention(ctx.store, ctx.inbox, max_bytes=10**12, max_days=1e-9).frames == 2
    assert ctx.store.frame_rows() == []
    ctx.close()
    assert main(["stats"]) == 0
    assert "frames on disk" in capsys.readouterr().out


def test_forget_last_removes_chat_said_in_the_window(ctx, capsys) -> None:
    from agents.store import ChatTurn
    from mirix_desktop.pipeline.inbox import store_turns

    def turn(i: int, speaker: str, text: str, age: timedelta) -> ChatTurn:
        return ChatTurn(
            id=f"turn_{i}",
            conversation_id="c1",
            speaker=speaker,
            text=text,
            created_at=now() - age,
        )

    store_turns(
        ctx.store,
        ctx.inbox,
        [
            turn(1, "user", "Remember that the gate code is 4417.", timedelta(hours=3)),
            turn(2, "user", "What is the gate code?", timedelta(minutes=3)),
            turn(3, "assistant", "4417, as you said.", timedelta(minutes=3)),
        ],
    )
    made = ctx.store.add("semantic", {"summary": "asked for the code"}, source_ids=["turn_2"])
    ctx.close()
    assert main(["forget", "--last", "30"]) == 0
    assert "2 chat turns" in capsys.readouterr().out
    from mirix_desktop.services.context import open_context

    after = open_context()
    assert [t.id for t in after.store.chat_turns(["turn_1", "turn_2", "turn_3"])] == ["turn_1"]
    try:
        after.store.get(made.id)
        raise AssertionError("a memory made only from a forgotten turn survived")
    except NotFound:
        pass
    assert after.inbox.counts()["pending"] == 1  # the older turn still waits to be absorbed
    after.close()
