"""The chat agent: active retrieval, then an answer that cites what it used.

For each question it first derives a topic (a forced ``update_topic`` call, or
keywords offline), searches every memory type with it (core in full; episodic
recent and relevant; the others top-k; the vault only at low and medium
sensitivity; screenshots by OCR text and CLIP; earlier conversations), puts what
it found in the system prompt with ids, and answers, streamed, calling tools to
search further or list a time range when it needs to. Offline, the answer quotes
the best memories and frames with their times.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agents import prompts
from agents.absorb.batch import image_url
from agents.answer.asked import is_greeting
from agents.answer.citing import Citation, cite, footnoted
from agents.answer.compose import compose, greeting, noting
from agents.answer.reader import Reading, read
from agents.answer.retrieval import Retrieved, Retriever, hit_line, keywords, memory_hit
from agents.answer.terms import Segmenter
from agents.errors import AgentError, InvalidInput
from agents.llm import LLMClient
from agents.privacy import sealed
from agents.store import MemoryStore, MemoryType, SearchHit, SearchOptions
from agents.store import schema as S
from agents.store.timeutil import as_utc, now
from agents.timeread import parse_bound
from agents.tooling import Streaming, Tool, forced, run_tool_loop

log = logging.getLogger(__name__)

_SCREEN_WORDS = re.compile(
    r"(?i)\b(screen\w*|saw|seen|see|page|window|looked|showing|shown|displayed|tab|photo|image)\b"
)


def estimate_tokens(messages: Sequence[dict[str, Any]]) -> int:
    """About four characters a token (images count their text parts only)."""
    chars = 0
    for m in messages:
        content = m.get("content")
        if isinstance(content, str):
            chars += len(content)
        elif isinstance(content, list):
            chars += sum(len(p.get("text", "")) for p in content if isinstance(p, dict))
    return max(1, chars // 4)


@dataclass
class Answer:
    answer: str
    topic: str
    citations: list[Citation]
    retrieved: Retrieved
    messages: list[dict[str, Any]]
    prompt_tokens: int
    stopped: bool = False
    conversation_id: str = ""
    reading: Reading | None = None  # what the extractive reader found

    @property
    def text(self) -> str:
        """The answer as people read it: sources as numbered notes ("[1]"), not raw ids."""
        return footnoted(self.answer, [c.id for c in self.citations])

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "answer": self.text,
            "topic": self.topic,
            "citations": [c.to_json() for c in self.citations],
        }
        if self.reading is not None and self.reading.best is not None:
            out["reading"] = self.reading.to_json()
        return out


class TopicArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    topic: str = Field(min_length=1, max_length=300, description="a short search query")


class SearchArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, max_length=500)
    types: list[str] = Field(default_factory=list, description="memory types; empty: all")
    k: int = Field(default=5, ge=1, le=20)


class RangeArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    since: str = Field(description='ISO 8601 start, or a time: "yesterday", "last week", "上周"')
    until: str = Field(description="ISO 8601 end, or a time (its end is taken)")
    types: list[str] = Field(default_factory=lambda: [MemoryType.EPISODIC.value])


class ChatAgent:
    def __init__(
        self,
        store: MemoryStore,
        llm: LLMClient | None,
        *,
        options: SearchOptions | None = None,
        per_type_k: int = 5,
        frame_k: int = 3,
        chat_k: int = 10,
        max_tool_rounds: int = 3,
        max_images: int = 2,
        segmenter: Segmenter = "jieba",
    ) -> None:
        self.store = store
        self.llm = llm
        self.retriever = Retriever(
            store, options=options, per_type_k=per_type_k, frame_k=frame_k, chat_k=chat_k
        )
        self.options = self.retriever.options
        self.max_tool_rounds = max_tool_rounds
        self.max_images = max_images
        self.segmenter: Segmenter = segmenter

    def retrieve(self, topic: str) -> Retrieved:
        """Search every memory type (and screenshots and earlier turns) for ``topic``."""
        return self.retriever.retrieve(topic)

    def render(self, found: Retrieved) -> str:
        return self.retriever.render(found)

    # ---- topic ---------------------------------------------------------------------

    def derive_topic(self, question: str, history: Sequence[dict[str, str]] = ()) -> str:
        """The search topic: a forced ``update_topic`` call, or keywords offline.

        A model that answers without a usable topic falls back to the keywords.
        """
        if self.llm is None:
            return keywords(question, self.segmenter)
        topics: list[str] = []

        def set_topic(args: TopicArgs) -> str:
            topics.append(args.topic)
            return "ok"

        tool = Tool("update_topic", "Set the topic to search memories for.", TopicArgs, set_topic)
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": prompts.CHAT_TOPIC},
            *history[-4:],
            {"role": "user", "content": question},
        ]
        try:
            run_tool_loop(
                self.llm,
                messages,
                [tool],
                who="topic",
                max_rounds=2,
                finish=tool.name,
                tool_choice=forced(tool.name),
            )
        except AgentError as exc:
            log.info("%s", exc)
        if topics:
            return topics[0]
        log.info("no topic from the chat model; using the question's keywords")
        return keywords(question, self.segmenter)

    # ---- retrieval -----------------------------------------------------------------

    # ---- prompt --------------------------------------------------------------------

    def build_messages(
        self,
        question: str,
        found: Retrieved,
        *,
        history: Sequence[dict[str, str]] = (),
        image_path: str | None = None,
        screen_text: str | None = None,
        reading: Reading | None = None,
    ) -> list[dict[str, Any]]:
        memories = self.render(found)
        if reading is not None and reading.confident and reading.best is not None:
            best = reading.best
            memories += (
                "\n## Likely answer (read from the items above; check it)\n"
                f"{best.value} — from [{best.source.id}]: “{best.line}”"
            )
        system = prompts.CHAT_SYSTEM.format(
            # The time questions are read against: ask --as-of puts the question then.
            now=as_utc(self.options.as_of or now()).strftime("%Y-%m-%d %H:%M UTC"),
            topic=found.topic,
            memories=memories,
        )
        user_text = question
        if screen_text:
            user_text += f"\n\n(Text on my screen right now:)\n{screen_text[:4000]}"
        content: str | list[dict[str, Any]] = user_text
        vision = self.llm is not None and self.llm.endpoint.vision
        images = self._images(question, found, image_path) if vision else []
        if images:
            content = [{"type": "text", "text": user_text}, *images]
        return [
            {"role": "system", "content": system},
            *history,
            {"role": "user", "content": content},
        ]

    def _images(
        self, question: str, found: Retrieved, image_path: str | None
    ) -> list[dict[str, Any]]:
        parts: list[dict[str, Any]] = []
        if image_path:
            url = image_url(image_path)
            if url:
                parts += [
                    {"type": "text", "text": "My screen now:"},
                    {"type": "image_url", "image_url": {"url": url}},
                ]
        if _SCREEN_WORDS.search(question):
            frames = self.store.frames([h.id for h in found.by_type.get("frame", [])])
            for frame in frames[: self.max_images]:
                url = image_url(frame.image_path)
                if url:
                    stamp = f"{as_utc(frame.captured_at):%Y-%m-%d %H:%M}"
                    parts += [
                        {"type": "text", "text": f"Screenshot [{frame.id}] {stamp}, {frame.app}:"},
                        {"type": "image_url", "image_url": {"url": url}},
                    ]
        return parts

    # ---- tools while answering -----------------------------------------------------

    def _tools(self, found: Retrieved) -> list[Tool]:
        def search(args: SearchArgs) -> str:
            types = tuple(args.types) or ()
            # The vault's high-sensitivity entries stay out of the prompt here too.
            opts = replace(
                self.options, k=args.k, types=types, sensitivities=S.READABLE_SENSITIVITIES
            )
            hits = self.store.search(args.query, opts)
            found.add("search", hits)
            return "\n".join(hit_line(h, None) for h in hits) or "no matches"

        def list_range(args: RangeArgs) -> str:
            # Read as the command line's --since/--until are, against the question's time.
            as_of = self.options.as_of
            since = parse_bound(args.since, end=False, as_of=as_of)
            until = parse_bound(args.until, end=True, as_of=as_of)
            if since > until:
                raise InvalidInput("since is after until")
            hits = []
            for t in args.types:
                mtype = S.parse_type(t)
                if isinstance(mtype, MemoryType):
                    hits += [
                        memory_hit(m) for m in self.store.memories_between(mtype, since, until)
                    ]
            found.add("search", hits)
            return "\n".join(hit_line(h, None) for h in hits) or "nothing in that range"

        return [
            Tool("search_memories", "Search the user's memories.", SearchArgs, search),
            Tool("list_time_range", "List memories between two times.", RangeArgs, list_range),
        ]

    # ---- answering -----------------------------------------------------------------

    def ask(
        self,
        question: str,
        *,
        history: Sequence[dict[str, str]] = (),
        image_path: str | None = None,
        screen_text: str | None = None,
        on_token: Callable[[str], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> Answer:
        """Answer ``question``; raises InvalidInput for an empty one and ModelUnavailable
        when the chat model cannot be reached."""
        question = question.strip()
        if not question:
            raise InvalidInput("the question is empty")
        # A key or password said in the question, or on the screen asked about, reaches
        # no model and no prompt: it is sealed there as it is in the store.
        question = sealed(question)
        screen_text = sealed(screen_text) if screen_text else screen_text
        noted = noting(question) if self.llm is None else None
        if self.llm is None and (noted is not None or is_greeting(question)):
            # Offline, a greeting is greeted and a statement ("remember that …", "记住…")
            # acknowledged: it becomes a memory when the turn is absorbed.
            text = noted if noted is not None else greeting(question)
            if on_token is not None:
                on_token(text)
            return Answer(text, "", [], Retrieved(""), [], 0)
        topic = self.derive_topic(question, history)
        found = self.retrieve(topic)
        reading = self.read(question, found, screen_text)
        messages = self.build_messages(
            question,
            found,
            history=history,
            image_path=image_path,
            screen_text=screen_text,
            reading=reading,
        )
        prompt_tokens = estimate_tokens(messages)
        if self.llm is None:
            text = compose(
                question, topic, self._sources(found, screen_text), reading, found.vault_values
            )
            if on_token is not None:
                on_token(text)
            return Answer(
                text,
                topic,
                cite(text, found, reading),
                found,
                messages,
                prompt_tokens,
                reading=reading,
            )
        text, stopped = self._converse(list(messages), found, on_token, should_stop)
        return Answer(
            text,
            topic,
            cite(text, found, reading),
            found,
            messages,
            prompt_tokens,
            stopped,
            reading=reading,
        )

    def _sources(self, found: Retrieved, screen_text: str | None) -> list[SearchHit]:
        hits = found.hits()
        if screen_text and screen_text.strip():
            screen = SearchHit(
                id="screen_now",
                type="screen",
                score=1.0,
                text=screen_text,
                source_ids=[],
                time=now(),
            )
            hits = [screen, *hits]
        return hits

    def read(self, question: str, found: Retrieved, screen_text: str | None = None) -> Reading:
        """The extractive reader over what retrieval found (and the screen now, if given)."""
        return read(
            question,
            self._sources(found, screen_text),
            segmenter=self.segmenter,
            vault_values=found.vault_values,
        )

    def _converse(
        self,
        messages: list[dict[str, Any]],
        found: Retrieved,
        on_token: Callable[[str], None] | None,
        should_stop: Callable[[], bool] | None,
    ) -> tuple[str, bool]:
        """The streamed answer (and whether ``should_stop`` ended it), the model searching
        further first if it needs to; raises AgentError like :func:`run_tool_loop`."""
        assert self.llm is not None
        loop = run_tool_loop(
            self.llm,
            messages,
            self._tools(found),
            who="chat agent",
            max_rounds=self.max_tool_rounds,
            tool_choice=None,
            stream=Streaming(on_token, should_stop),
            answer=True,
        )
        return loop.final_text, loop.stopped
