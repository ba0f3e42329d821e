"""What the tools of ``mirix-desktop mcp`` do, on one context, without the protocol.

The MCP layer (tools, the context resource, prompts, the checks on every request)
is :mod:`mirix_desktop.services.mcp_protocol`; the transports (stdio, local HTTP
with a bearer token) are :mod:`mirix_desktop.services.mcp_transport`. This module
imports the store, so the protocol imports it on the first tool call only.

What may leave: every text a tool returns passes :class:`agents.privacy.Redactor`,
which replaces the knowledge vault's values (and any high value it finds: keys,
tokens, cards, IBANs, ID numbers …) with a marker. High values never leave; contact
values (e-mail, phone) and low and medium vault values only where
``mcp.share_vault_values`` is on (default off). A screenshot is sent with the lines
that show such values painted over, never withheld whole for them. While capture is
paused nothing new is recorded through the server: ``ask`` answers without
saving the conversation and ``remember`` refuses.
"""

from __future__ import annotations

import io
import logging
import threading
from typing import TYPE_CHECKING, Any

from agents.answer import MAX_QUESTION_CHARS
from agents.answer.retrieval import sources_first
from agents.errors import InvalidInput, NotFound
from agents.ids import is_frame_id
from agents.memory_types import MEMORY_TYPE_NAMES
from agents.privacy import Redactor
from agents.store import MemoryType, SearchHit
from agents.store.schema import READABLE_SENSITIVITIES, VaultData
from agents.store.timeutil import as_utc
from agents.timeread import parse_bound
from mirix_desktop.services.context import Context
from mirix_desktop.services.mcp_screens import (
    ScreenTools,
    may_share,
)
from mirix_desktop.services.remember import remember

if TYPE_CHECKING:
    from mirix_desktop.pipeline.conversation import Assistant

log = logging.getLogger(__name__)

MAX_CONVERSATION_TURNS = 200
MEMORY_TYPES = MEMORY_TYPE_NAMES
KIND_TYPES = {"memories": MEMORY_TYPES, "chat": ("chat",), "screens": ("frame",)}
PAGE_POOL = 60  # hits ranked at once for paging
WINDOW_CANDIDATES = 200  # hits looked at to find those of one window


# ---- the tools, without the protocol --------------------------------------------------


