"""Painting hidden windows over: only what is on screen, in painter's order, per monitor."""

from __future__ import annotations

import numpy as np

from mirix_desktop.config.settings import DEFAULT_EXCLUDED_APPS
from mirix_desktop.pipeline.capture.desktop import VisibleWindow
from mirix_desktop.pipeline.capture.mask import FILL, layout, paint
from mirix_desktop.pipeline.capture.privacy import PrivacyFilter


def _hides(window: VisibleWindow) -> bool:
    return PrivacyFilter(DEFAULT_EXCLUDED_APPS, []).hides(window, window.pid)


def test_a_window_above_a_hidden_one_stays_whole() -> None:
    windows = [
        VisibleWindow("keepassxc", "db.kdbx", (100, 100, 500, 400)),
        VisibleWindow("gedit", "notes", (300, 200, 700, 600), focused=True),
        VisibleWindow("panel", "", (0, 0, 800, 30), dock=True),
    ]
    plan = layout([windows], _hides, (0, 0), (800, 600))
    assert plan.hidden is not None
    assert plan.hidden[150, 150] and plan.hidden[399, 299]
    assert not plan.hidden[250, 350]  # gedit covers this part of the password manager
    assert plan.docks == [(0, 0, 800, 30)] and plan.focus == (300, 200, 700, 600)
    raw = np.full((600, 800, 4), 255, dtype=np.uint8).tobytes()
    painted = paint(raw, 800, 600, plan.hidden)
    assert tuple(painted[150, 150]) == FILL and tuple(painted[250, 350]) == (255, 255, 255, 255)


def test_own_windows_are_hidden_by_process_id_and_class_whatever_the_settings() -> None:
    import os

    privacy = PrivacyFilter([], [])
    assert privacy.hides(VisibleWindow("anything", "menu", (0, 0, 1, 1)), os.getpid())
    assert privacy.hides(VisibleWindow("mirix-desktop", "Mirix", (0, 0, 1, 1)), None)
    assert not privacy.hides(VisibleWindow("gedit", "notes", (0, 0, 1, 1)), os.getpid() + 1)


def test_monitors_see_their_own_part_and_an_area_hidden_before_or_after_the_grab() -> None:
    before = [VisibleWindow("keepassxc", "", (1900, 0, 2100, 100))]
    after = [VisibleWindow("keepassxc", "", (2000, 0, 2200, 100))]  # moved during the grab
    second = layout([before, after], _hides, (1920, 0), (1280, 720))
    assert second.hidden is not None
    assert second.hidden[50, 0] and second.hidden[50, 279] and not second.hidden[50, 281]
    assert layout([before], _hides, (0, 0), (1920, 1080)).hidden[50, 1919]
    assert layout([[]], _hides, (0, 0), (100, 100)).hidden is None


def test_a_dock_as_large_as_the_screen_is_not_ignored() -> None:
    windows = [
        VisibleWindow("desktop-icons", "", (0, 0, 800, 600), dock=True),
        VisibleWindow("panel", "", (0, 570, 800, 600), dock=True),
    ]
    assert layout([windows], _hides, (0, 0), (800, 600)).docks == [(0, 570, 800, 600)]


def test_the_gates_mask_is_the_full_mask_sampled() -> None:
    import random

    rnd = random.Random(5)
    for _ in range(50):
        windows = []
        for n in range(rnd.randrange(1, 6)):
            left, top = rnd.randrange(-50, 790), rnd.randrange(-50, 590)
            rect = (left, top, left + rnd.randrange(1, 400), top + rnd.randrange(1, 300))
            app = "keepassxc" if rnd.random() < 0.4 else f"app{n}"
            windows.append(VisibleWindow(app, "", rect))
        plan = layout([windows], _hides, (0, 0), (801, 601))
        for step in (1, 3, 4):
            sampled = plan.hidden_every(step)
            full = np.zeros((601, 801), bool) if plan.hidden is None else plan.hidden
            if sampled is None:  # nothing hidden where the gate samples
                assert not full[::step, ::step].any()
            else:
                assert (sampled == full[::step, ::step]).all()
