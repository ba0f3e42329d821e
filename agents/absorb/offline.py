"""The absorb step without a language model (offline mode).

- Consecutive frames of one app and window become an episodic event (what, where,
  when, with OCR excerpts as details); a later batch continuing the same window
  extends that event instead of starting another.
- A web page or document seen becomes a resource (one per page title).
- An episode or resource holds nothing but its frames' text, whose vectors the store
  already has: its vector is their mean, not a second embedding of the same lines.
- Sensitive values seen on screen or said in chat go to the knowledge vault,
  encrypted, with where they were seen as the caption.
- Chat statements ("remember that ...", "my X is Y") become semantic memories or
  facts in the core ``human`` block.

Every write is idempotent, so a retried batch writes nothing twice.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Literal

from agents.absorb.batch import AbsorbResult, BatchItem
from agents.absorb.chrome import without_chrome
from agents.absorb.memory_agents import core_block, insert_once
from agents.absorb.statements import Statement, extract_statements, extract_steps
from agents.errors import NotFound
from agents.privacy import detect, label, masked_line
from agents.store import MemoryStore, MemoryType
from agents.store import schema as S
from agents.store.timeutil import as_utc

ACTOR = "offline"
EPISODE_GAP = timedelta(minutes=5)
MAX_DETAILS = 4000
MAX_EXCERPT = 300
MAX_RESOURCE = 20_000
# An episode's or resource's vector is the mean of its frames' text vectors (the text
# it holds is theirs, so it is not embedded again): of at most this many, the latest.
MAX_VECTOR_SOURCES = 200
USER_SPEAKERS = {"user", "me", "you"}
BROWSERS = {
    "firefox",
    "firefox-esr",
    "navigator",
    "chrome",
    "google-chrome",
    "chromium",
    "chromium-browser",
    "brave",
    "brave-browser",
    "msedge",
    "microsoft-edge",
    "safari",
    "opera",
    "vivaldi",
    "epiphany",
    "qutebrowser",
    "librewolf",
}
DOCUMENT_APPS = {
    "evince",
    "okular",
    "zathura",
    "atril",
    "xreader",
    "libreoffice",
    "soffice",
    "acroread",
    "acrobat",
    "acrord32",
    "winword",
    "excel",
    "powerpnt",
    "preview",
    "obsidian",
    "typora",
    "calibre",
}
_DOC_NAME = re.compile(
    r"[\w][\w\- .()]*\.(?:pdf|docx?|xlsx?|pptx?|odt|ods|odp|md|txt|rtf|epub|csv)\b", re.I
)
_URL = re.compile(
    r"\bhttps?://[^\s\"'<>]+|\b(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+/[^\s\"'<>]*", re.I
)


def _app_key(app: str) -> str:
    return app.lower().removesuffix(".exe").strip()


def page_title(app: str, title: str) -> str:
    """A window title without the app's own suffix (" — Mozilla Firefox")."""
    parts = re.split(r"\s+[—–-]\s+", title.strip())
    if len(parts) > 1:
        tail = parts[-1].lower()
        key = _app_key(app)
        if key in tail or any(w in tail for w in ("firefox", "chrome", "edge", "browser")):
            parts = parts[:-1]
    return " — ".join(parts).strip()


def resource_kind(item: BatchItem) -> str | None:
    """ "web page" or "document" when a frame shows one, else None."""
    key = _app_key(item.app)
    if key in BROWSERS:
        return "web page" if page_title(item.app, item.title) else None
    if key in DOCUMENT_APPS or _DOC_NAME.search(item.title or ""):
        return "document"
    return None


