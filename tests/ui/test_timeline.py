"""The timeline shows a day's frames, filtered by app; a click opens the full screenshot."""

from __future__ import annotations

from datetime import date

from mirix_desktop.ui.timeline import ALL_APPS, TimelinePage
from mirix_desktop.ui.viewers import FrameViewer
from tests.ui.helpers import frame_at, local


def _frames(ctx) -> dict[str, str]:
    return {
        "booking": frame_at(ctx, local(2026, 3, 2, 9, 0), "firefox", "Booking LX 318", "Flights"),
        "code": frame_at(ctx, local(2026, 3, 2, 9, 5), "code", "def absorb(batch):", "absorb.py"),
        "mail": frame_at(ctx, local(2026, 3, 2, 9, 9), "firefox", "Inbox (3)", "Mail"),
        "next": frame_at(ctx, local(2026, 3, 3, 10, 0), "firefox", "Weather Lisbon", "Weather"),
    }


def _page(qtbot, backend, tasks) -> TimelinePage:
    page = TimelinePage(backend, tasks)
    qtbot.addWidget(page)
    return page


def test_shows_a_days_frames_in_time_order_and_filters_by_app(qtbot, ctx, backend, tasks) -> None:
    ids = _frames(ctx)
    page = _page(qtbot, backend, tasks)
    with qtbot.waitSignal(page.thumbnails_loaded, timeout=10_000):
        page.show_day(date(2026, 3, 2))
    assert [f.id for f in page.shown_frames()] == [ids["booking"], ids["code"], ids["mail"]]
    assert [page.app_combo.itemText(i) for i in range(page.app_combo.count())] == [
        ALL_APPS,
        "code",
        "firefox",
    ]
    assert page.count.text() == "3 screenshots"
    assert all(page.has_thumbnail(i) for i in range(page.list.count()))
    assert page.list.item(0).text().startswith("09:00:00 · firefox")

    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.set_app("firefox")
    assert [f.id for f in page.shown_frames()] == [ids["booking"], ids["mail"]]
    assert page.app_combo.currentText() == "firefox"

    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.next_button.click()  # the next day, same app
    assert page.day == date(2026, 3, 3)
    assert [f.id for f in page.shown_frames()] == [ids["next"]]

    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.show_day(date(2026, 3, 4))
    assert page.shown_frames() == []
    assert page.empty.isVisibleTo(page)


def test_opens_on_the_last_day_with_frames(qtbot, ctx, backend, tasks) -> None:
    ids = _frames(ctx)
    page = _page(qtbot, backend, tasks)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.show()
    assert page.day == date(2026, 3, 3)
    assert [f.id for f in page.shown_frames()] == [ids["next"]]


def test_a_click_opens_the_screenshot_with_time_app_title_and_text(
    qtbot, ctx, backend, tasks
) -> None:
    _frames(ctx)
    page = _page(qtbot, backend, tasks)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.show_day(date(2026, 3, 2))
    viewer = page.open_item(page.list.item(0))
    assert isinstance(viewer, FrameViewer)
    qtbot.addWidget(viewer)
    qtbot.waitSignal(viewer.loaded, timeout=10_000).wait()
    header = viewer.header.text()
    assert "2026-03-02 09:00:00" in header and "firefox" in header and "Flights" in header
    assert viewer.ocr.toPlainText() == "Booking LX 318"
    assert viewer._pixmap is not None and viewer._pixmap.width() == 320


def test_frame_viewer_says_when_the_file_is_gone(qtbot, ctx, backend, tasks) -> None:
    ids = _frames(ctx)
    frame = ctx.store.frame(ids["code"])
    from pathlib import Path

    Path(frame.image_path).unlink()
    viewer = FrameViewer(backend, tasks, ids["code"])
    qtbot.addWidget(viewer)
    qtbot.waitSignal(viewer.loaded, timeout=10_000).wait()
    assert "no longer on disk" in viewer.image.text()
    assert viewer.ocr.toPlainText() == "def absorb(batch):"


def test_thumbnails_load_for_what_is_on_screen(qtbot, ctx, backend, tasks) -> None:
    """A day with many screenshots: only those on screen (and near) are read and kept."""
    from datetime import timedelta

    start = local(2026, 3, 2, 9, 0)
    for i in range(150):
        frame_at(ctx, start + timedelta(minutes=i), "firefox", f"Page {i}", "Reading")
    page = _page(qtbot, backend, tasks)
    page.resize(700, 500)
    page.show()
    qtbot.waitExposed(page)
    with qtbot.waitSignal(page.thumbnails_loaded, timeout=20_000):
        page.show_day(date(2026, 3, 2))
    shown = {row for row in range(page.list.count()) if page.has_thumbnail(row)}
    assert 0 in shown and 10 < len(shown) < 100
    assert 149 not in shown

    with qtbot.waitSignal(page.thumbnails_loaded, timeout=20_000):
        page.list.scrollToBottom()
    shown = {row for row in range(page.list.count()) if page.has_thumbnail(row)}
    assert 149 in shown and 0 in shown  # near enough to be kept
