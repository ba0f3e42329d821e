"""Settings: pydantic models, a TOML file in the config folder, environment overrides.

Read once, at the edge (the command line or the app), and passed down; nothing
deeper reads the environment. An override is ``MIRIX_<SECTION>__<FIELD>``, for
example ``MIRIX_SEARCH__RECENCY_WEIGHT=0.3``; its value is read as JSON when it
parses, else as a string.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import tomli_w
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from agents.errors import InvalidInput, one_line
from mirix_desktop.config.paths import Paths

# What capture leaves out unless the settings say otherwise (pipeline.capture.privacy
# applies them).
DEFAULT_EXCLUDED_APPS = (
    "mirix-desktop",  # this app's own windows: answers, memories, revealed vault values
    "keepassxc",
    "keepass",
    "1password",
    "bitwarden",
    "lastpass",
    "dashlane",
    "enpass",
    "keeper",
    "gnome-keyring",
    "seahorse",
    "kwalletmanager",
)
DEFAULT_EXCLUDED_TITLES = (
    r"incognito",
    r"private browsing",
    r"inprivate",
    r"\bprivate window\b",
    r"keepassxc",
    r"1password",
    r"bitwarden",
)


ENV_PREFIX = "MIRIX_"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ModelSettings(_Section):
    text_embedder: Literal["auto", "multilingual_e5", "minilm", "none"] = "auto"
    text_model_path: Path | None = Field(
        default=None,
        description="a BERT sentence-model folder (safetensors), run through ONNX;"
        " default: the multilingual model, else the packaged MiniLM",
    )
    clip_provider: Literal["open_clip", "none"] = "open_clip"
    clip_model: str = "ViT-B-32"
    clip_pretrained: str = "laion2b_s34b_b79k"
    clip_checkpoint: Path | None = Field(default=None, description="a local CLIP weights file")
    clip_config: Path | None = Field(default=None, description="an open_clip model config JSON")
    device: str = "cpu"
    download_weights: bool = Field(
        default=True,
        description="fetch missing model weights on first use (the hub is probed once a run)",
    )


class SearchSettings(_Section):
    default_k: int = Field(default=10, ge=1, le=1000)
    rrf_k: int = Field(default=10, ge=1)
    candidates: int = Field(default=50, ge=1, le=2000)
    fts_weight: float = Field(default=1.0, ge=0.0)
    vector_weight: float = Field(default=0.75, ge=0.0)
    clip_weight: float = Field(default=1.0, ge=0.0)
    recency_weight: float = Field(default=0.0, ge=0.0, le=1.0)
    recency_half_life_days: float = Field(default=30.0, gt=0)
    # A chat turn found near other found turns of its conversation gets this share of
    # their scores, fading to 0 at the window. Called context_* before (still read).
    neighbour_weight: float = Field(
        default=0.35,
        ge=0.0,
        le=1.0,
        validation_alias=AliasChoices("neighbour_weight", "context_weight"),
    )
    neighbour_window_s: float = Field(
        default=300.0, gt=0, validation_alias=AliasChoices("neighbour_window_s", "context_window_s")
    )
    time_weight: float = Field(
        default=0.5, ge=0.0, description="weight of the hits within a time the question names"
    )
    speaker_weight: float = Field(
        default=1.0, ge=0.0, description="how much more the turns of a speaker it names count"
    )
    content_weight: float = Field(
        default=1.0, ge=0.0, description="weight of the hits of the question without those names"
    )
    segmenter: Literal["jieba", "ngram"] = Field(
        default="jieba", description="how Chinese questions are split into words"
    )


class StoreSettings(_Section):
    data_dir: Path | None = Field(
        default=None,
        description="screenshots, memories and the inbox (default: the platform's data folder,"
        " or DIR/data under --home); the app's Settings move them there",
    )
    read_consistency_s: float = Field(default=1.0, ge=0.0)
    vector_index_threshold: int = Field(default=20_000, ge=256)


class SecretSettings(_Section):
    backend: Literal["auto", "keyring", "file"] = "auto"


class CaptureSettings(_Section):
    interval_s: float = Field(default=2.0, gt=0.05, le=3600)
    idle_after_s: float = Field(default=60.0, gt=0)
    idle_interval_s: float = Field(default=10.0, gt=0)
    monitors: Literal["all", "primary"] = "all"
    image_format: Literal["webp", "jpeg"] = "webp"
    quality: int = Field(default=80, ge=10, le=100)
    change_threshold: float = Field(default=0.00005, ge=0.0, le=1.0)
    keyframe_minutes: float = Field(default=10.0, gt=0)
    ocr_engine: Literal["auto", "fast", "accurate"] = Field(
        default="auto",
        description="fast: PP-OCRv6 tiny (faster-paddle), about a quarter of the CPU;"
        " accurate: PP-OCRv6 small (RapidOCR), fewer misread characters and spaces;"
        " auto: fast where faster-paddle is installed",
    )
    storage_budget_bytes: int = Field(default=20_000_000_000, ge=0)
    max_age_days: float = Field(default=90.0, gt=0)
    excluded_apps: list[str] = Field(default_factory=lambda: list(DEFAULT_EXCLUDED_APPS))
    excluded_title_patterns: list[str] = Field(
        default_factory=lambda: list(DEFAULT_EXCLUDED_TITLES)
    )

    @field_validator("excluded_title_patterns")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        # A pattern that does not compile must stop the load, not the capture thread.
        for pattern in patterns:
            try:
                re.compile(pattern, re.IGNORECASE)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a regular expression ({exc})") from None
        return patterns


class ModelEndpointSettings(_Section):
    """A language model at an OpenAI-compatible endpoint; no base_url means offline mode.

    The key is never stored here: it lives in the keyring (``<role>-api-key``) or in
    the environment (``MIRIX_CHAT_API_KEY``, ``MIRIX_MEMORY_API_KEY``).
    """

    base_url: str | None = None
    model: str = ""
    vision: bool = False
    timeout_s: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=3, ge=0, le=10)
    max_tokens: int | None = Field(
        default=None, ge=16, description="a bound on each answer's tokens (none: the server's)"
    )


class AbsorbSettings(_Section):
    batch_size: int = Field(default=20, ge=1, le=500, description="items per batch")
    max_wait_s: float = Field(
        default=300.0, ge=0, description="absorb a smaller batch once its oldest item waited this"
    )
    core_limit: int = Field(default=2000, ge=100, le=20_000, description="characters a core block")
    max_images: int = Field(
        default=4, ge=0, le=16, description="screenshots a batch, vision models"
    )


class McpSettings(_Section):
    """What ``mirix-desktop mcp`` lets other assistants see."""

    share_vault_values: bool = Field(
        default=False,
        description="let MCP clients read low- and medium-sensitivity vault values (never high)",
    )
    max_image_side: int = Field(
        default=1024, ge=64, le=4096, description="get_screenshot downscales to this many pixels"
    )
    http_port: int = Field(
        default=8765, ge=0, le=65535, description="the port of `mcp --http` on 127.0.0.1"
    )
    http_in_app: bool = Field(
        default=False,
        description="serve MCP over HTTP (127.0.0.1, bearer token) while the app runs",
    )
    rotate_http_token: bool = Field(
        default=False,
        description="make a new HTTP bearer token at the next start (then back to false)",
    )


class DesktopSettings(_Section):
    start_at_login: bool = Field(
        default=False, description="start the app in the tray when the user logs in"
    )


class Settings(_Section):
    models: ModelSettings = Field(default_factory=ModelSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    secrets: SecretSettings = Field(default_factory=SecretSettings)
    capture: CaptureSettings = Field(default_factory=CaptureSettings)
    chat_model: ModelEndpointSettings = Field(default_factory=ModelEndpointSettings)
    memory_model: ModelEndpointSettings = Field(default_factory=ModelEndpointSettings)
    absorb: AbsorbSettings = Field(default_factory=AbsorbSettings)
    mcp: McpSettings = Field(default_factory=McpSettings)
    desktop: DesktopSettings = Field(default_factory=DesktopSettings)


def _env_overrides(environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    sections = set(Settings.model_fields)
    out: dict[str, dict[str, Any]] = {}
    for key, raw in environ.items():
        if not key.startswith(ENV_PREFIX) or "__" not in key:
            continue
        section, _, name = key[len(ENV_PREFIX) :].lower().partition("__")
        if section not in sections:
            continue
        try:
            value: Any = json.loads(raw)
        except ValueError:
            value = raw
        out.setdefault(section, {})[name] = value
    return out


def load_settings(paths: Paths, environ: Mapping[str, str] | None = None) -> Settings:
    """Defaults, then the TOML file, then environment overrides; raises InvalidInput."""
    data: dict[str, Any] = {}
    if paths.config_file.is_file():
        try:
            data = tomllib.loads(paths.config_file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"{paths.config_file}: {exc}") from None
    for section, values in _env_overrides(os.environ if environ is None else environ).items():
        merged = data.get(section, {})
        if not isinstance(merged, dict):
            merged = {}
        data[section] = {**merged, **values}
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(
            f"setting {one_line(exc)} (in {paths.config_file} or the environment)"
        ) from None


def save_settings(paths: Paths, settings: Settings) -> None:
    """Write the settings file atomically (temporary file, then rename)."""
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    payload = settings.model_dump(mode="json", exclude_none=True)
    tmp = paths.config_file.with_suffix(".toml.tmp")
    tmp.write_text(tomli_w.dumps(payload), encoding="utf-8")
    os.replace(tmp, paths.config_file)


def save_settings_changes(paths: Paths, changes: Mapping[str, Mapping[str, Any]]) -> Settings:
    """Apply ``changes`` ({section: {field: value}}) to the settings file and return the
    settings now in effect (the file plus environment overrides).

    Environment overrides are not written to the file. Raises InvalidInput, naming
    the setting, when a value is refused.
    """
    stored = load_settings(paths, environ={})
    data = stored.model_dump()
    for section, values in changes.items():
        data[section] = {**data[section], **values}
    try:
        updated = Settings.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(f"setting {one_line(exc)}") from None
    save_settings(paths, updated)
    return load_settings(paths)
