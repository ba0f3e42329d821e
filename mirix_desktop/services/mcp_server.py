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
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from agents.answer.retrieval import sources_first
from agents.errors import InvalidInput, NotFound
from agents.memory_types import MEMORY_TYPE_NAMES
from agents.privacy import SEALED_MARK, Redactor, detect
from agents.store import MemoryType, SearchHit
from agents.store.schema import MAX_TEXT_CHARS, VaultData
from agents.store.timeutil import as_utc, now
from agents.timeread import parse_bound
from mirix_desktop.services.context import Context
from mirix_desktop.services.mcp_checks import MAX_QUESTION_CHARS

if TYPE_CHECKING:
    from mirix_desktop.pipeline.conversation import Assistant

log = logging.getLogger(__name__)

MAX_RANGE = timedelta(days=31)
MAX_FRAMES_LISTED = 5000
SNIPPET_CHARS = 400
MAX_CONVERSATION_TURNS = 200
MEMORY_TYPES = MEMORY_TYPE_NAMES
KIND_TYPES = {"memories": MEMORY_TYPES, "chat": ("chat",), "screens": ("frame",)}
PAGE_POOL = 60  # hits ranked at once for paging
WINDOW_CANDIDATES = 200  # hits looked at to find those of one window


# ---- what may leave -------------------------------------------------------------------


def may_share(share: bool, sensitivity: str) -> bool:
    """Whether a vault value of ``sensitivity`` may leave: high ones never, the others
    only where ``mcp.share_vault_values`` is on."""
    return share and sensitivity in ("low", "medium")


# ---- the tools, without the protocol --------------------------------------------------


