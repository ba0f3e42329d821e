"""The assistant behind ``ask`` and the chat window: the chat agent plus its bookkeeping.

Every question and answer is saved as a chat turn and queued in the inbox, so
conversations become memories too.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from agents.answer.chat import Answer, ChatAgent
from agents.answer.terms import Segmenter
from agents.ids import CONVERSATION_PREFIX
from agents.llm import LLMClient
from agents.store import ChatTurn, MemoryStore, SearchOptions
from agents.store import schema as S
from agents.store.health import is_damage
from agents.store.timeutil import now
from mirix_desktop.pipeline.capture.ocr import OcrLine, as_text
from mirix_desktop.pipeline.capture.ocr_engines import EngineChoice
from mirix_desktop.pipeline.inbox import Inbox, store_turns

log = logging.getLogger(__name__)
HISTORY_TURNS = 8


def new_conversation_id() -> str:
    return f"{CONVERSATION_PREFIX}_{uuid.uuid4().hex[:16]}"


class Assistant:
    def __init__(
        self,
        store: MemoryStore,
        inbox: Inbox,
        llm: LLMClient | None,
        *,
        options: SearchOptions,
        segmenter: Segmenter = "jieba",
        ocr_engine: EngineChoice = "auto",
    ) -> None:
        """The chat agent over ``store`` with the chat model ``llm`` (None: offline),
        searching with ``options`` (their ``as_of``: the reference time for what questions
        say relative to now); turns are queued in ``inbox``; a screenshot asked about is
        read with ``ocr_engine``. ``Context.assistant()`` builds it from the settings."""
        self.store, self.inbox, self.llm = store, inbox, llm
        self.ocr_engine: EngineChoice = ocr_engine
        self.agent = ChatAgent(store, llm, options=options, segmenter=segmenter)

    @property
    def offline(self) -> bool:
        return self.llm is None

    def ask(
        self,
        question: str,
        *,
        conversation_id: str | None = None,
        image_path: str | Path | None = None,
        on_token: Callable[[str], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        save: bool = True,
    ) -> Answer:
        """Answer ``question`` in a conversation (a new one when None) and save both turns
        (unless ``save`` is False: then the answer's ``conversation_id`` stays empty).

        ``image_path`` is a screenshot to ask about: sent as an image to a model that
        can see, read by OCR otherwise. Raises InvalidInput or ModelUnavailable.
        """
        conversation = conversation_id or new_conversation_id()
        store = self.store
        damaged: Exception | None = None
        try:
            earlier = store.conversation(conversation, limit=HISTORY_TURNS)
        except Exception as exc:
            if not is_damage(exc):
                raise
            earlier, damaged = [], exc
        history = [
            {"role": "assistant" if t.speaker == "assistant" else "user", "content": t.text}
            for t in earlier
        ]
        screen_text = None
        send: Path | None = None
        vision = self.llm is not None and self.llm.endpoint.vision
        if image_path is not None:
            lines = self._read(Path(image_path))
            if vision and lines is not None:
                send = self._painted(Path(image_path), lines)
            elif lines is not None:
                screen_text = as_text(lines)
        asked_at = now()
        try:
            answer = self.agent.ask(
                question,
                history=history,
                image_path=str(send) if send is not None else None,
                screen_text=screen_text,
                on_token=on_token,
                should_stop=should_stop,
            )
        finally:
            if send is not None:
                send.unlink(missing_ok=True)
        if not save:
            return answer  # its conversation_id stays empty: nothing was saved
        if damaged is None:
            try:
                self._save(conversation, question, answer, asked_at)
            except Exception as exc:
                if not is_damage(exc):
                    raise
                damaged = exc
        if damaged is not None and not store.damaged:  # the answer stands; one warning
            store.note_damage(S.TABLE[S.RecordType.CHAT], damaged)  # names the table
        answer.conversation_id = conversation
        return answer

    def _read(self, path: Path) -> list[OcrLine] | None:
        """The screenshot's lines, or None when it cannot be read (then neither its
        image nor its text is sent: what it shows could not be checked)."""
        from PIL import Image

        from mirix_desktop.pipeline.capture.ocr import Ocr

        try:
            with Image.open(path) as image:
                return Ocr(self.ocr_engine).read(image.convert("RGB"))
        except Exception as exc:  # noqa: BLE001 - OCR is best effort: the question still goes
            log.warning("cannot read the screenshot %s: %s", path, exc)
            return None

    @staticmethod
    def _painted(path: Path, lines: list[OcrLine]) -> Path:
        """A copy of the screenshot with the lines that show a high value painted over:
        what a vision model is sent."""
        from PIL import Image

        from mirix_desktop.pipeline.capture.paint import boxes_to_paint, paint

        out = path.with_name(f"{path.stem}.sent.png")
        with Image.open(path) as image:
            paint(image, boxes_to_paint(lines)).save(out, "PNG")
        return out

    def _save(self, conversation: str, question: str, answer: Answer, asked: datetime) -> None:
        stamp = now()
        turns = [
            ChatTurn(
                id=f"turn_{uuid.uuid4().hex}",
                conversation_id=conversation,
                speaker="user",
                text=question,
                created_at=asked,
            ),
        ]
        if answer.answer.strip():
            turns.append(
                ChatTurn(
                    id=f"turn_{uuid.uuid4().hex}",
                    conversation_id=conversation,
                    speaker="assistant",
                    text=answer.answer,
                    cited_ids=[c.id for c in answer.citations],
                    created_at=max(stamp, turns[0].created_at + timedelta(milliseconds=1)),
                )
            )
        store_turns(self.store, self.inbox, turns)
