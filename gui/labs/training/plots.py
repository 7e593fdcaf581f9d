"""The training lab's plots: live curves per model (loss, held-out accuracy, the gradient reaching
the first word, time per step) against step or wall-clock seconds, and the headline sweep's
accuracy against n. Items are built once per run; new records only change their data. Each plot's
legend sits in a row of its own under the x axis, never over the curves.

Painting stays cheap while curves grow: the axes (which draw the grid, so they span the whole plot)
are redrawn from a pixmap until their ticks change, and while a run is live the x range grows in
doublings, so the ticks change a few times a run rather than at every update."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QApplication, QGraphicsItem

from gui import style
from gui.labs.training.chance_line import ChanceLine
from gui.labs.training.curves import LiveCurves
from gui.views.panels.gradient_panel import (LEGEND_COLUMN_GAP, LEGEND_FONT_POINTS,
                                             LEGEND_MARGIN)
from gui.views.panels.plot_base import ExportablePlot

# One colour per model, everywhere in the lab, from the colour set: the app's RNN, attention and
# scan colours, and the set's own for LSTM and GRU.
MODEL_COLOUR_KEYS = {"rnn": "rnn", "lstm": "lstm", "gru": "gru", "mingru": "scan",
                     "transformer": "attention"}


def model_colour(kind: str) -> str:
    """A lab model's colour in the current colour set."""
    return style.model_colour(MODEL_COLOUR_KEYS[kind])


MODEL_SYMBOLS = {"rnn": "o", "lstm": "t", "gru": "s", "mingru": "x", "transformer": "d"}
MODEL_LABELS = {"rnn": "Elman RNN (tanh)", "lstm": "LSTM", "gru": "GRU",
                "mingru": "minGRU (parallel scan)", "transformer": "Transformer"}
X_LABELS = {"step": "training step", "seconds": "training time (s, the model's own steps)"}

# name -> (title, y label, log y?, where the values come from: "steps" or "evaluations", field)
LIVE_PLOTS = {
    "loss": ("Training loss (cross-entropy, each step's batch)", "loss (nats)", False,
             "steps", "loss"),
    "accuracy": ("Accuracy on the held-out batch", "accuracy (share right)", False,
                 "evaluations", "accuracy"),
    "gradient": ("Gradient reaching the first word  ‖∂L/∂x₀‖", "gradient norm (log)", True,
                 "steps", "first_gradient"),
    "step-time": ("Time per training step (forward, backward, Adam)", "seconds per step", False,
                  "steps", "step_seconds"),
}


ACCURACY_RANGE = (0, 1.05)  # a share, with room to see a line at 1
LEGEND_ROW = 4  # the plot layout's row under the x axis (its label is row 3)
LEGEND_PADDING = 3  # pixels around a legend's entries


class _WrappingLegend(pg.LegendItem):
    """pyqtgraph's legend with entry i at row i // columns, sized to its grid's preferred size.
    pyqtgraph's places entries from the grid's row and column counts, which never shrink, and
    sizes itself by adding up widths the grid has already stretched, so after a change of
    columns it could reach past the plot's edge. (Rows and columns left empty take no room.)"""

    def __init__(self, **options):
        super().__init__(**options)
        self.layout.setContentsMargins(*(LEGEND_PADDING,) * 4)  # the style's 9 px or so cost height

    def _addItemToLayout(self, sample, label):
        index = self.layout.count() // 2  # entries already laid out: a sample and a label each
        row, column = divmod(index, self.columnCount)
        self.layout.addItem(sample, row, 2 * column, alignment=Qt.AlignmentFlag.AlignVCenter)
        self.layout.addItem(label, row, 2 * column + 1)
        self.rowCount = max(self.rowCount, row + 1)

    def updateSize(self):
        self.layout.invalidate()
        hint = self.layout.effectiveSizeHint(Qt.SizeHint.PreferredSize)
        self.setGeometry(0, 0, hint.width(), hint.height())


class CachedAxis(pg.AxisItem):
    """An axis the screen redraws from a pixmap until its ticks, labels or size change. With the
    grid on, an axis spans its whole plot, so a new point on any curve used to replay both axes'
    tick labels (their text layout) at every repaint. An SVG export draws it afresh, as vectors."""

    def __init__(self, orientation: str, **kwargs):
        super().__init__(orientation, **kwargs)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def setExportMode(self, export: bool, opts=None) -> None:
        super().setExportMode(export, opts)
        self.setCacheMode(QGraphicsItem.CacheMode.NoCache if export
                          else QGraphicsItem.CacheMode.DeviceCoordinateCache)


