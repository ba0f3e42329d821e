"""Embedding providers behind a small registry, imported only when chosen.

A provider name maps to a dotted path; nothing heavy is imported until a model
is first used. Text embedders run without torch (onnxruntime, or the C engine
that carries the multilingual weights); torch loads only for CLIP.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from agents.embeddings.base import ImageEmbedder, Lazy, TextEmbedder, load_object
from agents.errors import ModelUnavailable

log = logging.getLogger(__name__)

TEXT_PROVIDERS = {
    "minilm": "agents.embeddings.onnx_text:OnnxTextEmbedder",
    "multilingual_e5": "agents.embeddings.e5:E5Embedder",
}
# "auto": the multilingual model where its package loads, else the packaged English one.
AUTO_ORDER = ("multilingual_e5", "minilm")
IMAGE_PROVIDERS = {"open_clip": "agents.embeddings.clip:ClipEmbedder"}
TEXT_DIM = 384  # every text provider gives vectors of this size (the tables' schema)


def make_text_embedder(
    provider: str, *, model_path: Path | None = None, cache_dir: Path | None = None
) -> TextEmbedder:
    """Load the text embedder ``provider`` now; raises ModelUnavailable when it cannot.

    A ``model_path`` (a BERT sentence-model folder) always means the ONNX
    runtime provider with that model. Under "auto", a multilingual model that
    fails to load falls back to the packaged English model, and the returned
    embedder's ``fallback`` says why.
    """
    if provider == "none":
        raise ModelUnavailable("turned off in settings (models.text_embedder = 'none')")
    if provider != "auto" and provider not in TEXT_PROVIDERS:
        raise ValueError(f"text embedder {provider!r} is not one of {sorted(TEXT_PROVIDERS)}")
    if model_path is not None or provider == "minilm":
        cls = load_object(TEXT_PROVIDERS["minilm"])
        embedder: TextEmbedder = cls(model_path, cache_dir=cache_dir)
        if embedder.dim != TEXT_DIM:
            raise ModelUnavailable(
                f"the text model at {model_path} gives {embedder.dim}-d vectors;"
                f" the store holds {TEXT_DIM}-d ones"
            )
        return embedder
    if provider == "multilingual_e5":
        embedder = load_object(TEXT_PROVIDERS[provider])(cache_dir=cache_dir)
        return embedder
    reasons = []
    for name in AUTO_ORDER:
        try:
            embedder = make_text_embedder(name, cache_dir=cache_dir)
        except ModelUnavailable as exc:
            reasons.append(f"{name}: {exc}")
            log.info("text embedder %s is unavailable (%s); trying the next one", name, exc)
            continue
        if reasons:
            embedder.fallback = "; ".join(reasons)  # type: ignore[attr-defined]
        return embedder
    raise ModelUnavailable("no text embedder could be loaded (" + "; ".join(reasons) + ")")


@lru_cache(maxsize=8)
def lazy_text_embedder(
    provider: str,
    *,
    model_path: Path | None = None,
    cache_dir: Path | None = None,
    device: str = "cpu",
) -> Lazy[TextEmbedder]:
    """Return a lazy text embedder; provider "none" is always unavailable (full-text only).

    One per process for the same arguments, so a model loads once however many
    stores or commands use it. ``cache_dir`` keeps converted models (the data
    folder's models/); text models run on the CPU whatever ``device`` says.
    """

    def factory() -> TextEmbedder:
        return make_text_embedder(provider, model_path=model_path, cache_dir=cache_dir)

    return Lazy(f"text embedder {provider!r}", factory)


@lru_cache(maxsize=8)
def lazy_image_embedder(
    provider: str,
    *,
    model: str,
    pretrained: str,
    checkpoint: Path | None = None,
    config: Path | None = None,
    device: str = "cpu",
    download: bool = True,
) -> Lazy[ImageEmbedder]:
    """Return a lazy CLIP embedder; provider "none" is always unavailable."""

    def factory() -> ImageEmbedder:
        if provider == "none":
            raise ModelUnavailable("turned off in settings (models.clip_provider = 'none')")
        if provider not in IMAGE_PROVIDERS:
            raise ValueError(f"image embedder {provider!r} is not one of {sorted(IMAGE_PROVIDERS)}")
        cls = load_object(IMAGE_PROVIDERS[provider])
        embedder: ImageEmbedder = cls(
            model,
            pretrained,
            checkpoint=checkpoint,
            config=config,
            device=device,
            download=download,
        )
        return embedder

    return Lazy(f"CLIP model {model!r}", factory)


__all__ = [
    "TEXT_DIM",
    "ImageEmbedder",
    "Lazy",
    "TextEmbedder",
    "lazy_image_embedder",
    "lazy_text_embedder",
    "make_text_embedder",
]
