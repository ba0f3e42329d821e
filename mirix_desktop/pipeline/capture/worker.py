"""The OCR worker: reads text off stored frames, off the capture thread, at low priority.

Capture puts an ``ocr`` item in the inbox for each stored frame. The worker reads
the changed region (the whole frame for a keyframe), keeps the previous frame's
lines outside it, records the text (and a CLIP vector where a model is
available), then hands the frame to absorption as a ``frame`` item. A backlog
only grows the inbox; capture never waits for it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image

from agents.embeddings import ImageEmbedder, Lazy
from agents.errors import NotFound
from agents.store import Frame, MemoryStore
from agents.threadname import name_os_thread
from mirix_desktop.pipeline.capture.ocr import Ocr, OcrLine, focused_text, merge, widen
from mirix_desktop.pipeline.capture.paint import boxes_to_paint, paint_stored
from mirix_desktop.pipeline.inbox import OCR_KIND, Inbox

log = logging.getLogger(__name__)
PAUSE_AFTER_ERROR_S = 30.0  # the worker waits this long after a failure of its own (inbox)


REPAINT_JOB = "repaint_sealed_frames"


def queue_repaints(store: MemoryStore, inbox: Inbox) -> int:
    """Once per inbox: queue every frame whose text holds a sealed value to have its
    stored image painted (frames stored before painting existed); returns how many."""
    if inbox.job_done(REPAINT_JOB):
        return 0
    ids = store.sealed_frame_ids()
    queued = inbox.put_many(
        OCR_KIND, [(f"repaint:{fid}", {"frame_id": fid, "repaint": True}) for fid in ids]
    )
    inbox.mark_job_done(REPAINT_JOB)  # after the items are in: a crash before queues again
    return queued


def queue_for_ocr(inbox: Inbox, changed_box: Any) -> Callable[[Frame], None]:
    """A ``before_row`` callback for :meth:`FrameStore.save` that queues the frame for OCR."""

    def queue(frame: Frame) -> None:
        inbox.queue_ocr(frame.id, changed_box, frame)

    return queue


class OcrWorker:
    def __init__(
        self,
        store: MemoryStore,
        inbox: Inbox,
        ocr: Ocr,
        *,
        clip: Lazy[ImageEmbedder] | None = None,
    ) -> None:
        self.store = store
        self.inbox = inbox
        self.ocr = ocr
        self.clip = clip
        self._previous: dict[int, list[OcrLine]] = {}  # last lines per monitor
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self, limit: int = 4) -> int:
        """Process up to ``limit`` waiting frames; returns how many were done."""
        items = self.inbox.take(limit, kinds=[OCR_KIND])
        for number, item in enumerate(items):
            if self._stop.is_set():
                self.inbox.release([i.id for i in items[number:]])
                return number
            try:
                self._process(item.payload)
                self.inbox.done([item.id])
            except NotFound:
                self.inbox.done([item.id])  # the frame was forgotten meanwhile
            except Exception as exc:  # noqa: BLE001 - an OCR engine's error belongs to this frame
                self.inbox.fail([item.id], f"OCR failed: {type(exc).__name__}: {exc}")
        return len(items)

    def _repaint(self, frame_id: str) -> None:
        frame = self.store.frame(frame_id)
        path = Path(frame.image_path)
        if not path.is_file():
            return  # gone with retention or forget: nothing left to paint
        with Image.open(path) as img:
            image = img.convert("RGB")
        boxes = boxes_to_paint(self.ocr.read(image))
        if boxes:
            paint_stored(path, image, boxes)

    def _process(self, payload: dict[str, Any]) -> None:
        frame_id = str(payload["frame_id"])
        if payload.get("repaint"):
            self._repaint(frame_id)
            return
        try:
            frame = self.store.frame(frame_id)
        except NotFound:
            saved = payload.get("frame")
            if saved is None or not Path(saved["image_path"]).is_file():
                raise
            frame = Frame.model_validate(saved)  # queued, then the program died: store it now
            self.store.add_frame(frame)
        with Image.open(frame.image_path) as img:
            image = img.convert("RGB")
        box = payload.get("changed_box")
        previous = self._previous.get(frame.monitor)
        if box is None or previous is None:
            lines = self.ocr.read(image)
        else:
            region = widen(
                (int(box[0]), int(box[1]), int(box[2]), int(box[3])), previous, image.size
            )
            lines = merge(previous, self.ocr.read(image, region), region)
        self._previous[frame.monitor] = lines
        boxes = boxes_to_paint(lines)
        if boxes:  # before the text is stored and before CLIP sees the pixels
            image = paint_stored(Path(frame.image_path), image, boxes)
        vector = None
        embedder = self.clip.get() if self.clip is not None else None
        if embedder is not None:
            vector = embedder.embed_images([image])[0].tolist()
        text = focused_text(lines, frame.focus_box)
        self.store.set_frame_text(frame_id, text, clip_vector=vector)
        self.inbox.queue_read_frame(frame_id, frame.app)

    def drain(self) -> int:
        queue_repaints(self.store, self.inbox)
        done = 0
        while count := self.run_once():
            done += count
        return done

    def start(self, idle_s: float = 0.5) -> None:
        def loop() -> None:
            name_os_thread()
            try:
                queue_repaints(self.store, self.inbox)
            except Exception:  # noqa: BLE001 - the capture goes on; the next start tries again
                log.exception("could not queue the frames to repaint")
            if hasattr(os, "setpriority"):  # Linux: a thread is a task with its own niceness
                try:
                    os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
                except OSError:
                    log.debug("could not lower the OCR thread's priority")
            while not self._stop.is_set():
                try:
                    read = self.run_once()
                except Exception as exc:  # noqa: BLE001 - a full disk, say: wait, then go on
                    log.warning("reading frames stopped for a while: %s", exc)
                    self._stop.wait(PAUSE_AFTER_ERROR_S)
                    continue
                if not read:
                    self._stop.wait(idle_s)

        self._thread = threading.Thread(target=loop, name="ocr-worker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        self._stop.clear()  # drain() may still run in the caller's thread
