"""The RNN panel: the hidden state growing one row per tick, and how much of each earlier word
still reaches the newest state."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout

from engine.core import clock

from gui import style
from gui.views.panels.base import Panel
from gui.views.panels.heatmap import HeatmapView
from gui.views.panels.rnn_cell_view import RNNCellView
from gui.views.panels.plot_base import WordPlot
from gui.views.panels.token_ticks import token_ticks

CAPTION = ("Row t is the hidden state h_t after the RNN reads word t: one cell call per tick, and "
           "row t must wait for row t−1; the cell on the right is that call at the current word. The "
           "bars: how strongly each earlier word still reaches the newest state, as a share of the "
           "strongest word (linear, 0–100 %). Early words fade.")


class ReachBars(WordPlot):
    """Horizontal bars on a linear 0-100 % axis, one per token row, aligned with the hidden-state
    rows: word k's gradient into h_t as a share of the strongest word's."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plotItem.vb.invertY(True)
        self.setTitle("reach", size=style.TITLE_SIZE)
        self.setLabel("bottom", "% of max")
        self.getAxis("left").setStyle(showValues=False)
        self.getAxis("bottom").setTicks([[(0, "0"), (50, "50"), (100, "100")]])
        self._bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.75, brush=style.RNN_COLOR,
                                     pen=None)
        self._selected_bar = pg.BarGraphItem(x0=[], y=[], width=[], height=0.75,
                                             brush=style.SELECTION_COLOR, pen=None)
        self.addItem(self._bars)
        self.addItem(self._selected_bar)
        self._percent = np.zeros((0, 0))
        self._relative = np.zeros((0, 0))
        self._tokens: list[str] = []
        self._row = None  # the hidden state whose reach is drawn
        self._selected = -1
        self.setXRange(0, 100, padding=0.1)  # room for the "0" and "100" labels

    def follow_colours(self) -> None:
        self._bars.setOpts(brush=style.model_colour("rnn"))

    def set_trace(self, trace) -> None:
        self._percent, self._relative = reach_shares(trace.rnn.connectivity)
        T = trace.length
        self._tokens = list(trace.tokens)
        self._row = -1  # nothing of this trace drawn yet: the next show_row draws
        self.setYRange(0, T, padding=0)
        self.getAxis("left").setTicks([token_ticks(list(trace.tokens))])

    def show_row(self, row: int | None) -> None:
        """Bars for word 0..row reaching h_row (none when row is None). Unchanged rows (every
        backward tick) cost nothing."""
        if row == self._row:
            return
        self._row = row
        if row is None or self._percent.shape[0] == 0:
            self._bars.setOpts(x0=[], y=[], width=[])
        else:
            self._bars.setOpts(x0=np.zeros(row + 1), y=np.arange(row + 1) + 0.5,
                               width=self._percent[row, : row + 1], height=0.75)
        self.show_selected(self._selected)

    def bar_widths(self) -> np.ndarray:
        return np.asarray(self._bars.opts["width"], dtype=float)

    @property
    def bar_starts(self) -> np.ndarray:
        """Where each bar drawn starts on the % axis (its baseline); a copy."""
        return np.array(self._bars.opts["x0"], dtype=float)

    @property
    def bar_centres(self) -> np.ndarray:
        """The row centre of each bar drawn (word k's bar at k + 0.5); a copy."""
        return np.array(self._bars.opts["y"], dtype=float)

    @property
    def bar_colour(self) -> str:
        """The colour the bars are filled with, as given (a colour name)."""
        return str(self._bars.opts["brush"])

    @property
    def selected_bar_centres(self) -> np.ndarray:
        """The row centre of the selected word's bar ([] when it has none drawn); a copy."""
        return np.array(self._selected_bar.opts["y"], dtype=float)

    @property
    def selected_bar_widths(self) -> np.ndarray:
        """The length in % of the selected word's bar ([] when it has none drawn); a copy."""
        return np.array(self._selected_bar.opts["width"], dtype=float)

    @property
    def selected_bar_colour(self) -> str:
        """The colour the selected word's bar is filled with, as given (a colour name)."""
        return str(self._selected_bar.opts["brush"])

    @property
    def shares(self) -> np.ndarray:
        """(T, T): word k's reach into h_t as a % of the strongest word's; a read-only view."""
        view = self._percent.view()
        view.flags.writeable = False
        return view

    def show_selected(self, selected: int) -> None:
        """Draw the selected word's bar in green (only that one bar changes)."""
        self._selected = selected
        row = self._row
        if row is not None and 0 <= selected <= row:
            self._selected_bar.setOpts(x0=[0.0], y=[selected + 0.5],
                                       width=[self._percent[row, selected]], height=0.75)
        else:
            self._selected_bar.setOpts(x0=[], y=[], width=[])

    def word_at(self, view_point) -> int | None:
        k = int(np.floor(view_point.y()))
        return k if self._row is not None and 0 <= k <= self._row else None  # -1: none drawn

    def describe_word(self, k: int) -> str:
        row = self._row
        return (f"word {k} “{self._tokens[k]}” reaches h_{row} (“{self._tokens[row]}”)\n"
                f"with {self._percent[row, k]:.3g} % of the strongest word's gradient\n"
                f"({self._relative[row, k]:.4g} × the newest word's)")


def reach_shares(connectivity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each state h_t (row) and word k <= t: k's gradient into h_t as a percentage of the
    strongest word's, and as a multiple of the newest word's. connectivity: (T, T)."""
    lower = np.tril(connectivity)  # (T, T) an RNN cannot look ahead
    strongest = lower.max(axis=1, keepdims=True)  # (T, 1)
    newest = np.diag(connectivity)[:, None]  # (T, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.where(strongest > 0, 100.0 * lower / strongest, 0.0)  # (T, T)
        relative = np.where(newest > 0, lower / newest, np.inf)  # (T, T)
    return percent, relative


class RNNPanel(Panel):
    """Views the Timeline (rows revealed so far) and the TokenSelection (outlined row, bar)."""

    def __init__(self, timeline, selection, parent=None):
        super().__init__("Recurrent network: one word per tick", CAPTION, parent, colour=style.RNN_COLOR)
        self._timeline, self._selection = timeline, selection
        self.hidden_view = HeatmapView(x_label="hidden dimension", y_label="word (timestep t)")
        self.hidden_view.add_colorbar("h_t")
        self.hidden_view.keep_words_named()
        self.reach = ReachBars()
        self.reach.setYLink(self.hidden_view)
        self.cell_view = RNNCellView(timeline, selection)
        row = QHBoxLayout()
        row.addWidget(self.hidden_view, 4)
        row.addWidget(self.reach, 1)
        row.addWidget(self.cell_view, 2)
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
