"""The RNN panel: the hidden state growing one row per tick, and how much of each earlier word
still reaches the newest state."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout

from gui import clock, style
from gui.panels.base import Panel
from gui.panels.heatmap import HeatmapView, token_ticks
from gui.panels.plot_base import WordPlot

CAPTION = ("Row t is the hidden state h_t after the RNN reads word t: one cell call per tick, and "
           "row t must wait for row t−1. The bars: how strongly each earlier word still reaches the "
           "newest state, relative to the newest word (log scale). Early words fade.")


class ReachBars(WordPlot):
    """Horizontal log-scale bars, one per token row, aligned with the hidden-state rows."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plotItem.vb.invertY(True)
        self.setTitle("reach into h_t", size=style.TITLE_SIZE)
        self.setLabel("bottom", "log₁₀ relative")
        self.getAxis("left").setStyle(showValues=False)
        self._bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.75, brush=style.RNN_COLOR,
                                     pen=None)
        self._selected_bar = pg.BarGraphItem(x0=[], y=[], width=[], height=0.75,
                                             brush=style.SELECTION_COLOR, pen=None)
        self.addItem(self._bars)
        self.addItem(self._selected_bar)
        self._relative_log = np.zeros((0, 0))
        self._floor = -8.0
        self._tokens: list[str] = []
        self._row = None  # the hidden state whose reach is drawn
        self._selected = -1

    def set_trace(self, trace) -> None:
        connectivity = trace.rnn.connectivity  # (T, T)
        diagonal = np.maximum(np.diag(connectivity), style.LOG_FLOOR)  # (T,)
        relative = connectivity / diagonal[:, None]  # (T, T) word k's reach into h_t vs word t
        self._relative_log = style.safe_log10(np.tril(relative))
        lower = self._relative_log[np.tril_indices_from(self._relative_log)]
        self._floor = float(np.clip(np.floor(lower.min()) - 0.5, np.log10(style.LOG_FLOOR), -1.0))
        T = trace.length
        self._tokens = list(trace.tokens)
        self._row = -1  # nothing of this trace drawn yet: the next show_row draws
        self.setXRange(self._floor, 0.3, padding=0)
        self.setYRange(0, T, padding=0)
        self.getAxis("left").setTicks([token_ticks(list(trace.tokens))])

    def show_row(self, row: int | None) -> None:
        """Bars for word 0..row reaching h_row (none when row is None). Unchanged rows (every
        backward tick) cost nothing."""
        if row == self._row:
            return
        self._row = row
        if row is None or self._relative_log.shape[0] == 0:
            self._bars.setOpts(x0=[], y=[], width=[])
        else:
            values = self._relative_log[row, : row + 1]  # (row+1,)
            self._bars.setOpts(x0=np.full(row + 1, self._floor), y=np.arange(row + 1) + 0.5,
                               width=values - self._floor, height=0.75)
        self.show_selected(self._selected)

    def show_selected(self, selected: int) -> None:
        """Draw the selected word's bar in green (only that one bar changes)."""
        self._selected = selected
        row = self._row
        if row is not None and 0 <= selected <= row:
            width = self._relative_log[row, selected] - self._floor
            self._selected_bar.setOpts(x0=[self._floor], y=[selected + 0.5], width=[width],
                                       height=0.75)
        else:
            self._selected_bar.setOpts(x0=[], y=[], width=[])

    def word_at(self, view_point) -> int | None:
        k = int(np.floor(view_point.y()))
        return k if self._row is not None and 0 <= k <= self._row else None  # -1: none drawn

    def describe_word(self, k: int) -> str:
        ratio = 10.0 ** self._relative_log[self._row, k]
        return (f"word {k} “{self._tokens[k]}” reaches h_{self._row} (“{self._tokens[self._row]}”)"
                f"\nwith {ratio:.4g} × the newest word's gradient")


class RNNPanel(Panel):
    """Views the Timeline (rows revealed so far) and the TokenSelection (outlined row, bar)."""

    def __init__(self, timeline, selection, parent=None):
        super().__init__("Recurrent network: one word per tick", CAPTION, parent, colour=style.RNN_COLOR)
        self._timeline, self._selection = timeline, selection
        self.hidden_view = HeatmapView(x_label="hidden dimension", y_label="word (timestep t)")
        self.hidden_view.add_colorbar("h_t")
        self.reach = ReachBars()
        self.reach.setYLink(self.hidden_view)
        row = QHBoxLayout()
        row.addWidget(self.hidden_view, 4)
        row.addWidget(self.reach, 1)
        self.content.addLayout(row)
        for view in (self.hidden_view, self.reach):
            view.hovered.connect(selection.set_hovered)
            view.clicked.connect(selection.toggle_pinned)
        timeline.trace_changed.connect(self._on_timeline_trace_changed)
        timeline.step_changed.connect(self._on_timeline_step_changed)
        selection.changed.connect(self._on_selection_changed)

    def plots(self) -> dict:
        """Export name -> plot widget."""
        return {"rnn-hidden": self.hidden_view, "rnn-reach": self.reach}

    def _on_timeline_trace_changed(self, trace) -> None:
        if trace is None:
            return
        T, H = trace.rnn.hidden.shape
        self.hidden_view.setTitle(f"hidden state h_t  {T}×{H}",
                                  size=style.TITLE_SIZE)
        self.hidden_view.set_matrix(trace.rnn.hidden, row_labels=list(trace.tokens),
                                    value_name="h", value_format="{:.2f}",
                                    col_name="hidden dimension")
        self.reach.set_trace(trace)
        self.hidden_view.set_selected(self._selection.current)

    def _on_timeline_step_changed(self, tick: int) -> None:
        T = self._timeline.length
        revealed = clock.rnn_rows_revealed(tick, T)
        self.hidden_view.set_revealed_rows(revealed)
        forward = clock.phase(tick, T) == "forward"
        self.hidden_view.set_marker_row(revealed - 1 if forward else None)
        self.reach.show_row(revealed - 1 if revealed else None)
        self.set_counter(f"sequential step {revealed} of {T}")

    def _on_selection_changed(self, index: int) -> None:
        self.hidden_view.set_selected(index)
        self.reach.show_selected(index)