def doubling_bound(largest: float) -> float | None:
    """The smallest power of two at or above `largest` (> 0), or None: 300 -> 512, 0.3 -> 0.5."""
    if not (math.isfinite(largest) and largest > 0):
        return None
    return 2.0 ** math.ceil(math.log2(largest))


class XExtent(pg.GraphicsObject):
    """Draws nothing; its x bounds run from 0 to `high`, so the auto-range (which fits every
    item's bounds) spans at least that. It says nothing about y."""

    def __init__(self):
        super().__init__()
        self.high: float | None = None

    def set_high(self, high: float | None) -> None:
        if high != self.high:
            self.high = high
            self.informViewBoundsChanged()

    def dataBounds(self, axis: int, frac: float = 1.0, orthoRange=None):
        return (0.0, self.high) if axis == 0 and self.high is not None else None

    def boundingRect(self) -> QRectF:
        return QRectF()

    def paint(self, painter, option, widget=None) -> None:
        pass


class _LegendRow:
    """A plot's legend in a row of its own under the x axis, across every column: as many
    entries side by side as the plot's width allows, wrapping onto more rows where it is
    narrow."""

    def __init__(self, plot: pg.PlotWidget):
        self._plot = plot
        self.box = pg.GraphicsWidget()
        plot.plotItem.layout.addItem(self.box, LEGEND_ROW, 0, 1, 3)
        text = style.legend_colours(QApplication.palette())[2]
        self.legend = _WrappingLegend(offset=(1, 1), labelTextSize=f"{LEGEND_FONT_POINTS:g}pt",
                                      labelTextColor=text, horSpacing=LEGEND_COLUMN_GAP,
                                      verSpacing=-4, frame=False)
        self.legend.setParentItem(self.box)
        plot.plotItem.legend = self.legend  # plot(name=...) adds its entry here
        self._widths: dict[tuple[str, ...], list[float]] = {}  # texts -> width at 1, 2, ... columns
        self.fit()

    def texts(self) -> list[str]:
        return [label.text for _sample, label in self.legend.items]

    def columns(self) -> int:
        return self.legend.columnCount

    def _widths_by_columns(self, texts: tuple[str, ...]) -> list[float]:
        """The legend's laid-out width with 1, 2, ... len(texts) columns, measured once."""
        if texts not in self._widths:
            widths = []
            for columns in range(1, len(texts) + 1):
                self.legend.setColumnCount(columns)
                widths.append(self.legend.width())
            self._widths[texts] = widths
        return self._widths[texts]

    def fit(self) -> None:
        """The most columns that fit the plot's width now, and the row's height to hold them."""
        texts = tuple(self.texts())
        if not texts:
            self.box.setFixedHeight(0)
            return
        room = self._plot.width() - LEGEND_MARGIN
        widths = self._widths_by_columns(texts)
        columns = max([c for c, width in enumerate(widths, 1) if width <= room], default=1)
        self.legend.setColumnCount(columns)
        self.box.setFixedHeight(self.legend.height() + 2)

    def clear(self) -> None:
        self.legend.clear()
        self.fit()


class LabPlot(ExportablePlot):
    """A plot with a grid, labelled axes and one curve per model; curve_data() reads it back."""

    legend_row: _LegendRow | None = None

    def __init__(self, title: str, x_label: str, y_label: str, log_y: bool = False, parent=None):
        super().__init__(parent, axisItems={name: CachedAxis(name) for name in ("bottom", "left")})
        self.setTitle(title, size=style.TITLE_SIZE)
        self.showGrid(x=True, y=True, alpha=0.2)
        self.setLabel("bottom", x_label)
        self.setLabel("left", y_label)
        self.log_y = log_y
        if log_y:
            self.setLogMode(x=False, y=True)
        self.legend_row = _LegendRow(self)
        self.legend = self.legend_row.legend
        self.curves: dict[str, pg.PlotDataItem] = {}

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.legend_row is not None:  # None while the base class is being built
            self.legend_row.fit()

    def set_models(self, models, symbols: bool = False) -> None:
        """Empty curves, one per model, in the models' colours."""
        for curve in self.curves.values():
            self.removeItem(curve)
        self.legend_row.clear()
        self.curves = {}
        for kind in models:
            colour = model_colour(kind)
            extra = dict(symbol=MODEL_SYMBOLS[kind], symbolSize=7, symbolPen=pg.mkPen(colour),
                         symbolBrush=pg.mkBrush(colour)) if symbols else {}
            self.curves[kind] = self.plot([], [], name=MODEL_LABELS[kind],
                                          pen=pg.mkPen(colour, width=1.6), **extra)
        self.legend_row.fit()

    def follow_colours(self) -> None:
        """Curves, their symbols and so their legend samples in the current colour set."""
        for kind, curve in self.curves.items():
            colour = model_colour(kind)
            curve.setPen(pg.mkPen(colour, width=1.6))
            if curve.opts["symbol"] is not None:
                curve.setSymbolPen(pg.mkPen(colour))
                curve.setSymbolBrush(pg.mkBrush(colour))
        for sample, _label in self.legend.items:
            sample.update()

    def set_curve(self, kind: str, xs, ys) -> None:
        xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
        keep = np.isfinite(xs) & np.isfinite(ys) & ((ys > 0) if self.log_y else True)
        self.curves[kind].setData(xs[keep], ys[keep])

    def curve_data(self, kind: str) -> tuple[np.ndarray, np.ndarray]:
        """A curve's points as given (pyqtgraph keeps them; log mode only changes the view)."""
        curve = self.curves[kind]
        empty = np.zeros(0)
        if curve.xData is None:
            return empty, empty
        return np.asarray(curve.xData), np.asarray(curve.yData)

    def point_counts(self) -> dict[str, int]:
        return {kind: len(self.curve_data(kind)[0]) for kind in self.curves}

    def csv_columns(self) -> dict[str, np.ndarray]:
        """Every curve as two columns: 'Transformer x' and 'Transformer y' (NaN-padded)."""
        columns = {}
        for kind in self.curves:
            xs, ys = self.curve_data(kind)
            columns[f"{MODEL_LABELS[kind]} {self.getAxis('bottom').labelText}"] = xs
            columns[f"{MODEL_LABELS[kind]} {self.getAxis('left').labelText}"] = ys
        return columns


