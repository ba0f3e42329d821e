"""CLIP through open-clip-torch: image vectors for frames, text vectors that find them."""

from __future__ import annotations

import ast
import importlib.util
import logging
import socket
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from agents.embeddings.base import Vectors, one_torch_thread
from agents.embeddings.torchvision_guard import import_torchvision_safely
from agents.errors import ModelUnavailable

log = logging.getLogger(__name__)

RANDOM_WEIGHTS = "random"
HUB_HOST = "huggingface.co"
PROBE_TIMEOUT_S = 3.0
_hub: dict[str, bool] = {}  # whether the hub answered, asked once per process
_hub_lock = threading.Lock()


def hub_reachable(timeout: float = PROBE_TIMEOUT_S) -> bool:
    """Whether the model hub can be reached, asked once per process and never for longer
    than ``timeout`` (a name lookup without a network may hang much longer)."""
    with _hub_lock:
        if HUB_HOST not in _hub:
            answer: list[bool] = []

            def probe() -> None:
                try:
                    with socket.create_connection((HUB_HOST, 443), timeout=timeout):
                        answer.append(True)
                except OSError:
                    answer.append(False)

            thread = threading.Thread(target=probe, name="hub-probe", daemon=True)
            thread.start()
            thread.join(timeout)
            _hub[HUB_HOST] = bool(answer and answer[0])
        return _hub[HUB_HOST]


