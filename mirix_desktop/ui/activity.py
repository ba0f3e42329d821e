"""The activity view: time per app per day as a stacked bar chart (QtCharts).

Durations come from the frames: each capture moment counts until the next one,
capped, so a screen left alone overnight does not count as a night of work
(:func:`mirix_desktop.services.timeline.app_durations`).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QShowEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from mirix_desktop.services.backend import Backend
from mirix_desktop.services.timeline import Timeline
from mirix_desktop.ui.tasks import Tasks, describe

OTHER = "other"
RANGES = {"Last 7 days": 7, "Last 14 days": 14, "Last 30 days": 30}
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)


def chart_data(
    durations: dict[date, dict[str, float]], *, top: int = 8
) -> tuple[list[date], list[str], dict[str, list[float]]]:
    """Days, apps (the ``top`` apps by total time, then "other") and each app's seconds a day."""
    days = sorted(durations)
    totals: dict[str, float] = {}
    for per_app in durations.values():
        for app, seconds in per_app.items():
            totals[app] = totals.get(app, 0.0) + seconds
    ranked = sorted(totals, key=lambda a: (-totals[a], a.lower()))
    kept = ranked[:top] if len(ranked) > top + 1 else ranked
    values = {app: [durations[d].get(app, 0.0) for d in days] for app in kept}
    rest = [a for a in ranked if a not in kept]
    if rest:
        values[OTHER] = [sum(durations[d].get(a, 0.0) for a in rest) for d in days]
    return days, list(values), values


def human_duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


class ActivityPage(QWidget):
    """A stacked bar chart of time per app per day; :attr:`loaded` fires when it is drawn."""

    loaded = Signal()

    def __init__(self, backend: Backend, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend, self.tasks = backend, tasks
        self.durations: dict[date, dict[str, float]] = {}
        self.series = QStackedBarSeries()
        self._generation = 0
        self._shown_once = False

        self.range_combo = QComboBox()
        self.range_combo.addItems(list(RANGES))
        self.range_combo.activated.connect(lambda _: self.refresh())
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.summary = QLabel()
        self.summary.setWordWrap(True)

        self.chart = QChart()
        self.chart.setTitle("Time per app per day")
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        self.chart.setMargins(QMargins(8, 8, 8, 8))
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)

        bar = QHBoxLayout()
        bar.addWidget(self.range_combo)
        bar.addStretch(1)
        bar.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.summary)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.refresh()

    def days(self) -> int:
        return RANGES[self.range_combo.currentText()]

    def refresh(self, *, today: date | None = None) -> None:
        self._generation += 1
        generation = self._generation
        self.summary.setText("loading…")
        days = self.days()  # read the widget here, never on the worker
        self.tasks.run(
            lambda: Timeline(self.backend.store).activity(days, today=today),
            on_done=lambda durations: self._show(generation, durations),
            on_error=lambda error: self._failed(generation, error),
            owner=self,
        )

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation == self._generation:
            self.summary.setText(f"Could not load: {describe(error)}")
            self.loaded.emit()

    def _show(self, generation: int, durations: dict[date, dict[str, float]]) -> None:
        if generation != self._generation:
            return
        self.durations = durations
        days, apps, values = chart_data(durations)
        peak = max((sum(v[i] for v in values.values()) for i in range(len(days))), default=0.0)
        in_hours = peak >= 2 * 3600
        unit, scale = ("hours", 3600.0) if in_hours else ("minutes", 60.0)

        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        self.series = QStackedBarSeries()
        for number, app in enumerate(apps):
            bar_set = QBarSet(app)
            bar_set.setColor(QColor(PALETTE[number % len(PALETTE)]))
            bar_set.append([v / scale for v in values[app]])
            self.series.append(bar_set)
        self.series.setBarWidth(0.7)
        self.chart.addSeries(self.series)
        x_axis = QBarCategoryAxis()
        x_axis.append([f"{d:%a %d}" for d in days])
        y_axis = QValueAxis()
        top = max(peak / scale, 1.0)
        y_axis.setRange(0, top * 1.05)
        y_axis.applyNiceNumbers()
        y_axis.setLabelFormat("%.1f" if in_hours else "%.0f")
        y_axis.setTitleText(unit)
        self.chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        self.series.attachAxis(x_axis)
        self.series.attachAxis(y_axis)
        self.chart.legend().setVisible(bool(apps))

        totals = sorted(((sum(v), app) for app, v in values.items()), key=lambda t: -t[0])
        if totals:
            self.summary.setText(
                "Most time: " + ", ".join(f"{app} {human_duration(s)}" for s, app in totals[:5])
            )
        else:
            self.summary.setText("No screenshots in this period yet.")
        self.loaded.emit()

    def bar_values(self) -> dict[str, list[float]]:
        """Each bar set's values as drawn (in the axis unit), by app."""
        out = {}
        for bar_set in self.series.barSets():
            out[bar_set.label()] = [bar_set.at(i) for i in range(bar_set.count())]
        return out
