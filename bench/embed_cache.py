"""A file cache of text vectors for benchmarks that embed the same texts run after run.

The multilingual model embeds about 40 texts a second here, so the LoCoMo
benches would spend minutes per run on vectors they made before. ``install``
wraps the process's text embedder (the one every store of this process uses)
so that each (side, text) is embedded once and kept in ``path``; ``save``
writes the new ones back. The file names the model; another model's file is
ignored. Only benchmarks use this; the product always embeds.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from agents.embeddings.base import Lazy


class CachedEmbedder:
    """Delegates to ``inner`` for texts not in the cache (documents and queries kept apart)."""

    def __init__(self, inner: Any, path: Path, *, queries: bool = True) -> None:
        self.inner = inner
        self.queries = queries  # False: questions are always embedded (their time counts)
        self.path = path
        self.dim = inner.dim
        self.model_id = inner.model_id
        self.name = inner.name
        # How the store cuts long texts into passages (agents/store/passages.py).
        if hasattr(inner, "max_tokens"):
            self.max_tokens = inner.max_tokens
        if hasattr(inner, "count_tokens"):
            self.count_tokens = inner.count_tokens
        self.vectors: dict[str, dict[str, np.ndarray]] = {"passage": {}, "query": {}}
        self.new = 0
        if path.is_file():
            data = json.loads(path.read_text())
            if data.get("model") == self.model_id:
                for side in ("passage", "query"):
                    for text, b64 in data.get(side, {}).items():
                        raw = np.frombuffer(base64.b64decode(b64), dtype=np.float32)
                        self.vectors[side][text] = raw

    def _get(self, side: str, texts: Sequence[str]) -> np.ndarray:
        known = self.vectors[side]
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            fn = self.inner.embed_queries if side == "query" else self.inner.embed
            for text, vec in zip(missing, fn(missing), strict=True):
                known[text] = np.asarray(vec, dtype=np.float32)
            self.new += len(missing)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([known[t] for t in texts])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self._get("passage", texts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not self.queries:
            return np.asarray(self.inner.embed_queries(texts), dtype=np.float32)
        return self._get("query", texts)

    def save(self) -> None:
        if not self.new:
            return
        data: dict[str, Any] = {"model": self.model_id}
        for side, known in self.vectors.items():
            data[side] = {t: base64.b64encode(v.tobytes()).decode() for t, v in known.items()}
        self.path.write_text(json.dumps(data))
        self.new = 0


def install(lazy: Lazy[Any], path: Path, *, queries: bool = True) -> CachedEmbedder | None:
    """Put a cache in front of the loaded model of ``lazy`` (None without a model);
    ``queries=False`` caches stored texts only, so that search latency stays real."""
    inner = lazy.get()
    if inner is None:
        return None
    if isinstance(inner, CachedEmbedder):
        return inner
    cached = CachedEmbedder(inner, path, queries=queries)
    lazy._value = cached  # the one Lazy every store of this process shares
    return cached
