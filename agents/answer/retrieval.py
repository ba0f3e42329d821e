"""Active retrieval: one search over every memory type for a topic (core in full;
episodic recent and relevant; the others top-k; the vault only at low and medium
sensitivity; screenshots by OCR text and CLIP; earlier conversations), and the text
that shows what was found to a model, with ids to cite."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from agents.answer.lexicon import across
from agents.answer.reader import chat_question
from agents.answer.terms import Segmenter
from agents.answer.terms import keywords as _keywords
from agents.errors import InvalidInput
from agents.ids import SECTIONS
from agents.store import MemoryStore, SearchHit, SearchOptions
from agents.store import schema as S
from agents.store.timeutil import as_utc

# Searched for every question, in this order (core memory is always shown whole).
SEARCHED: tuple[str, ...] = (
    *(t.value for t in S.MemoryType if t is not S.MemoryType.CORE),
    S.RecordType.FRAME.value,
    S.RecordType.CHAT.value,
)


def keywords(question: str, segmenter: Segmenter = "jieba") -> str:
    """The offline topic: the question's content words (Chinese segmented), or the question."""
    return _keywords(question, segmenter)


@dataclass
class Retrieved:
    """What active retrieval found, by type; vault values only at low and medium sensitivity."""

    topic: str
    by_type: dict[str, list[SearchHit]] = field(default_factory=dict)
    vault_values: dict[str, str] = field(default_factory=dict)

    def hits(self) -> list[SearchHit]:
        """Every hit once, best first (core blocks last: they are context, not results)."""
        seen: dict[str, SearchHit] = {}
        for kind, hits in self.by_type.items():
            if kind == "core":
                continue
            for h in hits:
                if h.id not in seen or seen[h.id].score < h.score:
                    seen[h.id] = h
        ranked = sorted(seen.values(), key=lambda h: h.score, reverse=True)
        return ranked + list(self.by_type.get("core", []))

    def find(self, item_id: str) -> SearchHit | None:
        for hits in self.by_type.values():
            for h in hits:
                if h.id == item_id:
                    return h
        return None

    def add(self, kind: str, hits: Sequence[SearchHit]) -> None:
        known = {h.id for h in self.by_type.get(kind, [])}
        self.by_type.setdefault(kind, []).extend(h for h in hits if h.id not in known)


class Retriever:
    """Searches a store for a question's topic, each type keeping its best few."""

    def __init__(
        self,
        store: MemoryStore,
        *,
        options: SearchOptions | None = None,
        per_type_k: int = 5,
        frame_k: int = 3,
        chat_k: int = 10,
    ) -> None:
        self.store = store
        self.options = options or SearchOptions()
        self.per_type_k = per_type_k
        self.frame_k = frame_k
        self.chat_k = chat_k
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="retrieve")

    def search(self, topic: str) -> list[SearchHit]:
        """One fused search over every type but core, so that the order across types
        means something; each type then keeps its best few. The vault takes part at
        low and medium sensitivity only: high never reaches a prompt."""
        k = self.per_type_k * 5 + self.frame_k + self.chat_k * 2
        opts = replace(
            self.options,
            k=k,
            types=SEARCHED,
            candidates=max(self.options.candidates, k),
            # Each type keeps at most 2 * chat_k hits, so more per table is wasted work.
            per_table=max(2 * max(self.per_type_k, self.frame_k, self.chat_k), 10),
            recency_weight=max(self.options.recency_weight, 0.2),  # recent and relevant
            sensitivities=S.READABLE_SENSITIVITIES,
        )
        try:
            hits = self.store.search(across(topic), opts)
        except InvalidInput:
            return []
        # The assistant's own earlier answers are not evidence, and the user's earlier
        # questions are not either: they stay (as context for a model), ranked below
        # everything else, so that they never outrank what answers them. What the user
        # stated ("my seat is 23A") keeps its place.
        hits = [h for h in hits if not (h.type == "chat" and h.text.startswith("assistant: "))]
        return sources_first(hits)

    def _core(self) -> list[SearchHit]:
        return [
            memory_hit(m)
            for m in self.store.core_blocks()
            if isinstance(m.data, S.CoreData) and m.data.value.strip()
        ]

    def _vault_values(self, hits: list[SearchHit]) -> dict[str, str]:
        if not hits:
            return {}
        return {
            m.id: m.data.secret_value
            for m in self.store.get_many([h.id for h in hits])
            if isinstance(m.data, S.VaultData) and m.data.sensitivity in S.READABLE_SENSITIVITIES
        }

    def retrieve(self, topic: str) -> Retrieved:
        """Search every memory type (and screenshots and earlier turns) for ``topic``."""
        found = Retrieved(topic)
        core = self._pool.submit(self._core)
        hits = self.search(topic) if topic.strip() else []
        limits = {"frame": self.frame_k, "chat": self.chat_k}
        for kind in SEARCHED:
            of_kind = [h for h in hits if h.type == kind]
            found.by_type[kind] = of_kind[: limits.get(kind, self.per_type_k)]
        found.by_type[S.MemoryType.CORE] = core.result()
        found.vault_values = self._vault_values(found.by_type[S.MemoryType.KNOWLEDGE_VAULT])
        return found

    def render(self, found: Retrieved) -> str:
        parts = []
        for kind, title in SECTIONS.items():
            hits = found.by_type.get(kind) or []
            if not hits:
                continue
            parts.append(f"## {title}")
            for h in hits:
                parts.append(hit_line(h, found.vault_values.get(h.id)))
        return "\n".join(parts) or "(no memories matched)"


def _talk(hit: SearchHit) -> bool:
    """A turn of talk with the assistant: the user's question or the assistant's answer."""
    return chat_question(hit) or (hit.type == "chat" and hit.text.startswith("assistant: "))


def sources_first(hits: Sequence[SearchHit]) -> list[SearchHit]:
    """``hits`` with the user's earlier questions and the assistant's answers after every
    other hit (scored below the least of them): they only repeat what their sources say.
    What the user stated ("my seat is 23A") keeps its place."""
    talk = [h for h in hits if _talk(h)]
    if not talk:
        return list(hits)
    kept = [h for h in hits if not _talk(h)]
    floor = min((h.score for h in kept), default=1.0)
    return kept + [h.model_copy(update={"score": floor * 0.5**n}) for n, h in enumerate(talk, 1)]


def memory_hit(memory: S.Memory, score: float = 1.0) -> SearchHit:
    return SearchHit(
        id=memory.id,
        type=memory.type.value,
        score=score,
        text=memory.text,
        source_ids=memory.source_ids,
        time=memory.time,
        app=memory.app,
    )


def hit_line(hit: SearchHit, secret: str | None) -> str:
    stamp = f"{as_utc(hit.time):%Y-%m-%d %H:%M}"
    where = f", {hit.app}" if hit.app else ""
    text = hit.text.strip().replace("\n", " ⏎ ")
    limit = 600 if hit.type == "frame" else 400
    if len(text) > limit:
        text = text[:limit] + " …"
    value = f" — value: {secret}" if secret is not None else ""
    return f"[{hit.id}] ({stamp}{where}) {text}{value}"
