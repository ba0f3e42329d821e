"""The absorb step with a language model: the meta-agent routes a batch to memory agents,
which run in parallel.

:meth:`ModelAbsorber.absorb` either returns after every chosen agent committed its
writes, or raises (AgentError, ModelUnavailable) so that the caller keeps the
batch's items pending with the reason; a retry then writes nothing twice (see
:mod:`agents.absorb.memory_agents`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agents import prompts
from agents.absorb.batch import AbsorbResult, BatchItem, render_content, render_text
from agents.absorb.memory_agents import CORE_LABELS, AgentRun, MemoryAgent
from agents.absorb.rollback import roll_back
from agents.errors import AgentError, MirixError
from agents.llm import LLMClient
from agents.store import MemoryStore, MemoryType
from agents.store.schema import DEFAULT_CORE_LIMIT, MemoryTypeName
from agents.store.timeutil import now
from agents.tooling import Tool, forced, run_tool_loop

log = logging.getLogger(__name__)

META_TOOL = "choose_memory_types"
# Images cost tokens: only the agents that describe what was seen get them.
SEES_IMAGES = {MemoryType.EPISODIC, MemoryType.RESOURCE}


class ChooseTypes(BaseModel):
    model_config = ConfigDict(extra="forbid")

    types: list[MemoryTypeName] = Field(description="memory types this batch should update")
    reason: str = ""


class ModelAbsorber:
    """The meta-agent and the memory agents (an :class:`~agents.absorb.batch.Absorber`)."""

    mode: Literal["model", "offline"] = "model"

    def __init__(
        self,
        store: MemoryStore,
        llm: LLMClient,
        *,
        core_limit: int = DEFAULT_CORE_LIMIT,
        max_images: int = 4,
    ) -> None:
        self.store = store
        self.llm = llm
        self.core_limit = core_limit
        self.max_images = max_images
        self._step_lock = threading.Lock()

    def route(self, content: str | list[dict[str, Any]]) -> list[MemoryType]:
        """The meta-agent's choice of memory types (one forced tool call, corrected once)."""
        chosen: list[list[MemoryType]] = []

        def choose(args: ChooseTypes) -> str:
            chosen.append([MemoryType(t) for t in dict.fromkeys(args.types)])
            return "ok"

        tool = Tool(META_TOOL, "Choose the memory types to update.", ChooseTypes, choose)
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": prompts.META},
            {"role": "user", "content": content},
        ]
        run_tool_loop(
            self.llm,
            messages,
            [tool],
            who="meta-agent",
            max_rounds=2,
            finish=META_TOOL,
            tool_choice=forced(META_TOOL),
        )
        if not chosen:
            raise AgentError("meta-agent: the model did not choose memory types")
        return chosen[-1]

    def absorb(self, items: Sequence[BatchItem]) -> AbsorbResult:
        """Absorb one batch, all or nothing; raises AgentError or ModelUnavailable, leaving
        it to be retried, after rolling back what its other agents wrote."""
        result = AbsorbResult("model")
        if not items:
            return result
        vision = self.llm.endpoint.vision
        content = render_content(items, vision=vision, max_images=self.max_images)
        text = render_text(items)
        chosen = self.route(content)
        started = now()  # the batch's own history rows are those from here on
        result.chosen = [t.value for t in chosen]
        if not chosen:
            return result
        agents = [
            MemoryAgent(self.store, t, items, step_lock=self._step_lock, core_limit=self.core_limit)
            for t in chosen
        ]
        runs: list[AgentRun] = []
        failures: list[str] = []
        with ThreadPoolExecutor(max_workers=len(agents), thread_name_prefix="agent") as pool:
            futures = [
                pool.submit(a.run, self.llm, content if a.mtype in SEES_IMAGES else text)
                for a in agents
            ]
            for agent, future in zip(agents, futures, strict=True):
                try:
                    runs.append(future.result())
                except MirixError as exc:
                    failures.append(f"{agent.mtype.value}: {exc}")
                    runs.append(agent.run_record)
        for run in runs:
            result.writes.extend(run.writes)
        if failures:
            touched = [mid for _, mid in result.writes]
            if MemoryType.CORE in chosen:  # a core block made empty on first use
                touched += [f"core_{label}" for label in CORE_LABELS]
            undone = roll_back(self.store, touched, since=started, actors={a.actor for a in agents})
            raise AgentError(
                "; ".join(failures) + f" (the batch's other changes were rolled back: {undone})"
            )
        return result
