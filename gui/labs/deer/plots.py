"""The DEER lab's three plots: the error of every Newton iterate against the loop's trajectory
(log y, with the tolerance), the iterations to converge against n (log-log, with n, the loop's
steps, for reference) and against λ₁γ (the recurrent scale on the top axis, λ₁γ = 1 marked).
A point that did not converge or diverged keeps its place, drawn with a mark of its own in the
colour set's failure colour (red in the standard set)."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from gui import style
from gui.views.panels.plot_base import ExportablePlot

JACOBIANS = ("full", "diagonal")  # engine.labs.deer.lab.JACOBIANS, without importing torch
METHOD_NAMES = {"full": "DEER (full Jacobian)", "diagonal": "quasi-DEER (diagonal)"}
# method -> the colour-set model key it is drawn in: DEER in the RNN's colour, quasi-DEER in the
# scan's (both follow View → Colour-blind-safe colours)
METHOD_COLOUR_KEYS = {"full": "rnn", "diagonal": "scan"}
METHOD_SYMBOLS = {"full": "o", "diagonal": "s"}
FAILURE_MARKS = {"max_iterations": ("x", "did not converge (max iterations)"),
                 "diverged": ("t", "diverged (non-finite iterate)")}
ERROR_FLOOR = 1e-17  # an error of exactly 0 is drawn here (log axis)
SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
POWERS_OF_TWO = tuple(2 ** k for k in range(15))  # the iteration axes' ticks: 1, 2, 4, ...


def outcome_words(result) -> str:
    """'converged in 4 iterations', 'did not converge in 40', 'diverged after 3' (a legend's)."""
    steps = f"{result.iterations} iteration{'' if result.iterations == 1 else 's'}"
    return {"converged": f"converged in {steps}", "diverged": f"diverged after {steps}"}.get(
        result.status, f"did not converge in {steps}")


def decade_ticks(low: int, high: int) -> list[tuple[float, str]]:
    """Ticks 10^low ... 10^high for a log axis (positions in decades), at most about 9 labels."""
    step = max(1, math.ceil((high - low + 1) / 9))
    return [(k, "1" if k == 0 else f"10{str(k).translate(SUPERSCRIPTS)}")
            for k in range(low, high + 1) if k % step == 0]


LEGEND_MARGIN_PX = 22  # between the legend's lower edge and the highest point


def legend_band(plot: pg.PlotWidget, low: float, high: float, share: float) -> None:
    """Show low..high (decades) in the bottom (1 - share) of a log-y plot: the band above holds
    the legend, so it never covers a point."""
    low, high = low - 0.15, max(high, low + 0.5) + 0.15
    plot.setYRange(low, low + (high - low) / (1 - share), padding=0)


def legend_share(plot: pg.PlotWidget, fallback: float) -> float:
    """The share of the view's height the legend takes, with a margin (`fallback` before the
    view has a size)."""
    view_height = plot.getViewBox().height()
    legend_height = plot.legend.boundingRect().height()
    if view_height < 50 or legend_height <= 0:
        return fallback
    return min(0.7, (legend_height + LEGEND_MARGIN_PX) / view_height)


def _legend(plot: pg.PlotWidget, offset):
    fill, border, text = style.legend_colours(QApplication.palette())
    return plot.addLegend(offset=offset, labelTextSize="8pt", labelTextColor=text,
                          brush=pg.mkBrush(fill), pen=pg.mkPen(border), verSpacing=-4)


def method_colour(jacobian: str) -> str:
    """DEER's or quasi-DEER's colour in the current colour set."""
    return style.model_colour(METHOD_COLOUR_KEYS[jacobian])


def _reference_pen(dash=Qt.PenStyle.DashLine):
    return pg.mkPen(style.BOUND_COLOR, width=1.3, style=dash)


class DeerPlot(ExportablePlot):
    """A titled plot with a grid, labelled axes, one curve per method and the failure marks;
    its legend keeps a band of its own above the points."""

    BAND_FALLBACK = 0.36  # the legend's share of the height before the view has a size
    legend_columns = 1  # a subclass may ask for more, used where they fit side by side

    def __init__(self, title: str, x_label: str, y_label: str, legend_offset, parent=None):
        super().__init__(parent)
        self.setTitle(title, size=style.TITLE_SIZE)
        self.showGrid(x=True, y=True, alpha=0.2)
        self.setLabel("bottom", x_label)
        self.setLabel("left", y_label)
        self.legend = _legend(self, legend_offset)
        self.curves = {}
        self._y_span = None  # (low, high) in decades, kept to refit when the view resizes
        self.getViewBox().sigResized.connect(self._refit)
        self.failure_marks: list[pg.PlotDataItem] = []
        for jacobian in JACOBIANS:
            colour = method_colour(jacobian)
            self.curves[jacobian] = self.plot(
                [], [], name=METHOD_NAMES[jacobian], pen=pg.mkPen(colour, width=1.8),
                symbol=METHOD_SYMBOLS[jacobian], symbolSize=6, symbolPen=pg.mkPen(colour),
                symbolBrush=pg.mkBrush(colour))

    def _failure_marks(self, statuses=tuple(FAILURE_MARKS)) -> dict:
        """One scatter per failure kind, in the failure colour; named in the legend once it
        holds a point."""
        colour = style.failure_colour()
        marks = {status: self.plot([], [], pen=None, symbol=FAILURE_MARKS[status][0],
                                   symbolSize=13, symbolPen=pg.mkPen(colour, width=2),
                                   symbolBrush=pg.mkBrush(colour))
                 for status in statuses}
        self.failure_marks += marks.values()
        return marks

    def follow_colours(self) -> None:
        """Methods' curves, failure marks and their legend samples in the current colour set."""
        for jacobian, curve in self.curves.items():
            colour = method_colour(jacobian)
            curve.setPen(pg.mkPen(colour, width=1.8))
            curve.setSymbolPen(pg.mkPen(colour))
            curve.setSymbolBrush(pg.mkBrush(colour))
        failure = style.failure_colour()
        for marks in self.failure_marks:
            marks.setSymbolPen(pg.mkPen(failure, width=2))
            marks.setSymbolBrush(pg.mkBrush(failure))
        for sample, _label in self.legend.items:
            sample.update()

    def _set_marks(self, marks, status: str, xs, ys) -> None:
        """Show the failed points; their legend entry only while there are some."""
        marks.setData(list(xs), list(ys))
        listed = any(sample.item is marks for sample, _label in self.legend.items)
        if listed == bool(len(xs)):
            return
        if listed:
            self.legend.removeItem(marks)
        else:
            self.legend.addItem(marks, FAILURE_MARKS[status][1])
        self._lay_out_legend(self.legend.columnCount)

    def _lay_out_legend(self, columns: int) -> None:
        self.legend.columnCount = 0  # lay every entry out afresh: a removed one leaves no gap
        self.legend.setColumnCount(columns)

    def _fit_band(self, low: float, high: float) -> None:
        self._y_span = (low, high)
        self._refit()

    def _refit(self, *_args) -> None:
        if self.legend_columns > 1:  # as many columns as fit beside each other in the view
            self._lay_out_legend(self.legend_columns)
            if self.legend.boundingRect().width() > self.getViewBox().width() - 24:
                self._lay_out_legend(1)
        if self._y_span is not None:
            legend_band(self, *self._y_span, legend_share(self, self.BAND_FALLBACK))

    def _rename(self, jacobian: str, text: str) -> None:
        """Change a method's legend entry."""
        for sample, label in self.legend.items:
            if sample.item is self.curves[jacobian]:
                label.setText(text)

    def legend_texts(self) -> list[str]:
        return [label.text for _sample, label in self.legend.items]

    def point_counts(self) -> dict[str, int]:
        return {j: 0 if c.xData is None else len(c.xData) for j, c in self.curves.items()}


class ErrorPlot(DeerPlot):
    """max_t |h_t − loop h_t| of the zero guess and of each iterate, for DEER and quasi-DEER."""

    def __init__(self, parent=None):
        super().__init__("Error per Newton iteration against the loop's exact trajectory",
                         "Newton iteration (0: the all-zero guess)",
                         "max over t of |h_t − loop h_t| (log scale)", (-8, 8), parent)
        self.setLogMode(x=False, y=True)
        self.tolerance_line = pg.InfiniteLine(angle=0, movable=False, pen=_reference_pen(),
                                              label="tolerance (on the residual)",
                                              labelOpts={"position": 0.5,
                                                         "color": style.BOUND_COLOR})
        self.addItem(self.tolerance_line, ignoreBounds=True)
        self.diverged = self._failure_marks(("diverged",))["diverged"]
        self.runs = {}

    def reset(self, tolerance: float) -> None:
        self.runs = {}
        for jacobian in JACOBIANS:
            self._rename(jacobian, METHOD_NAMES[jacobian])
        self.tolerance_line.setPos(math.log10(tolerance))
        for curve in self.curves.values():
            curve.setData([], [])
        self._set_marks(self.diverged, "diverged", [], [])
        self._fit_y([tolerance])

    def show_runs(self, runs: dict) -> None:
        """runs: jacobian -> DeerConvergence."""
        self.runs = dict(runs)
        tops = []
        for jacobian, run in runs.items():
            errors = np.asarray(run.errors, dtype=float)  # (I+1,)
            finite = np.isfinite(errors)
            self.curves[jacobian].setData(np.arange(len(errors))[finite],
                                          np.maximum(errors[finite], ERROR_FLOOR))
            if finite.any():
                tops.append(errors[finite].max())
            self._rename(jacobian, f"{METHOD_NAMES[jacobian]}: {outcome_words(run.result)}")
        diverged = [(len(r.errors) - 1) for r in runs.values() if r.result.status == "diverged"]
        top = 10 * max(tops, default=1.0)  # a non-finite iterate is marked above every finite one
        self._set_marks(self.diverged, "diverged", diverged, [top] * len(diverged))
        shown = [y for curve in self.curves.values() if curve.yData is not None
                 for y in curve.yData]
        self._fit_y(shown + [math.pow(10, self.tolerance_line.value())]
                    + ([top] if diverged else []))

    def _fit_y(self, values) -> None:
        low, high = math.floor(math.log10(min(values))), math.ceil(math.log10(max(values)))
        self.getAxis("left").setTicks([decade_ticks(low - 1, high + 1), []])  # none in the band
        self._fit_band(low, high)

    def csv_columns(self) -> dict[str, np.ndarray]:
        columns = {}
        for jacobian, run in self.runs.items():
            name = METHOD_NAMES[jacobian]
            columns[f"{name} iteration"] = np.arange(len(run.errors), dtype=float)
            columns[f"{name} error against the loop"] = np.asarray(run.errors, dtype=float)
            columns[f"{name} residual"] = np.asarray(run.result.residuals, dtype=float)
        return columns


class SweepPlot(DeerPlot):
    """Iterations per point of a sweep, one curve per method, failures marked apart."""

    def __init__(self, title: str, x_label: str, legend_offset, parent=None):
        super().__init__(title, x_label, "Newton iterations (log scale)", legend_offset, parent)
        self.legend_columns = 2  # a shorter legend leaves the points more height, where it fits
        self.marks = self._failure_marks()
        self.points: dict[str, list] = {}

    def x_of(self, point) -> float:
        raise NotImplementedError

    def show_points(self, points: dict) -> None:
        """points: jacobian -> SweepPoints in sweep order."""
        self.points = {j: list(p) for j, p in points.items()}
        for jacobian, curve in self.curves.items():
            mine = self.points.get(jacobian, [])
            curve.setData([self.x_of(p) for p in mine], [max(p.iterations, 1) for p in mine])
        for status, marks in self.marks.items():
            failed = [p for mine in self.points.values() for p in mine if p.status == status]
            self._set_marks(marks, status, [self.x_of(p) for p in failed],
                            [max(p.iterations, 1) for p in failed])

    def _fit_iterations(self, values) -> None:
        """The y range over `values` (iteration counts, n) with the legend's band above."""
        values = [v for v in values if v > 0] or [1]
        self.getAxis("left").setTicks([[(math.log10(v), str(v)) for v in POWERS_OF_TWO
                                        if v <= 2 * max(values)], []])  # none in the band
        self._fit_band(math.log10(min(values)), math.log10(max(values)))

    def csv_columns(self) -> dict[str, np.ndarray]:
        columns = {}
        for jacobian, mine in self.points.items():
            name = METHOD_NAMES[jacobian]
            columns[f"{name} n"] = np.array([p.length for p in mine], dtype=float)
            columns[f"{name} recurrent scale"] = np.array([p.recurrent_scale for p in mine])
            columns[f"{name} lambda1 gamma"] = np.array([p.lambda1_gamma for p in mine])
            columns[f"{name} iterations"] = np.array([p.iterations for p in mine], dtype=float)
            columns[f"{name} status"] = np.array([p.status for p in mine], dtype=object)
            columns[f"{name} final error"] = np.array([p.final_error for p in mine])
        return columns


class LengthPlot(SweepPlot):
    """Iterations to converge against n (log-log), beside n itself: the loop's dependent steps."""

    def __init__(self, parent=None):
        super().__init__("Iterations to converge against sentence length n",
                         "sentence length n (words, log scale)", (8, 8), parent)
        self.setLogMode(x=True, y=True)
        self.loop_line = self.plot([], [], pen=_reference_pen(),
                                   name="sequential loop: n steps")
        self.depth = self.plot([], [], pen=self._depth_pen(),
                               name="DEER: iterations × ⌈log₂ n⌉ levels")

    @staticmethod
    def _depth_pen():
        return pg.mkPen(method_colour("full"), width=1.3, style=Qt.PenStyle.DotLine)

    def follow_colours(self) -> None:
        self.depth.setPen(self._depth_pen())
        super().follow_colours()

    def x_of(self, point) -> float:
        return float(point.length)

    def reset(self, lengths) -> None:
        self.loop_line.setData(list(lengths), list(lengths))
        self.getAxis("bottom").setTicks([[(math.log10(n), str(n)) for n in lengths], []])
        self.show_points({})

    def show_points(self, points: dict) -> None:
        super().show_points(points)
        deer = [p for p in self.points.get("full", []) if p.status == "converged"]
        depths = [p.iterations * max(1, math.ceil(math.log2(p.length))) for p in deer]
        self.depth.setData([p.length for p in deer], depths)
        lengths = [] if self.loop_line.xData is None else list(self.loop_line.xData)
        every = [p.iterations for mine in self.points.values() for p in mine]
        self._fit_iterations(lengths + every + depths)


class ScalePlot(SweepPlot):
    """Iterations to converge against λ₁γ (recurrent scale on the top axis), λ₁γ = 1 marked."""

    def __init__(self, parent=None):
        super().__init__("Iterations to converge against λ₁γ (the recurrent scale)",
                         "λ₁γ: largest singular value of W × sup |tanh′| (Pascanu's rate)",
                         (8, 8), parent)
        self.setLogMode(x=False, y=True)
        self.showAxis("top")
        self.setLabel("top", "recurrent scale")
        self.getAxis("top").enableAutoSIPrefix(False)
        self.edge = pg.InfiniteLine(1.0, angle=90, movable=False, pen=self._edge_pen(),
                                    label="λ₁γ = 1", labelOpts={"position": 0.2,
                                                                "color": style.failure_colour()})
        self.addItem(self.edge)
        self.loop_line = self.plot([], [], pen=_reference_pen(), name="sequential loop: n steps")
        self.cap_line = self.plot([], [], pen=_reference_pen(Qt.PenStyle.DotLine),
                                  name="max iterations")

    @staticmethod
    def _edge_pen():
        return pg.mkPen(style.failure_colour(), width=1.3, style=Qt.PenStyle.DashLine)

    def follow_colours(self) -> None:
        super().follow_colours()
        self.edge.setPen(self._edge_pen())
        self.edge.label.setColor(style.failure_colour())

    def x_of(self, point) -> float:
        return float(point.lambda1_gamma)

    def reset(self, length: int, max_iterations: int) -> None:
        self.length, self.max_iterations = length, max_iterations
        self.show_points({})

    def show_points(self, points: dict) -> None:
        super().show_points(points)
        every = [p for mine in self.points.values() for p in mine]
        xs = sorted({self.x_of(p) for p in every})
        span = [min(xs + [1.0]) - 0.1, max(xs + [1.0]) + 0.1]
        self.loop_line.setData(span, [self.length] * 2)
        self.cap_line.setData(span, [self.max_iterations] * 2)
        scales = {self.x_of(p): p.recurrent_scale for p in every}
        self.getAxis("top").setTicks([[(x, f"{s:g}") for x, s in sorted(scales.items())], []])
        self.setXRange(*span, padding=0)
        self._fit_iterations([p.iterations for p in every] + [self.length, self.max_iterations])
