"""The gradient panel: both connectivity maps on one log colour scale, and the gradient reaching
each word from the last position, animated backwards through time."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QHBoxLayout

from gui import clock, style
from gui.panels.base import Panel
from gui.panels.heatmap import HeatmapView, fitted_token_ticks
from gui.panels.plot_base import WordPlot

CAPTION = ("Maps: row t, column k is how strongly word k can change the output at word t "
           "(‖∂(r·y_t)/∂x_k‖, one log colour scale; empty where no path exists). Curves: the last "
           "word's gradient going back, through the RNN one word per tick (usually shrinking), "
           "through attention to every word in one hop. Dashed (Elman cells): Pascanu's bound "
           "γ·‖W_ih‖·(λ₁γ)^(n−1−k), which promises vanishing only when λ₁γ < 1.")


class GradientCurves(WordPlot):
    """Gradient norm per word on a log axis: RNN, attention and the Pascanu bound."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setLogMode(x=False, y=True)
        self.showGrid(x=False, y=True, alpha=0.25)
        self.setTitle("gradient from the last word's output", size=style.TITLE_SIZE)
        self.setLabel("left", "‖∂L/∂x_k‖")
        self.setLabel("bottom", "word k")
        self._legend = self.addLegend(offset=(10, 5), labelTextSize="8pt")
        self._legend.setLabelTextColor("#222")
        self._legend.setBrush(pg.mkBrush(255, 255, 255, 230))  # curves pass behind it, legibly
        self._legend.setPen(pg.mkPen("#cccccc"))
        symbol = dict(symbol="o", symbolSize=6)
        self.rnn_curve = self.plot([], [], name="RNN (back through time)",
                                   pen=pg.mkPen(style.RNN_COLOR, width=2.5),
                                   symbolBrush=style.RNN_COLOR, symbolPen=None, **symbol)
        self.attention_curve = self.plot([], [], name="attention (one hop)",
                                         pen=pg.mkPen(style.ATTENTION_COLOR, width=2.5),
                                         symbolBrush=style.ATTENTION_COLOR, symbolPen=None, **symbol)
        self.bound_curve = self.plot([], [], name="Pascanu bound",
                                     pen=pg.mkPen(style.BOUND_COLOR, width=1.5,
                                                  style=Qt.PenStyle.DashLine))
        self.selected_line = pg.InfiniteLine(angle=90, movable=False,
                                             pen=pg.mkPen(style.SELECTION_COLOR, width=2))
        self.selected_line.setVisible(False)
        self.addItem(self.selected_line)
        self.hint = pg.TextItem("", color="#666666", anchor=(0.5, 0.5))
        self.hint.setZValue(20)
        self.addItem(self.hint)
        self._tokens: list[str] = []
        self._rnn = self._attention = self._bound = np.zeros(0)
        self._shown = (0, 0)  # (RNN words, attention words) currently drawn
        self._ready = True

    def set_trace(self, trace) -> None:
        self._tokens = list(trace.tokens)
        for curve in (self.rnn_curve, self.attention_curve, self.bound_curve):
            curve.setData([], [])
            if curve is not self.bound_curve:  # markers only while they stay distinguishable
                curve.setSymbol("o" if trace.length <= 100 else None)
        self._shown = (0, 0)
        self._rnn = np.maximum(trace.rnn.input_gradient, style.LOG_FLOOR)  # (T,)
        self._attention = np.maximum(trace.attention.input_gradient, style.LOG_FLOOR)  # (T,)
        bound = trace.rnn.input_bound
        self._bound = np.clip(bound, style.LOG_FLOOR, 1e30) if np.all(np.isfinite(bound)) else None
        rate = trace.rnn.lambda1 * trace.rnn.gamma
        self._legend.getLabel(self.bound_curve).setText(
            f"Pascanu bound, λ₁γ = {rate:.3g}" if self._bound is not None
            else "Pascanu bound (Elman cells only)")
        T = trace.length
        self._update_ticks()
        low = np.log10(min(float(self._rnn.min()), float(self._attention.min())))
        high = np.log10(max(float(self._rnn.max()), float(self._attention.max())))
        if self._bound is not None:  # show where the bound runs, but never squash the curves
            high = min(max(high, np.log10(float(self._bound.max()))), high + 3.0)
        self.setXRange(-0.5, T - 0.5, padding=0.02)
        self.setYRange(low - 0.5, high + 1.5, padding=0)  # headroom for the legend
        self.hint.setText(f"the gradient flows back at ticks {T + 1}–{2 * T}")
        self.hint.setPos((T - 1) / 2, (low + high) / 2)

    def _update_ticks(self) -> None:
        axis = self.getAxis("bottom")
        metrics = QFontMetrics(axis.style.get("tickFont") or QFont())
        pixels = self.plotItem.vb.boundingRect().width()
        axis.setTicks([fitted_token_ticks(self._tokens, pixels, metrics, vertical=False, offset=0.0)])

    def plot_area_resized(self) -> None:
        self._update_ticks()

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
        self.hint.setVisible(rnn_words == 0 and attention_words == 0)

    def set_selected(self, index: int) -> None:
        self.selected_line.setVisible(0 <= index < len(self._tokens))
        if 0 <= index < len(self._tokens):
            self.selected_line.setPos(index)

    def word_at(self, view_point) -> int | None:
        k = int(round(view_point.x()))
        return k if 0 <= k < len(self._tokens) else None

    def describe_word(self, k: int) -> str:
        text = (f"word {k}: {self._tokens[k]}\nRNN: {self._rnn[k]:.4g}\n"
                f"attention: {self._attention[k]:.4g}")
        if self._bound is not None:
            text += f"\nPascanu bound: {self._bound[k]:.4g}"
        return text