class LivePlot(LabPlot):
    """One training metric of every model, against step or seconds. While a run grows the
    curves, the x range spans 0 to the next power of two past the last point; once it stops,
    0 to the last point."""

    def __init__(self, name: str, parent=None):
        title, y_label, log_y, self.source, self.field = LIVE_PLOTS[name]
        super().__init__(title, X_LABELS["step"], y_label, log_y, parent)
        self.name = name
        self.x_field = "step"
        self.x_extent = XExtent()
        self.addItem(self.x_extent)
        self.enableAutoRange()
        if name == "accuracy":  # a share: a fixed range
            self.enableAutoRange(axis="y", enable=False)
            self.setYRange(*ACCURACY_RANGE, padding=0)

    def set_x_field(self, x_field: str) -> None:
        """'step' or 'seconds'."""
        self.x_field = x_field
        self.setLabel("bottom", X_LABELS[x_field])

    def set_models(self, models, symbols: bool = False) -> None:
        super().set_models(models, symbols)
        self.x_extent.set_high(None)

    def show_curves(self, curves: LiveCurves, growing: bool = False) -> None:
        """Every model's curve; `growing` while the run goes on (the x range then steps in
        doublings)."""
        read = curves.steps if self.source == "steps" else curves.evaluations
        for kind in self.curves:
            self.set_curve(kind, read(kind, self.x_field), read(kind, self.field))
        largest = curves.largest_step_value(self.x_field)
        self.x_extent.set_high(doubling_bound(largest) if growing
                               else (largest if largest > 0 else None))


class SweepPlot(LabPlot):
    """Held-out accuracy after a fixed budget against n (log₂ axis), a point per (n, model)."""

    def __init__(self, parent=None):
        super().__init__("Accuracy after a fixed budget against length n",
                         "sequence length n (words before the cue, log scale)",
                         "held-out accuracy (share right)", parent=parent)
        self.setYRange(*ACCURACY_RANGE, padding=0)
        self.chance_line = ChanceLine(self, width=1.2)  # its label keeps off the points
        self._curve_x: dict[str, np.ndarray] = {}

    def reset(self, models, lengths, chance: float) -> None:
        self.set_models(models, symbols=True)
        self.getAxis("bottom").setTicks([[(math.log2(n), str(n)) for n in lengths], []])
        low, high = math.log2(min(lengths)), math.log2(max(lengths))
        self.setXRange(low - 0.3, high + 0.3, padding=0)
        self.chance_line.setPos(chance)

    def show_points(self, points) -> None:
        for kind in self.curves:
            mine = [p for p in points if p.model == kind]
            ns = np.array([p.n for p in mine], dtype=float)
            accuracy = np.array([p.accuracy for p in mine], dtype=float)
            self._curve_x[kind] = ns
            keep = np.isfinite(accuracy)
            self.curves[kind].setData(np.log2(ns[keep]), accuracy[keep])

    def curve_data(self, kind: str) -> tuple[np.ndarray, np.ndarray]:
        xs, ys = super().curve_data(kind)
        return 2.0 ** xs, ys
