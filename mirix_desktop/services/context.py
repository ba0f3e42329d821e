"""Everything a command or the app needs, built once from the settings."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from agents.embeddings import ImageEmbedder, Lazy, lazy_image_embedder, lazy_text_embedder
from agents.embeddings.base import TextEmbedder
from agents.errors import InvalidInput, KeyLost, StoreError
from agents.llm import Endpoint, LLMClient
from agents.store import MemoryStore, SearchOptions, VaultCipher
from agents.store.crypto import LockedCipher
from mirix_desktop.config.keystore import SecretStore
from mirix_desktop.config.paths import Paths, private_files, resolve_paths
from mirix_desktop.config.settings import Settings, load_settings
from mirix_desktop.pipeline.capture.desktop import window_lister
from mirix_desktop.pipeline.capture.frames import FrameStore
from mirix_desktop.pipeline.capture.loop import Capturer
from mirix_desktop.pipeline.capture.ocr import Ocr
from mirix_desktop.pipeline.capture.privacy import PrivacyFilter
from mirix_desktop.pipeline.capture.retention import Removed, enforce_retention
from mirix_desktop.pipeline.capture.window import window_probe
from mirix_desktop.pipeline.capture.worker import OcrWorker
from mirix_desktop.pipeline.inbox import Inbox

if TYPE_CHECKING:
    from mirix_desktop.pipeline.absorb_job import AbsorbJob
    from mirix_desktop.pipeline.conversation import Assistant
    from mirix_desktop.pipeline.scheduler import CaptureSchedule


log = logging.getLogger(__name__)
T = TypeVar("T")


class _built_once(Generic[T]):  # noqa: N801 - used as a decorator, like cached_property
    """``cached_property`` under the context's lock: the app's threads ask for the same
    parts at once, and each part (a store, an inbox, a model) must be built only once."""

    def __init__(self, build: Callable[[Any], T]) -> None:
        self.build = build
        self.name = build.__name__
        self.__doc__ = build.__doc__

    def __get__(self, ctx: Any, owner: type | None = None) -> T:
        if ctx is None:
            return self  # type: ignore[return-value]
        with ctx._lock:
            if self.name not in ctx.__dict__:
                ctx.__dict__[self.name] = self.build(ctx)
            value: T = ctx.__dict__[self.name]
            return value


@dataclass
class Context:
    paths: Paths
    settings: Settings
    _store: MemoryStore | None = field(default=None, init=False, repr=False)
    _suspended: str | None = field(default=None, init=False, repr=False)
    # Why the vault is locked (its key is lost), or None: the rest of the store still works.
    vault_locked: str | None = field(default=None, init=False, repr=False)
    # What a command has stored so far, for its message when a write fails (a full disk).
    kept: str = field(default="", init=False, repr=False)
    # The app's threads (capture, OCR, chat, absorb) all ask for the store and the other
    # parts; only one may build each, or two writers would share one home.
    _lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False)

    @_built_once
    def secrets(self) -> SecretStore:
        return SecretStore(self.paths, self.settings.secrets.backend)

    @_built_once
    def text_embedder(self) -> Lazy[TextEmbedder]:
        m = self.settings.models
        provider = m.text_embedder
        return lazy_text_embedder(
            provider,
            model_path=m.text_model_path,
            cache_dir=self.paths.data_dir / "models",
            device=m.device,
        )

    @_built_once
    def image_embedder(self) -> Lazy[ImageEmbedder]:
        m = self.settings.models
        return lazy_image_embedder(
            m.clip_provider,
            model=m.clip_model,
            pretrained=m.clip_pretrained,
            checkpoint=m.clip_checkpoint,
            config=m.clip_config,
            device=m.device,
            download=m.download_weights,
        )

    @property
    def store(self) -> MemoryStore:
        self._check_open()
        with self._lock:
            if self._store is None:
                self.paths.ensure()
                s = self.settings.store
                self._store = MemoryStore(
                    self.paths.store_dir,
                    text_embedder=self.text_embedder,
                    image_embedder=self.image_embedder,
                    cipher=self._vault_cipher(),
                    read_consistency=timedelta(seconds=s.read_consistency_s),
                    vector_index_threshold=s.vector_index_threshold,
                )
            return self._store

    def _vault_cipher(self) -> VaultCipher:
        """The vault's cipher; a locked one when its key is lost (a new key is made only
        while no value encrypted with the old one exists)."""
        from agents.store.health import sealed_values

        try:
            sealed = any(sealed_values(self.paths.store_dir))
            return VaultCipher(self.secrets.vault_key(create=not sealed))
        except KeyLost as exc:
            self.vault_locked = str(exc)
            return LockedCipher(f"the knowledge vault is locked: {exc}")

    @_built_once
    def inbox(self) -> Inbox:
        self._check_open()
        self.paths.ensure()
        return Inbox(self.paths.data_dir / "inbox.sqlite")

    def capturer(self) -> Capturer:
        c = self.settings.capture
        # No CLIP here: loading (or fetching) the model must not stall the capture thread;
        # image vectors belong to the OCR-and-embed worker that follows the inbox.
        frames = FrameStore(
            self.paths.frames_dir,
            self.store,
            image_format=c.image_format,
            quality=c.quality,
            clip=None,
        )
        capturer = Capturer(
            frames,
            self.inbox,
            window_probe(),
            PrivacyFilter(c.excluded_apps, c.excluded_title_patterns),
            lister=window_lister(),
            monitors=c.monitors,
            threshold=c.change_threshold,
            keyframe_s=c.keyframe_minutes * 60,
        )
        capturer.pause_flag = self.paths.pause_flag
        return capturer

    def capture_schedule(self, capturer: Capturer) -> CaptureSchedule:
        """Rounds of ``capturer`` on the capture settings' intervals (slower when idle)."""
        from mirix_desktop.pipeline.scheduler import CaptureSchedule  # apscheduler: capture only

        c = self.settings.capture
        return CaptureSchedule(
            capturer,
            interval_s=c.interval_s,
            idle_interval_s=c.idle_interval_s,
            idle_after_s=c.idle_after_s,
        )

    def enforce_retention(self) -> Removed:
        """Remove the frames past the storage budget or the age limit."""
        c = self.settings.capture
        return enforce_retention(
            self.store, self.inbox, max_bytes=c.storage_budget_bytes, max_days=c.max_age_days
        )

    def ocr_worker(self) -> OcrWorker:
        ocr = Ocr(self.settings.capture.ocr_engine)
        return OcrWorker(self.store, self.inbox, ocr, clip=self.image_embedder)

    def absorb_job(self) -> AbsorbJob:
        """The absorb step over this context's inbox and store, with the memory model (or
        offline); raises InvalidInput when the memory model is half configured."""
        from mirix_desktop.pipeline.absorb_job import AbsorbJob  # the absorbers: absorb only

        llm = self.llm("memory")
        return AbsorbJob(self.store, self.inbox, llm, self.settings.absorb)

    def assistant(self, *, as_of: datetime | None = None) -> Assistant:
        """The chat agent and its bookkeeping, with the chat model (or offline). ``as_of``:
        the reference time for what questions say relative to now ("yesterday"; default:
        the time of each search). Raises InvalidInput when the chat model is half
        configured."""
        from mirix_desktop.pipeline.conversation import Assistant  # the chat agent: ask only

        llm = self.llm("chat")
        return Assistant(
            self.store,
            self.inbox,
            llm,
            options=self.search_options(as_of=as_of),
            segmenter=self.settings.search.segmenter,
            ocr_engine=self.settings.capture.ocr_engine,
        )

    def api_key(self, role: str) -> str | None:
        """The key for ``role`` ("chat" or "memory"): the environment's, else the stored one."""
        given = os.environ.get(f"MIRIX_{role.upper()}_API_KEY")
        if given:
            return given
        try:
            return self.secrets.get(f"{role}-api-key")
        except KeyLost as exc:  # a local endpoint needs none; a remote one answers 401
            log.warning(
                "the saved %s API key cannot be read (%s); going on without it "
                "(MIRIX_%s_API_KEY gives one)",
                role,
                exc,
                role.upper(),
            )
            return None

    def llm(self, role: str) -> LLMClient | None:
        """The client for ``role`` ("chat" or "memory"), or None in offline mode."""
        cfg = self.settings.chat_model if role == "chat" else self.settings.memory_model
        if not cfg.base_url:
            return None
        if not cfg.model:
            raise InvalidInput(f"{role}_model.base_url is set but {role}_model.model is empty")
        key = self.api_key(role)
        return LLMClient(
            Endpoint(
                base_url=cfg.base_url,
                model=cfg.model,
                api_key=key,
                vision=cfg.vision,
                timeout_s=cfg.timeout_s,
                max_retries=cfg.max_retries,
                max_tokens=cfg.max_tokens,
            )
        )

    def search_options(self, **overrides: object) -> SearchOptions:
        s = self.settings.search
        base: dict[str, object] = {
            "k": s.default_k,
            "rrf_k": s.rrf_k,
            "candidates": s.candidates,
            "recency_weight": s.recency_weight,
            "recency_half_life_days": s.recency_half_life_days,
            "neighbour_weight": s.neighbour_weight,
            "neighbour_window_s": s.neighbour_window_s,
            "time_weight": s.time_weight,
            "speaker_weight": s.speaker_weight,
            "content_weight": s.content_weight,
            "weights": {"fts": s.fts_weight, "vector": s.vector_weight, "clip": s.clip_weight},
        }
        base.update({k: v for k, v in overrides.items() if v is not None})
        return SearchOptions(**base)  # type: ignore[arg-type]

    def suspend(self, why: str) -> None:
        """Close the store and the inbox and refuse to open them (StoreError ``why``)
        until :meth:`resume`: nothing may touch the data folder while it moves."""
        self._suspended = why
        self.close()

    def resume(self) -> None:
        self._suspended = None

    def _check_open(self) -> None:
        if self._suspended is not None:
            raise StoreError(self._suspended)

    def close(self) -> None:
        """Close the store and the inbox (using them again opens them again)."""
        with self._lock:
            inbox = self.__dict__.pop("inbox", None)
            if inbox is not None:
                inbox.close()
            if self._store is not None:
                self._store.close()
                self._store = None


def open_context(home: str | Path | None = None) -> Context:
    private_files()  # before the first folder, database or log file is made
    paths = resolve_paths(home)
    settings = load_settings(paths)
    if settings.store.data_dir is not None:  # moved elsewhere (Settings, or by hand)
        paths = replace(paths, data_dir=Path(settings.store.data_dir).expanduser().resolve())
    return Context(paths=paths, settings=settings)
