"""A BERT sentence encoder as an ONNX graph, built from safetensors weights without torch.

The graph is the plain BERT encoder (embeddings, N post-norm transformer layers
with exact GELU) followed by mean pooling over the attention mask and L2
normalisation, which is what sentence-transformers computes for
all-MiniLM-L6-v2. It is written with the ``onnx`` helpers straight from the
weight arrays, so converting needs neither torch nor transformers.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

OPSET = 17  # LayerNormalization is an operator from opset 17


class _Graph:
    """Collects nodes and initializers with unique names."""

    def __init__(self) -> None:
        from onnx import helper, numpy_helper

        self.helper = helper
        self.numpy_helper = numpy_helper
        self.nodes: list[Any] = []
        self.inits: list[Any] = []
        self._n = 0

    def const(self, name: str, value: np.ndarray) -> str:
        self.inits.append(self.numpy_helper.from_array(value, name=name))
        return name

    def op(self, kind: str, inputs: list[str], **attrs: Any) -> str:
        self._n += 1
        out = f"{kind.lower()}_{self._n}"
        self.nodes.append(self.helper.make_node(kind, inputs, [out], **attrs))
        return out

    def linear(self, x: str, w: dict[str, np.ndarray], prefix: str) -> str:
        weight = self.const(f"{prefix}.wt", np.ascontiguousarray(w[f"{prefix}.weight"].T))
        bias = self.const(f"{prefix}.b", w[f"{prefix}.bias"])
        return self.op("Add", [self.op("MatMul", [x, weight]), bias])

    def layer_norm(self, x: str, w: dict[str, np.ndarray], prefix: str, eps: float) -> str:
        scale = self.const(f"{prefix}.g", w[f"{prefix}.weight"])
        bias = self.const(f"{prefix}.b", w[f"{prefix}.bias"])
        return self.op("LayerNormalization", [x, scale, bias], axis=-1, epsilon=eps)


def encoder(
    g: _Graph,
    w: dict[str, np.ndarray],
    x: str,
    mask: str,
    *,
    hidden: int,
    heads: int,
    layers: int,
    eps: float,
) -> str:
    """The transformer layers of a BERT encoder (weights named as in transformers'
    ``encoder.layer.N...``) over embeddings ``x`` [B, T, H] with float ``mask`` [B, T]."""
    head_dim = hidden // heads
    heads_shape = g.const("heads_shape", np.array([0, 0, heads, head_dim], dtype=np.int64))
    hidden_shape = g.const("hidden_shape", np.array([0, 0, hidden], dtype=np.int64))
    one = g.const("one", np.array(1.0, dtype=np.float32))
    big_negative = g.const("big_negative", np.array(-1e4, dtype=np.float32))
    inv_sqrt_d = g.const("inv_sqrt_d", np.array(1 / math.sqrt(head_dim), dtype=np.float32))
    sqrt2 = g.const("sqrt2", np.array(math.sqrt(2.0), dtype=np.float32))
    half = g.const("half", np.array(0.5, dtype=np.float32))
    axes12 = g.const("axes12", np.array([1, 2], dtype=np.int64))
    bias = g.op("Mul", [g.op("Sub", [one, g.op("Unsqueeze", [mask, axes12])]), big_negative])

    def split(t: str) -> str:
        return g.op("Transpose", [g.op("Reshape", [t, heads_shape])], perm=[0, 2, 1, 3])

    for i in range(layers):
        p = f"encoder.layer.{i}"
        q = split(g.linear(x, w, f"{p}.attention.self.query"))
        k = split(g.linear(x, w, f"{p}.attention.self.key"))
        v = split(g.linear(x, w, f"{p}.attention.self.value"))
        scores = g.op(
            "Mul", [g.op("MatMul", [q, g.op("Transpose", [k], perm=[0, 1, 3, 2])]), inv_sqrt_d]
        )
        probs = g.op("Softmax", [g.op("Add", [scores, bias])], axis=-1)
        ctx = g.op("Transpose", [g.op("MatMul", [probs, v])], perm=[0, 2, 1, 3])
        ctx = g.op("Reshape", [ctx, hidden_shape])
        attn = g.linear(ctx, w, f"{p}.attention.output.dense")
        x = g.layer_norm(g.op("Add", [attn, x]), w, f"{p}.attention.output.LayerNorm", eps)
        inner = g.linear(x, w, f"{p}.intermediate.dense")
        gelu = g.op(
            "Mul",
            [
                g.op("Mul", [inner, half]),
                g.op("Add", [g.op("Erf", [g.op("Div", [inner, sqrt2])]), one]),
            ],
        )
        out = g.linear(gelu, w, f"{p}.output.dense")
        x = g.layer_norm(g.op("Add", [out, x]), w, f"{p}.output.LayerNorm", eps)
    return x


def _weights(path: Path) -> dict[str, np.ndarray]:
    from safetensors.numpy import load_file

    raw = load_file(str(path))
    out = {}
    for name, value in raw.items():
        key = name.removeprefix("bert.").removeprefix("model.")
        out[key] = value.astype(np.float32) if value.dtype != np.int64 else value
    return out


def build_bert_onnx(model_dir: Path, target: Path) -> Path:
    """Write the sentence encoder of the BERT model in ``model_dir`` to ``target``.

    ``model_dir`` holds ``config.json`` and ``model.safetensors`` (the layout of
    a sentence-transformers or transformers folder). Raises ValueError for a
    model this converter does not handle.
    """
    from onnx import TensorProto

    config = json.loads((model_dir / "config.json").read_text())
    if config.get("model_type", "bert") != "bert":
        raise ValueError(f"{model_dir} is a {config.get('model_type')!r} model, not BERT")
    if config.get("hidden_act", "gelu") != "gelu":
        raise ValueError(f"unsupported activation {config.get('hidden_act')!r}")
    w = _weights(model_dir / "model.safetensors")
    hidden = int(config["hidden_size"])
    heads = int(config["num_attention_heads"])
    layers = int(config["num_hidden_layers"])
    eps = float(config.get("layer_norm_eps", 1e-12))

    g = _Graph()
    h = g.helper

    # Embeddings: word + position + token type 0, then LayerNorm.
    words = g.const("word_embeddings", w["embeddings.word_embeddings.weight"])
    positions = g.const("position_embeddings", w["embeddings.position_embeddings.weight"])
    type0 = g.const("token_type0", w["embeddings.token_type_embeddings.weight"][0])
    x = g.op("Gather", [words, "input_ids"])
    x = g.op("Add", [x, g.op("Gather", [positions, "position_ids"])])
    x = g.layer_norm(g.op("Add", [x, type0]), w, "embeddings.LayerNorm", eps)
    mask = g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT)  # [B, T]
    x = encoder(g, w, x, mask, hidden=hidden, heads=heads, layers=layers, eps=eps)

    # Mean pooling over real tokens, then unit length.
    axis2 = g.const("axis2", np.array([2], dtype=np.int64))
    axis1 = g.const("axis1", np.array([1], dtype=np.int64))
    tiny = g.const("tiny", np.array(1e-9, dtype=np.float32))
    summed = g.op(
        "ReduceSum", [g.op("Mul", [x, g.op("Unsqueeze", [mask, axis2])]), axis1], keepdims=0
    )
    count = g.op("Max", [g.op("ReduceSum", [mask, axis1], keepdims=1), tiny])
    pooled = g.op("Div", [summed, count])
    norm = g.op("Max", [g.op("ReduceL2", [pooled], axes=[1], keepdims=1), tiny])
    g.nodes.append(h.make_node("Div", [pooled, norm], ["sentence_embedding"]))

    ints = TensorProto.INT64
    inputs = [
        h.make_tensor_value_info("input_ids", ints, ["batch", "tokens"]),
        h.make_tensor_value_info("attention_mask", ints, ["batch", "tokens"]),
        h.make_tensor_value_info("position_ids", ints, ["batch", "tokens"]),
    ]
    outputs = [h.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", hidden])]
    return write_graph(g, inputs, outputs, target)


def write_graph(g: _Graph, inputs: list[Any], outputs: list[Any], target: Path) -> Path:
    """Save the graph's model to ``target``, its weights in a file beside it."""
    from onnx import save_model

    h = g.helper
    graph = h.make_graph(g.nodes, "sentence_encoder", inputs, outputs, g.inits)
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", OPSET)])
    model.ir_version = 8
    # The weights go to a file beside the graph: onnxruntime maps such a file instead of
    # copying it out of the protobuf, which halves the memory a loaded model takes.
    target.parent.mkdir(parents=True, exist_ok=True)
    data_name = target.name + ".data"
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".convert-") as tmp:
        staged = Path(tmp) / target.name
        save_model(
            model,
            str(staged),
            save_as_external_data=True,
            all_tensors_to_one_file=True,
            location=data_name,
            size_threshold=1024,
        )
        for name in (data_name, target.name):  # the graph last: it marks the pair complete
            os.chmod(Path(tmp) / name, 0o600)
            os.replace(Path(tmp) / name, target.parent / name)
    return target
