"""Time per app per day, from frames, drawn as a stacked bar chart."""

from __future__ import annotations

from datetime import date

import pytest

from mirix_desktop.services.timeline import app_durations
from mirix_desktop.ui.activity import OTHER, ActivityPage, chart_data
from tests.ui.helpers import frame_at, local


def test_each_frame_counts_until_the_next_one_capped() -> None:
    frames = [
        (local(2026, 3, 2, 9, 0), "firefox"),
        (local(2026, 3, 2, 9, 0), "firefox"),  # a second monitor, same moment
        (local(2026, 3, 2, 9, 2), "code"),
        (local(2026, 3, 2, 9, 3), "firefox"),
        (local(2026, 3, 2, 11, 0), "code"),  # two hours later: the gap is capped
        (local(2026, 3, 3, 8, 0), "firefox"),
    ]
    durations = app_durations(frames, cap_s=300, last_s=30)
    assert durations == {
        date(2026, 3, 2): {"firefox": 120 + 300, "code": 60 + 300},
        date(2026, 3, 3): {"firefox": 30},
    }


def test_chart_data_keeps_the_top_apps_and_groups_the_rest() -> None:
    durations = {
        date(2026, 3, 2): {f"app{i}": float(100 - i) for i in range(10)},
        date(2026, 3, 3): {"app0": 50.0},
    }
    days, apps, values = chart_data(durations, top=3)
    assert days == [date(2026, 3, 2), date(2026, 3, 3)]
    assert apps == ["app0", "app1", "app2", OTHER]
    assert values["app0"] == [100.0, 50.0]
    assert values[OTHER] == [sum(100.0 - i for i in range(3, 10)), 0.0]


def test_the_chart_shows_minutes_per_app_per_day(qtbot, ctx, backend, tasks) -> None:
    frame_at(ctx, local(2026, 3, 2, 9, 0), "firefox", "Flights")
    frame_at(ctx, local(2026, 3, 2, 9, 4), "code", "absorb.py")
    frame_at(ctx, local(2026, 3, 2, 9, 6), "firefox", "Mail")
    frame_at(ctx, local(2026, 3, 3, 14, 0), "code", "tests")
    frame_at(ctx, local(2026, 3, 3, 14, 3), "code", "tests again")
    page = ActivityPage(backend, tasks)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.refresh(today=date(2026, 3, 3))
    assert page.days() == 7
    # 9:06 counts until the next frame (next day) capped at 5 minutes; the last frame 30 s.
    assert page.durations[date(2026, 3, 2)] == {"firefox": 240 + 300, "code": 120}
    assert page.durations[date(2026, 3, 3)] == {"code": 180 + 30}
    bars = page.bar_values()
    assert set(bars) == {"firefox", "code"}
    # Seven days, the last two with activity; in minutes.
    assert bars["firefox"][-2:] == pytest.approx([9.0, 0.0])
    assert bars["code"][-2:] == pytest.approx([2.0, 3.5])
    assert sum(bars["code"][:-2]) == 0
    assert page.chart.axes()[1].titleText() == "minutes"
    assert "code 6 min" in page.summary.text()
