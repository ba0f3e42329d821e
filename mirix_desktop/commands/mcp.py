"""``mirix-desktop mcp``: the memory for other assistants, over stdio or local HTTP.

It opens no store before the first tool call (see
:mod:`mirix_desktop.services.mcp_protocol`), so the client's ``initialize`` is
answered at once.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from agents.errors import InvalidInput
from mirix_desktop.config.paths import Paths, private_files, resolve_paths
from mirix_desktop.config.settings import Settings, load_settings


def _paths_and_settings(home: str | None) -> tuple[Paths, Settings]:
    """What :func:`mirix_desktop.services.context.open_context` reads, without its imports."""
    private_files()
    paths = resolve_paths(home)
    settings = load_settings(paths)
    if settings.store.data_dir is not None:
        paths = replace(paths, data_dir=Path(settings.store.data_dir).expanduser().resolve())
    return paths, settings


def cmd_mcp(args: argparse.Namespace) -> int:
    from mirix_desktop.services.mcp_protocol import LazyTools
    from mirix_desktop.services.mcp_transport import log_to_file, serve_stdio

    paths, settings = _paths_and_settings(args.home)
    if args.port is not None and not (args.http or args.show_token):
        raise InvalidInput("--port is for --http")

    def open_ctx():  # type: ignore[no-untyped-def]
        from mirix_desktop.services.context import open_context

        return open_context(args.home)

    tools = LazyTools(open_ctx)
    if not (args.http or args.show_token):
        log_to_file(paths)
        return serve_stdio(tools)
    return _http(paths, settings, tools, args)


def _http(paths: Paths, settings: Settings, tools: object, args: argparse.Namespace) -> int:
    from mirix_desktop.config.keystore import SecretStore
    from mirix_desktop.services.mcp_transport import HttpServer, http_token, log_to_file

    store = SecretStore(paths, settings.secrets.backend)
    port = settings.mcp.http_port if args.port is None else args.port
    if not 0 <= port <= 65535:
        raise InvalidInput(f"--port {port} is not a port (0 to 65535)")
    token, new = http_token(store, rotate=args.rotate_token or settings.mcp.rotate_http_token)
    if settings.mcp.rotate_http_token:  # done: back to its default in the file
        from mirix_desktop.commands.setup import change_settings

        change_settings(paths, {}, remove=("mcp.rotate_http_token",))
    if args.show_token:
        print(token)
        return 0
    server = HttpServer(tools, token, port)  # type: ignore[arg-type]
    log_to_file(paths)
    print(f"MCP over streamable HTTP at {server.url} (only from this machine)", flush=True)
    if new:
        print(f"bearer token (shown once; `mcp --show-token` shows it again): {token}")
    else:
        print("bearer token: `mirix-desktop mcp --show-token` prints it")
    print('clients send the header "Authorization: Bearer <token>"; Ctrl+C stops', flush=True)
    server.run()
    return 0
