"""Icons of the app: the tray states and the app icon, from ``assets/icons``.

The SVG files live in the repository's top-level ``assets/icons`` folder, under
``share/mirix-desktop/icons`` of an installed wheel, and in the bundle's
``assets/icons`` when packaged with PyInstaller (see ``mirix_desktop.services.icons_path``).
Where none can be found, a plain coloured disc is drawn instead, so a missing
file never stops the app.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from mirix_desktop.services.icons_path import icon_file

STATES = ("capturing", "paused", "working", "error")
_FALLBACK_COLOURS = {
    "capturing": "#2e9d5b",
    "paused": "#80868e",
    "working": "#2f6fdb",
    "error": "#d64545",
    "app": "#5b5fe0",
}


def icon_path(name: str) -> Path | None:
    """The SVG file of icon ``name`` ("capturing", ..., "app"), or None when none is found."""
    return icon_file(f"{name}.svg")


def _drawn(name: str) -> QIcon:
    pixmap = QPixmap(64, 64)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(_FALLBACK_COLOURS.get(name, "#888888")))
    painter.drawEllipse(QRectF(4, 4, 56, 56))
    painter.end()
    return QIcon(pixmap)


@cache
def icon(name: str) -> QIcon:
    """The icon called ``name``; needs a QGuiApplication."""
    path = icon_path(name)
    if path is not None:
        loaded = QIcon(str(path))
        if not loaded.isNull() and not loaded.pixmap(32, 32).isNull():
            return loaded
    return _drawn(name)
