"""The attention panel: word vectors -> Q, K, V -> scores -> softmax weights -> output, all words
in one matrix operation, with every shape in the titles."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel

from gui import clock, style
from gui.panels.base import Panel
from gui.panels.heatmap import HeatmapView

CAPTION = ("All words at once: X times three weight matrices gives Q, K and V; QKᵀ/√d_k scores "
           "every pair of words; each softmax row (it sums to 1) says how much word t takes from each "
           "word's V. One sequential step, whatever the length.")


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
        self.views["weights"].add_colorbar("weight")
        grid = QGridLayout()
        grid.setSpacing(4)
        for column, key in enumerate(("x", "q", "k", "v")):
            grid.addWidget(self.views[key], 0, column)
        grid.addWidget(self.views["scores"], 1, 0)
        grid.addWidget(self.views["weights"], 1, 1, 1, 2)
        grid.addWidget(self.views["output"], 1, 3)
        grid.setColumnStretch(0, 3)  # X and the scores carry the word labels and the widest matrix
        for column in (1, 2, 3):
            grid.setColumnStretch(column, 2)
        for key in ("q", "k", "v", "weights", "output"):  # rows line up with X's or the scores'
            self.views[key].getAxis("left").setStyle(showValues=False)
        self.content.addLayout(grid, 1)
        for view in self.views.values():
            view.hovered.connect(selection.set_hovered)
            view.clicked.connect(selection.toggle_pinned)
        self.head_box.currentIndexChanged.connect(self._on_head_box_changed)
        timeline.trace_changed.connect(self._on_timeline_trace_changed)
        timeline.step_changed.connect(self._on_timeline_step_changed)
        selection.changed.connect(self._on_selection_changed)

    def plots(self) -> dict:
        """Export name -> plot widget."""
        return {f"attention-{key}": view for key, view in self.views.items()}

    @property
    def head(self) -> int:
        return max(0, self.head_box.currentIndex())

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
        spec = [
            ("x", attn.inputs, f"{x_name}  {T}×{D}", "x", None),
            ("q", attn.q[h], f"Q = X·W_Q  {T}×{dk}", "q", None),
            ("k", attn.k[h], f"K = X·W_K  {T}×{dk}", "k", None),
            ("v", attn.v[h], f"V = X·W_V  {T}×{dk}", "v", None),
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
