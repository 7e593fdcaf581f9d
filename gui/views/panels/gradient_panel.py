"""The gradient panel: both connectivity maps on one log colour scale, and the gradient reaching
each word from the last position. Nothing shows before the backward phase: the RNN's map then
fills in one column per tick from the last word back, attention's appears whole in one tick."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QHBoxLayout

from engine.core import clock

from gui import style
from gui.views.panels.base import Panel
from gui.views.panels.heatmap import HeatmapView, fitted_token_ticks
from gui.views.panels.plot_base import WordPlot

GRADIENT_NAME = "‖∂(r·y_t)/∂x_k‖"  # the one name of the quantity, on every axis, bar and tooltip
LAST_ROW_NAME = "‖∂(r·y_t)/∂x_k‖, t = last word"
LEGEND_FONT_POINTS = 8.0
LEGEND_SAMPLE_WIDTH = 44  # pixels of line sample and spacing beside each legend text
LEGEND_COLUMN_GAP = 14  # pixels between legend columns
LEGEND_MARGIN = 12  # pixels: the legend's offset and its item padding
SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
FLOOR_TEXT = "10" + str(int(np.log10(style.LOG_FLOOR))).translate(SUPERSCRIPTS)  # "10⁻³⁰"
MIN_DECADES = 2.0  # a log axis spanning less labels its minor ticks into a smear
CAPTION = (
    f"{GRADIENT_NAME}: how strongly input word k can change output y_t (h_t for the RNN), read "
    "out as one number r·y_t; r is a fixed random unit vector set by the seed. Maps (row t, column "
    "k, one log colour scale) fill in going back: the RNN's one column per tick, attention's at "
    f"once. Empty: no path (a later or masked word); light blue: a path, but below {FLOOR_TEXT} "
    "or underflowed to 0. Curves: the maps' last row. Grey: Pascanu's bound γ·‖W_ih‖·(λ₁γ)^(n−1−k) "
    "for Elman cells, dashed when λ₁γ < 1 (it promises vanishing), dotted when not (it promises "
    "nothing).")


def no_path_cells(matrix: np.ndarray, causal: bool) -> np.ndarray:
    """(T, T) bool: cells with no path from word k to output t at all, so structurally zero.
    Through an RNN a later word never reaches an earlier output; through attention every word
    reaches every output unless a causal mask hides the later ones."""
    later = np.triu(np.ones(matrix.shape, dtype=bool), 1)  # (T, T) k > t
    return later if causal else np.zeros(matrix.shape, dtype=bool)


def floor_cells(matrix: np.ndarray, no_path: np.ndarray) -> np.ndarray:
    """(T, T) bool: a path exists but the gradient is below the log floor (an exact 0 there is
    float64 underflow, not a missing connection)."""
    return (matrix < style.LOG_FLOOR) & ~no_path


def legend_columns(texts: list[str], pixels: float) -> int:
    """The most legend columns (all in one row, else two, else one) that fit in `pixels`."""
    font = QFont()
    font.setPointSizeF(LEGEND_FONT_POINTS)
    metrics = QFontMetrics(font)
    widths = [metrics.horizontalAdvance(text) + LEGEND_SAMPLE_WIDTH for text in texts]
    for columns in (len(texts), 2):
        needed = (sum(max(widths[j::columns]) for j in range(columns))
                  + LEGEND_COLUMN_GAP * (columns - 1) + LEGEND_MARGIN)
        if needed <= pixels:
            return columns
    return 1


class GradientMap(HeatmapView):
    """A connectivity map: log colours, empty cells where no path exists, a flat floor colour
    where a path exists but the gradient fell below the floor; the tooltip says which."""

    def __init__(self, no_path_reason: str, **kwargs):
        super().__init__(colormap=style.GRADIENT, **kwargs)
        self._no_path_reason = no_path_reason
        self._no_path = self._at_floor = np.zeros((0, 0), dtype=bool)
        self.floor_overlay = pg.ImageItem(axisOrder="row-major")  # under the covers (z 10)
        self.floor_overlay.setColorMap(pg.ColorMap([0.0, 1.0], [style.FLOOR_COLOR] * 2))
        self.floor_overlay.setZValue(1)
        self.addItem(self.floor_overlay)

    def set_gradient(self, matrix: np.ndarray, no_path: np.ndarray, tokens: list[str],
                     levels: tuple[float, float]) -> None:
        """matrix, no_path: (T, T)."""
        T = len(tokens)
        display = style.safe_log10(matrix)  # (T, T)
        display[no_path] = np.nan  # no path at all: empty
        self.set_matrix(matrix, display=display, row_labels=tokens, col_labels=tokens,
                        cols_are_tokens=True, levels=levels, value_name=GRADIENT_NAME,
                        value_format="{:.1e}", col_name="input word")
        self._no_path = no_path
        self._at_floor = floor_cells(matrix, no_path)  # (T, T)
        self.floor_overlay.setImage(np.where(self._at_floor, 1.0, np.nan), autoLevels=False,
                                    levels=(0.0, 1.0))
        self.floor_overlay.setRect(0, 0, T, T)
        self.floor_overlay.setVisible(bool(self._at_floor.any()))

    def describe_cell(self, row: int, col: int) -> str:
        text = super().describe_cell(row, col)
        if self._no_path[row, col]:
            return text + f"\nempty: no path ({self._no_path_reason})"
        if self._at_floor[row, col]:
            if self._data[row, col] == 0:
                return text + ("\nlight blue: a path exists, but the gradient underflowed "
                               "float64 (below about 5e-324) to 0")
            return text + f"\nlight blue: below the {FLOOR_TEXT} floor of the colour scale"
        return text


class GradientCurves(WordPlot):
    """Gradient norm per word on a log axis: RNN, attention and the Pascanu bound. The legend
    sits below the plot, where it can cover no curve."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setLogMode(x=False, y=True)
        self.showGrid(x=False, y=True, alpha=0.25)
        self.setTitle("the maps' last row (t = last word), back to every k", size=style.TITLE_SIZE)
        self.setLabel("left", GRADIENT_NAME)
        self.setLabel("bottom", "input word k")
        symbol = dict(symbol="o", symbolSize=6)
        self.rnn_curve = self.plot([], [], pen=pg.mkPen(style.RNN_COLOR, width=2.5),
                                   symbolBrush=style.RNN_COLOR, symbolPen=None, **symbol)
        self.attention_curve = self.plot([], [], pen=pg.mkPen(style.ATTENTION_COLOR, width=2.5),
                                         symbolBrush=style.ATTENTION_COLOR, symbolPen=None, **symbol)
        self.bound_curve = self.plot([], [], pen=pg.mkPen(style.BOUND_COLOR, width=1.5,
                                                          style=Qt.PenStyle.DashLine))
        self.floor_points = self.plot([], [], pen=None, symbol="t", symbolSize=9,
                                      symbolBrush=style.FLOOR_COLOR, symbolPen=None)
        self.floor_points.setZValue(5)
        self._build_legend()
        self.selected_line = pg.InfiniteLine(angle=90, movable=False,
                                             pen=pg.mkPen(style.SELECTION_COLOR, width=2))
        self.selected_line.setVisible(False)
        self.addItem(self.selected_line)
        self.hint = pg.TextItem("", color=style.muted_text_colour(self.palette()), anchor=(0.5, 0.5))
        self.hint.setZValue(20)
        self.addItem(self.hint)
        self._tokens: list[str] = []
        self._true_rnn = self._true_attention = np.zeros(0)  # (T,) unclamped, for tooltips
        self._rnn = self._attention = self._bound = np.zeros(0)  # (T,) as drawn
        self._bound_promises = True
        self._shown = (0, 0)  # (RNN words, attention words) currently drawn
        self._ready = True

    def _build_legend(self) -> None:
        """A legend in a row of its own under the x axis (plot layout row 4, all columns)."""
        self._legend_box = pg.GraphicsWidget()
        self.plotItem.layout.addItem(self._legend_box, 4, 0, 1, 3)
        self._legend: pg.LegendItem | None = None
        self._legend_key = None
        self._bound_text = "Pascanu bound"
        self._floor_entry_shown = False
        self._rebuild_legend()

    def legend_texts(self) -> list[str]:
        return [label.text for _sample, label in self._legend.items]

    @property
    def legend_rect(self) -> QRectF:
        """The legend's box in scene coordinates (a copy)."""
        return QRectF(self._legend.sceneBoundingRect())

    def _legend_entries(self) -> list[tuple]:
        entries = [(self.rnn_curve, "RNN"), (self.attention_curve, "attention"),
                   (self.bound_curve, self._bound_text)]
        if self._floor_entry_shown:
            entries.append((self.floor_points, f"below {FLOOR_TEXT}, drawn at it"))
        return entries

    def _rebuild_legend(self) -> None:
        """Entries in one row where the plot is wide enough, in two otherwise. Rebuilt whole (it
        changes only with the trace, a resize past the threshold or the floor entry)."""
        entries = self._legend_entries()
        columns = legend_columns([text for _item, text in entries], self.width() - 8)
        key = (tuple(text for _item, text in entries), columns)
        if key == self._legend_key:
            return
        self._legend_key = key
        if self._legend is not None and self._legend.scene() is not None:
            self._legend.scene().removeItem(self._legend)  # detaches it from the box too
        foreground = style.plot_colours(self.palette())[1]
        self._legend = pg.LegendItem(offset=(1, 1), labelTextSize=f"{LEGEND_FONT_POINTS:g}pt",
                                     colCount=columns, horSpacing=LEGEND_COLUMN_GAP, frame=False,
                                     labelTextColor=foreground)
        self._legend.setParentItem(self._legend_box)
        for item, text in entries:
            self._legend.addItem(item, text)
        self._legend_box.setFixedHeight(self._legend.height() + 2)

    def _show_floor_entry(self, shown: bool) -> None:
        if shown != self._floor_entry_shown:
            self._floor_entry_shown = shown
            self._rebuild_legend()

    def set_trace(self, trace) -> None:
        self._tokens = list(trace.tokens)
        for curve in (self.rnn_curve, self.attention_curve, self.bound_curve, self.floor_points):
            curve.setData([], [])
            if curve in (self.rnn_curve, self.attention_curve):  # markers while distinguishable
                curve.setSymbol("o" if trace.length <= 100 else None)
        self._shown = (0, 0)
        self._true_rnn = np.asarray(trace.rnn.input_gradient)  # (T,)
        self._true_attention = np.asarray(trace.attention.input_gradient)  # (T,)
        self._rnn = np.maximum(self._true_rnn, style.LOG_FLOOR)  # (T,)
        self._attention = np.maximum(self._true_attention, style.LOG_FLOOR)  # (T,)
        self._show_bound(trace)
        self._show_floor_entry(False)
        self._update_ticks()
        low, high = self._log_range()
        T = trace.length
        self.setXRange(-0.5, T - 0.5, padding=0.02)
        self.setYRange(low - 0.3, high + 0.3, padding=0)
        self.hint.setText(f"the gradient flows back at ticks {T + 1}–{2 * T}")
        self.hint.setPos((T - 1) / 2, (low + high) / 2)

    def _show_bound(self, trace) -> None:
        """The bound, and whether it promises anything: only λ₁γ < 1 makes it shrink going back."""
        bound = trace.rnn.input_bound
        self._bound = np.clip(bound, style.LOG_FLOOR, 1e30) if np.all(np.isfinite(bound)) else None
        rate = trace.rnn.lambda1 * trace.rnn.gamma
        self._bound_promises = rate < 1
        if self._bound is None:
            self._bound_text = "Pascanu bound (Elman cells only)"
        elif self._bound_promises:
            self._bound_text = f"Pascanu bound, λ₁γ = {rate:.3g} < 1"
        else:
            self._bound_text = f"Pascanu bound (λ₁γ = {rate:.3g} ≥ 1: promises nothing)"
        self.bound_curve.setPen(pg.mkPen(style.BOUND_COLOR, width=1.5, style=(
            Qt.PenStyle.DashLine if self._bound_promises else Qt.PenStyle.DotLine)))
        self._rebuild_legend()

    def _log_range(self) -> tuple[float, float]:
        low = np.log10(min(float(self._rnn.min()), float(self._attention.min())))
        high = np.log10(max(float(self._rnn.max()), float(self._attention.max())))
        if self._bound is not None:  # show where the bound runs, but never squash the curves
            high = min(max(high, np.log10(float(self._bound.max()))), high + 3.0)
        missing = MIN_DECADES - (high - low)
        if missing > 0:
            low, high = low - missing / 2, high + missing / 2
        return low, high

    def _update_ticks(self) -> None:
        axis = self.getAxis("bottom")
        metrics = QFontMetrics(axis.style.get("tickFont") or QFont())
        pixels = self.plotItem.vb.boundingRect().width()
        axis.setTicks([fitted_token_ticks(self._tokens, pixels, metrics, vertical=False, offset=0.0)])

    def plot_area_resized(self) -> None:
        self._update_ticks()
        self._rebuild_legend()

    def show_reached(self, rnn_words: int, attention_words: int) -> None:
        """The RNN curve grows right to left; attention's appears whole. Unchanged curves are
        left alone, so a tick costs only what it changes."""
        if (rnn_words, attention_words) == self._shown:
            return
        T = len(self._tokens)
        x = np.arange(T, dtype=float)
        if rnn_words != self._shown[0]:
            first = T - rnn_words
            self.rnn_curve.setData(x[first:], self._rnn[first:])
            bound_visible = self._bound is not None and rnn_words > 0
            if bound_visible != (self._shown[0] > 0 and self._bound is not None):
                self.bound_curve.setData(*((x, self._bound) if bound_visible else ([], [])))
        if attention_words != self._shown[1]:
            self.attention_curve.setData(x[:attention_words], self._attention[:attention_words])
        self._shown = (rnn_words, attention_words)
        self._mark_floor_points(rnn_words, attention_words)
        self.hint.setVisible(rnn_words == 0 and attention_words == 0)

    def _mark_floor_points(self, rnn_words: int, attention_words: int) -> None:
        """Triangles on the drawn points whose true value lies below the floor."""
        T = len(self._tokens)
        rnn_low = np.flatnonzero(self._true_rnn < style.LOG_FLOOR)
        attention_low = np.flatnonzero(self._true_attention < style.LOG_FLOOR)
        x = np.concatenate([rnn_low[rnn_low >= T - rnn_words],
                            attention_low[attention_low < attention_words]]).astype(float)
        self.floor_points.setData(x, np.full(len(x), style.LOG_FLOOR))
        self._show_floor_entry(len(x) > 0)

    def set_selected(self, index: int) -> None:
        self.selected_line.setVisible(0 <= index < len(self._tokens))
        if 0 <= index < len(self._tokens):
            self.selected_line.setPos(index)

    def word_at(self, view_point) -> int | None:
        k = int(round(view_point.x()))
        return k if 0 <= k < len(self._tokens) else None

    def describe_word(self, k: int) -> str:
        def value(v: float) -> str:
            return f"{v:.4g}" + (f" (drawn at the {FLOOR_TEXT} floor)" if v < style.LOG_FLOOR else "")

        text = (f"word {k}: {self._tokens[k]}\n{LAST_ROW_NAME}\nRNN: {value(self._true_rnn[k])}"
                f"\nattention: {value(self._true_attention[k])}")
        if self._bound is not None:
            promise = "" if self._bound_promises else " (λ₁γ ≥ 1: it promises nothing)"
            text += f"\nPascanu bound: {self._bound[k]:.4g}{promise}"
        return text

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in style.PALETTE_EVENTS and self.__dict__.get("_ready"):
            self.hint.setColor(style.muted_text_colour(self.palette()))
            self._legend_key = None  # labels in the new text colour
            self._rebuild_legend()


