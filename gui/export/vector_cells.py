"""A heatmap drawn as one filled rectangle per cell, swapped in for the bitmap while exporting SVG,
so that vector editors and browsers see shapes rather than an embedded image."""

from __future__ import annotations

import contextlib
from typing import Iterator

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPixmapItem

MAX_VECTOR_CELLS = 65_536  # beyond this (about 16 MB of SVG) the bitmap is embedded instead


class CellRectangles(QGraphicsItem):
    """Paints an (R, C) matrix of colours as R*C rectangles, cell (r, c) at x = c, y = r."""

    def __init__(self, colours: np.ndarray):
        super().__init__()
        self._colours = colours  # (R, C, 4) uint8 RGBA
        rows, cols = colours.shape[:2]
        self._bounds = QRectF(0, 0, cols, rows)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        rows, cols = self._colours.shape[:2]
        for r in range(rows):
            for c in range(cols):
                red, green, blue, alpha = (int(v) for v in self._colours[r, c])
                if alpha == 0:
                    continue
                painter.setBrush(QColor(red, green, blue, alpha))
                # A hair of overlap hides the seams some renderers draw between abutting cells.
                painter.drawRect(QRectF(c, r, 1.02, 1.02))


def cell_colours(image_item: pg.ImageItem) -> np.ndarray | None:
    """The RGBA colour of every cell exactly as the bitmap shows it: (R, C, 4) uint8."""
    data, levels, colormap = image_item.image, image_item.getLevels(), image_item.getColorMap()
    if colormap is not None:
        lut = colormap.getLookupTable(nPts=256, alpha=True)  # (256, 4) uint8
    elif isinstance(image_item.lut, np.ndarray):  # a colour bar's gradient
        lut = image_item.lut
    else:
        return None
    if data is None or data.ndim != 2:
        return None
    if levels is None:
        levels = (float(np.nanmin(data)), float(np.nanmax(data)))
    low, high = float(levels[0]), float(levels[1])
    values = np.asarray(data, dtype=float)
    fractions = np.clip((np.nan_to_num(values, nan=low) - low) / max(high - low, 1e-300), 0.0, 1.0)
    colours = lut[np.round(fractions * (len(lut) - 1)).astype(int)]  # (R, C, 3 or 4)
    if colours.shape[2] == 3:
        colours = np.concatenate([colours, np.full(colours.shape[:2] + (1,), 255, np.uint8)], axis=2)
    colours = colours.astype(np.uint8)
    colours[np.isnan(values), 3] = 0  # empty cells stay empty, as on screen
    return colours


def pixmap_colours(item: QGraphicsPixmapItem) -> np.ndarray | None:
    """The pixels of a small pixmap (a colour bar's gradient) as (R, C, 4) uint8 RGBA."""
    image = item.pixmap().toImage().convertToFormat(QImage.Format.Format_RGBA8888)
    if image.isNull():
        return None
    width, height = image.width(), image.height()
    data = np.frombuffer(image.constBits(), dtype=np.uint8)  # rows padded to bytesPerLine
    return data.reshape(height, image.bytesPerLine())[:, : width * 4].reshape(height, width, 4).copy()


@contextlib.contextmanager
def vector_cells(image_item: pg.ImageItem | QGraphicsPixmapItem) -> Iterator[bool]:
    """While active, the image is hidden and drawn as rectangles (yields False if kept as bitmap)."""
    colours = (pixmap_colours(image_item) if isinstance(image_item, QGraphicsPixmapItem)
               else cell_colours(image_item))
    if colours is None or colours.shape[0] * colours.shape[1] > MAX_VECTOR_CELLS \
            or not image_item.isVisible():
        yield False
        return
    cells = CellRectangles(colours)
    cells.setParentItem(image_item.parentItem())
    cells.setTransform(image_item.transform())
    cells.setPos(image_item.pos())
    if isinstance(image_item, QGraphicsPixmapItem):
        cells.setPos(image_item.pos() + image_item.offset())
    cells.setZValue(image_item.zValue())
    image_item.setVisible(False)
    try:
        yield True
    finally:
        image_item.setVisible(True)
        if image_item.scene() is not None:
            image_item.scene().removeItem(cells)
