"""The gradient panel: each model's connectivity map on one log colour scale, and the gradient
reaching each word from the last position. Nothing shows before the backward phase. Each model's
map and curve then fill in as its reveal schedule reaches words going back: the RNN's one column
per tick from the last word, attention's whole in one tick. The maps and curves follow the trace's
model records, so a model added to the trace is one more map and curve here."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QHBoxLayout

from engine.core import clock
from engine.core.records import MODEL_KEYS

from gui import style
from gui.views.panels.base import Panel
from gui.views.panels.heatmap import HeatmapView
from gui.views.panels.plot_base import WordPlot
from gui.views.panels.token_ticks import fitted_token_ticks

GRADIENT_NAME = "‖∂(r·y_t)/∂x_k‖"  # the one name of the quantity, on every axis, bar and tooltip
LAST_ROW_NAME = "‖∂(r·y_t)/∂x_k‖, t = last word"
LEGEND_FONT_POINTS = 8.0
LEGEND_SAMPLE_WIDTH = 44  # pixels of line sample and spacing beside each legend text
LEGEND_COLUMN_GAP = 14  # pixels between legend columns
LEGEND_MARGIN = 12  # pixels: the legend's offset and its item padding
SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
FLOOR_TEXT = "10" + str(int(np.log10(style.LOG_FLOOR))).translate(SUPERSCRIPTS)  # "10⁻³⁰"
MIN_DECADES = 2.0  # a log axis spanning less labels its minor ticks into a smear
SHORT_NAMES = {"rnn": "RNN", "attention": "attention",  # legend and counter names, by model key
               "scan": "minGRU"}
NO_PATH_REASONS = {"rnn": "an RNN cannot look ahead to a later word",
                   "attention": "the causal mask hides later words",
                   "scan": "a recurrence cannot look ahead to a later word"}


def short_name(record) -> str:
    return SHORT_NAMES.get(record.key, record.name_in_text)
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
        self.model_curves: dict[str, pg.PlotDataItem] = {}  # by model key, in the trace's order
        self._names: dict[str, str] = {}  # model key -> legend name
        self._records: dict = {}  # model key -> its ModelRecord in the trace shown
        for key in MODEL_KEYS:
            self._curve_for(key)
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
        self._true: dict[str, np.ndarray] = {}  # model key -> (T,) unclamped, for tooltips
        self._drawn: dict[str, np.ndarray] = {}  # model key -> (T,) clamped to the floor
        self._bound = np.zeros(0)  # (T,) as drawn
        self._bound_promises = True
        self._shown: dict[str, int] = {}  # model key -> words drawn
        self._ready = True

    def follow_colours(self) -> None:
        """Each model's curve (and so its legend sample) in the current colour set."""
        for key, curve in self.model_curves.items():
            colour = style.model_colour(key)
            curve.setPen(pg.mkPen(colour, width=2.5))
            curve.setSymbolBrush(colour)

    def _curve_for(self, key: str) -> pg.PlotDataItem:
        """The model's curve, made on first use in the model's colour."""
        if key not in self.model_curves:
            colour = style.model_colour(key)
            self.model_curves[key] = self.plot([], [], pen=pg.mkPen(colour, width=2.5),
                                               symbol="o", symbolSize=6, symbolBrush=colour,
                                               symbolPen=None)
        return self.model_curves[key]

    @property
    def rnn_curve(self) -> pg.PlotDataItem:
        return self.model_curves["rnn"]

    @property
    def attention_curve(self) -> pg.PlotDataItem:
        return self.model_curves["attention"]

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
        entries = [(self.model_curves[key], self._names.get(key, SHORT_NAMES.get(key, key)))
                   for key in self._curve_keys()]
        entries.append((self.bound_curve, self._bound_text))
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

    def _curve_keys(self) -> list[str]:
        """The models with a curve in the legend: the trace's, or the usual two before one."""
        return list(self._records) or list(MODEL_KEYS)

    def set_trace(self, trace) -> None:
        self._tokens = list(trace.tokens)
        self._records = dict(trace.models)
        self._names = {key: short_name(record) for key, record in self._records.items()}
        for curve in (*self.model_curves.values(), self.bound_curve, self.floor_points):
            curve.setData([], [])
        for key in self._records:  # markers while distinguishable
            self._curve_for(key).setSymbol("o" if trace.length <= 100 else None)
        self._shown = {key: 0 for key in self._records}
        self._true = {key: np.asarray(record.input_gradient)  # (T,)
                      for key, record in self._records.items()}
        self._drawn = {key: np.maximum(true, style.LOG_FLOOR) for key, true in self._true.items()}
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
        drawn = np.concatenate(list(self._drawn.values()))  # (models * T,)
        low, high = np.log10(float(drawn.min())), np.log10(float(drawn.max()))
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

    def show_reached(self, reached: dict[str, int]) -> None:
        """Each model's curve covers the last `reached[key]` words (the RNN's grows right to left,
        attention's appears whole). Unchanged curves are left alone, so a tick costs only what it
        changes."""
        if reached == self._shown:
            return
        T = len(self._tokens)
        x = np.arange(T, dtype=float)
        for key, words in reached.items():
            if words != self._shown.get(key):
                first = T - words
                self.model_curves[key].setData(x[first:], self._drawn[key][first:])
        rnn_before, rnn_now = self._shown.get("rnn", 0), reached.get("rnn", 0)
        if self._bound is not None and (rnn_before > 0) != (rnn_now > 0):  # the RNN's bound
            self.bound_curve.setData(*((x, self._bound) if rnn_now > 0 else ([], [])))
        self._shown = dict(reached)
        self._mark_floor_points(reached)
        self.hint.setVisible(not any(reached.values()))

    def _mark_floor_points(self, reached: dict[str, int]) -> None:
        """Triangles on the drawn points whose true value lies below the floor."""
        T = len(self._tokens)
        low = [np.flatnonzero(self._true[key] < style.LOG_FLOOR) for key in reached]
        x = np.concatenate([indices[indices >= T - words]
                            for indices, words in zip(low, reached.values())] or [[]])
        x = x.astype(float)
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

        text = f"word {k}: {self._tokens[k]}\n{LAST_ROW_NAME}" + "".join(
            f"\n{self._names[key]}: {value(true[k])}" for key, true in self._true.items())
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

    plots_changed = Signal()  # plots() changed: a model's map came or went with the trace

    def __init__(self, timeline, selection, parent=None):
        super().__init__("Gradient flow: many hops back vs one", CAPTION, parent)
        self._timeline, self._selection = timeline, selection
        self.maps: dict[str, GradientMap] = {}  # by model key, left to right
        self._map_row = QHBoxLayout()
        self.curves = GradientCurves()
        self._map_row.addWidget(self.curves, 3)
        self.content.addLayout(self._map_row, 1)
        for key in MODEL_KEYS:
            self._map_for(key)
        self.maps[MODEL_KEYS[-1]].set_colorbar_on_screen(True)
        self.curves.hovered.connect(selection.set_hovered)
        self.curves.clicked.connect(selection.toggle_pinned)
        timeline.trace_changed.connect(self._on_timeline_trace_changed)
        timeline.step_changed.connect(self._on_timeline_step_changed)
        selection.changed.connect(self._on_selection_changed)
        self._records: dict = {}  # model key -> ModelRecord of the trace shown

    def _map_for(self, key: str) -> GradientMap:
        """The model's connectivity map, made on first use."""
        if key in self.maps:
            return self.maps[key]
        reason = NO_PATH_REASONS.get(key, "no path from a later word to an earlier output")
        view = GradientMap(reason, x_label="input word k",
                           y_label="output word t" if not self.maps else None)
        view.keep_words_named()
        view.hovered.connect(self._selection.set_hovered)
        view.clicked.connect(self._selection.toggle_pinned)
        view.add_colorbar(f"log₁₀ {GRADIENT_NAME}", on_screen=False)  # on screen: the last map's
        self._map_row.insertWidget(len(self.maps), view, 2)
        self.maps[key] = view
        return view

    @property
    def rnn_map(self) -> GradientMap:
        return self.maps["rnn"]

    @property
    def attention_map(self) -> GradientMap:
        return self.maps["attention"]

    def plots(self) -> dict:
        """Export name -> plot widget: the maps of the models the run shown has (before a run,
        the RNN's and attention's), then the curves. A map hidden with an earlier run is none."""
        keys = list(self._records) or list(MODEL_KEYS)
        named = {f"gradient-{key}-connectivity": self.maps[key] for key in keys}
        return {**named, "gradient-curves": self.curves}

    def _on_timeline_trace_changed(self, trace) -> None:
        before = list(self._records) or list(MODEL_KEYS)
        if trace is None:
            self._records = {}
            if before != list(MODEL_KEYS):
                self.plots_changed.emit()
            return
        self._records = dict(trace.models)
        tokens = list(trace.tokens)
        T = trace.length
        levels = style.log_levels(np.concatenate(
            [record.connectivity.ravel() for record in self._records.values()]))
        for key in self._records:
            self._map_for(key)
        last = list(self._records)[-1]
        for key, view in self.maps.items():
            view.setVisible(key in self._records)
            view.set_colorbar_on_screen(key == last)  # the row's one scale, at its right end
        for key, record in self._records.items():
            view = self._map_for(key)
            view.setTitle(f"{short_name(record)} connectivity  {T}×{T}", size=style.TITLE_SIZE)
            matrix = record.connectivity
            view.set_gradient(matrix, no_path_cells(matrix, record.causal), tokens, levels)
        self.curves.set_trace(trace)
        self._on_selection_changed(self._selection.current)
        if list(self._records) != before:
            self.plots_changed.emit()

    def _on_timeline_step_changed(self, tick: int) -> None:
        if not self._records:
            return
        T = self._timeline.length
        reached = {key: clock.words_reached(tick, record.schedule)
                   for key, record in self._records.items()}
        for key, words in reached.items():
            self.maps[key].set_revealed_last_columns(words)
        self.curves.show_reached(reached)
        if clock.phase(tick, T) == "backward":
            self.set_counter("backward: " + " · ".join(
                self._reach_text(record, reached[key], T, first=index == 0)
                for index, (key, record) in enumerate(self._records.items())))
        else:
            self.set_counter(f"the backward pass starts at tick {T + 1}")

    @staticmethod
    def _reach_text(record, words: int, T: int, first: bool) -> str:
        """"RNN 3 of 5 words reached", "attention 5 of 5 in 1 hop"."""
        text = f"{short_name(record)} {words} of {T}"
        if record.schedule.backward_steps == 1:
            return text + " in 1 hop"
        return text + (" words reached" if first else " reached")

    def _on_selection_changed(self, index: int) -> None:
        for view in self.maps.values():
            view.set_selected(index)
        self.curves.set_selected(index)
