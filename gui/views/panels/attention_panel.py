"""The attention panel: word vectors -> Q, K, V -> scores -> softmax weights -> output, all words
in one matrix operation, with every shape in the titles."""

from __future__ import annotations

import html

from PySide6.QtCore import QSignalBlocker
import numpy as np
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel

from engine.core import clock

from gui import style
from gui.views.panels.base import WRAPPED_LABEL, Panel, fit_wrapped_height
from gui.views.panels import heatmap
from gui.views.panels.heatmap import HeatmapView

CAPTION = ("All words at once: X times three weight matrices gives Q, K and V; QKᵀ/√d_k scores "
           "every pair of words; each softmax row (it sums to 1) says how much word t takes from each "
           "word's V. One sequential step, whatever the length.")

ROW_VECTORS = ("x", "q", "k", "v")  # the top row: one vector per word
ROW_PAIRS = ("scores", "weights", "output")  # the bottom row: word by word, then the result
CELL_PIXELS = 24  # the width a printed number needs: the rows share their width in this unit
MAX_STRETCH_COLUMNS = 12  # wider matrices print no numbers: they get no more room than this
EXTRA_PIXELS = {"x": 66, "v": 76, "scores": 121, "weights": 55, "output": 55}  # word axis, colour bar


OUTPUT_MIN_WIDTH = 36  # pixels: the output keeps a visible width beside two 40-word maps
OUTPUT_COLUMNS = 6  # the output's share, whatever d_k: room for its title, numbers and colour bar
ROW_HEIGHTS = (2, 2)  # the top row's and the word-by-word row's shares of the height ...
LONG_ROW_HEIGHTS = (2, 3)  # ... and beyond LONG_SENTENCE words, whose turned names need room
LONG_SENTENCE = 8


def row_stretch(key: str, columns: int) -> int:
    """A map's share of its row, in pixels it would like: its columns at a printable width,
    plus the word axis or colour bar beside it. The output, the word-by-word maps' neighbour,
    always counts as OUTPUT_COLUMNS, so the scores and weights keep room for their words."""
    if key == "output":
        columns = OUTPUT_COLUMNS
    elif key in ROW_PAIRS:  # short sentences: the word-by-word maps keep their share
        columns = max(columns, OUTPUT_COLUMNS)
    columns = min(columns, MAX_STRETCH_COLUMNS)
    return CELL_PIXELS * columns + EXTRA_PIXELS.get(key, 4)


