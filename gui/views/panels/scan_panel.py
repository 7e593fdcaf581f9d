"""The scan lane: minGRU, a recurrence linear in its state, computed by a parallel scan. The scan
tree grows one level per tick, the states show what each position holds after that level, and
hidden attention puts the recurrence in attention's own picture (a word-by-word matrix)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout

from engine.core import clock
from engine.core.scan_plan import scan_levels

from gui import style
from gui.views.panels.base import Panel
from gui.views.panels.heatmap import HeatmapView
from gui.views.panels.plot_base import WordPlot
from gui.views.panels.token_ticks import fitted_token_ticks

KEY = "scan"  # the scan's record in a trace
CAPTION = ("minGRU's gate reads only the word, never h_{t−1}, so h_t = (1−z_t)·h_{t−1} + z_t·h̃_t "
           "is linear in the state: each word is a pair (a, b), and pairs join associatively, "
           "(a₁, b₁)∘(a₂, b₂) = (a₁a₂, a₂b₁ + b₂). The tree joins them in ⌈log₂ n⌉ levels, one "
           "per tick (Hillis–Steele); the path from word k to h_t is still t−k hops. The Elman "
           "RNN's tanh(W·h + U·x) has no such join, so it must loop (or iterate: DEER). Right: "
           "hidden attention, M[t, k] = z_k·(1−z_{k+1})⋯(1−z_t), a weight in [0, 1] like softmax's.")
MAP_CHOICES = ("hidden attention M", "M − softmax attention")
MAX_NODE_WORDS = 128  # beyond this the tree draws its joins without a dot per position


class ScanTreeView(WordPlot):
    """Words along the bottom, levels downwards: level j joins every position t with t − 2^(j−1).
    The selected word's span after the current level is shaded."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plotItem.vb.invertY(True)
        self.setLabel("bottom", "word")
        self.setLabel("left", "scan level")
        self.setMouseEnabled(False, False)
        self.hideButtons()
        self._span = pg.BarGraphItem(x0=[], y=[], width=[], height=0.5,
                                     brush=pg.mkBrush(style.SELECTION_COLOR + "55"), pen=None)
        self._passes = pg.PlotDataItem(connect="pairs", pen=pg.mkPen(style.BOUND_COLOR, width=1))
        self._joins = pg.PlotDataItem(connect="pairs")
        self._nodes = pg.ScatterPlotItem(size=6, pen=None)
        self.follow_colours()
        for item in (self._span, self._passes, self._joins, self._nodes):
            self.addItem(item)
        self._tokens: list[str] = []
        self._levels = ()
        self._shown = 0  # levels drawn
        self._selected = -1
        self._ready = True

    def set_trace(self, trace) -> None:
        self._tokens = list(trace.tokens)
        self._levels = scan_levels(trace.length)
        self._shown = -1
        L, T = len(self._levels), trace.length
        self.setXRange(0, T, padding=0.02)
        self.setYRange(-0.5, max(L, 1) + 0.5, padding=0)
        self._update_word_ticks()
        self.getAxis("left").setTicks([[(0, "words")] + [
            (level.index + 1, f"{level.index + 1}: +{level.offset}") for level in self._levels]])
        self.setTitle(f"scan tree: {T} words, ⌈log₂ {T}⌉ = {L} level{'' if L == 1 else 's'}",
                      size=style.TITLE_SIZE)

    def follow_colours(self) -> None:
        """The scan's colour in the current colour set (View → Colour-blind-safe colours)."""
        colour = QColor(style.model_colour(KEY))
        self._joins.setPen(pg.mkPen(colour, width=2))
        self._nodes.setBrush(pg.mkBrush(colour))

    def _update_word_ticks(self) -> None:
        """Word names thinned to what fits the plot's width without overlapping."""
        axis = self.getAxis("bottom")
        metrics = QFontMetrics(axis.style.get("tickFont") or QFont())
        pixels = self.plotItem.vb.boundingRect().width()
        axis.setTicks([fitted_token_ticks(self._tokens, pixels, metrics, vertical=False)])

    def plot_area_resized(self) -> None:
        self._update_word_ticks()

    @property
    def levels_shown(self) -> int:
        return self._shown

    def show_levels(self, count: int) -> None:
        """Draw the words and the first `count` levels' joins (unchanged counts cost nothing)."""
        count = max(0, min(count, len(self._levels)))
        if count == self._shown:
            return
        self._shown = count
        T = len(self._tokens)
        centres = np.arange(T) + 0.5  # (T,)
        joins, passes = [], []
        for level in self._levels[:count]:
            row = level.index + 1
            joins.append(np.column_stack([  # (2A, 2): source at row - 1 -> target at row
                np.ravel(np.column_stack([level.sources + 0.5, level.targets + 0.5])),
                np.tile([row - 1, row], len(level.targets))]))
            passes.append(np.column_stack([np.repeat(centres, 2), np.tile([row - 1, row], T)]))
        self._set_pairs(self._joins, joins)
        self._set_pairs(self._passes, passes)
        if T <= MAX_NODE_WORDS:
            rows = np.repeat(np.arange(count + 1), T)  # ((count+1) T,)
            self._nodes.setData(x=np.tile(centres, count + 1), y=rows)
        else:
            self._nodes.setData(x=[], y=[])
        self.show_selected(self._selected)

    @staticmethod
    def _set_pairs(item: pg.PlotDataItem, parts: list[np.ndarray]) -> None:
        points = np.concatenate(parts) if parts else np.zeros((0, 2))  # (2P, 2)
        item.setData(x=points[:, 0], y=points[:, 1], connect="pairs")

    def show_selected(self, selected: int) -> None:
        """Shade the words the selected position covers after the levels drawn."""
        self._selected = selected
        if not 0 <= selected < len(self._tokens):
            self._span.setOpts(x0=[], y=[], width=[])
            return
        start = self.span_start(selected)
        self._span.setOpts(x0=[start], y=[max(self._shown, 0)], width=[selected + 1 - start],
                           height=0.5)

    def span_start(self, position: int) -> int:
        """The first word `position` covers after the levels drawn (itself before any level)."""
        if self._shown <= 0:
            return position
        return int(self._levels[self._shown - 1].span_start[position])

    def joins_drawn(self) -> int:
        """Operator applications drawn so far (each join is one line)."""
        x, _y = self._joins.getData()
        return 0 if x is None else len(x) // 2

    def word_at(self, view_point) -> int | None:
        k = int(np.floor(view_point.x()))
        return k if 0 <= k < len(self._tokens) else None

    def describe_word(self, k: int) -> str:
        start, word = self.span_start(k), self._tokens[k]
        if self._shown <= 0:
            return f"word {k} “{word}”: its own pair (a_{k}, b_{k}), before any level"
        covered = k - start + 1
        done = self._shown == len(self._levels) or start == 0
        return (f"word {k} “{word}” after level {self._shown}: covers words {start}–{k} "
                f"({covered} word{'' if covered == 1 else 's'})"
                + ("; it holds its finished state h_" + str(k) if done else ""))