class GradientPanel(Panel):
    """Views the Timeline (maps fill in going forward, curves going back) and the selection."""

    def __init__(self, timeline, selection, parent=None):
        super().__init__("Gradient flow: many hops back vs one", CAPTION, parent)
        self._timeline, self._selection = timeline, selection
        self.rnn_map = HeatmapView(x_label="input word k", y_label="output word t",
                                   colormap=style.GRADIENT)
        self.attention_map = HeatmapView(x_label="input word k", colormap=style.GRADIENT)
        self.attention_map.add_colorbar("log₁₀ ‖∂(r·y_t)/∂x_k‖")
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
        for view, matrix in ((self.rnn_map, rnn), (self.attention_map, attention)):
            display = style.safe_log10(matrix)
            display[matrix == 0] = np.nan  # no path at all (a later word, a masked one): empty
            view.set_matrix(matrix, display=display, row_labels=tokens,
                            col_labels=tokens, cols_are_tokens=True, levels=levels,
                            value_name="‖∂(r·y_t)/∂x_k‖", value_format="{:.1e}",
                            col_name="input word")
        self.curves.set_trace(trace)
        self._on_selection_changed(self._selection.current)

    def _on_timeline_step_changed(self, tick: int) -> None:
        if not self._has_trace:
            return
        T = self._timeline.length
        self.rnn_map.set_revealed_rows(clock.rnn_rows_revealed(tick, T))
        self.attention_map.set_revealed_rows(T if clock.attention_done(tick) else 0)
        rnn_words = clock.rnn_words_reached(tick, T)
        attention_words = clock.attention_words_reached(tick, T)
        self.curves.show_reached(rnn_words, attention_words)
        if clock.phase(tick, T) == "backward":
            self.set_counter(f"backward: RNN {rnn_words} of {T} words reached · "
                             f"attention {attention_words} of {T} in 1 hop")
        else:
            self.set_counter("backward pass starts after the forward phase")

    def _on_selection_changed(self, index: int) -> None:
        self.rnn_map.set_selected(index)
        self.attention_map.set_selected(index)
        self.curves.set_selected(index)
