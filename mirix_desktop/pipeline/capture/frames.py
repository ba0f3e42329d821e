"""Frames on disk and in the store: image files named by content hash, one row each."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import Image

from agents.embeddings import ImageEmbedder, Lazy
from agents.ids import frame_id
from agents.privacy import sealed
from agents.store import Frame, MemoryStore
from agents.store.timeutil import as_utc

WEBP_MAX_SIDE = 16383  # the format's limit
JPEG_MAX_SIDE = 65500


def encode(image: Image.Image, fmt: str, quality: int) -> bytes:
    """WebP (method 0, the fast setting) or JPEG bytes of an RGB image; an image larger
    than the format allows is scaled down to fit."""
    buf = io.BytesIO()
    rgb = image.convert("RGB")
    limit = WEBP_MAX_SIDE if fmt == "webp" else JPEG_MAX_SIDE
    if max(rgb.size) > limit:
        rgb.thumbnail((limit, limit))
    if fmt == "webp":
        rgb.save(buf, "WEBP", quality=quality, method=0)
    else:
        rgb.save(buf, "JPEG", quality=quality, optimize=False)
    return buf.getvalue()


class FrameStore:
    """Writes each frame's image file atomically, then its row (with a CLIP vector if possible)."""

    def __init__(
        self,
        frames_dir: Path,
        store: MemoryStore,
        *,
        image_format: str = "webp",
        quality: int = 80,
        clip: Lazy[ImageEmbedder] | None = None,
    ) -> None:
        self.frames_dir = frames_dir
        self.store = store
        self.image_format = image_format
        self.quality = quality
        self.clip = clip

    def save(
        self,
        image: Image.Image,
        *,
        captured_at: datetime,
        monitor: int = 0,
        app: str = "unknown",
        window_title: str = "",
        ocr_text: str = "",
        source_path: str | None = None,
        focus_box: tuple[int, int, int, int] | None = None,
        before_row: Callable[[Frame], None] | None = None,
    ) -> Frame:
        """Write the image file, call ``before_row`` (the caller queues the frame there, so a
        crash before the row is written loses nothing), then write the row."""
        data = encode(image, self.image_format, self.quality)
        digest = hashlib.sha256(data).hexdigest()
        when = as_utc(captured_at)
        suffix = "webp" if self.image_format == "webp" else "jpg"
        path = self.frames_dir / f"{when:%Y/%m/%d}" / f"{digest[:32]}.{suffix}"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            try:
                with open(tmp, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, path)
            finally:  # nothing half-written stays (a full disk, say)
                tmp.unlink(missing_ok=True)
        # The title travels in the inbox before the row is written (and sealed): it
        # goes there with its high values masked already.
        window_title = sealed(window_title)
        frame = Frame(
            id=frame_id(digest),
            captured_at=when,
            monitor=monitor,
            app=app,
            window_title=window_title,
            image_path=str(path),
            width=image.width,
            height=image.height,
            size_bytes=len(data),
            ocr_text=ocr_text,
            source_path=source_path,
            focus_box=focus_box,
        )
        if before_row is not None:
            before_row(frame)
        vector: Any = None
        embedder = self.clip.get() if self.clip is not None else None
        if embedder is not None:
            vector = embedder.embed_images([image])[0].tolist()
        self.store.add_frame(frame, clip_vector=vector)
        return frame
