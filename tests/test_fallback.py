"""A missing model degrades search to full-text with one clear warning, never a crash."""

from __future__ import annotations

import logging
from pathlib import Path

from agents.store import SearchOptions
from mirix_desktop.cli import main


def test_missing_text_model_falls_back_to_full_text(monkeypatch, caplog, tmp_path: Path) -> None:
    monkeypatch.setenv("MIRIX_MODELS__TEXT_MODEL_PATH", str(tmp_path / "no-such-model"))
    from mirix_desktop.services.context import open_context

    ctx = open_context()
    with caplog.at_level(logging.WARNING):
        mem = ctx.store.add("semantic", {"summary": "The spare key is under the blue pot"})
        hits = ctx.store.search("spare key", SearchOptions(k=3))
        ctx.store.search("blue pot", SearchOptions(k=3))
    assert [h.id for h in hits] == [mem.id]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "falls back to full-text" in warnings[0].getMessage()
    assert not ctx.text_embedder.loaded and ctx.text_embedder.error
    ctx.close()


def test_missing_clip_weights_do_not_break_frame_search(monkeypatch, capsys) -> None:
    monkeypatch.setenv("MIRIX_MODELS__CLIP_CHECKPOINT", "/nonexistent/clip.pt")
    monkeypatch.setenv("MIRIX_MODELS__TEXT_EMBEDDER", "none")
    assert main(["remember", "invoice 4471 from ACME"]) == 0
    assert main(["search", "invoice", "--json"]) == 0
    out = capsys.readouterr().out
    assert "invoice 4471" in out
    assert main(["doctor", "--json"]) == 0
    report = capsys.readouterr().out
    assert '"available": false' in report


def test_vectors_are_filled_in_when_the_model_returns(monkeypatch) -> None:
    from mirix_desktop.services.context import open_context

    monkeypatch.setenv("MIRIX_MODELS__TEXT_EMBEDDER", "none")
    offline = open_context()
    mem = offline.store.add("semantic", {"summary": "a memory stored without a vector"})
    offline.close()
    monkeypatch.setenv("MIRIX_MODELS__TEXT_EMBEDDER", "minilm")
    online = open_context()
    assert online.store.add_vectors_for_missing() == 1
    only_vector = SearchOptions(k=1, weights={"fts": 0.0, "vector": 1.0})
    assert online.store.search("remembered without embedding", only_vector)[0].id == mem.id
    online.close()
