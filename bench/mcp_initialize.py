"""How long ``mirix-desktop mcp`` takes to answer ``initialize``, and its first search.

The server is started as a fresh process exactly as an MCP client starts it
(stdio), with the text embedder chosen by ``--models``; the time from the
process start to the ``initialize`` reply is what a client waits before it can
list the tools. The first ``search_memories`` after it pays for the models,
which load on first use. Each figure is the median of ``--runs`` runs.

    .venv/bin/python bench/mcp_initialize.py [--runs 3] [--models auto]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


async def _one(home: Path, models: str) -> tuple[float, float, int]:
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "mirix_desktop.cli", "mcp"],
        env={
            "MIRIX_HOME": str(home),
            "MIRIX_SECRETS__BACKEND": "file",
            "MIRIX_MODELS__TEXT_EMBEDDER": models,
            "MIRIX_MODELS__CLIP_PROVIDER": "none",
            "HF_HUB_OFFLINE": "1",
            "PYTHONPATH": str(ROOT),
        },
        cwd=str(ROOT),
    )
    start = time.perf_counter()
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        ready = time.perf_counter() - start
        tools = await session.list_tools()
        t0 = time.perf_counter()
        result: Any = await session.call_tool("search_memories", {"query": "dentist"})
        first = time.perf_counter() - t0
        assert not result.is_error, result.content
    return ready, first, len(tools.tools)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--models", default="auto", help="models.text_embedder for the server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        readies, firsts = [], []
        for _ in range(args.runs):
            ready, first, count = asyncio.run(_one(home, args.models))
            readies.append(ready)
            firsts.append(first)
    print(f"text embedder: {args.models}; {count} tools; {args.runs} runs")
    print(f"initialize answered after {statistics.median(readies):.2f} s (median, from spawn)")
    print(f"first search_memories     {statistics.median(firsts):.2f} s (models load on first use)")


if __name__ == "__main__":
    main()