class OfflineAbsorber:
    """Memories without a model: episodes, resources, vault values and statements (an
    :class:`~agents.absorb.batch.Absorber`)."""

    mode: Literal["model", "offline"] = "offline"

    def __init__(self, store: MemoryStore, *, core_limit: int = S.DEFAULT_CORE_LIMIT) -> None:
        self.store = store
        self.core_limit = core_limit

    def absorb(self, items: Sequence[BatchItem]) -> AbsorbResult:
        """Absorb one batch; returns the writes made (as (operation, id) pairs) and the
        memory types written."""
        run = AbsorbResult(self.mode)
        frames = sorted((it for it in items if it.kind == "frame"), key=lambda it: it.time)
        frames = without_chrome(self.store, frames)  # memory text without menus and toolbars
        chats = [it for it in items if it.kind == "chat"]
        for group in episodes(frames):
            run.writes.append(self._episode(group))
        for item in frames:
            kind = resource_kind(item)
            if kind is not None and item.text.strip():
                run.writes.append(self._resource(item, kind))
        for item in items:
            run.writes.extend(self._vault(item))
        for item in chats:
            run.writes.extend(self._statements(item))
        for item in frames:
            steps = extract_steps(item.text)
            if steps is not None:  # a recipe or a how-to on screen: its steps in order
                run.writes.append(self._procedure(steps, item))
        written = {MemoryType.of_id(mid) for _, mid in run.writes}
        run.chosen = [t.value for t in MemoryType if t in written]
        return run

    # -- episodes

    def _episode(self, group: list[BatchItem]) -> tuple[str, str]:
        first, last = group[0], group[-1]
        title = first.title.strip()[:200]
        summary = f"Used {first.app}: {title}" if title else f"Used {first.app}"
        ongoing = self._ongoing(summary, first)
        seen: set[str] = set()
        if ongoing is not None:
            data = ongoing.data
            assert isinstance(data, S.EpisodicData)
            start = as_utc(data.occurred_at or ongoing.time)
            old_lines = data.details.splitlines()[1:]
            for line in old_lines:
                seen.update(line.split("  ", 1)[-1].removesuffix(" …").split(" · "))
        else:
            start, old_lines = first.time, []
        new_lines = list(old_lines)
        for item in group:
            excerpt = _excerpt(item.text, seen)
            if excerpt:
                new_lines.append(f"{item.time:%H:%M:%S}  {excerpt}")
        head = f"When: {start:%Y-%m-%d %H:%M:%S} – {last.time:%H:%M:%S} UTC, in {first.app}"
        details = "\n".join([head, *new_lines])[:MAX_DETAILS]
        sources = [it.id for it in group]
        everything = [*(ongoing.source_ids if ongoing is not None else ()), *sources]
        vector = self.store.frames_vector(everything[-MAX_VECTOR_SOURCES:])
        if ongoing is not None:
            self.store.update(
                ongoing.id, {"details": details}, source_ids=sources, actor=ACTOR, vector=vector
            )
            return ("update", ongoing.id)
        data = S.EpisodicData(
            occurred_at=start, actor="user", event_type="screen", summary=summary, details=details
        )
        digest = hashlib.sha256("\x00".join(sorted(sources)).encode()).hexdigest()[:32]
        memory = self.store.add(
            MemoryType.EPISODIC,
            data,
            source_ids=sources,
            app=first.app,
            actor=ACTOR,
            memory_id=f"epi_{digest}",
            vector=vector,
        )
        return ("insert", memory.id)

    def _ongoing(self, summary: str, first: BatchItem) -> S.Memory | None:
        """The episode of this window that the batch continues, if any."""
        recent = self.store.memories_between(
            MemoryType.EPISODIC,
            first.time - timedelta(days=1),
            first.time + timedelta(seconds=1),
            app=first.app,
            limit=20,
        )
        for memory in recent:
            data = memory.data
            if not isinstance(data, S.EpisodicData) or data.summary != summary:
                continue
            if first.id in memory.source_ids:
                return memory  # an earlier try of this very batch
            last_frames = self.store.frames(memory.source_ids[-50:])
            end = max((as_utc(f.captured_at) for f in last_frames), default=memory.time)
            if first.time - end <= EPISODE_GAP:
                return memory
        return None

    # -- resources

    def _resource(self, item: BatchItem, kind: str) -> tuple[str, str]:
        title = (page_title(item.app, item.title) or item.title or item.app)[:300]
        mid = "res_" + hashlib.sha256(f"{kind}\x00{title}".encode()).hexdigest()[:32]
        url = next(iter(_URL.findall(item.text)), "")
        first_line = next((ln.strip() for ln in item.text.splitlines() if ln.strip()), "")
        summary = f"{kind} seen in {item.app}" + (f" ({url})" if url else "")
        summary += f": {first_line[:200]}" if first_line else ""
        content = item.text.strip()[:MAX_RESOURCE]
        try:
            old = self.store.get(mid)
        except NotFound:  # a first sighting
            data = S.ResourceData(title=title, summary=summary, resource_type=kind, content=content)
            self.store.add(
                MemoryType.RESOURCE,
                data,
                source_ids=[item.id],
                app=item.app,
                actor=ACTOR,
                memory_id=mid,
                vector=self.store.frames_vector([item.id]),
            )
            return ("insert", mid)
        assert isinstance(old.data, S.ResourceData)
        if item.id in old.source_ids:
            return ("insert-again", mid)
        known = set(old.data.content.splitlines())
        added = [ln for ln in content.splitlines() if ln not in known]
        merged = "\n".join([old.data.content, *added]).strip()[:MAX_RESOURCE]
        sources = [*old.source_ids, item.id]
        vector = self.store.frames_vector(sources[-MAX_VECTOR_SOURCES:])
        self.store.update(
            mid, {"content": merged}, source_ids=[item.id], actor=ACTOR, vector=vector
        )
        return ("update", mid)

    # -- vault

    def _vault(self, item: BatchItem) -> list[tuple[str, str]]:
        writes: list[tuple[str, str]] = []
        if item.speaker.lower() == "assistant":
            return writes  # the program's own answers: what they quote is filed already
        values = detect(item.text)
        for found in values:
            what = label(found.kind)
            line = masked_line(item.text, found.value, [v.value for v in values])
            if item.kind == "frame":
                where = f"{item.app} — {item.title}" if item.title else item.app
                caption = f"{what} seen in {where}"
                source = f"screen: {where}"
            else:
                caption = f"{what} said in chat by {item.speaker}"
                source = f"chat: {item.speaker}"
            if line:
                caption += f": “{line}”"
            data = S.VaultData(
                entry_type=found.kind,
                source=source[:300],
                sensitivity=found.sensitivity,
                secret_value=found.value,
                caption=caption[:500],
            )
            writes.append(
                insert_once(
                    self.store,
                    MemoryType.KNOWLEDGE_VAULT,
                    data,
                    source_ids=[item.id],
                    actor=ACTOR,
                    app=item.app or None,
                )
            )
        return writes

    # -- statements

    def _statements(self, item: BatchItem) -> list[tuple[str, str]]:
        if item.speaker.lower() == "assistant":
            return []
        writes = []
        is_user = item.speaker.lower() in USER_SPEAKERS
        for statement in extract_statements(item.text):
            if statement.kind == "procedural":
                writes.append(self._procedure(statement, item))
                continue
            if statement.kind == "core" and is_user:
                written = self._core_fact(statement.text, item.id)
                if written is not None:
                    writes.append(written)
                    continue
            name = "" if is_user else item.speaker
            text = statement.text
            if statement.kind == "core" and not is_user:
                label, _, value = text.partition(": ")
                label = label.removeprefix("the user's ").removeprefix("用户的")
                text = f"{item.speaker}'s {label} is {value}"
            data = S.SemanticData(
                name=name[:200],
                summary=text[:2000],
                details=f"said by {item.speaker} on {item.time:%Y-%m-%d}",
                source="chat",
            )
            writes.append(
                insert_once(
                    self.store, MemoryType.SEMANTIC, data, source_ids=[item.id], actor=ACTOR
                )
            )
        return writes

    def _procedure(self, statement: Statement, item: BatchItem) -> tuple[str, str]:
        """A how-to from steps said in a chat turn or shown on a screen."""
        data = S.ProceduralData(entry_type="guide", summary=statement.text, steps=statement.steps)
        return insert_once(
            self.store, MemoryType.PROCEDURAL, data, source_ids=[item.id], actor=ACTOR
        )

    def _core_fact(self, fact: str, source: str) -> tuple[str, str] | None:
        """Append ``fact`` to the human block; None when it does not fit (it goes to semantic)."""
        block = core_block(self.store, "human", limit=self.core_limit)
        data = block.data
        assert isinstance(data, S.CoreData)
        if fact in data.value.splitlines():
            self.store.add_sources(block.id, [source], actor=ACTOR)
            return ("insert-again", block.id)
        value = f"{data.value}\n{fact}".strip()
        if len(value) > data.char_limit:
            return None
        self.store.update(block.id, {"value": value}, source_ids=[source], actor=ACTOR)
        return ("update", block.id)


def episodes(frames: Sequence[BatchItem]) -> list[list[BatchItem]]:
    """Runs of consecutive frames of one app and window, split at gaps over EPISODE_GAP."""
    groups: list[list[BatchItem]] = []
    for item in frames:
        if groups:
            last = groups[-1][-1]
            same = (last.app, last.title) == (item.app, item.title)
            if same and item.time - last.time <= EPISODE_GAP:
                groups[-1].append(item)
                continue
        groups.append([item])
    return groups


def _excerpt(text: str, seen: set[str]) -> str:
    """The lines of ``text`` not shown before, shortened; marks them seen."""
    fresh = []
    for line in text.splitlines():
        line = line.strip()
        if len(line) < 3 or line in seen:
            continue
        seen.add(line)
        fresh.append(line)
    joined = " · ".join(fresh)
    return joined[:MAX_EXCERPT] + (" …" if len(joined) > MAX_EXCERPT else "")
