"""``mirix-desktop mcp``: the memory as a Model Context Protocol server over stdio.

Other assistants (Claude Desktop, Cursor, VS Code agents, any MCP client) start
this as a subprocess and call six tools: ``search_memories``, ``ask``,
``list_activity``, ``get_screenshot``, ``remember`` and ``recent_context``.

What may leave: every text a tool returns passes :class:`Redactor`, which
replaces the knowledge vault's values (and any card number, IBAN, key or token
it finds) with a marker. High-sensitivity values never leave; low and medium
ones only where ``mcp.share_vault_values`` is on (default off). A screenshot that
shows a withheld value is not sent, only its masked text. While capture is
paused nothing new is recorded through the server: ``ask`` answers without
saving the conversation and ``remember`` refuses.

Stdout carries only the protocol (the SDK points file descriptor 1 at stderr
while it serves); logging goes to ``logs/mcp.log``.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from agents.absorb.detectors import detect_sensitive
from agents.answer.retrieval import sources_first
from agents.errors import InvalidInput, MirixError
from agents.store import Frame, Memory, MemoryType, SearchHit
from agents.store.schema import MAX_TEXT_CHARS, VaultData
from agents.store.sealing import SEALED_MARK
from agents.store.timeutil import as_utc, now, parse_time
from mirix_desktop import __version__
from mirix_desktop.services.context import Context

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

    from mirix_desktop.pipeline.conversation import Assistant

log = logging.getLogger(__name__)

SERVER_NAME = "mirix-desktop"
MAX_QUESTION_CHARS = 4000
MAX_RANGE = timedelta(days=31)
MAX_FRAMES_LISTED = 5000
SNIPPET_CHARS = 400
SearchType = Literal[
    "core", "episodic", "semantic", "procedural", "resource", "knowledge_vault", "chat", "frame"
]
RememberType = Literal["semantic", "episodic", "procedural", "resource", "core", "knowledge_vault"]
INSTRUCTIONS = (
    "The user's personal memory: what they saw on screen (screenshots with their text) and "
    "said in chats, filed as memories (core facts, episodic events, semantic facts, "
    "procedures, resources, and a knowledge vault whose values are withheld). Use "
    "search_memories or ask to find something, recent_context for what the user is doing "
    "now, list_activity for a time range, get_screenshot to look at a frame by id, and "
    "remember to store something the user asked you to remember. Times are ISO 8601."
)


# ---- what may leave -------------------------------------------------------------------


class Redactor:
    """Masks the values that must not leave: vault values and detected secrets.

    High-sensitivity values are always masked; low and medium ones unless
    ``share`` is set.
    """

    def __init__(self, vault: list[Memory], *, share: bool) -> None:
        self.share = share
        withheld: dict[str, str] = {}
        for memory in vault:
            data = memory.data
            if isinstance(data, VaultData) and not self.may_share(data.sensitivity):
                value = data.secret_value.strip()
                if len(value) >= 3:
                    withheld[value] = data.entry_type or "value"
        # Longest first, so that a value containing another is masked whole.
        self._values = sorted(withheld.items(), key=lambda kv: len(kv[0]), reverse=True)

    def may_share(self, sensitivity: str) -> bool:
        return self.share and sensitivity in ("low", "medium")

    def text(self, text: str) -> str:
        """``text`` with every value that must not leave replaced by a marker."""
        for value, kind in self._values:
            if value in text:
                text = text.replace(value, f"[withheld {kind}]")
        for found in detect_sensitive(text):
            if not self.may_share(found.sensitivity):
                text = text.replace(found.value, f"[withheld {found.kind}]")
        return text


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
        return (self.ctx.paths.data_dir / "capture.paused").exists()

    def redactor(self) -> Redactor:
        vault = self.ctx.store.list_memories(MemoryType.KNOWLEDGE_VAULT, limit=1_000_000)
        return Redactor(vault, share=self.ctx.settings.mcp.share_vault_values)

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
        types: list[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        k: int = 10,
    ) -> dict[str, Any]:
        opts = self.ctx.search_options(
            k=k,
            types=tuple(types or ()),
            since=parse_time(since) if since else None,
            until=parse_time(until) if until else None,
            sensitivities=("low", "medium"),  # high-sensitivity entries are not even listed
        )
        hits = sources_first(self.ctx.store.search(query, opts))
        redactor = self.redactor()
        values = self._shareable_values(hits, redactor)
        out = []
        for hit in hits:
            item = _hit_json(hit, redactor)
            if hit.id in values:
                item["value"] = values[hit.id]
            out.append(item)
        return {"query": query, "hits": out}

    def _shareable_values(self, hits: list[SearchHit], redactor: Redactor) -> dict[str, str]:
        vault = [h.id for h in hits if h.type == MemoryType.KNOWLEDGE_VAULT.value]
        if not vault or not redactor.share:
            return {}
        return {
            m.id: m.data.secret_value
            for m in self.ctx.store.get_many(vault)
            if isinstance(m.data, VaultData) and redactor.may_share(m.data.sensitivity)
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

    def list_activity(self, since: str, until: str | None = None) -> dict[str, Any]:
        start = parse_time(since)
        end = parse_time(until) if until else now()
        if start >= end:
            raise InvalidInput("since must be before until")
        if end - start > MAX_RANGE:
            raise InvalidInput(f"the range is longer than {MAX_RANGE.days} days; ask for less")
        return self._activity(start, end, snippets=False)

    def recent_context(self, minutes: int = 15) -> dict[str, Any]:
        end = now()
        out = self._activity(end - timedelta(minutes=minutes), end, snippets=True)
        out["capture_paused"] = self.paused
        return out

    def _activity(self, start: datetime, end: datetime, *, snippets: bool) -> dict[str, Any]:
        frames, truncated = self._frames_between(start, end)
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

    def _frames_between(self, start: datetime, end: datetime) -> tuple[list[Frame], bool]:
        rows = self.ctx.store.frame_rows(since=start, until=end)
        truncated = len(rows) > MAX_FRAMES_LISTED
        rows = rows[-MAX_FRAMES_LISTED:]
        frames: list[Frame] = []
        ids = [r["id"] for r in rows]
        for first in range(0, len(ids), 500):
            frames.extend(self.ctx.store.frames(ids[first : first + 500]))
        frames.sort(key=lambda f: (f.captured_at, f.monitor))
        return frames, truncated

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
        sealed = SEALED_MARK in frame.ocr_text  # a value moved to the vault is on the image
        if sealed or text != frame.ocr_text or title != frame.window_title:
            info["image"] = "withheld: the screenshot shows a value that is not shared"
            return info, None
        side = min(
            max_side or self.ctx.settings.mcp.max_image_side, self.ctx.settings.mcp.max_image_side
        )
        try:
            data = _downscaled_jpeg(frame.image_path, side)
        except OSError as exc:
            log.warning("cannot read the image of %s: %s", frame.id, exc)
            info["image"] = "missing: the image file is gone (retention or forget)"
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


# ---- the protocol ---------------------------------------------------------------------


@contextmanager
def _as_tool_errors() -> Iterator[None]:
    """The program's errors become MCP tool errors (``isError`` results with the message)."""
    from mcp.server.mcpserver.exceptions import ToolError

    try:
        yield
    except MirixError as exc:
        raise ToolError(str(exc)) from None


