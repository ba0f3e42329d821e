"""Finding CLIP weights in the local cache never imports torch; torch loads only for a model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHECK = """
import json, sys
from agents.embeddings.clip import ClipEmbedder, cached_weights, placing_hint
from agents.errors import ModelUnavailable
found = cached_weights("ViT-B-32", "laion2b_s34b_b79k")
error = ""
if found is None:
    try:
        ClipEmbedder("ViT-B-32", "laion2b_s34b_b79k", download=False)
    except ModelUnavailable as exc:
        error = str(exc)
print(json.dumps({
    "found": found,
    "error": error,
    "hint": placing_hint("ViT-B-32", "laion2b_s34b_b79k"),
    "torch": "torch" in sys.modules,
    "open_clip": "open_clip" in sys.modules,
}))
"""


def _run(hf_home: Path) -> dict[str, object]:
    env = {**os.environ, "HF_HOME": str(hf_home), "HF_HUB_OFFLINE": "1"}
    env.pop("HF_HUB_CACHE", None)
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run(
        [sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_missing_weights_are_found_missing_without_torch(tmp_path: Path) -> None:
    result = _run(tmp_path / "hf")
    assert result["found"] is None
    # doctor's and the app's message still names where the weights come from
    assert "huggingface.co/laion/CLIP-ViT-B-32-laion2B-s34B-b79K" in str(result["hint"])
    assert "are not on this machine and downloads are off" in str(result["error"])
    assert "laion/CLIP-ViT-B-32-laion2B-s34B-b79K" in str(result["error"])
    assert result["torch"] is False and result["open_clip"] is False


def test_cached_weights_are_found_in_the_hub_cache(tmp_path: Path) -> None:
    repo = tmp_path / "hf" / "hub" / "models--laion--CLIP-ViT-B-32-laion2B-s34B-b79K"
    snapshot = repo / "snapshots" / "0123456789abcdef"
    snapshot.mkdir(parents=True)
    (snapshot / "open_clip_model.safetensors").write_bytes(b"not real weights")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("0123456789abcdef")
    result = _run(tmp_path / "hf")
    assert result["found"] == str(snapshot / "open_clip_model.safetensors")
    assert result["torch"] is False