class MemoryTools(ScreenTools):
    """What each tool does, on one context; the MCP layer only validates and translates.

    Every method raises :class:`agents.errors.MirixError` subclasses for bad input
    or unknown ids, and returns plain JSON-able values with nothing withheld left in.
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._lock = threading.Lock()
        self._assistant: Assistant | None = None

    # ---- shared ----------------------------------------------------------------------

    def open(self) -> None:
        """Open the store and inbox now (their first use is not thread-safe)."""
        with self._lock:
            _ = self.ctx.store, self.ctx.inbox

    def assistant(self) -> Assistant:
        with self._lock:
            if self._assistant is None:
                self._assistant = self.ctx.assistant()
            return self._assistant

    # ---- tools -----------------------------------------------------------------------

    def search_memories(
        self,
        query: str,
        *,
        kinds: list[str] | None = None,
        types: list[str] | None = None,
        app: str | None = None,
        window: str | None = None,
        since: str | None = None,
        until: str | None = None,
        k: int = 10,
        offset: int = 0,
    ) -> dict[str, Any]:
        """Hits ``offset`` to ``offset + k``; ``next_offset`` is None when there are no more.

        ``kinds`` (memories, chat, screens) and ``types`` add up; ``app`` is matched in any
        case; ``window`` keeps the frames whose title contains it and the memories made
        from them. Raises InvalidInput for a bad time or an empty query.
        """
        chosen = {t for kind in kinds or () for t in KIND_TYPES[kind]} | set(types or ())
        wanted = k + offset + 1  # one more tells whether a next page exists
        # One pool ranked the same way whatever the page: the user's questions and the
        # assistant's answers go after their sources within it, so pages do not overlap.
        fetched = max(wanted, WINDOW_CANDIDATES if window else PAGE_POOL)
        opts = self.ctx.search_options(
            k=fetched,
            candidates=max(self.ctx.settings.search.candidates, fetched),
            types=tuple(sorted(chosen)),
            app=app.strip() if app and app.strip() else None,  # any case
            since=parse_bound(since, end=False) if since else None,
            until=parse_bound(until, end=True) if until else None,
            sensitivities=READABLE_SENSITIVITIES,  # high-sensitivity entries are not even listed
        )
        hits = sources_first(self.ctx.store.search(query, opts))
        if window:
            hits = self._in_window(hits, window)
        page = hits[offset : offset + k]
        redactor = self.redactor()
        values = self._shareable_values(page)
        out = []
        for hit in page:
            item = _hit_json(hit, redactor)
            if hit.id in values:
                item["value"] = values[hit.id]
            out.append(item)
        more = len(hits) > offset + k
        return {
            "query": query,
            "offset": offset,
            "hits": out,
            "next_offset": offset + len(page) if more else None,
        }

    def _in_window(self, hits: list[SearchHit], window: str) -> list[SearchHit]:
        """The hits that are frames with ``window`` in their title, or made from such frames."""
        wanted = window.strip().casefold()
        frame_ids = {h.id for h in hits if h.type == "frame"}
        frame_ids |= {s for h in hits for s in h.source_ids if is_frame_id(s)}
        titles: dict[str, str] = {}
        ids = sorted(frame_ids)
        for first in range(0, len(ids), 500):
            for f in self.ctx.store.frames(ids[first : first + 500]):
                titles[f.id] = f.window_title.casefold()

        def inside(frame_id: str) -> bool:
            return wanted in titles.get(frame_id, "")

        return [
            h
            for h in hits
            if (h.type == "frame" and inside(h.id)) or any(inside(s) for s in h.source_ids)
        ]

    def _shareable_values(self, hits: list[SearchHit]) -> dict[str, str]:
        vault = [h.id for h in hits if h.type == MemoryType.KNOWLEDGE_VAULT.value]
        if not vault or not self.share:
            return {}
        return {
            m.id: m.data.secret_value
            for m in self.ctx.store.get_many(vault)
            if isinstance(m.data, VaultData) and may_share(self.share, m.data.sensitivity)
        }

    def ask(self, question: str, *, conversation_id: str | None = None) -> dict[str, Any]:
        question = _bounded(question, "the question", MAX_QUESTION_CHARS, "the question is empty")
        assistant = self.assistant()
        # While capture is paused it answers but records nothing (no chat turns are saved).
        answer = assistant.ask(question, conversation_id=conversation_id, save=not self.paused)
        saved_in = answer.conversation_id or None
        redactor = self.redactor()
        return {
            "answer": redactor.text(answer.answer),
            "offline": assistant.offline,
            "topic": redactor.text(answer.topic),
            "citations": [
                c.to_json() | {"snippet": redactor.text(c.snippet)} for c in answer.citations
            ],
            "conversation_id": saved_in,
            "saved": saved_in is not None,
        }

    def remember(self, text: str, *, memory_type: str = "semantic") -> dict[str, Any]:
        if self.paused:
            raise InvalidInput(
                "capture is paused, so nothing new is recorded; resume it in the app "
                "(or `mirix-desktop resume`) to add memories"
            )
        memory = remember(self.ctx.store, text, memory_type, actor="mcp")
        return {"id": memory.id, "type": memory.type.value, "time": as_utc(memory.time).isoformat()}

    def conversation(self, conversation: str) -> dict[str, Any]:
        """The turns of a conversation, by its id or by words from it (the conversation of
        the best chat hit); raises NotFound when there is none."""
        wanted = conversation.strip()
        if not wanted:
            raise InvalidInput("name a conversation: its id or words from it")
        turns = self.ctx.store.conversation(wanted, limit=MAX_CONVERSATION_TURNS)
        if not turns:
            opts = self.ctx.search_options(k=1, types=("chat",))
            hits = self.ctx.store.search(wanted, opts)
            found = self.ctx.store.chat_turns([hits[0].id]) if hits else []
            if found:
                turns = self.ctx.store.conversation(
                    found[0].conversation_id, limit=MAX_CONVERSATION_TURNS
                )
        if not turns:
            raise NotFound(f"no conversation with id or words {wanted!r}")
        redactor = self.redactor()
        return {
            "conversation_id": turns[0].conversation_id,
            "turns": [
                {
                    "time": as_utc(t.created_at).isoformat(),
                    "speaker": t.speaker,
                    "text": redactor.text(t.text),
                }
                for t in turns
            ],
        }


def _hit_json(hit: SearchHit, redactor: Redactor) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": hit.id,
        "type": hit.type,
        "time": as_utc(hit.time).isoformat(),
        "score": round(hit.score, 6),
        "text": redactor.text(hit.text),
        "source_ids": hit.source_ids,
    }
    if hit.app:
        out["app"] = hit.app
    return out


def _downscaled_jpeg(path: str, side: int) -> bytes:
    from PIL import Image

    with Image.open(path) as image:
        image.thumbnail((side, side))
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _bounded(text: str, what: str, limit: int, empty: str) -> str:
    """``text`` stripped; raises InvalidInput (``empty``) when blank or over ``limit``."""
    text = text.strip()
    if not text:
        raise InvalidInput(empty)
    if len(text) > limit:
        raise InvalidInput(f"{what} is {len(text):,} characters; the limit is {limit:,}")
    return text