def build_server(ctx: Context) -> MCPServer:
    """The MCP server with the six tools on ``ctx`` (nothing is opened until a call)."""
    from mcp.server.mcpserver import Image, MCPServer
    from mcp_types import ToolAnnotations

    tools = MemoryTools(ctx)
    server: MCPServer = MCPServer(
        SERVER_NAME, version=__version__, instructions=INSTRUCTIONS, log_level="WARNING"
    )
    read_only = ToolAnnotations(read_only_hint=True, open_world_hint=False)

    @server.tool(annotations=read_only)
    def search_memories(
        query: Annotated[str, Field(min_length=1, max_length=2000, description="what to look for")],
        types: Annotated[
            list[SearchType] | None,
            Field(description="limit to these types (default: all memories, chats and frames)"),
        ] = None,
        since: Annotated[str | None, Field(description="ISO 8601 start, e.g. 2026-11-20")] = None,
        until: Annotated[str | None, Field(description="ISO 8601 end")] = None,
        k: Annotated[int, Field(ge=1, le=50, description="how many hits")] = 10,
    ) -> dict[str, Any]:
        """Hybrid search (full text, meaning, screenshots) over the user's memories, chat
        turns and screen captures. Each hit has id, type, time, text and source_ids (the
        frames and chat turns it came from; frame ids work with get_screenshot). Vault
        hits show their caption, not their value."""
        with _as_tool_errors():
            tools.open()
            return tools.search_memories(
                query, types=list(types or []), since=since, until=until, k=k
            )

    @server.tool()
    def ask(
        question: Annotated[
            str, Field(min_length=1, max_length=MAX_QUESTION_CHARS, description="the question")
        ],
        conversation_id: Annotated[
            str | None, Field(description="continue this conversation (from an earlier answer)")
        ] = None,
    ) -> dict[str, Any]:
        """Ask the memory assistant a question; it searches every memory type and answers
        with citations (ids of the memories and screenshots used). Without a language model
        configured it answers by retrieval, quoting what it found. The question and answer
        are saved as a conversation unless capture is paused."""
        with _as_tool_errors():
            tools.open()
            return tools.ask(question, conversation_id=conversation_id)

    @server.tool(annotations=read_only)
    def list_activity(
        since: Annotated[str, Field(description="ISO 8601 start of the range")],
        until: Annotated[str | None, Field(description="ISO 8601 end (default: now)")] = None,
    ) -> dict[str, Any]:
        """What was on screen in a time range (at most 31 days): screen captures grouped by
        app and window title with first and last time seen, count and the latest frame
        ids, plus the episodic events recorded in the range."""
        with _as_tool_errors():
            tools.open()
            return tools.list_activity(since, until)

    @server.tool(annotations=read_only, structured_output=False)
    def get_screenshot(
        frame_id: Annotated[
            str, Field(min_length=1, max_length=200, description="a frame id (frm_...)")
        ],
        max_side: Annotated[
            int | None, Field(ge=64, le=4096, description="longest side in pixels")
        ] = None,
    ) -> list[Any]:
        """One screen capture: its time, app, window title and OCR text, and the image
        downscaled (JPEG). A capture that shows a value the user does not share comes
        without its image."""
        import json

        with _as_tool_errors():
            tools.open()
            info, data = tools.get_screenshot(frame_id, max_side=max_side)
        text = json.dumps(info, ensure_ascii=False, indent=1)
        return [text, Image(data=data, format="jpeg")] if data is not None else [text]

    @server.tool()
    def remember(
        text: Annotated[
            str, Field(min_length=1, max_length=MAX_TEXT_CHARS, description="what to remember")
        ],
        type: Annotated[  # noqa: A002 - the argument's name in the protocol
            RememberType, Field(description="the memory type (default semantic: a fact)")
        ] = "semantic",
    ) -> dict[str, Any]:
        """Store a memory the user asked to keep. Refused while capture is paused."""
        with _as_tool_errors():
            tools.open()
            return tools.remember(text, memory_type=type)

    @server.tool(annotations=read_only)
    def recent_context(
        minutes: Annotated[int, Field(ge=1, le=1440, description="how far back")] = 15,
    ) -> dict[str, Any]:
        """What the user was doing in the last N minutes: apps and windows on screen with
        the latest text seen in each, the events recorded, and whether capture is paused."""
        with _as_tool_errors():
            tools.open()
            return tools.recent_context(minutes)

    return server


def log_to_file(ctx: Context) -> None:
    """Send every log record to ``logs/mcp.log`` and none to stderr or stdout."""
    ctx.paths.log_dir.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.FileHandler(ctx.paths.log_dir / "mcp.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.captureWarnings(True)


def serve_stdio(ctx: Context) -> int:
    """Serve MCP over stdin and stdout until the client closes stdin."""
    log_to_file(ctx)
    server = build_server(ctx)
    log.info("MCP server %s %s serving over stdio", SERVER_NAME, __version__)
    server.run("stdio")
    log.info("MCP client closed the connection")
    return 0


def _bounded(text: str, what: str, limit: int, empty: str) -> str:
    """``text`` stripped; raises InvalidInput (``empty``) when blank or over ``limit``."""
    text = text.strip()
    if not text:
        raise InvalidInput(empty)
    if len(text) > limit:
        raise InvalidInput(f"{what} is {len(text):,} characters; the limit is {limit:,}")
    return text
