"""CLIP through open-clip-torch: image vectors for frames, text vectors that find them."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from agents.embeddings.base import Vectors, one_torch_thread
from agents.embeddings.torchvision_guard import import_torchvision_safely
from agents.errors import ModelUnavailable

log = logging.getLogger(__name__)

RANDOM_WEIGHTS = "random"


def import_open_clip() -> Any:
    """Import open_clip behind the torchvision guard."""
    import_torchvision_safely()
    import open_clip

    return open_clip


def weights_cached(model: str, pretrained: str) -> bool:
    """True when the named pretrained weights are already on disk (no download needed)."""
    open_clip = import_open_clip()
    cfg = open_clip.get_pretrained_cfg(model, pretrained)
    hub_id = cfg.get("hf_hub", "") if cfg else ""
    if not hub_id:
        return False
    from huggingface_hub import try_to_load_from_cache

    repo_id = "/".join(hub_id.rstrip("/").split("/")[:2])
    names = ("open_clip_model.safetensors", "open_clip_pytorch_model.bin")
    return any(isinstance(try_to_load_from_cache(repo_id, name), str) for name in names)


class ClipEmbedder:
    """An open_clip model and its preprocessing, on the CPU unless told otherwise.

    ``pretrained`` names open_clip weights (fetched on first use where the network
    allows), ``checkpoint`` a local weights file, and ``config`` a model
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
    ) -> None:
        open_clip = import_open_clip()
        import torch

        one_torch_thread()
        self._torch = torch
        if config is not None:
            if not config.is_file():
                raise ModelUnavailable(f"CLIP config file not found: {config}")
            open_clip.add_model_config(config)
            model = config.stem
        if checkpoint is not None:
            if not checkpoint.is_file():
                raise ModelUnavailable(f"CLIP checkpoint not found: {checkpoint}")
            weights: str | None = str(checkpoint)
        elif pretrained == RANDOM_WEIGHTS:
            weights = None
        else:
            weights = pretrained
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
