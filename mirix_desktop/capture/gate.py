"""The change gate: is this frame different enough from the last stored one to keep?

The score is computed on a small greyscale copy (cheap: a few milliseconds for
a 1080p frame): the share of cells whose brightness moved by more than
``pixel_delta``. A frame at or under ``threshold`` is skipped, except that a
keyframe is forced after ``keyframe_s`` seconds of skips. The bounding box of
the changed cells, scaled back to the frame, tells OCR where to look.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

Box = tuple[int, int, int, int]  # left, top, right, bottom in frame pixels


@dataclass(frozen=True)
class GateDecision:
    keep: bool
    score: float
    changed_box: Box | None  # None: the whole frame (first frame or keyframe)
    keyframe: bool


class ChangeGate:
    def __init__(
        self,
        *,
        threshold: float = 0.002,
        pixel_delta: int = 12,
        keyframe_s: float = 600.0,
        grid: tuple[int, int] = (192, 108),
        pad_cells: int = 2,
    ) -> None:
        self.threshold = threshold
        self.pixel_delta = pixel_delta
        self.keyframe_s = keyframe_s
        self.grid = grid
        self.pad_cells = pad_cells
        self._last: np.ndarray | None = None
        self._last_kept_at: float | None = None
        self._size: tuple[int, int] | None = None

    @staticmethod
    def thumbnail(image: Image.Image, grid: tuple[int, int]) -> np.ndarray:
        small = image.convert("L").resize(grid, Image.Resampling.BILINEAR)
        return np.asarray(small, dtype=np.int16)

    def check(self, image: Image.Image, at: float) -> GateDecision:
        """Decide on one frame taken at time ``at`` (seconds); remembers kept frames only."""
        thumb = self.thumbnail(image, self.grid)
        if self._last is None or self._size != image.size:
            self._size = image.size
            return self._keep(thumb, at, 1.0, None, keyframe=True)
        moved = np.abs(thumb - self._last) > self.pixel_delta
        score = float(moved.mean())
        if score > self.threshold:
            return self._keep(thumb, at, score, self._box(moved, image.size), keyframe=False)
        assert self._last_kept_at is not None
        if at - self._last_kept_at >= self.keyframe_s:
            return self._keep(thumb, at, score, None, keyframe=True)
        return GateDecision(keep=False, score=score, changed_box=None, keyframe=False)

    def _keep(
        self, thumb: np.ndarray, at: float, score: float, box: Box | None, *, keyframe: bool
    ) -> GateDecision:
        self._last = thumb
        self._last_kept_at = at
        return GateDecision(keep=True, score=score, changed_box=box, keyframe=keyframe)

    def _box(self, moved: np.ndarray, size: tuple[int, int]) -> Box:
        rows = np.flatnonzero(moved.any(axis=1))
        cols = np.flatnonzero(moved.any(axis=0))
        gh, gw = moved.shape
        width, height = size
        p = self.pad_cells
        left = max(0, int(cols[0]) - p) * width // gw
        right = min(gw, int(cols[-1]) + 1 + p) * width // gw
        top = max(0, int(rows[0]) - p) * height // gh
        bottom = min(gh, int(rows[-1]) + 1 + p) * height // gh
        return (left, top, right, bottom)
