"""The MCP layer of ``mirix-desktop mcp``: tools, the context resource and prompts.

Other assistants (Claude Desktop, Cursor, VS Code agents, any MCP client) call six
tools: ``search_memories``, ``ask``, ``list_activity``, ``get_screenshot``,
``remember`` and ``recent_context``; read the ``context`` resource (the local time,
the time zone and ready-made ranges); and use three prompts ("what did I do
today", "find in an app", "summarise a conversation"). What each tool does is in
:mod:`mirix_desktop.services.mcp_server` (:class:`MemoryTools`); this module only
validates and translates, and imports neither the store nor the models: they load
on the first call, so that ``initialize`` is answered at once.

Every request is checked before it runs (:mod:`mirix_desktop.services.mcp_checks`).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from agents.answer import MAX_QUESTION_CHARS
from agents.errors import MirixError
from agents.memory_types import MemoryTypeName, SearchTypeName
from mirix_desktop import __version__

if TYPE_CHECKING:
    from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
    from mcp.server.mcpserver import MCPServer

    from mirix_desktop.services.context import Context
    from mirix_desktop.services.mcp_server import MemoryTools

log = logging.getLogger(__name__)

SERVER_NAME = "mirix-desktop"
CONTEXT_URI = "mirix://context"
MAX_TEXT_CHARS = 200_000  # agents.store.schema.MAX_TEXT_CHARS (a test checks they agree)
Kind = Literal["memories", "chat", "screens"]
INSTRUCTIONS = (
    "The user's personal memory: what they saw on screen (screenshots with their text) and "
    "said in chats, filed as memories (core facts, episodic events, semantic facts, "
    "procedures, resources, and a knowledge vault whose values are withheld). Read the "
    f"{CONTEXT_URI} resource for the current local time and ready-made ranges (today, "
    "yesterday, this week). Use search_memories or ask to find something (filter by app, "
    "window title, kind and time; page with offset), recent_context for what the user is "
    "doing now, list_activity for a time range, get_screenshot to look at a frame by id, "
    "and remember to store something the user asked you to remember. Times are ISO 8601."
)


class LazyTools:
    """The :class:`MemoryTools` on a context made on first use (by ``open_ctx``).

    Building them imports the store (LanceDB) and opens it; nothing of that happens
    before the first tool call, so the server answers ``initialize`` at once.
    """

    def __init__(self, open_ctx: Callable[[], Context], *, owns: bool = True) -> None:
        self._open_ctx = open_ctx
        self._owns = owns  # close the context with the server (not the app's own)
        self._tools: MemoryTools | None = None
        self._lock = threading.Lock()
        self._warming = False

    def get(self) -> MemoryTools:
        with self._lock:
            if self._tools is None:
                from mirix_desktop.services.mcp_server import MemoryTools

                tools = MemoryTools(self._open_ctx())
                tools.open()
                self._tools = tools
            return self._tools

    def warm(self) -> None:
        """Build the tools on a thread now (once), so that the first call finds them ready;
        a failure is logged here and raised again by the call that needs them."""
        with self._lock:
            if self._warming or self._tools is not None:
                return
            self._warming = True

        def build() -> None:
            try:
                self.get()
            except Exception as exc:  # noqa: BLE001 - the tool call that needs them says it
                log.warning("the memory could not be opened ahead of the first call: %s", exc)

        threading.Thread(target=build, name="mcp-warm", daemon=True).start()

    def close(self) -> None:
        with self._lock:
            if self._tools is not None and self._owns:
                self._tools.ctx.close()
            self._tools = None


def _warm_after_initialize(tools: LazyTools) -> Any:
    """Middleware: once the client says it is initialized, the store and models load on
    a thread (``initialize`` itself is answered before anything heavy is imported)."""

    async def warm(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        result = await call_next(ctx)
        if ctx.method == "notifications/initialized":
            tools.warm()
        return result

    return warm


@contextmanager
def _as_tool_errors() -> Iterator[None]:
    """The errors the program knows (its own, a full disk, damaged files) become MCP tool
    errors (``isError`` results) with the line the command line and the app give
    (:func:`mirix_desktop.pipeline.failures.explained`); others go on to the SDK."""
    from mcp.server.mcpserver.exceptions import ToolError

    try:
        yield
    except Exception as exc:
        from mirix_desktop.pipeline.failures import explained  # it imports the store

        line = explained(exc)
        if line is None:
            raise
        raise ToolError(line) from None


# ---- the server ---------------------------------------------------------------------


def build_server(tools: LazyTools) -> MCPServer:
    """The MCP server: six tools, the context resource and three prompts on ``tools``."""
    from mcp.server.mcpserver import Image
    from mcp_types import ToolAnnotations

    from mirix_desktop.services.mcp_checks import reject_bad_text, strict_server

    server = strict_server(
        name=SERVER_NAME,
        version=__version__,
        instructions=INSTRUCTIONS,
        log_level="WARNING",
        middleware=[reject_bad_text, _warm_after_initialize(tools)],
    )
    read_only = ToolAnnotations(read_only_hint=True, open_world_hint=False)

    @server.tool(annotations=read_only)
    def search_memories(
        query: Annotated[str, Field(min_length=1, max_length=2000, description="what to look for")],
        kinds: Annotated[
            list[Kind] | None,
            Field(
                description="memories (the six memory types), chat (chat turns), screens "
                "(screen captures); default: all three"
            ),
        ] = None,
        types: Annotated[
            list[SearchTypeName] | None,
            Field(description="finer than kinds: only these types (added to kinds)"),
        ] = None,
        app: Annotated[
            str | None,
            Field(max_length=200, description="only from this app, e.g. firefox (any case)"),
        ] = None,
        window: Annotated[
            str | None,
            Field(
                max_length=200,
                description="only screens whose window title contains this (any case), and "
                "memories made from them",
            ),
        ] = None,
        since: Annotated[
            str | None, Field(description='ISO 8601 start (2026-11-20) or a time ("last week")')
        ] = None,
        until: Annotated[
            str | None, Field(description='ISO 8601 end or a time ("yesterday": its end)')
        ] = None,
        k: Annotated[int, Field(ge=1, le=50, description="how many hits")] = 10,
        offset: Annotated[
            int, Field(ge=0, le=450, description="skip this many hits (the next page)")
        ] = 0,
    ) -> dict[str, Any]:
        """Hybrid search (full text, meaning, screenshots) over the user's memories, chat
        turns and screen captures. Each hit has id, type, time, text and source_ids (the
        frames and chat turns it came from; frame ids work with get_screenshot). Vault
        hits show their caption, not their value. next_offset pages on (null at the end)."""
        with _as_tool_errors():
            return tools.get().search_memories(
                query,
                kinds=list(kinds or []),
                types=list(types or []),
                app=app,
                window=window,
                since=since,
                until=until,
                k=k,
                offset=offset,
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
            return tools.get().ask(question, conversation_id=conversation_id)

    @server.tool(annotations=read_only)
    def list_activity(
        since: Annotated[
            str, Field(description='ISO 8601 start of the range, or a time ("yesterday")')
        ],
        until: Annotated[
            str | None, Field(description="ISO 8601 end or a time (default: now)")
        ] = None,
        app: Annotated[
            str | None, Field(max_length=200, description="only this app (any case)")
        ] = None,
    ) -> dict[str, Any]:
        """What was on screen in a time range (at most 31 days): screen captures grouped by
        app and window title with first and last time seen, count and the latest frame
        ids, plus the episodic events recorded in the range."""
        with _as_tool_errors():
            return tools.get().list_activity(since, until, app=app)

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
        with _as_tool_errors():
            info, data = tools.get().get_screenshot(frame_id, max_side=max_side)
        text = json.dumps(info, ensure_ascii=False, indent=1)
        return [text, Image(data=data, format="jpeg")] if data is not None else [text]

    @server.tool()
    def remember(
        text: Annotated[
            str, Field(min_length=1, max_length=MAX_TEXT_CHARS, description="what to remember")
        ],
        type: Annotated[  # noqa: A002 - the argument's name in the protocol
            MemoryTypeName, Field(description="the memory type (default semantic: a fact)")
        ] = "semantic",
    ) -> dict[str, Any]:
        """Store a memory the user asked to keep. Refused while capture is paused."""
        with _as_tool_errors():
            return tools.get().remember(text, memory_type=type)

    @server.tool(annotations=read_only)
    def recent_context(
        minutes: Annotated[int, Field(ge=1, le=1440, description="how far back")] = 15,
        app: Annotated[
            str | None, Field(max_length=200, description="only this app (any case)")
        ] = None,
    ) -> dict[str, Any]:
        """What the user was doing in the last N minutes: apps and windows on screen with
        the latest text seen in each, the events recorded, and whether capture is paused."""
        with _as_tool_errors():
            return tools.get().recent_context(minutes, app=app)

    _add_context_and_prompts(server, tools)
    return server


def _add_context_and_prompts(server: MCPServer, tools: LazyTools) -> None:
    @server.resource(
        CONTEXT_URI,
        name="context",
        title="Now, and ready-made time ranges",
        description="The current local time and time zone, and the ranges today, yesterday, "
        "this week, last week and the last hour, as ISO 8601 since/until pairs to pass to "
        "search_memories and list_activity.",
        mime_type="application/json",
    )
    def context() -> str:
        return json.dumps(time_context(datetime.now().astimezone()), indent=1)

    @server.prompt(title="What did I do today?")
    def what_did_i_do_today() -> str:
        """A summary of today from the screen and the events recorded."""
        now = datetime.now().astimezone()
        today = time_context(now)["ranges"]["today"]
        return (
            f"It is {now:%A %d %B %Y, %H:%M} ({_zone_name(now)}). Using the mirix-desktop "
            f"memory tools, tell me what I did today. Call list_activity with since="
            f"{today['since']} and until={today['until']}, then search_memories for anything "
            "you need to look at more closely (get_screenshot shows a frame). Summarise by "
            "time of day: the apps and documents I worked in, what I was doing, and anything "
            "I should follow up; cite the frame or memory ids you relied on."
        )

    @server.prompt(title="Find in an app")
    def find_in_app(
        app: Annotated[str, Field(description="the app, e.g. firefox or code")],
        what: Annotated[str, Field(description="what to find there")],
    ) -> str:
        """Find something the user saw in one app."""
        args = json.dumps({"query": what, "app": app, "kinds": ["screens", "memories"]})
        return (
            f"Find where I saw {what!r} in {app}. Call search_memories with {args} (page on "
            "with offset if the first hits do not have it; add since/until from the "
            f"{CONTEXT_URI} resource if I named a time), and list_activity with app={app!r} "
            "to see which windows were open. Tell me when and in which window it was, quote "
            "the text, and give the frame ids so I can look at the screenshots."
        )

    @server.prompt(title="Summarise a conversation")
    async def summarise_conversation(
        conversation: Annotated[
            str, Field(description="a conversation id, or words from the conversation")
        ],
    ) -> str:
        """A summary of one chat conversation kept in the memory."""
        import anyio.to_thread

        def turns() -> dict[str, Any]:
            from mcp.shared.exceptions import MCPError
            from mcp_types import INVALID_PARAMS

            try:
                return tools.get().conversation(conversation)
            except MirixError as exc:  # a prompt answers with a protocol error
                raise MCPError(INVALID_PARAMS, str(exc)) from None

        found = await anyio.to_thread.run_sync(turns)
        lines = [f"[{t['time']}] {t['speaker']}: {t['text']}" for t in found["turns"]]
        return (
            f"Summarise this conversation ({found['conversation_id']}, {len(lines)} turns): "
            "what was discussed, what was decided, open questions and things to follow up. "
            "Keep names, numbers and dates exact.\n\n" + "\n".join(lines)
        )


def _zone_name(now: datetime) -> str:
    """The IANA name of the local time zone where it can be known, else its abbreviation."""
    try:
        from tzlocal import get_localzone_name

        name = get_localzone_name()
    except Exception:  # noqa: BLE001 - tzlocal is optional and may not find a name
        name = None
    return name or now.tzname() or "UTC"


def time_context(now: datetime) -> dict[str, Any]:
    """``now`` (aware, in the local zone) with its zone and the ranges a client asks about
    most. Each boundary takes the local offset of its own day (a range may span a change
    to or from summer time)."""
    wall = now.replace(tzinfo=None)
    midnight_wall = wall.replace(hour=0, minute=0, second=0, microsecond=0)

    def local(day: datetime) -> datetime:
        return day.astimezone()  # a naive time is read as local time, with that day's rules

    midnight = local(midnight_wall)
    week = local(midnight_wall - timedelta(days=midnight_wall.weekday()))  # Monday

    def span(start: datetime, end: datetime) -> dict[str, str]:
        return {"since": start.isoformat(), "until": end.isoformat()}

    return {
        "now": now.isoformat(),
        "time_zone": _zone_name(now),
        "utc_offset": now.strftime("%z")[:3] + ":" + now.strftime("%z")[3:],
        "weekday": now.strftime("%A"),
        "ranges": {
            "today": span(midnight, now),
            "yesterday": span(local(midnight_wall - timedelta(days=1)), midnight),
            "this_week": span(week, now),
            "last_week": span(local(week.replace(tzinfo=None) - timedelta(days=7)), week),
            "last_hour": span(now - timedelta(hours=1), now),
        },
    }
