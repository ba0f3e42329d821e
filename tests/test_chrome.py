"""Offline memories leave out interface chrome (lines repeating across an app's windows) and
glyph noise; the frames' own OCR text keeps everything, and a document's text stays."""

from __future__ import annotations

from datetime import timedelta

from agents.absorb.chrome import chrome_lines, clean, is_noise
from agents.store import MemoryType
from tests.helpers import T0, add_frame

MENU = "File Edit View Search Tools Documents Help"
STATUS = "Plain Text  Tab Width: 8  Ln 1, Col 1  INS"
NOISE = ["O", "-0网", "»"]


def _page(body: list[str]) -> str:
    return "\n".join([MENU, *body, STATUS, *NOISE])


def _memory_texts(ctx) -> list[str]:
    texts = []
    for memory in ctx.store.list_memories(MemoryType.EPISODIC):
        texts.append(memory.data.details)
    for memory in ctx.store.list_memories(MemoryType.RESOURCE):
        texts.append(memory.data.content)
    return texts


def test_lines_repeating_across_an_apps_windows_stay_out_of_offline_memories(ctx) -> None:
    docs = {
        "harbor.txt": ["Harbor permit renewal due on March 3", "Call the port office"],
        "garden.txt": ["Plant the tulip bulbs before frost", "Buy compost"],
        "budget.txt": ["Travel budget 4200 EUR approved", "Ask Dana about the invoice"],
        "会议.txt": ["周三下午三点开项目会议", "准备季度报告"],
    }
    ids = []
    for i, (title, body) in enumerate(docs.items()):
        ids.append(
            add_frame(
                ctx,
                _page(body),
                app="gedit",
                title=f"{title} - gedit",
                at=T0 + timedelta(seconds=30 * i),
            )
        )
    ctx.absorb_job().absorb()
    texts = _memory_texts(ctx)
    assert texts
    joined = "\n".join(texts)
    for body in docs.values():
        for line in body:
            assert line in joined  # the documents' own text is kept
    for text in texts:
        lines = {ln.split("  ", 1)[-1] for ln in text.splitlines()}
        assert MENU not in joined and STATUS not in joined
        assert not lines & set(NOISE)
        assert "-0网" not in text and " · O" not in text
    # The frame keeps its full OCR text: search still finds the menu.
    assert MENU in ctx.store.frame(ids[0]).ocr_text


def test_earlier_frames_of_the_app_tell_a_new_batch_what_is_chrome(ctx) -> None:
    for i, title in enumerate(["a.txt", "b.txt", "c.txt"]):
        add_frame(
            ctx,
            _page([f"Earlier note number {i}"]),
            app="gedit",
            title=title,
            at=T0 + timedelta(seconds=i),
        )
    ctx.absorb_job().absorb()
    later = T0 + timedelta(minutes=3)
    add_frame(ctx, _page(["A later note about ferries"]), app="gedit", title="d.txt", at=later)
    ctx.absorb_job().absorb()
    event = next(
        m for m in ctx.store.list_memories(MemoryType.EPISODIC) if "d.txt" in m.data.summary
    )
    assert "A later note about ferries" in event.data.details
    assert MENU not in event.data.details and STATUS not in event.data.details


def test_a_document_read_for_long_under_one_title_keeps_its_text(ctx) -> None:
    body = ["Chapter 2: Tides and currents", "The harbor floods at spring tide"]
    for i in range(5):
        add_frame(
            ctx, "\n".join(body), app="evince", title="tides.pdf", at=T0 + timedelta(seconds=10 * i)
        )
    ctx.absorb_job().absorb()
    (resource,) = ctx.store.list_memories(MemoryType.RESOURCE)
    assert all(line in resource.data.content for line in body)


def test_chrome_and_noise_rules() -> None:
    frames = [("a", "Menu\nalpha"), ("b", "Menu\nbeta"), ("c", "Menu\ngamma"), ("c", "gamma")]
    assert chrome_lines(frames) == {"Menu"}
    assert chrome_lines(frames[:2]) == set()  # too few frames to tell
    assert clean("Menu\nalpha\nO\n12", {"Menu"}) == "alpha"
    assert [is_noise(s) for s in ["O", "-0网", "»", "OK", "2024", "设置", "Tab"]] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
    ]