class GradientPanel(Panel):
    """Views the Timeline (maps and curves appear going back) and the selection."""

    def __init__(self, timeline, selection, parent=None):
        super().__init__("Gradient flow: many hops back vs one", CAPTION, parent)
        self._timeline, self._selection = timeline, selection
        self.rnn_map = GradientMap("an RNN cannot look ahead to a later word",
                                   x_label="input word k", y_label="output word t")
        self.attention_map = GradientMap("the causal mask hides later words",
                                         x_label="input word k")
        self.attention_map.add_colorbar(f"log₁₀ {GRADIENT_NAME}")
        for view in (self.rnn_map, self.attention_map):
            view.keep_words_named()
        self.curves = GradientCurves()
        row = QHBoxLayout()
        row.addWidget(self.rnn_map, 2)
        row.addWidget(self.attention_map, 2)
        row.addWidget(self.curves, 3)
        self.content.addLayout(row, 1)
        for view in (self.rnn_map, self.attention_map, self.curves):
            view.hovered.connect(selection.set_hovered)
            view.clicked.connect(selection.toggle_pinned)
        timeline.trace_changed.connect(self._on_timeline_trace_changed)
        timeline.step_changed.connect(self._on_timeline_step_changed)
        selection.changed.connect(self._on_selection_changed)
        self._has_trace = False

    def plots(self) -> dict:
        """Export name -> plot widget."""
        return {"gradient-rnn-connectivity": self.rnn_map,
                "gradient-attention-connectivity": self.attention_map,
                "gradient-curves": self.curves}

    def _on_timeline_trace_changed(self, trace) -> None:
        self._has_trace = trace is not None
        if trace is None:
            return
        tokens = list(trace.tokens)
        T = trace.length
        rnn, attention = trace.rnn.connectivity, trace.attention.connectivity
        levels = style.log_levels(np.concatenate([rnn.ravel(), attention.ravel()]))
        self.rnn_map.setTitle(f"RNN connectivity  {T}×{T}", size=style.TITLE_SIZE)
        self.attention_map.setTitle(f"attention connectivity  {T}×{T}", size=style.TITLE_SIZE)
        for view, matrix, causal in ((self.rnn_map, rnn, True),
                                     (self.attention_map, attention, trace.config.causal)):
            view.set_gradient(matrix, no_path_cells(matrix, causal), tokens, levels)
        self.curves.set_trace(trace)
        self._on_selection_changed(self._selection.current)

    def _on_timeline_step_changed(self, tick: int) -> None:
        if not self._has_trace:
            return
        T = self._timeline.length
        self.rnn_map.set_revealed_last_columns(len(clock.rnn_gradient_columns(tick, T)))
        attention_shown = clock.attention_gradient_shown(tick, T)
        self.attention_map.set_revealed_last_columns(T if attention_shown else 0)
        rnn_words = clock.rnn_words_reached(tick, T)
        attention_words = clock.attention_words_reached(tick, T)
        self.curves.show_reached(rnn_words, attention_words)
        if clock.phase(tick, T) == "backward":
            self.set_counter(f"backward: RNN {rnn_words} of {T} words reached · "
                             f"attention {attention_words} of {T} in 1 hop")
        else:
            self.set_counter(f"the backward pass starts at tick {T + 1}")

    def _on_selection_changed(self, index: int) -> None:
        self.rnn_map.set_selected(index)
        self.attention_map.set_selected(index)
        self.curves.set_selected(index)