class ScanPanel(Panel):
    """Views the Timeline (levels revealed so far) and the TokenSelection; shown only for runs
    that have a scan (the config's scan lane)."""

    plots_changed = Signal()  # plots() changed: the lane came or went with the trace

    def __init__(self, timeline, selection, parent=None):
        super().__init__("Linear recurrence (minGRU): a parallel scan in ⌈log₂ n⌉ levels",
                         CAPTION, parent, colour=style.model_colour(KEY))
        self._timeline, self._selection = timeline, selection
        self._trace = None
        self._state_levels = (-1.0, 1.0)  # one colour scale for every level of a run
        self._levels_drawn = -1
        self.tree = ScanTreeView()
        self.states_view = HeatmapView(x_label="hidden dimension", y_label="word")
        self.states_view.add_colorbar("state")
        self.map_view = HeatmapView(x_label="input word k", y_label="output word t",
                                    colormap=style.SEQUENTIAL)
        self.map_view.add_colorbar("weight")
        self.map_view.keep_words_named()
        self.map_box = QComboBox()
        self.map_box.addItems(MAP_CHOICES)
        self.map_box.setToolTip("Hidden attention M, or its difference from softmax attention "
                                "(averaged over heads) on the same words")
        self.difference_label = QLabel("")
        self.difference_label.setObjectName("caption")
        right = QVBoxLayout()
        choice = QHBoxLayout()
        choice.addStretch(1)
        choice.addWidget(QLabel("show"))
        choice.addWidget(self.map_box)
        right.addLayout(choice)
        right.addWidget(self.map_view, 1)
        row = QHBoxLayout()
        row.addWidget(self.tree, 4)
        row.addWidget(self.states_view, 3)
        row.addLayout(right, 3)
        self.content.addLayout(row)
        self.content.addWidget(self.difference_label)
        for view in (self.tree, self.states_view, self.map_view):
            view.hovered.connect(selection.set_hovered)
            view.clicked.connect(selection.toggle_pinned)
        self.map_box.currentIndexChanged.connect(lambda _index: self._draw_map())
        timeline.trace_changed.connect(self._on_timeline_trace_changed)
        timeline.step_changed.connect(self._on_timeline_step_changed)
        selection.changed.connect(self._on_selection_changed)
        self.setVisible(False)

    def plots(self) -> dict:
        """Export name -> plot widget (empty while the run has no scan)."""
        if self._trace is None or self._trace.scan is None:
            return {}
        return {"scan-tree": self.tree, "scan-states": self.states_view,
                "scan-hidden-attention": self.map_view}

    @property
    def showing_difference(self) -> bool:
        return self.map_box.currentIndex() == 1

    def show_difference(self, shown: bool) -> None:
        self.map_box.setCurrentIndex(1 if shown else 0)

    def _on_timeline_trace_changed(self, trace) -> None:
        had_scan = self._trace is not None
        self._trace = trace if trace is not None and trace.scan is not None else None
        self.setVisible(self._trace is not None)
        if had_scan != (self._trace is not None):
            self.plots_changed.emit()
        if self._trace is None:
            return
        scan = self._trace.scan
        self.tree.set_trace(self._trace)
        # one colour scale for every level, so a state's colour changes only when its value does
        self._state_levels = style.symmetric_levels(np.concatenate(
            [scan.drive.ravel(), scan.level_states.ravel()]))
        self._levels_drawn = -1
        self._draw_map()
        self._on_timeline_step_changed(self._timeline.tick)
        self._on_selection_changed(self._selection.current)

    def _draw_map(self) -> None:
        trace = self._trace
        if trace is None:
            return
        hidden = trace.scan.hidden_attention  # (T, T)
        softmax = trace.attention.weights.mean(axis=0)  # (T, T)
        tokens = list(trace.tokens)
        T = trace.length
        if self.showing_difference:
            difference = hidden - softmax  # (T, T)
            if not trace.config.causal:  # softmax also looks ahead, where M has no weight at all
                difference[np.triu_indices(T, 1)] = np.nan  # compare the words both can see
            self.map_view.set_colormap(style.DIVERGING)
            self.map_view.set_matrix(difference, row_labels=tokens, col_labels=tokens,
                                     cols_are_tokens=True, value_name="M − softmax",
                                     value_format="{:.2f}", col_name="input word",
                                     levels=style.symmetric_levels(difference))
            self.map_view.setTitle(f"M − softmax attention  {T}×{T}", size=style.TITLE_SIZE)
            ahead = ("" if trace.config.causal else " Above the diagonal (later words) only "
                     "softmax attention has weight, so those cells are left empty.")
            self.difference_label.setText(
                f"Largest difference {np.nanmax(np.abs(difference)):.2f}, against softmax "
                f"attention averaged over heads: red where the recurrence weighs a word more, "
                f"blue where less.{ahead}")
        else:
            top = float(max(hidden.max(), softmax.max(), 1e-12))
            self.map_view.set_colormap(style.SEQUENTIAL)
            self.map_view.set_matrix(hidden, row_labels=tokens, col_labels=tokens,
                                     cols_are_tokens=True, value_name="M", value_format="{:.2f}",
                                     col_name="input word", levels=(0.0, top))
            self.map_view.setTitle(f"hidden attention M  {T}×{T}", size=style.TITLE_SIZE)
            self.difference_label.setText(
                f"Each row of M sums to at most 1 (the rest stays on the zero start state). "
                f"Colours span 0–{top:.2f}: the larger of M's largest weight and softmax "
                f"attention's (averaged over heads).")
        self.map_view.set_selected(self._selection.current)
        record = trace.models[KEY]
        done = clock.forward_done(self._timeline.tick, record.schedule)
        self.map_view.set_revealed_rows(T if done else 0)

    def _on_timeline_step_changed(self, tick: int) -> None:
        trace = self._trace
        if trace is None:
            return
        record, scan = trace.models[KEY], trace.scan
        steps = clock.forward_steps_revealed(tick, record.schedule)
        levels = min(steps, scan.levels)
        self.tree.show_levels(levels)
        if levels != self._levels_drawn:
            self._levels_drawn = levels
            T, H = scan.hidden.shape
            title = (f"states after level {levels} of {scan.levels}  {T}×{H}" if levels
                     else f"each word's own term b_t = z_t·h̃_t  {T}×{H}")
            if levels == scan.levels and levels:
                title = f"h_t after all {levels} levels = the loop's  {T}×{H}"
            self.states_view.setTitle(title, size=style.TITLE_SIZE)
            self.states_view.set_matrix(scan.state_after(levels), row_labels=list(trace.tokens),
                                        value_name="state", value_format="{:.2f}",
                                        col_name="hidden dimension", levels=self._state_levels)
            self.states_view.set_selected(self._selection.current)
        self.states_view.set_revealed_rows(trace.length if steps else 0)
        self.map_view.set_revealed_rows(trace.length if clock.forward_done(tick, record.schedule)
                                        else 0)
        if scan.levels == 0:
            self.set_counter("one word: no join needed · the loop: 1 step")
        else:
            self.set_counter(f"parallel level {levels} of {scan.levels} · the loop: "
                             f"{trace.length} steps")

    def _on_selection_changed(self, index: int) -> None:
        self.tree.show_selected(index)
        self.states_view.set_selected(index)
        self.map_view.set_selected(index)