@lru_cache(maxsize=1)
def _hub_table() -> dict[str, dict[str, str]] | None:
    """open_clip's table of pretrained weights (model -> tag -> hub repository), read
    from its source without running it: importing open_clip imports torch and
    torchvision (355 MB of RSS), and only the repository name is wanted to look in
    the local cache. None when the file's layout is not the one read here."""
    spec = importlib.util.find_spec("open_clip")
    if spec is None or not spec.submodule_search_locations:
        return None
    source = Path(next(iter(spec.submodule_search_locations))) / "pretrained.py"
    try:
        tree = ast.parse(source.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return None
    tags: dict[str, dict[str, str]] = {}  # module-level name -> tag -> repository
    table: dict[str, dict[str, str]] = {}
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        target, value = node.targets[0], node.value
        if not isinstance(target, ast.Name):
            continue
        if isinstance(value, ast.Call):
            tags[target.id] = _hub_ids(value)
        elif target.id == "_PRETRAINED" and isinstance(value, ast.Dict):
            for key, ref in zip(value.keys, value.values, strict=True):
                if not isinstance(key, ast.Constant):
                    continue
                if isinstance(ref, ast.Name) and ref.id in tags:
                    table[str(key.value)] = tags[ref.id]
                elif isinstance(ref, ast.Call):  # an entry written in place: dict(tag=...)
                    table[str(key.value)] = _hub_ids(ref)
    return table or None


def _hub_ids(call: ast.Call) -> dict[str, str]:
    """``dict(tag=_pcfg(hf_hub=...), ...)`` as tag -> repository."""
    if getattr(call.func, "id", "") != "dict":
        return {}
    return {kw.arg: _hub_id(kw.value) for kw in call.keywords if kw.arg is not None}


def _hub_id(call: ast.expr) -> str:
    """The ``hf_hub="owner/name/"`` argument of one ``_pcfg(...)`` entry, or ""."""
    for kw in getattr(call, "keywords", []):
        if kw.arg == "hf_hub" and isinstance(kw.value, ast.Constant):
            return str(kw.value.value)
    return ""


def _hub_repo(model: str, pretrained: str) -> str:
    table = _hub_table() or {}
    if model in table:
        hub_id = table[model].get(pretrained.lower().replace("-", "_"), "")
    else:  # a model the source read above does not list: ask open_clip (imports torch)
        cfg = import_open_clip().get_pretrained_cfg(model, pretrained)
        hub_id = cfg.get("hf_hub", "") if cfg else ""
    return "/".join(hub_id.rstrip("/").split("/")[:2]) if hub_id else ""


def cached_weights(model: str, pretrained: str) -> str | None:
    """The path of the named pretrained weights when they are already on disk."""
    repo_id = _hub_repo(model, pretrained)
    if not repo_id:
        return None
    from huggingface_hub import try_to_load_from_cache

    for name in ("open_clip_model.safetensors", "open_clip_pytorch_model.bin"):
        found = try_to_load_from_cache(repo_id, name)
        if isinstance(found, str):
            return found
    return None


def placing_hint(model: str, pretrained: str) -> str:
    """How to put the weights on a machine without a network, for messages and doctor."""
    repo_id = _hub_repo(model, pretrained)
    where = f"https://{HUB_HOST}/{repo_id}" if repo_id else "the model's publisher"
    return (
        f"download open_clip_model.safetensors from {where} on another machine and set "
        "models.clip_checkpoint to its path (or models.clip_provider = 'none')"
    )


def import_open_clip() -> Any:
    """Import open_clip behind the torchvision guard."""
    import_torchvision_safely()
    import open_clip

    return open_clip


def weights_cached(model: str, pretrained: str) -> bool:
    """True when the named pretrained weights are already on disk (no download needed)."""
    return cached_weights(model, pretrained) is not None


class ClipEmbedder:
    """An open_clip model and its preprocessing, on the CPU unless told otherwise.

    ``pretrained`` names open_clip weights (loaded from the local cache without any
    connection; otherwise fetched on first use when ``download`` is on and the hub
    answers, probed once per process), ``checkpoint`` a local weights file, and ``config`` a model
    configuration JSON file (its stem becomes the model name). ``"random"`` as
    ``pretrained`` keeps random weights: only tests want that.
    """

    def __init__(
        self,
        model: str = "ViT-B-32",
        pretrained: str = "laion2b_s34b_b79k",
        *,
        checkpoint: Path | None = None,
        config: Path | None = None,
        device: str = "cpu",
        download: bool = True,
    ) -> None:
        # The weights are found (or found missing) before open_clip and torch are
        # imported, so a machine without them never pays for torch.
        if config is not None:
            if not config.is_file():
                raise ModelUnavailable(f"CLIP config file not found: {config}")
            model = config.stem
        if checkpoint is not None:
            if not checkpoint.is_file():
                raise ModelUnavailable(f"CLIP checkpoint not found: {checkpoint}")
            weights: str | None = str(checkpoint)
        elif pretrained == RANDOM_WEIGHTS:
            weights = None
        else:
            weights = cached_weights(model, pretrained)  # a local file: no connection at all
            if weights is None:
                missing = f"CLIP weights {model}/{pretrained} are not on this machine"
                if not download:
                    raise ModelUnavailable(
                        f"{missing} and downloads are off (models.download_weights); "
                        + placing_hint(model, pretrained)
                    )
                if not hub_reachable():
                    raise ModelUnavailable(
                        f"{missing} and {HUB_HOST} cannot be reached; "
                        + placing_hint(model, pretrained)
                    )
                weights = pretrained
        open_clip = import_open_clip()
        import torch

        one_torch_thread()
        self._torch = torch
        if config is not None:
            open_clip.add_model_config(config)
        net, _, preprocess = open_clip.create_model_and_transforms(
            model, pretrained=weights, device=device
        )
        net.eval()
        self._model = net
        self._preprocess = preprocess
        self._tokenizer = open_clip.get_tokenizer(model)
        self._device = device
        self.name = f"{model}/{checkpoint or pretrained}"
        with torch.no_grad():
            probe = net.encode_text(self._tokenizer(["probe"]).to(device))
        self.dim = int(probe.shape[-1])

    def _unit(self, tensor: Any) -> Vectors:
        arr = tensor.float().cpu().numpy().astype(np.float32)
        norms = np.linalg.norm(arr, axis=1, keepdims=True)
        return np.asarray(arr / np.maximum(norms, 1e-12), dtype=np.float32)

    def embed_images(self, images: Sequence[Any]) -> Vectors:
        if not images:
            return np.zeros((0, self.dim), dtype=np.float32)
        batch = self._torch.stack([self._preprocess(img.convert("RGB")) for img in images])
        with self._torch.no_grad():
            return self._unit(self._model.encode_image(batch.to(self._device)))

    def embed_texts(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        tokens = self._tokenizer(list(texts)).to(self._device)
        with self._torch.no_grad():
            return self._unit(self._model.encode_text(tokens))
