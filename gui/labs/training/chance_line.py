"""A dashed line at a task's chance accuracy, with its "chance" label kept inside the view and
off the data: of the places along the line, above it or below it, the one whose label covers
the fewest points of the plot's curves, the leftmost above the line among equals."""

from __future__ import annotations

import weakref

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt

from gui import style

SPOTS_ALONG = 9  # places along the line tried for the label, left to right
SAMPLES_PER_SPOT = 24  # points of each curve checked under a label
EDGE_PIXELS = 4  # room between the label and the view's edge or the line


class ChanceLine:
    """The line and its label in `plot`; `setPos(value)` moves both."""

    def __init__(self, plot: pg.PlotWidget, width: float = 1.0):
        self._plot = plot
        self.line = pg.InfiniteLine(angle=0, movable=False,
                                    pen=pg.mkPen(style.BOUND_COLOR, width=width,
                                                 style=Qt.PenStyle.DashLine))
        self.label = pg.TextItem("chance", color=style.BOUND_COLOR, anchor=(0, 1))
        plot.addItem(self.line, ignoreBounds=True)
        plot.addItem(self.label, ignoreBounds=True)
        view = plot.getViewBox()
        view.sigRangeChanged.connect(self.place_label)
        view.sigResized.connect(self.place_label)
        self._watched = weakref.WeakSet()  # curves whose new data moves the label

    def setPos(self, value: float) -> None:
        self.line.setPos(value)
        self.place_label()

    def value(self) -> float:
        return self.line.value()

    def label_rect(self) -> QRectF:
        """The label's rectangle in view coordinates."""
        return self.label.mapRectToView(self.label.boundingRect())

    def place_label(self, *_args) -> None:
        self._watch_curves()
        view = self._plot.getViewBox()
        (left, right), (bottom, top) = view.viewRange()
        per_pixel_x, per_pixel_y = view.viewPixelSize()
        bounds = self.label.boundingRect()
        width = (bounds.width() + 2 * EDGE_PIXELS) * per_pixel_x
        height = bounds.height() * per_pixel_y
        level, gap = self.value(), EDGE_PIXELS * per_pixel_y / 2
        sides = [(level + gap, 1)] if level + gap + height <= top else []  # (y, vertical anchor)
        if level - gap - height >= bottom:
            sides.append((level - gap, 0))
        if not sides:  # the view is too short either way: above, clipped
            sides = [(level, 1)]
        starts = np.linspace(left, max(right - width, left), SPOTS_ALONG)
        spots = [(start, y, anchor) for y, anchor in sides for start in starts]
        curves = self._curve_points()
        covered = [self._points_under(curves, start, start + width,
                                      *sorted((y, y + height if anchor else y - height)))
                   for start, y, anchor in spots]
        start, y, anchor = spots[int(np.argmin(covered))]  # the first among the fewest
        self.label.setAnchor((0, anchor))
        self.label.setPos(start + EDGE_PIXELS * per_pixel_x, y)

    def _watch_curves(self) -> None:
        for curve in self._plot.getPlotItem().listDataItems():
            if curve not in self._watched:
                self._watched.add(curve)
                curve.sigPlotChanged.connect(self.place_label)

    def _curve_points(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each curve's points in view coordinates (log y as drawn)."""
        points = []
        for curve in self._plot.getPlotItem().listDataItems():
            if curve.isVisible():
                xs, ys = curve.getData()
                if xs is not None and len(xs):
                    points.append((np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)))
        return points

    @staticmethod
    def _points_under(curves, x_low, x_high, y_low, y_high) -> int:
        """How many of the curves' points, and of the points on the lines between them,
        fall inside the rectangle."""
        count = 0
        samples = np.linspace(x_low, x_high, SAMPLES_PER_SPOT)  # (s,)
        for xs, ys in curves:
            inside_x = (xs >= x_low) & (xs <= x_high)
            count += int(np.sum(inside_x & (ys >= y_low) & (ys <= y_high)))
            order = np.argsort(xs)
            spanned = (samples >= xs.min()) & (samples <= xs.max())
            line = np.interp(samples[spanned], xs[order], ys[order])  # (s',)
            count += int(np.sum((line >= y_low) & (line <= y_high)))
        return count
