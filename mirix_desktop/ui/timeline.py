"""The timeline: screenshot thumbnails of one day in time order, filtered by app."""

from __future__ import annotations

import bisect
from datetime import date

from PySide6.QtCore import QDate, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from agents.store import Frame
from mirix_desktop.services.backend import Backend
from mirix_desktop.services.timeline import Timeline
from mirix_desktop.ui.common import load_image, shortened
from mirix_desktop.ui.tasks import Tasks, describe
from mirix_desktop.ui.viewers import FrameViewer

THUMB = QSize(240, 135)
CHUNK = 24  # thumbnails read per background task
KEEP = 300  # thumbnails kept this many rows away from the screen; further ones are dropped
ALL_APPS = "All apps"


def _thumbnails(frames: list[Frame]) -> dict[str, QImage]:
    out = {}
    for frame in frames:
        try:
            out[frame.id] = load_image(frame.image_path, THUMB)
        except OSError:
            continue
    return out


def _placeholder() -> QIcon:
    pixmap = QPixmap(THUMB)
    pixmap.fill(QColor("#d9dde3"))
    return QIcon(pixmap)


class TimelinePage(QWidget):
    """Thumbnails of a day's frames; a click opens the screenshot in a :class:`FrameViewer`.

    :attr:`loaded` fires when the day's list is shown, :attr:`thumbnails_loaded`
    when every thumbnail of it is in.
    """

    loaded = Signal()
    thumbnails_loaded = Signal()

    def __init__(self, backend: Backend, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend, self.tasks = backend, tasks
        self.frames: list[Frame] = []
        self.day: date | None = None
        self._generation = 0
        self._thumbs_pending = 0
        self._shown_once = False
        self._placeholder = _placeholder()

        self.prev_button = QPushButton("◀")
        self.prev_button.setToolTip("Previous day")
        self.next_button = QPushButton("▶")
        self.next_button.setToolTip("Next day")
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd d MMM yyyy")
        self.today_button = QPushButton("Today")
        for button in (self.prev_button, self.next_button):
            button.setFixedWidth(36)
        self.app_combo = QComboBox()
        self.app_combo.setMinimumWidth(180)
        self.app_combo.addItem(ALL_APPS)
        self.count = QLabel()
        self.refresh_button = QPushButton("Refresh")

        self.list = QListWidget()
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(THUMB)
        self.list.setGridSize(QSize(THUMB.width() + 24, THUMB.height() + 48))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setUniformItemSizes(True)
        self.list.setWordWrap(True)
        self.list.setSpacing(4)
        self.list.itemClicked.connect(self.open_item)
        self._row_of: dict[str, int] = {}
        self._requested: set[str] = set()
        self._scrolled = QTimer(self, singleShot=True, interval=120)
        self._scrolled.timeout.connect(self._load_visible)
        self.list.verticalScrollBar().valueChanged.connect(lambda _: self._scrolled.start())
        self.empty = QLabel("No screenshots on this day.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setVisible(False)

        self.prev_button.clicked.connect(lambda: self._step(-1))
        self.next_button.clicked.connect(lambda: self._step(1))
        self.today_button.clicked.connect(lambda: self.show_day(date.today()))
        self.date_edit.dateChanged.connect(self._date_picked)
        self.app_combo.activated.connect(lambda _: self.reload())
        self.refresh_button.clicked.connect(self.reload)

        bar = QHBoxLayout()
        for widget in (self.prev_button, self.date_edit, self.next_button, self.today_button):
            bar.addWidget(widget)
        bar.addSpacing(16)
        bar.addWidget(QLabel("App:"))
        bar.addWidget(self.app_combo)
        bar.addStretch(1)
        bar.addWidget(self.count)
        bar.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.show_day(None)
        else:
            self._scrolled.start()

    # ---- loading -----------------------------------------------------------------------

    def show_day(self, day: date | None, app: str | None = None) -> None:
        """Show ``day`` (None: the last day with screenshots), only ``app`` when given."""
        self._load(day, app)

    def set_app(self, app: str | None) -> None:
        self._load(self.day, app)

    def reload(self) -> None:
        self._load(self.day, self.app())

    def app(self) -> str | None:
        text = self.app_combo.currentText()
        return None if text in ("", ALL_APPS) else text

    def _step(self, days: int) -> None:
        if self.day is not None:
            self.show_day(date.fromordinal(self.day.toordinal() + days), self.app())

    def _date_picked(self, picked: QDate) -> None:
        day = date(picked.year(), picked.month(), picked.day())
        if day != self.day:
            self.show_day(day, self.app())

    def _load(self, day: date | None, app: str | None) -> None:
        self._generation += 1
        generation = self._generation
        self.count.setText("loading…")
        self.tasks.run(
            lambda: Timeline(self.backend.store).day(day, app),
            on_done=lambda result: self._show(generation, app, *result),
            on_error=lambda error: self._failed(generation, error),
            owner=self,
        )

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation == self._generation:
            self.count.setText(f"Could not load: {describe(error)}")
            self.loaded.emit()

    def _show(
        self, generation: int, app: str | None, day: date, apps: list[str], frames: list[Frame]
    ) -> None:
        if generation != self._generation:
            return
        self.day = day
        self.frames = frames
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(QDate(day.year, day.month, day.day))
        self.date_edit.blockSignals(False)
        self.app_combo.clear()
        self.app_combo.addItems([ALL_APPS, *apps])
        if app and app not in apps:
            self.app_combo.addItem(app)
        self.app_combo.setCurrentText(app or ALL_APPS)
        self.list.clear()
        for frame in frames:
            local = frame.captured_at.astimezone()
            item = QListWidgetItem(
                self._placeholder,
                f"{local:%H:%M:%S} · {frame.app}\n{shortened(frame.window_title, 40)}",
            )
            item.setToolTip(f"{local:%Y-%m-%d %H:%M:%S}\n{frame.app}\n{frame.window_title}")
            item.setData(Qt.ItemDataRole.UserRole, frame)
            self.list.addItem(item)
        self.empty.setVisible(not frames)
        self.list.setVisible(bool(frames))
        self.count.setText(f"{len(frames)} screenshots")
        self._row_of = {frame.id: row for row, frame in enumerate(frames)}
        self._requested = set()
        self._thumbs_pending = 0
        self.loaded.emit()
        if not self._load_visible():
            self.thumbnails_loaded.emit()  # nothing to read

    # ---- thumbnails, loaded for what is on screen ----------------------------------------

    def _visible_rows(self) -> range:
        """Rows on screen, and a screenful before and after; the list is laid out in row
        order, so the first and last are found by bisection on their positions."""
        count = self.list.count()
        if not self.list.isVisible():  # not laid out yet: the first screenful
            return range(min(count, 2 * CHUNK))
        height = self.list.viewport().height()

        def top(row: int) -> int:
            return self.list.visualRect(self.list.model().index(row, 0)).top()

        def bottom(row: int) -> int:
            return self.list.visualRect(self.list.model().index(row, 0)).bottom()

        first = bisect.bisect_left(range(count), 0, key=bottom)  # first row ending below 0
        last = bisect.bisect_right(range(count), height, key=top) - 1  # last starting above
        first, last = min(first, count - 1), max(last, first)
        span = last - first + 1
        return range(max(0, first - span), min(count, last + span + 1))

    def _load_visible(self) -> int:
        """Read the thumbnails of the rows on screen; drop those far away (memory stays flat
        on a day with thousands of screenshots). Returns how many are being read."""
        rows = self._visible_rows()
        keep = range(max(0, rows.start - KEEP), rows.stop + KEEP)
        for frame_id in [f for f in self._requested if self._row_of.get(f, -1) not in keep]:
            self._requested.discard(frame_id)
            item = self.list.item(self._row_of[frame_id])
            if item is not None:
                item.setIcon(self._placeholder)
        wanted = [self.frames[r] for r in rows if self.frames[r].id not in self._requested]
        generation = self._generation
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            self._requested.update(f.id for f in chunk)
            self._thumbs_pending += 1
            self.tasks.run(
                _thumbnails,
                chunk,
                on_done=lambda thumbs: self._set_thumbnails(generation, thumbs),
                on_error=lambda _: self._set_thumbnails(generation, {}),
                owner=self,
            )
        return len(wanted)

    def _set_thumbnails(self, generation: int, thumbs: dict[str, QImage]) -> None:
        if generation != self._generation:
            return
        for frame_id, image in thumbs.items():
            item = self.list.item(self._row_of.get(frame_id, -1))
            if item is not None and frame_id in self._requested:
                item.setIcon(QIcon(QPixmap.fromImage(image)))
        self._thumbs_pending -= 1
        if self._thumbs_pending == 0:
            self.thumbnails_loaded.emit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._scrolled.start()

    # ---- opening -----------------------------------------------------------------------

    def has_thumbnail(self, row: int) -> bool:
        """Whether row ``row`` shows its screenshot (not the grey placeholder)."""
        item = self.list.item(row)
        return item is not None and item.icon().cacheKey() != self._placeholder.cacheKey()

    def shown_frames(self) -> list[Frame]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def open_item(self, item: QListWidgetItem) -> FrameViewer:
        frame = item.data(Qt.ItemDataRole.UserRole)
        viewer = FrameViewer(self.backend, self.tasks, frame.id, self)
        viewer.show()
        return viewer
