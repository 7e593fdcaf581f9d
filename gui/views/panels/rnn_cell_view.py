"""The RNN cell at the clock's word: h_{t−1} and x_t go in, h_t comes out (with c for an LSTM),
each vector a column of coloured cells that prints its numbers when it is short (D, H <= 16)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from engine.core import clock

from gui import style

MAX_PRINTED = 16  # vectors up to this length print their numbers
MAX_CELL_HEIGHT = 24.0  # pixels
COLUMN_WIDTH = 40.0  # pixels, at most
NARROWEST_COLUMN = 30.0  # below this an LSTM's cell-state columns are left out (the formula names c)
ARROW_ROOM = 16.0  # pixels between the formula box and the labels
SMALLEST_LABEL_POINTS = 6.0  # a column's name ("h_{t−1}") shrinks to fit its column, down to this
TITLE_FLAGS = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap
FORMULA_FLAGS = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap


@dataclass(frozen=True)
class CellVector:
    name: str  # "x_t", "h_{t−1}", ...
    values: np.ndarray  # (N,)
    levels: tuple[float, float]  # colour levels, shared with the maps above
    token: int | None  # the word this vector belongs to (None for the zero state h_{−1})
    is_input: bool


@dataclass(frozen=True)
class CellLayout:
    title: QRectF
    box: QRectF  # the cell, holding its formula (empty when there is nothing to draw)
    vectors: list[CellVector]  # those drawn (an LSTM's c only where there is room)
    labels: list[QRectF]  # one per vector
    columns: list[QRectF]  # one per vector: its cells, top to bottom
    numbers: bool  # whether the cells print their values
    label_font: QFont | None = None  # the columns' names: small, smaller where a name is wider


def formula(config) -> str:
    """What one call of the configured cell computes, in the notation of the labels."""
    if config.cell == "lstm":
        return "gates i, f, g, o from x_t and h_{t−1};  c_t = f⊙c_{t−1} + i⊙g,  h_t = o⊙tanh(c_t)"
    if config.cell == "gru":
        return "gates r, z, n from x_t and h_{t−1};  h_t = (1−z)⊙n + z⊙h_{t−1}"
    return f"h_t = {config.activation}(W_ih x_t + W_hh h_{{t−1}} + b)"


def cell_vectors(trace, t: int) -> list[CellVector]:
    """The inputs and outputs of the cell call at word t, inputs first."""
    rnn = trace.rnn
    H = rnn.hidden.shape[1]
    x_levels = style.symmetric_levels(np.asarray(trace.embeddings))
    h_levels = style.symmetric_levels(np.asarray(rnn.hidden))
    previous = t - 1 if t > 0 else None
    vectors = [CellVector("x_t", trace.embeddings[t], x_levels, t, True),
               CellVector("h_{t−1}", rnn.hidden[t - 1] if t > 0 else np.zeros(H), h_levels,
                          previous, True)]
    if rnn.cell_state is not None:
        c_levels = style.symmetric_levels(np.asarray(rnn.cell_state))
        vectors.append(CellVector("c_{t−1}", rnn.cell_state[t - 1] if t > 0 else np.zeros(H),
                                  c_levels, previous, True))
    vectors.append(CellVector("h_t", rnn.hidden[t], h_levels, t, False))
    if rnn.cell_state is not None:
        vectors.append(CellVector("c_t", rnn.cell_state[t], c_levels, t, False))
    return vectors


def fitted_font(font: QFont, names: list[str], width: float) -> QFont:
    """`font`, made smaller (to SMALLEST_LABEL_POINTS at least) until every name fits `width`."""
    fitted = QFont(font)
    widest = max((QFontMetrics(fitted).horizontalAdvance(name) for name in names), default=0)
    while widest > width and fitted.pointSizeF() > SMALLEST_LABEL_POINTS:
        fitted.setPointSizeF(max(SMALLEST_LABEL_POINTS, fitted.pointSizeF() - 0.5))
        widest = max(QFontMetrics(fitted).horizontalAdvance(name) for name in names)
    return fitted


class RNNCellView(QWidget):
    """Views the Timeline (the cell call at the clock's word) and the selection (outlines)."""

    hovered = Signal(object)  # token index under the cursor, or None
    clicked = Signal(int)

    def __init__(self, timeline, selection, parent=None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self._timeline = timeline
        self._colormap = style.colour_map("diverging")
        self._trace = None
        self.step: int | None = None  # the word whose cell call is drawn
        self._backward = False  # the gradient is passing back through that call
        self.vectors: list[CellVector] = []
        self._selected = -1
        self.setToolTip("")
        timeline.trace_changed.connect(self._on_timeline_trace_changed)
        timeline.step_changed.connect(self._on_timeline_step_changed)
        selection.changed.connect(self._on_selection_changed)
        self.hovered.connect(selection.set_hovered)
        self.clicked.connect(selection.toggle_pinned)

    def sizeHint(self) -> QSize:
        return QSize(190, 220)

    def minimumSizeHint(self) -> QSize:
        return QSize(150, 120)

    # -- models -------------------------------------------------------------------------------
    def _on_timeline_trace_changed(self, trace) -> None:
        self._trace = trace
        self.step = None
        self.vectors = []
        self.update()

    def _on_timeline_step_changed(self, tick: int) -> None:
        trace = self._trace
        step = None if trace is None else clock.current_word(tick, trace.length)
        backward = trace is not None and clock.phase(tick, trace.length) == "backward"
        if (step, backward) != (self.step, self._backward):
            self.step, self._backward = step, backward
            self.vectors = [] if step is None else cell_vectors(trace, step)
            self.update()

    def _on_selection_changed(self, index: int) -> None:
        self._selected = index
        self.update()

    @property
    def selected_token(self) -> int:
        """The token whose vectors are drawn as selected (-1: none)."""
        return self._selected

    # -- text ---------------------------------------------------------------------------------
    def title(self) -> str:
        if self._trace is None:
            return "RNN cell"
        if self.step is None:
            return "RNN cell: the first call runs at tick 1"
        word = f"RNN cell at t = {self.step} “{self._trace.tokens[self.step]}”"
        return word + (", gradient going back" if self._backward else "")

    def prints_numbers(self) -> bool:
        return bool(self.vectors) and max(len(v.values) for v in self.vectors) <= MAX_PRINTED

    # -- layout -------------------------------------------------------------------------------
    def _fonts(self) -> tuple[QFont, QFont]:
        """(bold title font, small font for the formula, labels and numbers)."""
        bold = QFont(self.font())
        bold.setBold(True)
        small = QFont(self.font())
        small.setPointSizeF(max(6.5, small.pointSizeF() - 1))
        return bold, small

    def layout(self) -> CellLayout:
        """Where everything goes at the widget's current size (painting and hovering share it)."""
        bold, small = self._fonts()
        area = QRectF(self.rect()).adjusted(3, 2, -3, -2)
        title = QFontMetrics(bold).boundingRect(
            QRectF(area.x(), area.y(), area.width(), 1000).toRect(), TITLE_FLAGS, self.title())
        empty = CellLayout(QRectF(title), QRectF(), [], [], [], False)
        if self._trace is None or not self.vectors:
            return empty
        metrics = QFontMetrics(small)
        text = QRectF(metrics.boundingRect(QRectF(area.x() + 6, 0, area.width() - 12, 1000).toRect(),
                                           FORMULA_FLAGS, formula(self._trace.config)))
        box = QRectF(area.x(), title.bottom() + 4, area.width(), text.height() + 8)
        gap = 14.0  # extra space between the inputs and the outputs
        vectors = self.vectors
        if (area.width() - gap) / len(vectors) - 4 < NARROWEST_COLUMN:
            vectors = [vector for vector in vectors if not vector.name.startswith("c_")]
        count = len(vectors)
        width = min(COLUMN_WIDTH, (area.width() - gap) / count - 4)
        spacing = (area.width() - gap - count * width) / count
        label_height = metrics.height() + 2
        top = box.bottom() + ARROW_ROOM
        longest = max(len(vector.values) for vector in vectors)
        cell_height = min(MAX_CELL_HEIGHT, (area.bottom() - top - label_height) / longest)
        if width <= 4 or cell_height <= 0:
            return CellLayout(empty.title, box, [], [], [], False)
        numbers = (self.prints_numbers() and cell_height >= metrics.height() - 2
                   and width >= metrics.horizontalAdvance("-.00") + 2)
        labels, columns = [], []
        x = area.x() + spacing / 2
        for index, vector in enumerate(vectors):
            if index and not vector.is_input and vectors[index - 1].is_input:
                x += gap  # the outputs stand apart from the inputs
            labels.append(QRectF(x - spacing / 2, top, width + spacing, label_height))
            columns.append(QRectF(x, top + label_height, width, cell_height * len(vector.values)))
            x += width + spacing
        label_font = fitted_font(small, [vector.name for vector in vectors], width + spacing)
        return CellLayout(QRectF(title), box, vectors, labels, columns, numbers, label_font)

    # -- drawing ------------------------------------------------------------------------------
    def follow_colours(self) -> None:
        """Redraw in the current colour set (the cells' map, the RNN's outline)."""
        self._colormap = style.colour_map("diverging")
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text_colour = palette.color(palette.ColorRole.WindowText)
        bold, small = self._fonts()
        layout = self.layout()
        painter.setFont(bold)
        painter.setPen(text_colour)
        painter.drawText(layout.title, TITLE_FLAGS, self.title())
        if layout.box.isEmpty():
            return
        painter.setFont(small)
        painter.setPen(QPen(QColor(style.RNN_COLOR), 1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(layout.box, 5, 5)
        painter.setPen(text_colour)
        painter.drawText(layout.box.adjusted(6, 4, -6, -4), FORMULA_FLAGS,
                         formula(self._trace.config))
        for vector, label, column in zip(layout.vectors, layout.labels, layout.columns):
            painter.setFont(layout.label_font)
            self._draw_label_and_arrow(painter, vector, label, layout.box)
            painter.setFont(small)
            self._draw_cells(painter, vector, column, layout.numbers)

    def _draw_label_and_arrow(self, painter: QPainter, vector: CellVector, label: QRectF,
                              box: QRectF) -> None:
        palette = self.palette()
        selected = vector.token is not None and vector.token == self._selected
        colour = (QColor(style.SELECTION_COLOR) if selected
                  else palette.color(palette.ColorRole.WindowText))
        painter.setPen(colour)
        # Not clipped to its column: at the smallest size a long name may reach into the gap.
        painter.drawText(label, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextDontClip,
                         vector.name)
        centre = label.center().x()
        arrow_pen = QPen(QColor(style.RNN_COLOR), 1.5)
        painter.setPen(arrow_pen)
        painter.setBrush(QColor(style.RNN_COLOR))
        top, bottom = box.bottom(), label.top()
        painter.drawLine(QPointF(centre, top), QPointF(centre, bottom))
        # inputs point up, into the box; outputs down, out of it
        tip_y, back = (top, 5.0) if vector.is_input else (bottom, -5.0)
        painter.drawPolygon(QPolygonF([QPointF(centre, tip_y), QPointF(centre - 4, tip_y + back),
                                       QPointF(centre + 4, tip_y + back)]))

    def _draw_cells(self, painter: QPainter, vector: CellVector, column: QRectF,
                    numbers: bool) -> None:
        low, high = vector.levels
        fractions = np.clip((vector.values - low) / max(high - low, 1e-300), 0.0, 1.0)  # (N,)
        colours = self._colormap.map(fractions, mode="byte")  # (N, 4) uint8
        selected = vector.token is not None and vector.token == self._selected
        if numbers:
            self._draw_numbered_cells(painter, vector.values, colours, column)
        else:  # too many or too small to print: one image, scaled (one pixel row per value)
            image = QImage(np.ascontiguousarray(colours[:, None, :]).data, 1, len(colours), 4,
                           QImage.Format.Format_RGBA8888)
            painter.drawImage(column, image)
        pen = (QPen(QColor(style.SELECTION_COLOR), 2.5) if selected
               else QPen(style.frame_colour(self.palette()), 0.8))
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(column)

    def _draw_numbered_cells(self, painter: QPainter, values: np.ndarray, colours: np.ndarray,
                             column: QRectF) -> None:
        height = column.height() / len(values)
        for index, (value, rgba) in enumerate(zip(values, colours)):
            cell = QRectF(column.x(), column.y() + index * height, column.width(), height)
            colour = QColor(*(int(channel) for channel in rgba))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRect(cell)
            painter.setPen(style.cell_text_color(colour.lightnessF() < 0.5))
            text = f"{value:.2f}".replace("0.", ".", 1) if abs(value) < 1 else f"{value:.1f}"
            painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, text)

    # -- mouse --------------------------------------------------------------------------------
    def value_at(self, point: QPointF) -> tuple[CellVector, int] | None:
        layout = self.layout()
        for vector, column in zip(layout.vectors, layout.columns):
            if column.contains(point):
                index = int((point.y() - column.y()) / column.height() * len(vector.values))
                return vector, min(index, len(vector.values) - 1)
        return None

    def mouseMoveEvent(self, event) -> None:
        found = self.value_at(event.position())
        if found is None:
            QToolTip.hideText()
            self.hovered.emit(None)
            return
        vector, index = found
        QToolTip.showText(event.globalPosition().toPoint(), self.describe_value(vector, index), self)
        self.hovered.emit(vector.token)

    def describe_value(self, vector: CellVector, index: int) -> str:
        text = f"{vector.name}[{index}] = {vector.values[index]:.6g} (t = {self.step})"
        if vector.is_input and vector.token is None and vector.name != "x_t":
            text += "\nthe initial state before the first word: zeros"
        return text

    def mousePressEvent(self, event) -> None:
        found = self.value_at(event.position())
        if found is not None and found[0].token is not None \
                and event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(found[0].token)

    def leaveEvent(self, event) -> None:
        QToolTip.hideText()
        self.hovered.emit(None)
        super().leaveEvent(event)