class AttentionPanel(Panel):
    """Views the Timeline (complete from tick 1) and the TokenSelection (row and column)."""

    def __init__(self, timeline, selection, parent=None):
        super().__init__("Self-attention: every word at once", CAPTION, parent, colour=style.ATTENTION_COLOR)
        self._timeline, self._selection = timeline, selection
        self._trace = None
        self.head_box = QComboBox()
        self.head_box.setToolTip("Which attention head to show (each has its own Q, K, V)")
        self.head_label = QLabel("head")
        head_row = QHBoxLayout()
        head_row.addStretch(1)
        head_row.addWidget(self.head_label)
        head_row.addWidget(self.head_box)
        self.content.addLayout(head_row)
        self.views = {
            "x": HeatmapView(x_label="dimension", y_label="word"),
            "q": HeatmapView(x_label="dimension"),
            "k": HeatmapView(x_label="dimension"),
            "v": HeatmapView(x_label="dimension"),
            "scores": HeatmapView(x_label="key word", y_label="query word"),
            "weights": HeatmapView(x_label="key word", colormap=style.SEQUENTIAL),
            "output": HeatmapView(x_label="dimension"),
        }
        for key, label in (("x", "X"), ("q", "Q"), ("k", "K")):  # V's scale serves the row
            self.views[key].add_colorbar(label, on_screen=False)
        self.views["v"].add_colorbar("X, Q, K, V")
        self.views["scores"].add_colorbar("score")
        self.views["weights"].add_colorbar("weight")
        self.views["output"].add_colorbar("output")
        for key in ROW_PAIRS[:2]:
            self.views[key].keep_words_named()
        self.views["output"].min_plot_size = (OUTPUT_MIN_WIDTH, heatmap.MIN_PLOT_SIZE[1])
        self._rows = (QHBoxLayout(), QHBoxLayout())
        for row, keys, height in zip(self._rows, (ROW_VECTORS, ROW_PAIRS), ROW_HEIGHTS):
            row.setSpacing(4)
            for key in keys:
                row.addWidget(self.views[key])
            self.content.addLayout(row, height)
        for key in ("q", "k", "v", "weights", "output"):  # rows line up with X's or the scores'
            self.views[key].getAxis("left").setStyle(showValues=False)
        for view in self.views.values():
            view.hovered.connect(selection.set_hovered)
            view.clicked.connect(selection.toggle_pinned)
        self.group_label = QLabel()  # the summed attention of the words gathered by Ctrl+click
        self.group_label.setWordWrap(True)
        self.group_label.setObjectName(WRAPPED_LABEL)
        self.group_label.hide()
        self.content.addWidget(self.group_label)
        selection.group_changed.connect(self._show_group)
        self.head_box.currentIndexChanged.connect(self._on_head_box_changed)
        timeline.trace_changed.connect(self._on_timeline_trace_changed)
        timeline.step_changed.connect(self._on_timeline_step_changed)
        selection.changed.connect(self._on_selection_changed)

    def plots(self) -> dict:
        """Export name -> plot widget."""
        return {f"attention-{key}": view for key, view in self.views.items()}

    @property
    def head(self) -> int:
        """The head shown (0-based)."""
        return max(0, self.head_box.currentIndex())

    def show_head(self, head: int) -> None:
        """Show head `head` (0-based) where the run has it."""
        if 0 <= head < self.head_box.count():
            self.head_box.setCurrentIndex(head)

    def _on_timeline_trace_changed(self, trace) -> None:
        self._trace = trace
        if trace is None:
            return
        heads = trace.config.heads
        previous = self.head_box.currentIndex()
        with QSignalBlocker(self.head_box):
            self.head_box.clear()
            self.head_box.addItems([f"{h + 1} of {heads}" for h in range(heads)])
            self.head_box.setCurrentIndex(previous if 0 <= previous < heads else 0)
        self.head_box.setVisible(heads > 1)
        self.head_label.setVisible(heads > 1)
        self._draw_head()
        self._on_selection_changed(self._selection.current)

    def _on_head_box_changed(self, _index: int) -> None:
        if self._trace is not None:
            self._draw_head()
            self._on_timeline_step_changed(self._timeline.tick)
            self._on_selection_changed(self._selection.current)

    def _draw_head(self) -> None:
        trace, h = self._trace, self.head
        attn = trace.attention
        tokens = list(trace.tokens)
        T, D = attn.inputs.shape
        dk = attn.q.shape[2]
        scale = "/√d_k" if trace.config.scaling else " unscaled"
        mask = " (causal)" if trace.config.causal else ""
        scores_name = "scores before mask" if trace.config.causal else f"scores QKᵀ{scale}"
        x_name = "X+P" if trace.config.positional != "none" else "X"
        vectors = style.symmetric_levels(np.concatenate(  # one colour scale for the top row
            [attn.inputs.ravel(), attn.q[h].ravel(), attn.k[h].ravel(), attn.v[h].ravel()]))
        spec = [
            ("x", attn.inputs, f"{x_name}  {T}×{D}", "x", vectors),
            ("q", attn.q[h], f"Q = X·W_Q  {T}×{dk}", "q", vectors),
            ("k", attn.k[h], f"K = X·W_K  {T}×{dk}", "k", vectors),
            ("v", attn.v[h], f"V = X·W_V  {T}×{dk}", "v", vectors),
            ("scores", attn.scores[h], f"{scores_name}  {T}×{T}", "score", None),
            ("weights", attn.weights[h], f"softmax{mask or ' weights'}  {T}×{T}", "weight",
             (0.0, float(attn.weights[h].max()))),
            ("output", attn.head_output[h], f"weights·V  {T}×{dk}", "output", None),
        ]
        for key, matrix, title, value_name, levels in spec:
            view = self.views[key]
            view.setTitle(title, size=style.TITLE_SIZE)
            square = key in ("scores", "weights")
            view.set_matrix(matrix, row_labels=tokens, col_labels=tokens if square else None,
                            cols_are_tokens=square, levels=levels, value_name=value_name,
                            value_format="{:.2f}", col_name="key word" if square else "dimension")
            self._set_stretch(key, matrix.shape[1])
        heights = LONG_ROW_HEIGHTS if T > LONG_SENTENCE else ROW_HEIGHTS
        for row, height in zip(self._rows, heights):
            self.content.setStretchFactor(row, height)

    def _set_stretch(self, key: str, columns: int) -> None:
        row = self._rows[0] if key in ROW_VECTORS else self._rows[1]
        row.setStretchFactor(self.views[key], row_stretch(key, columns))

    def _on_timeline_step_changed(self, tick: int) -> None:
        if self._trace is None:
            return
        T = self._trace.length
        done = clock.attention_done(tick)
        for view in self.views.values():
            view.set_revealed_rows(T if done else 0)
        self.set_counter(f"sequential step {1 if done else 0} of 1"
                         + (f" · all {T} words" if done else ""))

    def _on_selection_changed(self, index: int) -> None:
        for view in self.views.values():
            view.set_selected(index)
        self._show_group(self._selection.group)

    def _show_group(self, group: tuple) -> None:
        """The softmax rows of the grouped words summed: where the group as a whole looks."""
        trace = self._trace
        members = [index for index in group if trace is not None and index < trace.length]
        self.group_label.setVisible(len(members) >= 2)
        if len(members) < 2:
            return
        summed = summed_attention(trace.attention.weights[self.head], members)  # (T,)
        names = " + ".join(f"“{html.escape(trace.tokens[index])}”" for index in members)
        weights = " · ".join(f"{html.escape(token)} {value:.2f}"
                             for token, value in zip(trace.tokens, summed))
        self.group_label.setText(f"<b>{names}</b>, softmax rows summed (head {self.head + 1}): "
                                 f"{weights}")
        fit_wrapped_height(self.group_label)


def summed_attention(weights: np.ndarray, members) -> np.ndarray:
    """weights (T, T), one head's softmax rows; the rows of `members` summed, (T,)."""
    return weights[list(members)].sum(axis=0)  # (T,)
