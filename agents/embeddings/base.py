"""The embedding interface: small, lazily loaded, degrading to None when a model is missing."""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any, Generic, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]


class TextEmbedder(Protocol):
    """Maps texts to unit-length vectors of a fixed dimension.

    ``model_id`` names the weights (not the runtime): vectors with the same id
    are comparable, and stored vectors record it. ``embed`` is for what is
    stored and searched, ``embed_queries`` for questions (the same for
    symmetric models; E5 prefixes the two differently).
    """

    name: str
    model_id: str
    dim: int

    def embed(self, texts: Sequence[str]) -> Vectors: ...

    def embed_queries(self, texts: Sequence[str]) -> Vectors: ...


class ImageEmbedder(Protocol):
    """Maps images and texts into one space (CLIP), so a text can find an image."""

    name: str
    dim: int

    def embed_images(self, images: Sequence[Any]) -> Vectors: ...

    def embed_texts(self, texts: Sequence[str]) -> Vectors: ...


T = TypeVar("T")


def one_torch_thread() -> None:
    """Run torch's CPU work on one thread (process-wide). Its thread pool spins while it
    waits: on two busy cores, embedding one frame's text took 920 ms of CPU with two threads
    and 49 ms with one, and a batch of 128 sentences 1.29 s against 0.57 s."""
    import torch

    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)


def load_object(dotted: str) -> Any:
    """Import ``package.module:attr`` only when it is needed."""
    module_name, _, attr = dotted.partition(":")
    return getattr(importlib.import_module(module_name), attr)


class Lazy(Generic[T]):
    """Loads a model on first use, once, thread-safely.

    A model that fails to load is remembered as unavailable: ``get()`` returns
    None from then on and the reason is logged once, as a warning, so callers
    can fall back (to full-text search) instead of crashing.
    """

    def __init__(self, what: str, factory: Callable[[], T]) -> None:
        self.what = what
        self._factory = factory
        self._lock = threading.Lock()
        self._value: T | None = None
        self._error: str | None = None
        self._tried = False

    def get(self) -> T | None:
        if self._tried:
            return self._value
        with self._lock:
            if not self._tried:
                try:
                    self._value = self._factory()
                except Exception as exc:  # noqa: BLE001 - any load failure means "unavailable"
                    self._error = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
                    log.warning(
                        "%s is unavailable (%s); search falls back to full-text.",
                        self.what,
                        self._error,
                    )
                self._tried = True
        return self._value

    @property
    def loaded(self) -> bool:
        return self._value is not None

    @property
    def error(self) -> str | None:
        return self._error
