"""The cost lab's log-log plots: measured time, counted multiply-adds, and sequential operations
with path length against n. Items are built once per plot; arriving rows only change their data."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QApplication

from engine.labs.cost.report import (fit_slope, has_mingru, measured_implementations,
                                    slope_warnings)
from engine.labs.cost.sweep import IMPLEMENTATIONS, LABELS, MINGRU, PAPER_EXPONENT
from gui import style
from gui.views.panels.plot_base import ExportablePlot

X_LABEL = "sentence length n (words)"
MAX_X_TICKS = 9  # label every other power of two beyond this many
GUIDE_COLOR = "#9a9a9a"


def _shade(colour: str) -> str:
    return QColor(colour).lighter(135).name()


def curve_colour(model: str, shaded: bool) -> str:
    """A model's colour in the current colour set, lighter for torch's reference or a step loop."""
    colour = style.model_colour(model)
    return _shade(colour) if shaded else colour


# implementation -> (model colour key, shaded?, dashed?, symbol): ours solid, torch's reference
# dashed and lighter; minGRU in the scan's colour, the scan solid and its step loop dashed and
# lighter
CURVE_STYLES = {
    "rnn_stepwise": ("rnn", False, False, "o"),
    "rnn_fused": ("rnn", True, True, "t"),
    "attention": ("attention", False, False, "o"),
    "attention_sdpa": ("attention", True, True, "s"),
    "mingru_loop": ("scan", True, True, "t"),
    "mingru_scan": ("scan", False, False, "d"),
}
NOT_MEASURED = "not in this result (saved before the lab measured it)"


def slope_text(slope: float) -> str:
    return "–" if math.isnan(slope) else f"{slope:.2f}"


def legend_label(name: str, slope: float, warned: bool = False, measured: bool = True) -> str:
    """'RNN, our step loop — slope 1.02 (paper: 1)', with ⚠ when the slope cannot be trusted;
    minGRU's exponent is 'expected' (Table 1 has no linear recurrence)."""
    if not measured:
        return f"{LABELS[name]} — {NOT_MEASURED}"
    mark = " ⚠" if warned else ""
    source = "expected" if name in MINGRU else "paper"
    return f"{LABELS[name]} — slope {slope_text(slope)}{mark} ({source}: {PAPER_EXPONENT[name]})"


def length_ticks(lengths) -> list[tuple[float, str]]:
    """Ticks at each measured n (in log10 view coordinates), every other one when crowded."""
    lengths = list(lengths)
    step = 1 if len(lengths) <= MAX_X_TICKS else 2
    return [(math.log10(n), str(n)) for n in lengths[::step]]


def _pen(colour: str, dashed: bool, width: float = 2.0) -> QPen:
    pen = pg.mkPen(colour, width=width)
    if dashed:
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen


def _positive(xs, ys) -> tuple[np.ndarray, np.ndarray]:
    """The points a log-log plot can show (both coordinates > 0)."""
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    keep = (xs > 0) & (ys > 0)
    return xs[keep], ys[keep]


