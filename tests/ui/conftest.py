"""Qt tests run offscreen, full-text only (no MiniLM, no CLIP), with capture far apart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mirix_desktop.services.context import Context


@pytest.fixture(autouse=True)
def fast_home(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No model loads; a scheduled capture round never comes during a test."""
    monkeypatch.setenv("MIRIX_MODELS__TEXT_EMBEDDER", "none")
    monkeypatch.setenv("MIRIX_MODELS__CLIP_PROVIDER", "none")
    monkeypatch.setenv("MIRIX_CAPTURE__INTERVAL_S", "3600")
    monkeypatch.setenv("MIRIX_CAPTURE__IDLE_INTERVAL_S", "3600")
    return home


@pytest.fixture
def tasks(qtbot):
    from mirix_desktop.ui.tasks import Tasks

    runner = Tasks()
    yield runner
    runner.shutdown(wait=True)
    runner.deleteLater()


@pytest.fixture
def backend(ctx: Context):
    from mirix_desktop.services.backend import Backend

    return Backend(ctx)


@pytest.fixture
def controller(ctx: Context, qtbot) -> Iterator[object]:
    from mirix_desktop.ui.controller import AppController

    app = AppController(ctx, confirm_forget=False)
    yield app
    app.shutdown()
    app.window.close()
    app.window.deleteLater()
