"""The raw records memories cite: chat turns, screen frames and the frames' CLIP vectors."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agents.embeddings import ImageEmbedder, Lazy
from agents.errors import NotFound
from agents.store import schema as S
from agents.store.reembed import TextVectors
from agents.store.tables import Tables, in_list, quote, rows_by_id
from agents.store.text import index_text
from agents.store.timeutil import as_utc, now, sql_time

if TYPE_CHECKING:
    from agents.store.sealing import Sealer

FRAMES = S.TABLE[S.RecordType.FRAME]
CHAT = S.TABLE[S.RecordType.CHAT]
TURN_COLUMNS = [
    "id",
    "conversation_id",
    "speaker",
    "text",
    "image_caption",
    "time",
    "title",
    "cited_ids",
]
FRAME_ROW_COLUMNS = ["id", "time", "created_at", "size_bytes", "image_path"]


class Records:
    """Chat turns and frames, stored under their own ids."""

    def __init__(
        self,
        tables: Tables,
        vectors: TextVectors,
        image_embedder: Lazy[ImageEmbedder] | None,
        *,
        sealer: Callable[[], Sealer],
    ) -> None:
        self._tables = tables
        self._vectors = vectors
        self._image = image_embedder
        self._sealer = sealer
        # Image paths are kept relative to the data folder (the store's parent), so a
        # moved data folder needs no row rewritten.
        self.root = tables.path.parent
        self._roots = (self.root, self.root.resolve())  # resolved once, not per frame

    # ---- chat turns ----------------------------------------------------------------------

    def add_chat_turns(self, turns: Sequence[S.ChatTurn], *, embed: bool = True) -> int:
        if not turns:
            return 0
        table = self._tables.table(CHAT)
        ids = list(dict.fromkeys(t.id for t in turns))
        existing: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = table.search().where(in_list("id", chunk)).select(["id"]).limit(None)
            existing.update(r["id"] for r in rows.to_list())
        seen: set[str] = set()
        fresh = []
        for t in turns:
            if t.id in existing or t.id in seen:
                continue
            seen.add(t.id)
            fresh.append(t)
        if not fresh:
            return 0
        fresh = [self._sealer().turn(t) for t in fresh]
        # A turn is indexed for full-text with the turn before it: a short answer
        # ("yes, last Friday") is found by the words of the question it answers.
        # Its own words are written twice so that it still outranks the turn after it,
        # which carries it too. Its vector is of the turn alone (the turn before
        # blurred the meaning).
        before = _previous_turns(fresh, self._last_turns(table, fresh))
        stamp = now()
        rows = [
            {
                "id": t.id,
                "created_at": t.created_at,
                "updated_at": stamp,
                "time": t.created_at,
                "app": None,
                "source_ids": [t.id],
                "search_text": t.search_text(),
                "fts": index_text(f"{before.get(t.id, '')}\n{t.search_text()}\n{t.search_text()}"),
                "vector": None,
                "conversation_id": t.conversation_id,
                "speaker": t.speaker,
                "text": t.text,
                "image_caption": t.image_caption,
                "title": t.title,
                "cited_ids": json.dumps(t.cited_ids) if t.cited_ids else None,
            }
            for t in fresh
        ]
        # Without ``embed``, vectors come later (TextVectors.fill_missing): the turns are
        # found by their words at once, and by their meaning once their vectors are in.
        passages: list[dict[str, Any]] = []
        if embed:
            vectors, passages = self._vectors.embed_turns(rows)
            for row, vector in zip(rows, vectors, strict=True):
                row["vector"] = vector
        result = self._tables.commit(
            lambda: table.merge_insert("id").when_not_matched_insert_all().execute(rows)
        )
        self._tables.after_write(CHAT, table)
        if passages:
            self._vectors.add_passages(passages)
        return int(getattr(result, "num_inserted_rows", len(rows)))

    def _last_turns(self, table: Any, turns: Sequence[S.ChatTurn]) -> dict[str, str]:
        """Per conversation, the stored turn just before the earliest of ``turns``."""
        first: dict[str, datetime] = {}
        for t in turns:
            if t.conversation_id not in first or t.created_at < first[t.conversation_id]:
                first[t.conversation_id] = t.created_at
        out: dict[str, str] = {}
        for conv, start in first.items():
            rows = (
                table.search()
                .where(f"conversation_id = {quote(conv)} AND time < {sql_time(start)}")
                .select(["search_text", "time"])
                .limit(None)
                .to_list()
            )
            if rows:
                out[conv] = max(rows, key=lambda r: r["time"])["search_text"]
        return out

    def chat_turns(self, ids: Sequence[str]) -> list[S.ChatTurn]:
        rows = rows_by_id(self._tables.existing(CHAT), ids, columns=TURN_COLUMNS)
        return [_turn_from_row(rows[i]) for i in ids if i in rows]

    def conversation(self, conversation_id: str, *, limit: int) -> list[S.ChatTurn]:
        table = self._tables.existing(CHAT)
        if table is None:
            return []
        rows = (
            table.search()
            .where(f"conversation_id = {quote(conversation_id)}")
            .select(TURN_COLUMNS)
            .limit(None)
            .to_list()
        )
        rows.sort(key=lambda r: (r["time"], r["id"]))
        return [_turn_from_row(r) for r in rows[-limit:]]

    def chat_turn_ids(self, *, since: datetime) -> list[str]:
        table = self._tables.existing(CHAT)
        if table is None:
            return []
        query = table.search().where(f"time >= {sql_time(since)}").select(["id"]).limit(None)
        return [r["id"] for r in query.to_list()]

    def delete_chat_turns(self, ids: Sequence[str]) -> None:
        table = self._tables.existing(CHAT)
        if table is None:
            return
        for start in range(0, len(ids), 500):
            self._tables.commit(partial(table.delete, in_list("id", ids[start : start + 500])))

    def iter_chat_turns(self) -> Iterator[dict[str, Any]]:
        table = self._tables.existing(CHAT)
        if table is None:
            return
        cols = [
            "id",
            "conversation_id",
            "speaker",
            "text",
            "image_caption",
            "title",
            "created_at",
        ]
        yield from table.search().select(cols).limit(None).to_list()

    # ---- frames --------------------------------------------------------------------------

    def add_frame(self, frame: S.Frame, *, clip_vector: Sequence[float] | None) -> None:
        table = self._tables.table(FRAMES)
        if frame.ocr_text:
            frame = frame.model_copy(
                update={"ocr_text": self._sealer().frame_text(frame, frame.ocr_text)}
            )
        if frame.window_title:  # a URL with a token in a browser's title, say
            title = self._sealer().frame_text(frame, frame.window_title)
            frame = frame.model_copy(update={"window_title": title})
        text = frame.search_text()
        row = {
            "id": frame.id,
            "created_at": now(),
            "updated_at": now(),
            "time": as_utc(frame.captured_at),
            "app": frame.app,
            "source_ids": [frame.id],
            "text": frame.ocr_text,
            "fts": index_text(text),
            "vector": self._vectors.embed([text])[0] if frame.ocr_text.strip() else None,
            **frame.model_dump(exclude={"id", "app", "focus_box"}),
            "image_path": relative_image_path(frame.image_path, self._roots),
            "focus_box": ",".join(map(str, frame.focus_box)) if frame.focus_box else None,
        }
        row["captured_at"] = as_utc(frame.captured_at)
        self._tables.commit(
            lambda: table.merge_insert("id").when_not_matched_insert_all().execute([row])
        )
        self._tables.after_write(FRAMES, table)
        if clip_vector is not None:
            self._add_clip(frame, clip_vector)

    def frame(self, frame_id: str) -> S.Frame:
        table = self._tables.existing(FRAMES)
        rows = (
            table.search().where(f"id = {quote(frame_id)}").limit(1).to_list()
            if table is not None
            else []
        )
        if not rows:
            raise NotFound(f"no frame with id {frame_id!r}")
        return _frame_from_row(rows[0], self.root)

    def set_frame_text(
        self, frame_id: str, ocr_text: str, *, clip_vector: Sequence[float] | None
    ) -> S.Frame:
        stored = self.frame(frame_id)
        ocr_text = self._sealer().frame_text(stored, ocr_text)
        frame = stored.model_copy(update={"ocr_text": ocr_text})
        table = self._tables.table(FRAMES)
        text = frame.search_text()
        values = {
            "ocr_text": ocr_text,
            "text": ocr_text,
            "fts": index_text(text),
            "vector": self._vectors.embed([text])[0] if ocr_text.strip() else None,
            "updated_at": now(),
        }
        self._tables.commit(partial(table.update, where=f"id = {quote(frame_id)}", values=values))
        if clip_vector is not None:
            self._add_clip(frame, clip_vector)
        return frame

    def _add_clip(self, frame: S.Frame, vector: Sequence[float]) -> None:
        embedder = self._image.get() if self._image is not None else None
        clip = self._tables.table(S.CLIP_TABLE, schema=S.clip_schema(len(vector)))
        row = {
            "id": frame.id,
            "time": as_utc(frame.captured_at),
            "app": frame.app,
            "model": embedder.name if embedder else "unknown",
            "vector": list(map(float, vector)),
        }
        self._tables.commit(
            lambda: clip.merge_insert("id").when_not_matched_insert_all().execute([row])
        )

    def frames(self, ids: Sequence[str]) -> list[S.Frame]:
        rows = rows_by_id(self._tables.existing(FRAMES), ids)
        return [_frame_from_row(rows[i], self.root) for i in ids if i in rows]

    def count_frames(self, *, since: datetime | None = None) -> int:
        table = self._tables.existing(FRAMES)
        if table is None:
            return 0
        count: int = table.count_rows(f"time >= {sql_time(since)}" if since else None)
        return count

    def sealed_frame_ids(self) -> list[str]:
        """The frames whose text holds a masked reference (their image shows a value)."""
        table = self._tables.existing(FRAMES)
        if table is None:
            return []
        where = "ocr_text LIKE '%, kept in the vault]%'"
        return [r["id"] for r in table.search().where(where).select(["id"]).limit(None).to_list()]

    def frame_rows(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        app: str | None = None,
    ) -> list[dict[str, Any]]:
        table = self._tables.existing(FRAMES)
        if table is None:
            return []
        query = table.search()
        parts = []
        if app is not None:
            parts.append(f"app = {quote(app)}")
        if since is not None:
            parts.append(f"time >= {sql_time(since)}")
        if until is not None:
            parts.append(f"time < {sql_time(until)}")
        if parts:
            query = query.where(" AND ".join(parts))
        rows: list[dict[str, Any]] = query.select(FRAME_ROW_COLUMNS).limit(None).to_list()
        rows.sort(key=lambda r: r["time"])
        for row in rows:
            row["image_path"] = absolute_image_path(row["image_path"], self.root)
        return rows

    def delete_frames(self, ids: Sequence[str]) -> None:
        present = self._tables.names()
        for name in (FRAMES, S.CLIP_TABLE):
            if name not in present:
                continue
            table = self._tables.table(name)
            for start in range(0, len(ids), 500):
                where = in_list("id", ids[start : start + 500])
                self._tables.commit(partial(table.delete, where))


def relative_image_path(path: str, roots: Sequence[Path]) -> str:
    """``path`` relative to the data folder (``roots``: its path as given and resolved),
    with "/", or as it is when the file lies elsewhere."""
    for base in roots:
        try:
            return Path(path).relative_to(base).as_posix()
        except ValueError:
            continue
    return path


def absolute_image_path(path: str, root: Path) -> str:
    return path if Path(path).is_absolute() else str(root / path)


def _frame_from_row(row: Mapping[str, Any], root: Path) -> S.Frame:
    values = {k: row[k] for k in S.Frame.model_fields if k != "focus_box"}
    values["image_path"] = absolute_image_path(values["image_path"], root)
    box = row.get("focus_box")  # absent in stores made before the column was added
    values["focus_box"] = tuple(int(v) for v in box.split(",")) if box else None
    return S.Frame.model_validate(values)


def _turn_from_row(row: Mapping[str, Any]) -> S.ChatTurn:
    return S.ChatTurn(
        id=row["id"],
        conversation_id=row["conversation_id"],
        speaker=row["speaker"],
        text=row["text"],
        created_at=row["time"],
        image_caption=row["image_caption"],
        title=row.get("title"),
        cited_ids=json.loads(row["cited_ids"]) if row.get("cited_ids") else [],
    )


def _previous_turns(turns: Sequence[S.ChatTurn], earlier: Mapping[str, str]) -> dict[str, str]:
    """The text of the turn before each turn of the same conversation.

    ``earlier`` gives, per conversation, the last stored turn before this batch.
    """
    out: dict[str, str] = {}
    last: dict[str, str] = dict(earlier)
    for t in sorted(turns, key=lambda t: t.created_at):
        if t.conversation_id in last:
            out[t.id] = last[t.conversation_id]
        last[t.conversation_id] = t.search_text()
    return out
