"""Fits the main window inside the screen's available area: a first-launch size, or a size
remembered from a larger screen, is shrunk and moved so the whole window (transport included) shows."""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize

DEFAULT_SIZE = QSize(1600, 1000)  # on a screen that has room for it
# Room kept for the title bar and borders a window manager adds around a window not yet shown.
FRAME_MARGINS = QMargins(4, 32, 4, 4)


def fit_within(rect: QRect, available: QRect) -> QRect:
    """`rect` shrunk to fit `available` (less the frame margins), then moved inside it."""
    room = available.marginsRemoved(FRAME_MARGINS)
    size = rect.size().boundedTo(room.size())
    x = min(max(rect.x(), room.left()), room.left() + room.width() - size.width())
    y = min(max(rect.y(), room.top()), room.top() + room.height() - size.height())
    return QRect(QPoint(x, y), size)


def centred_default(available: QRect) -> QRect:
    """The first-launch geometry: DEFAULT_SIZE or as much of it as fits, centred."""
    rect = QRect(QPoint(0, 0), DEFAULT_SIZE.boundedTo(available.marginsRemoved(FRAME_MARGINS).size()))
    rect.moveCenter(available.marginsRemoved(FRAME_MARGINS).center())
    return fit_within(rect, available)
