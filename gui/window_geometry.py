"""Fits windows inside the screen's available area: a first-launch size, or a size remembered
from a larger screen, is shrunk and moved so the whole window (transport included) shows. Lab
windows get the same rule, and a lab a lesson opens is placed beside the Lessons dock."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QDataStream, QMargins, QPoint, QRect, QSize
from PySide6.QtGui import QGuiApplication

DEFAULT_SIZE = QSize(1600, 1000)  # on a screen that has room for it
# Room kept for the title bar and borders a window manager adds around a window not yet shown.
FRAME_MARGINS = QMargins(4, 32, 4, 4)
GEOMETRY_MAGIC = 0x1D9D0CB  # what QWidget.saveGeometry() writes first
MAX_SIDE = 100_000  # pixels: larger is not a window anyone had


def saved_normal_geometry(data: QByteArray) -> QRect | None:
    """The window rectangle inside a QWidget.saveGeometry() value, or None if it is not one.
    QWidget.restoreGeometry() refuses a window saved on a larger screen; this still reads it."""
    stream = QDataStream(data)
    stream.setVersion(QDataStream.Version.Qt_4_0)  # the version saveGeometry() writes with
    if stream.readUInt32() != GEOMETRY_MAGIC:
        return None
    stream.readUInt16()  # major version
    stream.readUInt16()  # minor version
    frame, normal = QRect(), QRect()
    stream >> frame
    stream >> normal
    sane = 0 < normal.width() <= MAX_SIDE and 0 < normal.height() <= MAX_SIDE \
        and abs(normal.x()) <= MAX_SIDE and abs(normal.y()) <= MAX_SIDE
    return normal if stream.status() == QDataStream.Status.Ok and sane else None


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


def restore_window_rect(window, data: QByteArray) -> bool:
    """restoreGeometry, and where Qt refuses a window saved on a larger screen, its rectangle
    all the same (fit_window_to then brings it onto this screen)."""
    if window.restoreGeometry(data):
        return True
    rect = saved_normal_geometry(data)
    if rect is not None:
        window.setGeometry(rect)
    return rect is not None


def available_geometry(window) -> QRect:
    """The desktop area of the screen the window is on (or will open on), less panels and docks."""
    screen = QGuiApplication.screenAt(window.geometry().center()) or window.screen() \
        or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fit_window_to(window, available: QRect) -> None:
    """Shrink and move a window that is neither maximised nor full screen so all of it lies
    inside `available`."""
    if window.isMaximized() or window.isFullScreen():
        return
    fitted = fit_within(window.geometry(), available)
    if fitted != window.geometry():
        window.setGeometry(fitted)


def fitted_size(size: QSize, available: QRect) -> QSize:
    """`size`, or as much of it as fits `available` once the window's frame is added."""
    return size.boundedTo(available.marginsRemoved(FRAME_MARGINS).size())


def restore_fitted(window, data: QByteArray) -> bool:
    """restore_window_rect, then the window shrunk and moved onto the screen it is now on."""
    if not restore_window_rect(window, data):
        return False
    fit_window_to(window, available_geometry(window))
    return True


def rect_beside(size: QSize, keep_clear: QRect, available: QRect) -> QRect:
    """Where a window of `size` goes so that it leaves `keep_clear` uncovered: in the wider of
    the strips of `available` left and right of it, shrunk to that strip and centred in it.
    With no room on either side it falls back to the whole of `available`."""
    left = QRect(QPoint(available.left(), available.top()),
                 QPoint(keep_clear.left() - 1, available.bottom())).intersected(available)
    right = QRect(QPoint(keep_clear.right() + 1, available.top()),
                  QPoint(available.right(), available.bottom())).intersected(available)
    strips = [strip for strip in (left, right) if strip.width() > 0]
    strip = max(strips, key=QRect.width) if strips else available
    room = strip.marginsRemoved(FRAME_MARGINS)
    if room.width() <= 0 or room.height() <= 0:
        room = available.marginsRemoved(FRAME_MARGINS)
    rect = QRect(QPoint(0, 0), size.boundedTo(room.size()))
    rect.moveCenter(room.center())
    return rect
