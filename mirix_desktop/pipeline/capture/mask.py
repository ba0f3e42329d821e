"""Painting hidden windows over in a raw screen buffer, and what the gate should not look at.

The visible windows are laid bottom to top on the monitor (painter's order): a
hidden window (excluded, or this program's own) marks its area, and any window
above it unmarks what it covers, so only the parts of a hidden window that are
really on screen are painted, and a document in front of it stays whole.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from mirix_desktop.pipeline.capture.desktop import VisibleWindow
from mirix_desktop.pipeline.capture.gate import Box

FILL = (96, 96, 96, 255)  # BGRA: a flat grey, nothing left to read


def _local(rect: Box, origin: tuple[int, int], size: tuple[int, int]) -> Box | None:
    """``rect`` (screen pixels) in the monitor's pixels, clipped; None when off it."""
    left, top = max(rect[0] - origin[0], 0), max(rect[1] - origin[1], 0)
    right, bottom = min(rect[2] - origin[0], size[0]), min(rect[3] - origin[1], size[1])
    if right <= left or bottom <= top:
        return None
    return (left, top, right, bottom)


Placed = tuple[Box, bool]  # a window's box on the monitor, and whether it is hidden


def _marks(windows: Sequence[Placed], size: tuple[int, int], step: int) -> np.ndarray | None:
    """Where hidden windows show, on every ``step``-th pixel of every ``step``-th row
    (painter's order: a window above unmarks what it covers); None when none is hidden."""
    if not any(hides for _, hides in windows):
        return None
    marks = np.zeros((-(-size[1] // step), -(-size[0] // step)), dtype=bool)
    for (left, top, right, bottom), hides in windows:
        cells = np.s_[-(-top // step) : -(-bottom // step), -(-left // step) : -(-right // step)]
        marks[cells] = hides
    return marks


@dataclass(frozen=True)
class Layout:
    """What one monitor shows, in that monitor's pixels."""

    placed: tuple[tuple[Placed, ...], ...]  # each window list, bottom to top
    size: tuple[int, int]
    docks: list[Box]  # panels, docks and tray hosts (at most a quarter of the monitor each):
    # the gate ignores changes there
    focus: Box | None  # the focused window's rectangle, where it lies on this monitor

    def hidden_every(self, step: int) -> np.ndarray | None:
        """True where a hidden window shows, in any of the lists, on every ``step``-th
        pixel of every ``step``-th row (the gate's samples: a mask 16 times smaller than
        the screen for each round, the full one only for a frame that is kept)."""
        out: np.ndarray | None = None
        for windows in self.placed:
            marks = _marks(windows, self.size, step)
            if marks is not None:
                out = marks if out is None else out | marks
        return out if out is not None and out.any() else None

    @cached_property
    def hidden(self) -> np.ndarray | None:
        """True where a hidden window shows; None: nothing to hide."""
        return self.hidden_every(1)


def layout(
    snapshots: Sequence[Sequence[VisibleWindow]],
    hides: Callable[[VisibleWindow], bool],
    origin: tuple[int, int],
    size: tuple[int, int],
) -> Layout:
    """The layout of one monitor from one or more window lists (say, before and after the
    grab: an area hidden in any of them is painted)."""
    placed = []
    for windows in snapshots:
        boxes = [(_local(w.rect, origin, size), w) for w in windows]
        placed.append(tuple((box, hides(w)) for box, w in boxes if box is not None))
    docks: list[Box] = []
    focus: Box | None = None
    last = snapshots[-1] if snapshots else []
    for window in last:
        box = _local(window.rect, origin, size)
        if box is None:
            continue
        area = (box[2] - box[0]) * (box[3] - box[1])
        if window.dock and area <= size[0] * size[1] // 4:  # a panel, not a whole screen
            docks.append(box)
        if window.focused and not hides(window):
            focus = box
    return Layout(placed=tuple(placed), size=size, docks=docks, focus=focus)


def paint(raw: bytes | np.ndarray, width: int, height: int, hidden: np.ndarray) -> np.ndarray:
    """A copy of a BGRA buffer with the hidden area painted flat."""
    pixels = np.frombuffer(raw, dtype=np.uint32).reshape(height, width).copy()
    np.copyto(pixels, np.frombuffer(bytes(FILL), dtype=np.uint32)[0], where=hidden)
    return pixels.view(np.uint8).reshape(height, width, 4)


def hide_samples(samples: np.ndarray, hidden: np.ndarray) -> None:
    """Paint the gate's samples (green channel, every ``step``-th pixel) with the mask
    at the same step (:meth:`Layout.hidden_every`) the way :func:`paint` paints the frame,
    so that the full copy is made only for a kept frame."""
    samples[hidden] = FILL[1]
