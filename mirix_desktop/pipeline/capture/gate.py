"""The change gate: is this frame different enough from the last stored one to keep?

The score is computed on a sparse sample of the frame's pixels (every
``step``-th pixel of every ``step``-th row, green channel), taken straight from
the raw screen buffer, so a still screen costs well under a millisecond and no
image is built for a frame that is skipped. The score is the share of samples
whose brightness moved by more than ``pixel_delta`` since the last kept frame;
a frame at or under ``threshold`` is skipped, except that a keyframe is forced
after ``keyframe_s`` seconds of skips. The bounding box of the moved samples,
padded, tells OCR where to look.

What is not content does not count: changes inside the ``ignore`` boxes given
with a frame (panels, docks, tray hosts and their clocks), a change smaller than
``min_changed_px`` pixels in all, and a blinking text cursor (every moved
sample within one thin upright strip). Such changes are not forgotten either:
the comparison is always with the last kept frame, so small changes that add up
(typing, say) keep a frame once they are large enough.
"""

from __future__ import annotations

from collections.abc import Sequence
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


def samples_from_bgra(raw: bytes | bytearray, width: int, height: int, step: int) -> np.ndarray:
    """The gate's samples of a BGRA screen buffer (as mss returns it)."""
    pixels = np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 4)
    return pixels[::step, ::step, 1].astype(np.int16)


def samples_from_image(image: Image.Image, step: int) -> np.ndarray:
    return np.asarray(image.convert("RGB"), dtype=np.uint8)[::step, ::step, 1].astype(np.int16)


class ChangeGate:
    def __init__(
        self,
        *,
        threshold: float = 0.00005,
        pixel_delta: int = 12,
        keyframe_s: float = 600.0,
        step: int = 4,
        pad_px: int = 16,
        min_changed_px: int = 200,
        caret_px: int = 8,
    ) -> None:
        self.threshold = threshold
        self.pixel_delta = pixel_delta
        self.keyframe_s = keyframe_s
        self.step = step
        self.pad_px = pad_px
        self.min_changed_px = min_changed_px
        self.caret_px = caret_px
        self._last: np.ndarray | None = None
        self._last_kept_at: float | None = None
        self._size: tuple[int, int] | None = None

    def check(self, image: Image.Image, at: float, ignore: Sequence[Box] = ()) -> GateDecision:
        """Decide on one frame taken at time ``at`` (seconds); remembers kept frames only."""
        return self.check_samples(samples_from_image(image, self.step), image.size, at, ignore)

    def check_samples(
        self, samples: np.ndarray, size: tuple[int, int], at: float, ignore: Sequence[Box] = ()
    ) -> GateDecision:
        """Decide on a frame's samples; changes inside the ``ignore`` boxes do not count."""
        if self._last is None or self._size != size:
            self._size = size
            return self._keep(samples, at, 1.0, None, keyframe=True)
        moved = np.abs(samples - self._last) > self.pixel_delta
        s = self.step
        for left, top, right, bottom in ignore:
            moved[top // s : -(-bottom // s), left // s : -(-right // s)] = False
        score = float(moved.mean())
        if score > self.threshold and self._is_content(moved):
            return self._keep(samples, at, score, self._box(moved, size), keyframe=False)
        assert self._last_kept_at is not None
        if at - self._last_kept_at >= self.keyframe_s:
            return self._keep(samples, at, score, None, keyframe=True)
        return GateDecision(keep=False, score=score, changed_box=None, keyframe=False)

    def _is_content(self, moved: np.ndarray) -> bool:
        """Large enough, and not just a blinking caret."""
        count = int(moved.sum())
        if count * self.step * self.step < self.min_changed_px:
            return False
        cols = np.flatnonzero(moved.any(axis=0))
        return bool((int(cols[-1]) - int(cols[0]) + 1) * self.step > self.caret_px)

    def _keep(
        self, samples: np.ndarray, at: float, score: float, box: Box | None, *, keyframe: bool
    ) -> GateDecision:
        self._last = samples
        self._last_kept_at = at
        return GateDecision(keep=True, score=score, changed_box=box, keyframe=keyframe)

    def _box(self, moved: np.ndarray, size: tuple[int, int]) -> Box:
        rows = np.flatnonzero(moved.any(axis=1))
        cols = np.flatnonzero(moved.any(axis=0))
        width, height = size
        s, p = self.step, self.pad_px
        return (
            max(0, int(cols[0]) * s - p),
            max(0, int(rows[0]) * s - p),
            min(width, (int(cols[-1]) + 1) * s + p),
            min(height, (int(rows[-1]) + 1) * s + p),
        )
