"""Embedding providers behind a small registry, imported only when chosen.

A provider name maps to a dotted path; nothing heavy (torch, open_clip,
sentence-transformers) is imported until a model is first used.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from agents.embeddings.base import ImageEmbedder, Lazy, TextEmbedder, load_object
from agents.errors import ModelUnavailable

TEXT_PROVIDERS = {"minilm": "agents.embeddings.minilm:MiniLMEmbedder"}
IMAGE_PROVIDERS = {"open_clip": "agents.embeddings.clip:ClipEmbedder"}
TEXT_DIM = 384  # every text provider gives vectors of this size (the tables' schema)


@lru_cache(maxsize=8)
def lazy_text_embedder(
    provider: str, *, model_path: Path | None = None, device: str = "cpu"
) -> Lazy[TextEmbedder]:
    """Return a lazy text embedder; provider "none" is always unavailable (full-text only).

    One per process for the same arguments, so a model loads once however many
    stores or commands use it.
    """

    def factory() -> TextEmbedder:
        if provider == "none":
            raise ModelUnavailable("turned off in settings (models.text_embedder = 'none')")
        if provider not in TEXT_PROVIDERS:
            raise ValueError(f"text embedder {provider!r} is not one of {sorted(TEXT_PROVIDERS)}")
        cls = load_object(TEXT_PROVIDERS[provider])
        embedder: TextEmbedder = cls(model_path, device=device)
        return embedder

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
]