class MemoryTools:
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

    @property
    def paused(self) -> bool:
        return self.ctx.paths.pause_flag.exists()

    @property
    def share(self) -> bool:
        return self.ctx.settings.mcp.share_vault_values

    def redactor(self) -> Redactor:
        """Masks the vault's values that may not leave, every high value found in a text,
        and contact values (e-mail, phone) unless sharing is on; times and the
        program's own masked references pass as they are."""
        vault = self.ctx.store.list_memories(MemoryType.KNOWLEDGE_VAULT, limit=1_000_000)
        withheld = [
            (m.data.secret_value, m.data.entry_type or "value")
            for m in vault
            if isinstance(m.data, VaultData) and not may_share(self.share, m.data.sensitivity)
        ]
        return Redactor(withheld, mask_contacts=not self.share)

    def assistant(self) -> Assistant:
        with self._lock:
            if self._assistant is None:
                from mirix_desktop.pipeline.conversation import Assistant

                self._assistant = Assistant(self.ctx)
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
            sensitivities=("low", "medium"),  # high-sensitivity entries are not even listed
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
        frame_ids |= {s for h in hits for s in h.source_ids if s.startswith("frm_")}
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
        if self.paused:
            # Capture is paused: answer, but record nothing (no chat turns are saved).
            history = [
                {"role": "assistant" if t.speaker == "assistant" else "user", "content": t.text}
                for t in (
                    self.ctx.store.conversation(conversation_id, limit=8) if conversation_id else []
                )
            ]
            answer = assistant.agent.ask(question, history=history)
            saved_in = None
        else:
            answer = assistant.ask(question, conversation_id=conversation_id)
            saved_in = answer.conversation_id
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

    def list_activity(
        self, since: str, until: str | None = None, *, app: str | None = None
    ) -> dict[str, Any]:
        start = parse_bound(since, end=False)
        end = parse_bound(until, end=True) if until else now()
        if start >= end:
            raise InvalidInput("since must be before until")
        if end - start > MAX_RANGE:
            raise InvalidInput(f"the range is longer than {MAX_RANGE.days} days; ask for less")
        return self._activity(start, end, snippets=False, app=app)

    def recent_context(self, minutes: int = 15, *, app: str | None = None) -> dict[str, Any]:
        end = now()
        out = self._activity(end - timedelta(minutes=minutes), end, snippets=True, app=app)
        from mirix_desktop.pipeline.capture.loop import pause_state

        state = pause_state(self.ctx.paths.pause_flag)
        out["capture_paused"] = state["paused"]
        if state["paused"]:
            out["capture_paused_by"] = state["by"]
            out["capture_paused_since"] = state["since"]
        return out

    def _activity(
        self, start: datetime, end: datetime, *, snippets: bool, app: str | None = None
    ) -> dict[str, Any]:
        """Frames grouped by app and window, and the episodic events; with ``app`` (any
        case) only that app's frames, and the events made from them or filed under it."""
        frames = self.ctx.store.frames_between(start, end, latest=MAX_FRAMES_LISTED + 1)
        truncated = len(frames) > MAX_FRAMES_LISTED
        frames = frames[-MAX_FRAMES_LISTED:]
        if app:
            wanted = app.strip().casefold()
            frames = [f for f in frames if f.app.casefold() == wanted]
        redactor = self.redactor()
        groups: dict[tuple[str, str], dict[str, Any]] = {}
        for f in frames:
            key = (f.app, f.window_title)
            g = groups.get(key)
            if g is None:
                g = groups[key] = {
                    "app": f.app,
                    "window_title": redactor.text(f.window_title),
                    "first_seen": as_utc(f.captured_at).isoformat(),
                    "frames": 0,
                    "frame_ids": [],
                }
            g["frames"] += 1
            g["last_seen"] = as_utc(f.captured_at).isoformat()
            g["frame_ids"] = ([*g["frame_ids"], f.id])[-5:]  # the latest few
            if snippets and f.ocr_text.strip():
                g["latest_text"] = redactor.text(_snippet(f.ocr_text))
        events = self.ctx.store.memories_between(MemoryType.EPISODIC, start, end, limit=50)
        if app:
            shown = {f.id for f in frames}
            events = [
                m
                for m in events
                if (m.app or "").casefold() == wanted or shown.intersection(m.source_ids)
            ]
        return {
            "since": start.isoformat(),
            "until": end.isoformat(),
            "frames": len(frames),
            "truncated": truncated,
            "groups": sorted(groups.values(), key=lambda g: g["first_seen"]),
            "events": [
                {
                    "id": m.id,
                    "time": as_utc(m.time).isoformat(),
                    "text": redactor.text(m.text),
                    "source_ids": m.source_ids,
                }
                for m in sorted(events, key=lambda m: m.time)
            ],
        }

    def get_screenshot(
        self, frame_id: str, *, max_side: int | None = None
    ) -> tuple[dict[str, Any], bytes | None]:
        """The frame's details and its image as JPEG (None when it is withheld or gone)."""
        frame = self.ctx.store.frame(frame_id.strip())
        redactor = self.redactor()
        text = redactor.text(frame.ocr_text)
        title = redactor.text(frame.window_title)
        info: dict[str, Any] = {
            "id": frame.id,
            "captured_at": as_utc(frame.captured_at).isoformat(),
            "app": frame.app,
            "window_title": title,
            "width": frame.width,
            "height": frame.height,
            "ocr_text": text,
        }
        # The stored image has the lines of sealed values painted over; it is painted
        # again here (read anew) so that an image stored before painting existed, and
        # contact values where sharing is off, never leave either.
        contacts = redactor.mask_contacts and any(not f.high for f in detect(frame.ocr_text))
        repaint = SEALED_MARK in frame.ocr_text or contacts
        side = min(
            max_side or self.ctx.settings.mcp.max_image_side, self.ctx.settings.mcp.max_image_side
        )
        sealed = SEALED_MARK in frame.ocr_text
        try:
            data = self._image(
                frame.image_path, side, repaint=repaint, contacts=contacts, sealed=sealed
            )
        except _NothingFound:
            info["image"] = "withheld: the lines that show a sealed value could not be found"
            return info, None
        except OSError as exc:
            log.warning("cannot read the image of %s: %s", frame.id, exc)
            info["image"] = "missing: the image file is gone (retention or forget)"
            return info, None
        except Exception as exc:  # noqa: BLE001 - unreadable for OCR: fail closed
            log.warning("cannot paint the image of %s: %s", frame.id, exc)
            info["image"] = "withheld: the screenshot could not be checked for sealed values"
            return info, None
        info["image"] = "attached (JPEG)"
        return info, data

    def remember(self, text: str, *, memory_type: str = "semantic") -> dict[str, Any]:
        from agents.ids import data_from_text

        if self.paused:
            raise InvalidInput(
                "capture is paused, so nothing new is recorded; resume it in the app "
                "(or `mirix-desktop resume`) to add memories"
            )
        text = _bounded(text, "the text", MAX_TEXT_CHARS, "nothing to remember: the text is empty")
        mtype = MemoryType(memory_type)
        memory = self.ctx.store.add(mtype, data_from_text(mtype, text), actor="mcp")
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
                    "role": t.speaker,
                    "text": redactor.text(t.text),
                }
                for t in turns
            ],
        }

    def _image(
        self, path: str, side: int, *, repaint: bool, contacts: bool, sealed: bool = False
    ) -> bytes:
        """The image as JPEG no larger than ``side``, with what may not leave painted."""
        from PIL import Image

        with Image.open(path) as opened:
            image = opened.convert("RGB")
        if repaint:
            from mirix_desktop.pipeline.capture.ocr import Ocr
            from mirix_desktop.pipeline.capture.paint import boxes_to_paint, paint

            lines = Ocr(self.ctx.settings.capture.ocr_engine).read(image)
            boxes = boxes_to_paint(lines, contacts=contacts)
            if sealed and not boxes_to_paint(lines):
                raise _NothingFound  # the text says a value is shown: fail closed
            image = paint(image, boxes)
        image.thumbnail((side, side))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=85)
        return buffer.getvalue()


class _NothingFound(Exception):
    """A frame's text holds a sealed value, but OCR found no line that shows it now."""


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


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET_CHARS else flat[: SNIPPET_CHARS - 1] + "…"


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
