"""Painting hidden windows over in a raw screen buffer, and what the gate should not look at.

The visible windows are laid bottom to top on the monitor (painter's order): a
hidden window (excluded, or this program's own) marks its area, and any window
above it unmarks what it covers, so only the parts of a hidden window that are
really on screen are painted, and a document in front of it stays whole.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from mirix_desktop.pipeline.capture.desktop import VisibleWindow
from mirix_desktop.pipeline.capture.gate import Box

FILL = (96, 96, 96, 255)  # BGRA: a flat grey, nothing left to read


@dataclass(frozen=True)
class Layout:
    """What one monitor shows, in that monitor's pixels."""

    hidden: np.ndarray | None  # True where a hidden window shows; None: nothing to hide
    docks: list[Box]  # panels, docks and tray hosts (at most a quarter of the monitor each):
    # the gate ignores changes there
    focus: Box | None  # the focused window's rectangle, where it lies on this monitor


def _local(rect: Box, origin: tuple[int, int], size: tuple[int, int]) -> Box | None:
    """``rect`` (screen pixels) in the monitor's pixels, clipped; None when off it."""
    left, top = max(rect[0] - origin[0], 0), max(rect[1] - origin[1], 0)
    right, bottom = min(rect[2] - origin[0], size[0]), min(rect[3] - origin[1], size[1])
    if right <= left or bottom <= top:
        return None
    return (left, top, right, bottom)


def layout(
    snapshots: Sequence[Sequence[VisibleWindow]],
    hides: Callable[[VisibleWindow], bool],
    origin: tuple[int, int],
    size: tuple[int, int],
) -> Layout:
    """The layout of one monitor from one or more window lists (say, before and after the
    grab: an area hidden in any of them is painted)."""
    hidden: np.ndarray | None = None
    docks: list[Box] = []
    focus: Box | None = None
    for windows in snapshots:
        marks: np.ndarray | None = None
        for window in windows:
            box = _local(window.rect, origin, size)
            if box is None:
                continue
            cells = np.s_[box[1] : box[3], box[0] : box[2]]
            if hides(window):
                if marks is None:
                    marks = np.zeros((size[1], size[0]), dtype=bool)
                marks[cells] = True
            elif marks is not None:
                marks[cells] = False
        if marks is not None:
            hidden = marks if hidden is None else hidden | marks
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
    if hidden is not None and not hidden.any():
        hidden = None
    return Layout(hidden=hidden, docks=docks, focus=focus)


def paint(raw: bytes | np.ndarray, width: int, height: int, hidden: np.ndarray) -> np.ndarray:
    """A copy of a BGRA buffer with the hidden area painted flat."""
    pixels = np.frombuffer(raw, dtype=np.uint32).reshape(height, width).copy()
    np.copyto(pixels, np.frombuffer(bytes(FILL), dtype=np.uint32)[0], where=hidden)
    return pixels.view(np.uint8).reshape(height, width, 4)


def hide_samples(samples: np.ndarray, hidden: np.ndarray, step: int) -> None:
    """Paint the gate's samples (green channel, every ``step``-th pixel) the way
    :func:`paint` paints the frame, so that the full copy is made only for a kept frame."""
    samples[hidden[::step, ::step]] = FILL[1]
