"""Every test runs in its own MIRIX_HOME with file-based secrets; nothing is downloaded."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TINY_CLIP = {
    "embed_dim": 32,
    "vision_cfg": {"image_size": 32, "layers": 1, "width": 64, "patch_size": 16},
    "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 1},
}


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An isolated home: config, data and logs under tmp_path; secrets in an encrypted file."""
    root = tmp_path / "home"
    monkeypatch.setenv("MIRIX_HOME", str(root))
    monkeypatch.setenv("MIRIX_SECRETS__BACKEND", "file")
    for key in list(os.environ):
        if key.startswith("MIRIX_") and key not in ("MIRIX_HOME", "MIRIX_SECRETS__BACKEND"):
            monkeypatch.delenv(key)
    yield root
    logging.getLogger().handlers.clear()


@pytest.fixture
def fake():  # type: ignore[no-untyped-def]
    """A fake OpenAI-compatible server on 127.0.0.1 (see tests/fake_openai.py)."""
    from tests.fake_openai import FakeOpenAI

    server = FakeOpenAI()
    yield server
    server.close()


@pytest.fixture(scope="session")
def tiny_clip_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An open_clip model configuration small enough to build with random weights in a second."""
    path = tmp_path_factory.mktemp("clip") / "tiny-clip-test.json"
    path.write_text(json.dumps(TINY_CLIP))
    return path


@pytest.fixture
def use_tiny_clip(monkeypatch: pytest.MonkeyPatch, tiny_clip_config: Path) -> Path:
    monkeypatch.setenv("MIRIX_MODELS__CLIP_CONFIG", str(tiny_clip_config))
    monkeypatch.setenv("MIRIX_MODELS__CLIP_PRETRAINED", "random")
    return tiny_clip_config


@pytest.fixture
def ctx(home: Path):  # type: ignore[no-untyped-def]
    from mirix_desktop.services.context import open_context

    context = open_context()
    yield context
    context.close()