class LogLogPlot(ExportablePlot):
    """Log-log axes, a grid, a legend, ticks at the measured n, and an optional n = d line."""

    def __init__(self, title: str, y_label: str, crossover: bool, parent=None):
        super().__init__(parent)
        self.setBackground(style.PLOT_BACKGROUND)
        self.plotItem.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.setLogMode(x=True, y=True)
        self.showGrid(x=True, y=True, alpha=0.2)
        self.setTitle(title, size=style.TITLE_SIZE)
        self.setLabel("bottom", X_LABEL)
        self.setLabel("left", y_label)
        self.getAxis("left").enableAutoSIPrefix(False)  # log axes: 10⁻³ s, not "×0.001"
        fill, border, text = style.legend_colours(QApplication.palette())
        self.legend = self.addLegend(offset=(6, 6), labelTextSize="8pt", labelTextColor=text,
                                     brush=pg.mkBrush(fill), pen=pg.mkPen(border), verSpacing=-4)
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.curve_colours: dict[str, tuple[str, bool]] = {}  # key -> (model, shaded?)
        self.crossover_line = self._crossover_line() if crossover else None
        self._y_extent: tuple[float, float] | None = None  # log10 of the smallest and largest y
        self.plotItem.vb.sigResized.connect(self._fit_y)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in style.PALETTE_EVENTS and self.__dict__.get("curves") is not None:
            self._colour_from_palette()

    def _colour_from_palette(self) -> None:
        """The legend's box and text and the n = d label in the current theme's colours."""
        fill, border, text = style.legend_colours(QApplication.palette())
        self.legend.setBrush(fill)
        self.legend.setPen(border)
        self.legend.setLabelTextColor(text)
        for _sample, label in self.legend.items:
            label.setText(label.text, color=text)
        if self.crossover_line is not None:
            self.crossover_line.label.setColor(text)
            self.crossover_line.label.fill = pg.mkBrush(fill)
            self.crossover_line.label.update()

    def _crossover_line(self) -> pg.InfiniteLine:
        """The n = d line, labelled at its foot (the legend fills the top band)."""
        fill, _border, text = style.legend_colours(QApplication.palette())
        line = pg.InfiniteLine(angle=90, movable=False, pen=_pen(style.BOUND_COLOR, True, 1.5),
                               label="n = d", labelOpts={"position": 0.03, "color": text,
                                                         "fill": pg.mkBrush(fill),
                                                         "anchors": [(0, 1), (0, 1)]})
        self.addItem(line, ignoreBounds=True)
        return line

    def add_curve(self, key: str, label: str, colour: str, dashed: bool, symbol: str | None,
                  width: float = 2.0) -> pg.PlotDataItem:
        curve = self.plot([], [], name=label, pen=_pen(colour, dashed, width), symbol=symbol,
                          symbolSize=7, symbolPen=pg.mkPen(colour), symbolBrush=pg.mkBrush(colour))
        self.curves[key] = curve
        return curve

    def add_model_curve(self, key: str, label: str, model: str, shaded: bool, dashed: bool,
                        symbol: str) -> pg.PlotDataItem:
        """A curve in a model's colour, which follows the colour set."""
        self.curve_colours[key] = (model, shaded)
        return self.add_curve(key, label, curve_colour(model, shaded), dashed, symbol)

    def follow_colours(self) -> None:
        """The models' curves (and their legend samples) in the current colour set."""
        for key, (model, shaded) in self.curve_colours.items():
            curve, colour = self.curves[key], curve_colour(model, shaded)
            pen = QPen(curve.opts["pen"])
            pen.setColor(QColor(colour))
            curve.setPen(pen)
            curve.setSymbolPen(pg.mkPen(colour))
            curve.setSymbolBrush(pg.mkBrush(colour))
        for sample, _label in self.legend.items:
            sample.update()

    def set_legend_text(self, key: str, text: str) -> None:
        label = self.legend.getLabel(self.curves[key])
        if label is not None and label.text != text:
            label.setText(text)

    def legend_texts(self) -> list[str]:
        return [label.text for _sample, label in self.legend.items]

    def reset(self, lengths, d_model: int) -> None:
        """A new sweep over `lengths`: empty curves, their ticks and x range, the line at n = d."""
        for curve in self.curves.values():
            curve.setData([], [])
        self.getAxis("bottom").setTicks([length_ticks(lengths), []])
        low, high = math.log10(min(lengths)), math.log10(max(lengths))
        pad = max(0.05 * (high - low), 0.08)
        self.setXRange(low - pad, high + pad, padding=0)
        self._y_extent = None
        if self.crossover_line is not None:
            self.crossover_line.setPos(math.log10(d_model))
            self.crossover_line.label.setFormat(f"n = d = {d_model}")

    def set_y_extent(self, *arrays) -> None:
        """The y values to keep in view (positive ones count); the legend gets a band above them."""
        values = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays])
        values = values[np.isfinite(values) & (values > 0)]
        self._y_extent = ((float(np.log10(values.min())), float(np.log10(values.max())))
                          if values.size else None)
        self._fit_y()

    def _fit_y(self, *_args) -> None:
        """Fit the y range to the data, with room above it for the legend (top-left), so the
        legend never hides a point, whatever the curves do."""
        if self._y_extent is None:
            self.setYRange(0.0, 1.0, padding=0)
            return
        low, high = self._y_extent
        span = max(high - low, 0.5)
        view_height = self.plotItem.vb.height()
        needed = self.legend.boundingRect().height() + 10
        legend = min(max(needed / view_height if view_height > 0 else 0.3, 0.1), 0.6)
        self.setYRange(low - 0.05 * span, high + 0.05 * span + span * legend / (1 - legend),
                       padding=0)

    def curve_data(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """A curve's points as given (n and the value, not their logarithms)."""
        curve = self.curves[key]
        empty = np.zeros(0)
        return (empty if curve.xData is None else curve.xData,
                empty if curve.yData is None else curve.yData)

    def point_counts(self) -> dict[str, int]:
        """Points drawn per curve."""
        return {key: len(self.curve_data(key)[0]) for key in self.curves}


class TimePlot(LogLogPlot):
    """Median seconds per pass of each implementation, with the fastest-slowest spread as bars."""

    def __init__(self, parent=None):
        super().__init__("Measured time per pass (median; bars: fastest–slowest)",
                         "time per pass (s)", crossover=True, parent=parent)
        self.spreads: dict[str, pg.ErrorBarItem] = {}
        for name in IMPLEMENTATIONS:
            model, shaded, dashed, symbol = CURVE_STYLES[name]
            self.add_model_curve(name, legend_label(name, math.nan), model, shaded, dashed, symbol)
            bars = pg.ErrorBarItem(x=np.zeros(0), y=np.zeros(0), beam=0.03,
                                   pen=pg.mkPen(curve_colour(model, shaded), width=1.2))
            self.addItem(bars)
            self.spreads[name] = bars

    def follow_colours(self) -> None:
        super().follow_colours()
        for name, bars in self.spreads.items():
            model, shaded, _dashed, _symbol = CURVE_STYLES[name]
            bars.setData(pen=pg.mkPen(curve_colour(model, shaded), width=1.2))

    def show_rows(self, rows) -> None:
        ns = np.array([row.n for row in rows], dtype=float)
        extent, warned, measured = [], slope_warnings(rows), measured_implementations(rows)
        for name in IMPLEMENTATIONS:
            if name not in measured:
                self._clear(name)
                continue
            median = np.array([row[name].median_seconds for row in rows], dtype=float)
            low = np.array([row[name].min_seconds for row in rows], dtype=float)
            high = np.array([row[name].max_seconds for row in rows], dtype=float)
            self.curves[name].setData(*_positive(ns, median))
            self._set_spread(name, ns, median, low, high)
            self.set_legend_text(name, legend_label(name, fit_slope(ns, median), name in warned))
            extent += [low, high]
        self.set_y_extent(*extent)

    def _clear(self, name: str) -> None:
        """No curve for an implementation the shown result did not measure."""
        self.curves[name].setData([], [])
        self.spreads[name].setData(x=np.zeros(0), y=np.zeros(0))
        self.set_legend_text(name, legend_label(name, math.nan, measured=False))

    def _set_spread(self, name, ns, median, low, high) -> None:
        """Error bars live in the view's log10 coordinates (ErrorBarItem has no log mode)."""
        keep = (ns > 0) & (median > 0) & (low > 0) & (high > 0)
        x, y = np.log10(ns[keep]), np.log10(median[keep])
        self.spreads[name].setData(x=x, y=y, top=np.log10(high[keep]) - y,
                                   bottom=y - np.log10(low[keep]))


class MacsPlot(LogLogPlot):
    """Counted multiply-adds per pass, beside Table 1's n·d² and n²·d (constant factors dropped)."""

    GUIDES = {"guide_recurrent": ("Table 1 shape n·d² (recurrent)", True),
              "guide_attention": ("Table 1 shape n²·d (self-attention)", False)}

    def __init__(self, parent=None):
        super().__init__("Counted multiply-adds per pass (exact)", "multiply-adds per pass",
                         crossover=True, parent=parent)
        for name in IMPLEMENTATIONS:
            model, shaded, dashed, symbol = CURVE_STYLES[name]
            self.add_model_curve(name, legend_label(name, math.nan), model, shaded, dashed, symbol)
        for key, (label, dotted) in self.GUIDES.items():
            curve = self.add_curve(key, label, GUIDE_COLOR, False, None, width=1.2)
            curve.setPen(pg.mkPen(GUIDE_COLOR, width=1.2,
                                  style=Qt.PenStyle.DotLine if dotted else Qt.PenStyle.DashDotLine))
        self._guides: tuple = ()

    def reset(self, lengths, d_model: int) -> None:
        super().reset(lengths, d_model)
        ns = np.array(lengths, dtype=float)
        self._guides = (ns * d_model * d_model, ns * ns * d_model)
        self.curves["guide_recurrent"].setData(ns, self._guides[0])
        self.curves["guide_attention"].setData(ns, self._guides[1])
        self.set_y_extent(*self._guides)

    def show_rows(self, rows) -> None:
        ns = np.array([row.n for row in rows], dtype=float)
        extent, measured = list(self._guides), measured_implementations(rows)
        for name in IMPLEMENTATIONS:
            if name not in measured:
                self.curves[name].setData([], [])
                self.set_legend_text(name, legend_label(name, math.nan, measured=False))
                continue
            macs = np.array([row[name].macs for row in rows], dtype=float)
            self.curves[name].setData(*_positive(ns, macs))
            self.set_legend_text(name, legend_label(name, fit_slope(ns, macs)))
            extent.append(macs)
        self.set_y_extent(*extent)


# key -> (legend text, (model colour key, shaded?), dashed?, symbol, LabRow attribute)
DEPTH_SERIES = {
    "rnn_sequential": ("RNN: sequential operations n — O(n)", ("rnn", False),
                       False, "o", "rnn_sequential_operations"),
    "rnn_path": ("RNN: maximum path length n − 1 — O(n)", ("rnn", True),
                 True, "t", "rnn_max_path_length"),
    "attention_sequential": ("attention: sequential operations 1 — O(1)",
                             ("attention", False), False, "o", "attention_sequential_operations"),
    "attention_path": ("attention: maximum path length 1 — O(1)",
                       ("attention", True), True, "s", "attention_max_path_length"),
    "mingru_scan_sequential": ("minGRU scan: sequential levels ⌈log₂ n⌉ — O(log n)",
                               ("scan", False), False, "d", "mingru_scan_sequential_operations"),
}
# minGRU's step loop waits n steps and both its paths are n - 1 hops: the RNN's lines exactly
# (the engine counts them separately; a test checks they agree), so the legend names it there.
DEPTH_SHARED = {"rnn_sequential": "RNN, minGRU loop: sequential operations n — O(n)",
                "rnn_path": "RNN, minGRU: maximum path length n − 1 — O(n)"}


class DepthPlot(LogLogPlot):
    """Steps that must wait for each other, and hops between the two farthest words."""

    def __init__(self, parent=None):
        super().__init__("Sequential operations and maximum path length", "steps or hops",
                         crossover=False, parent=parent)
        for key, (label, (model, shaded), dashed, symbol, _attribute) in DEPTH_SERIES.items():
            self.add_model_curve(key, label, model, shaded, dashed, symbol)

    def reset(self, lengths, d_model: int) -> None:
        super().reset(lengths, d_model)
        self.set_y_extent([1, max(lengths)])  # every count lies between 1 and n: no jumps

    def show_rows(self, rows) -> None:
        ns, mingru = [row.n for row in rows], has_mingru(rows) or not rows
        for key, (label, _colour, _dashed, _symbol, attribute) in DEPTH_SERIES.items():
            values = [getattr(row, attribute) for row in rows]
            self.curves[key].setData(*_positive(ns, [np.nan if v is None else v for v in values]))
            if key in DEPTH_SHARED:
                label = DEPTH_SHARED[key] if mingru else label
            elif key == "mingru_scan_sequential" and not mingru:
                label = f"minGRU scan — {NOT_MEASURED}"
            self.set_legend_text(key, label)
