"""The checks on every MCP request, and the server class that makes them.

A request holding text that is not valid Unicode (a lone surrogate such as
``\\ud800``) gets an "invalid params" error naming where it is: Python's JSON
reader takes it, the SDK's does not, and without these checks the client never
hears back. A tool called with an argument it does not take is refused with the
arguments it does take, and every tool's schema says ``additionalProperties:
false``.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
    from mcp.server.mcpserver import MCPServer

log = logging.getLogger(__name__)


def _bad_text(value: Any, where: str) -> str | None:
    """The path of the first string in ``value`` that cannot be encoded as UTF-8."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return where
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _bad_text(key, f"{where} (a name)") or _bad_text(item, f"{where}.{key}")
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _bad_text(item, f"{where}[{i}]")
            if found:
                return found
    return None


async def reject_bad_text(
    ctx: ServerRequestContext[Any, Any], call_next: CallNext
) -> HandlerResult:
    """Middleware: a request holding a lone surrogate is answered "invalid params".

    Without it the request is run and its reply (which echoes the text) cannot be
    encoded, so the client never hears back.
    """
    from mcp.shared.exceptions import MCPError
    from mcp_types import INVALID_PARAMS

    where = _bad_text(ctx.method, "method") or _bad_text(dict(ctx.params or {}), "params")
    if where is not None:
        log.info("refused a request with text that is not valid Unicode in %s", where)
        if ctx.request_id is None:
            return None  # a notification: nothing to answer
        raise MCPError(
            INVALID_PARAMS,
            f"{where} holds text that is not valid Unicode (a lone surrogate); send UTF-8 text",
        )
    return await call_next(ctx)


def strict_server(**kwargs: Any) -> MCPServer:
    """An MCPServer whose tools refuse arguments they do not take (and say so in their
    schemas: ``additionalProperties`` is false)."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError

    class StrictServer(MCPServer):
        async def list_tools(self) -> list[Any]:
            return [
                t.model_copy(
                    update={"input_schema": {**t.input_schema, "additionalProperties": False}}
                )
                for t in await super().list_tools()
            ]

        async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
            schema = next(
                (t.input_schema for t in await super().list_tools() if t.name == name), None
            )
            if schema is not None:
                known = list(schema.get("properties", {}))
                unknown = sorted(set(arguments) - set(known))
                if unknown:
                    raise ToolError(
                        f"{name} takes no argument {', '.join(map(repr, unknown))}; "
                        f"its arguments are {', '.join(known) or 'none'}"
                    )
            return await super().call_tool(name, arguments, context)

        async def run_stdio_async(self) -> None:
            """As the SDK's, but a request its JSON parser refuses is answered (see
            :func:`_unreadable_reply`) instead of dropped."""
            import anyio
            from mcp.server.stdio import stdio_server
            from mcp.shared.message import SessionMessage

            async with stdio_server() as (read_stream, write_stream):
                send, receive = anyio.create_memory_object_stream[Any](0)

                async def pump() -> None:
                    async with send:
                        async for item in read_stream:
                            reply = _unreadable_reply(item)
                            if reply is not None:
                                await write_stream.send(SessionMessage(reply))
                            else:
                                await send.send(item)

                async with anyio.create_task_group() as tg:
                    tg.start_soon(pump)
                    low = self._lowlevel_server
                    await low.run(receive, write_stream, low.create_initialization_options())
                    tg.cancel_scope.cancel()

    return StrictServer(**kwargs)


def _unreadable_reply(item: object) -> Any:
    """The JSON-RPC error for a request line the SDK's parser refused (a lone surrogate
    in a string: Python's JSON reads it, pydantic's does not), or None.

    Without it the client never hears back; with it, the request gets "invalid params"
    naming where the text is.
    """
    from mcp_types import INVALID_PARAMS, ErrorData, JSONRPCError
    from pydantic import ValidationError

    if not isinstance(item, ValidationError):
        return None
    errors = item.errors()
    line = errors[0].get("input") if errors and errors[0].get("type") == "json_invalid" else None
    if not isinstance(line, str):
        return None
    try:
        message = json.loads(line)
    except ValueError:
        return None
    if not isinstance(message, dict) or not isinstance(message.get("id"), (int, str)):
        return None
    where = _bad_text(message.get("method"), "method") or _bad_text(message.get("params"), "params")
    if where is None or _bad_text(message["id"], "id"):
        return None
    log.info("refused a request with text that is not valid Unicode in %s", where)
    return JSONRPCError(
        jsonrpc="2.0",
        id=message["id"],
        error=ErrorData(
            code=INVALID_PARAMS,
            message=f"{where} holds text that is not valid Unicode (a lone surrogate); "
            "send UTF-8 text",
        ),
    )
