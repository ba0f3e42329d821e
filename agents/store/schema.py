"""Schemas of the memory store: the six memory types, chat turns, frames and history.

Each memory type has a pydantic model for its own fields (validated on every
write) and one LanceDB table whose columns are the common ones below plus those
fields. ``text`` is what search shows and embeds; ``fts`` is ``text`` prepared
for the full-text index.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agents.embeddings import TEXT_DIM
from agents.memory_types import (  # the vocabulary, importable without the store
    ALL_SEARCH_TYPES,
    MEMORY_TYPE_NAMES,
    MemoryType,
    MemoryTypeName,
    RecordType,
    SearchableType,
    SearchTypeName,
    parse_type,
)

MAX_TEXT_CHARS = 200_000  # one memory's text; a 1 MB paste is refused, not stored
DEFAULT_CORE_LIMIT = 2000
# The vocabulary is re-exported: most modules know the types as ``S.MemoryType``.
__all__ = [
    "ALL_SEARCH_TYPES",
    "MEMORY_TYPE_NAMES",
    "MemoryType",
    "MemoryTypeName",
    "RecordType",
    "SearchTypeName",
    "SearchableType",
    "parse_type",
]

TABLE = {t: t.value for t in MemoryType} | {
    RecordType.CHAT: "chat_turns",
    RecordType.FRAME: "frames",
}
HISTORY_TABLE = "history"
CLIP_TABLE = "frame_clip"
PASSAGE_TABLE = "chat_passages"  # the further passages of long chat turns (store/passages.py)
# Tables with a text vector column.
TEXT_VECTOR_TABLES: tuple[str, ...] = (*TABLE.values(), PASSAGE_TABLE)
VECTOR_MODELS_TABLE = "vector_models"  # which text model made each table's vectors
LEGACY_TEXT_MODEL = "all-MiniLM-L6-v2"  # the only text model before the record existed


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    def search_text(self) -> str:
        raise NotImplementedError


def _short(value: str, what: str) -> str:
    if len(value) > MAX_TEXT_CHARS:
        raise ValueError(f"{what} is {len(value):,} characters; the limit is {MAX_TEXT_CHARS:,}")
    return value


class CoreData(_Data):
    label: str = Field(min_length=1, max_length=64)
    value: str = ""
    char_limit: int = Field(default=DEFAULT_CORE_LIMIT, gt=0, le=20_000)

    @model_validator(mode="after")
    def _within_limit(self) -> CoreData:
        if len(self.value) > self.char_limit:
            raise ValueError(
                f"core block {self.label!r} holds {len(self.value)} characters; "
                f"its limit is {self.char_limit}"
            )
        return self

    def search_text(self) -> str:
        return f"{self.label}: {self.value}"


class EpisodicData(_Data):
    occurred_at: datetime | None = None
    actor: str = "user"
    event_type: str = "activity"
    summary: str = Field(min_length=1)
    details: str = ""

    _check = field_validator("summary", "details")(lambda v: _short(v, "text"))

    def search_text(self) -> str:
        return f"{self.summary}\n{self.details}".strip()


class SemanticData(_Data):
    name: str = ""
    summary: str = Field(min_length=1)
    details: str = ""
    source: str = ""

    _check = field_validator("summary", "details")(lambda v: _short(v, "text"))

    def search_text(self) -> str:
        head = f"{self.name}: " if self.name else ""
        return f"{head}{self.summary}\n{self.details}".strip()


class ProceduralData(_Data):
    entry_type: Literal["workflow", "guide", "script"] = "guide"
    summary: str = Field(min_length=1)
    steps: list[str] = Field(default_factory=list)

    _check = field_validator("summary")(lambda v: _short(v, "text"))

    def search_text(self) -> str:
        steps = "\n".join(f"{i}. {s}" for i, s in enumerate(self.steps, 1))
        return f"{self.summary}\n{steps}".strip()


class ResourceData(_Data):
    title: str = Field(min_length=1)
    summary: str = ""
    resource_type: str = "document"
    content: str = ""

    _check = field_validator("summary", "content")(lambda v: _short(v, "text"))

    def search_text(self) -> str:
        return f"{self.title}: {self.summary}\n{self.content[:4000]}".strip()


# The vault sensitivities an assistant may read (a chat model, an MCP client that is let
# see values): a high one never leaves the store.
READABLE_SENSITIVITIES: tuple[str, ...] = ("low", "medium")


class VaultData(_Data):
    entry_type: str = "credential"
    source: str = ""
    sensitivity: Literal["low", "medium", "high"] = "medium"
    secret_value: str = Field(min_length=1, max_length=10_000)
    caption: str = Field(min_length=1)

    def search_text(self) -> str:
        # The secret itself is never indexed, embedded or shown in search results.
        return f"{self.caption} ({self.entry_type}{', ' + self.source if self.source else ''})"


MemoryData = CoreData | EpisodicData | SemanticData | ProceduralData | ResourceData | VaultData
DATA_MODEL: dict[MemoryType, type[_Data]] = {
    MemoryType.CORE: CoreData,
    MemoryType.EPISODIC: EpisodicData,
    MemoryType.SEMANTIC: SemanticData,
    MemoryType.PROCEDURAL: ProceduralData,
    MemoryType.RESOURCE: ResourceData,
    MemoryType.KNOWLEDGE_VAULT: VaultData,
}


class Memory(BaseModel):
    """One stored memory with its type-specific data."""

    id: str
    type: MemoryType
    created_at: datetime
    updated_at: datetime
    time: datetime
    app: str | None = None
    source_ids: list[str]
    text: str
    data: MemoryData


class ChatTurn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1, max_length=200)
    conversation_id: str = Field(min_length=1, max_length=200)
    speaker: str = Field(min_length=1, max_length=200)
    text: str
    created_at: datetime
    image_caption: str | None = None
    title: str | None = Field(default=None, max_length=1000)  # the conversation's, if named
    cited_ids: list[str] = Field(default_factory=list)  # an answer's sources, in its order

    _check = field_validator("text")(lambda v: _short(v, "text"))

    @field_validator("created_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        from agents.store.timeutil import checked_utc

        return checked_utc(value)

    def search_text(self) -> str:
        caption = f" [shared image: {self.image_caption}]" if self.image_caption else ""
        return f"{self.speaker}: {self.text}{caption}"


class Frame(BaseModel):
    id: str
    captured_at: datetime
    monitor: int = 0
    app: str = "unknown"
    window_title: str = ""
    image_path: str
    width: int
    height: int
    size_bytes: int
    ocr_text: str = ""
    source_path: str | None = None
    # The focused window's rectangle (left, top, right, bottom) in the frame's pixels.
    focus_box: tuple[int, int, int, int] | None = None

    def search_text(self) -> str:
        return f"{self.app} — {self.window_title}\n{self.ocr_text}".strip()


class SearchHit(BaseModel):
    id: str
    type: str
    score: float
    text: str
    source_ids: list[str]
    time: datetime
    app: str | None = None
    source_path: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "score": round(self.score, 6),
            "text": self.text,
            "source_ids": self.source_ids,
            "time": self.time.isoformat(),
        }
        if self.app:
            out["app"] = self.app
        if self.source_path:
            out["source_path"] = self.source_path
        return out


class HistoryEntry(BaseModel):
    id: str
    memory_id: str
    memory_type: str
    op: Literal["insert", "update", "merge", "delete"]
    actor: str
    at: datetime
    old: dict[str, Any] | None
    new: dict[str, Any] | None


# ---- Arrow schemas -------------------------------------------------------------------

_TS = pa.timestamp("us", tz="UTC")
_STR = pa.string()
_COMMON = [
    pa.field("id", _STR, nullable=False),
    pa.field("created_at", _TS),
    pa.field("updated_at", _TS),
    pa.field("time", _TS),
    pa.field("app", _STR),
    pa.field("source_ids", pa.list_(_STR)),
    pa.field("text", _STR),
    pa.field("fts", _STR),
    pa.field("vector", pa.list_(pa.float32(), TEXT_DIM), nullable=True),
]
_FIELDS: dict[MemoryType, list[pa.Field]] = {
    MemoryType.CORE: [
        pa.field("label", _STR),
        pa.field("value", _STR),
        pa.field("char_limit", pa.int32()),
    ],
    MemoryType.EPISODIC: [
        pa.field("occurred_at", _TS),
        pa.field("actor", _STR),
        pa.field("event_type", _STR),
        pa.field("summary", _STR),
        pa.field("details", _STR),
    ],
    MemoryType.SEMANTIC: [
        pa.field("name", _STR),
        pa.field("summary", _STR),
        pa.field("details", _STR),
        pa.field("source", _STR),
    ],
    MemoryType.PROCEDURAL: [
        pa.field("entry_type", _STR),
        pa.field("summary", _STR),
        pa.field("steps", pa.list_(_STR)),
    ],
    MemoryType.RESOURCE: [
        pa.field("title", _STR),
        pa.field("summary", _STR),
        pa.field("resource_type", _STR),
        pa.field("content", _STR),
    ],
    MemoryType.KNOWLEDGE_VAULT: [
        pa.field("entry_type", _STR),
        pa.field("source", _STR),
        pa.field("sensitivity", _STR),
        pa.field("secret_value", _STR),  # AES-GCM ciphertext, never the plain value
        pa.field("caption", _STR),
    ],
}
# The scalar column indexed per table besides time (the "type" of an entry).
KIND_COLUMN: dict[str, str] = {
    MemoryType.CORE: "label",
    MemoryType.EPISODIC: "event_type",
    MemoryType.PROCEDURAL: "entry_type",
    MemoryType.RESOURCE: "resource_type",
    MemoryType.KNOWLEDGE_VAULT: "sensitivity",
    "chat_turns": "conversation_id",
    "frames": "app",
}


def memory_schema(memory_type: MemoryType) -> pa.Schema:
    return pa.schema(_COMMON + _FIELDS[memory_type])


def data_columns(memory_type: MemoryType) -> list[str]:
    return [f.name for f in _FIELDS[memory_type]]


def searched_column(table: str) -> str:
    """The column of ``table`` that holds the text its rows are found by and embedded from:
    ``text`` (as the model's field of a memory), a chat turn's ``search_text``."""
    return CHAT_SEARCH_COLUMN if table == TABLE[RecordType.CHAT] else "text"


# A chat turn's own words are its model's ``text``; what is searched and embedded (the
# speaker, the words and a caption: ChatTurn.search_text()) is ``search_text`` (both were
# named otherwise before: migration chat_text_columns).
CHAT_SEARCH_COLUMN = "search_text"
CHAT_SCHEMA = pa.schema(
    [pa.field(CHAT_SEARCH_COLUMN, _STR) if f.name == "text" else f for f in _COMMON]
    + [
        pa.field("conversation_id", _STR),
        pa.field("speaker", _STR),  # was "role" (migration speaker_column)
        pa.field("text", _STR),  # was "content" (migration chat_text_columns)
        pa.field("image_caption", _STR),
        pa.field("title", _STR),  # the conversation's title; added later, null in old rows
        pa.field("cited_ids", _STR),  # an answer's sources as a JSON list; null in old rows
    ]
)
PASSAGE_SCHEMA = pa.schema(
    _COMMON
    + [
        pa.field("turn_id", _STR),
        pa.field("conversation_id", _STR),
        pa.field("speaker", _STR),  # was "role" (migration speaker_column)
    ]
)
FRAME_SCHEMA = pa.schema(
    _COMMON
    + [
        pa.field("captured_at", _TS),
        pa.field("monitor", pa.int32()),
        pa.field("window_title", _STR),
        pa.field("image_path", _STR),
        pa.field("width", pa.int32()),
        pa.field("height", pa.int32()),
        pa.field("size_bytes", pa.int64()),
        pa.field("ocr_text", _STR),
        pa.field("source_path", _STR),
        pa.field("focus_box", _STR),  # "left,top,right,bottom"; added later, null in old rows
    ]
)
HISTORY_SCHEMA = pa.schema(
    [
        pa.field("id", _STR, nullable=False),
        pa.field("memory_id", _STR),
        pa.field("memory_type", _STR),
        pa.field("op", _STR),
        pa.field("actor", _STR),
        pa.field("at", _TS),
        pa.field("old", _STR),
        pa.field("new", _STR),
    ]
)


def clip_schema(dim: int) -> pa.Schema:
    return pa.schema(
        [
            pa.field("id", _STR, nullable=False),
            pa.field("time", _TS),
            pa.field("app", _STR),
            pa.field("model", _STR),
            pa.field("vector", pa.list_(pa.float32(), dim)),
        ]
    )


# One row per table with text vectors: ``model`` made every vector a search may
# use; while ``pending`` names another model the table is being re-embedded
# (rows in id order up to ``cursor`` are done, ``done`` of ``total``) and its
# vectors are not searched, so that vectors of two models are never compared.
VECTOR_MODELS_SCHEMA = pa.schema(
    [
        pa.field("table", _STR, nullable=False),
        pa.field("model", _STR),
        pa.field("pending", _STR),
        pa.field("cursor", _STR),
        pa.field("done", pa.int64()),
        pa.field("total", pa.int64()),
        pa.field("updated_at", _TS),
    ]
)
