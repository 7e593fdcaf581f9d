"""The token strip: the sentence as chips. The clock's current word is filled, the selected token
outlined; hovering a chip selects it everywhere and a click pins it. When the run's weights carry
their own word vectors (trained ones, say), a word they lack is drawn with a dashed border and
italic text, and its tooltip says it read the seed's vector instead."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QScrollArea, QToolTip, QWidget

from engine.core import clock

from gui import style

PADDING_X, PADDING_Y, GAP = 8, 3, 5


TABLE_STAND_IN = ("Not among the weights' word vectors: this word reads the vector drawn from the "
                  "seed instead (dashed outline).")
GLOVE_STAND_IN = ("Not in GloVe's vocabulary: a seeded random vector of GloVe's typical length "
                  "stands in (dashed outline).")


class _Chips(QWidget):
    hovered = Signal(object)
    clicked = Signal(int)
    grouped = Signal(int)  # Ctrl+click: the word joins (or leaves) the group

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.tokens: list[str] = []
        self.rects: list[QRect] = []
        self.current = None  # the clock's word
        self.processed = 0  # words the RNN has read
        self.selected = -1
        self.stand_ins: frozenset[int] = frozenset()  # words whose vector is a stand-in
        self.stand_in_note = ""  # why, for their tooltips
        self.group: tuple[int, ...] = ()
        self._hover = None

    def set_tokens(self, tokens: list[str], stand_ins=(), note: str = "") -> None:
        """The words, and which of them (drawn dashed and in italics) lack a vector of their
        own and use a stand-in, with the reason their tooltips give."""
        self.tokens = list(tokens)
        self.stand_ins, self.stand_in_note = frozenset(int(i) for i in stand_ins), note
        metrics = QFontMetrics(self.font())
        height = metrics.height() + 2 * PADDING_Y
        x = GAP
        self.rects = []
        for token in self.tokens:
            width = metrics.horizontalAdvance(token) + 2 * PADDING_X
            self.rects.append(QRect(x, 2, width, height))
            x += width + GAP
        self.setFixedSize(QSize(max(x, 10), height + 4))
        self.update()

    def index_at(self, pos) -> int | None:
        for index, rect in enumerate(self.rects):
            if rect.contains(pos):
                return index
        return None

    def follow_colours(self) -> None:
        self.update()  # the RNN's colour is read as the chips are painted

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        visible = event.rect()
        palette = self.palette()
        text_colour = palette.color(QPalette.ColorRole.ButtonText)
        unread = palette.color(QPalette.ColorRole.Button)
        read = style.mix(unread, QColor(style.RNN_COLOR), 0.25)  # words the RNN has read: a tint
        border = palette.color(QPalette.ColorRole.Mid)
        for index, (token, rect) in enumerate(zip(self.tokens, self.rects)):
            if not rect.intersects(visible):
                continue
            if index == self.current:
                fill, text = QColor(style.RNN_COLOR), QColor("white")
            else:
                fill, text = (read if index < self.processed else unread), text_colour
            painter.setBrush(fill)
            outlined = index == self.selected or index in self.group
            pen = QPen(QColor(style.SELECTION_COLOR), 2.5) if outlined else QPen(border, 1)
            stand_in = index in self.stand_ins
            if stand_in:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 6, 6)
            painter.setPen(text)
            font = painter.font()
            font.setItalic(stand_in)
            painter.setFont(font)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, token)

    def mouseMoveEvent(self, event) -> None:
        index = self.index_at(event.position().toPoint())
        if index != self._hover:
            self._hover = index
            self.hovered.emit(index)
        if index is not None:
            QToolTip.showText(event.globalPosition().toPoint(), self.describe(index), self)

    def describe(self, index: int) -> str:
        text = f"word {index}: “{self.tokens[index]}” (click to pin, Ctrl+click to add it to a group)"
        return text + (f"\n{self.stand_in_note}" if index in self.stand_ins else "")

    def mousePressEvent(self, event) -> None:
        index = self.index_at(event.position().toPoint())
        if index is not None and event.button() == Qt.MouseButton.LeftButton:
            if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.grouped.emit(index)
            else:
                self.clicked.emit(index)

    def leaveEvent(self, event) -> None:
        self._hover = None
        self.hovered.emit(None)
        super().leaveEvent(event)


class TokenStrip(QScrollArea):
    """A horizontally scrolling strip of token chips bound to the Timeline and the selection."""

    def __init__(self, timeline, selection, parent=None):
        super().__init__(parent)
        self._timeline = timeline
        self.chips = _Chips()
        self.setWidget(self.chips)
        self.setWidgetResizable(False)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self._fit_height()
        self.setToolTip("The sentence as the models see it: words and punctuation marks")
        self.chips.hovered.connect(selection.set_hovered)
        self.chips.clicked.connect(selection.toggle_pinned)
        self.chips.grouped.connect(selection.toggle_grouped)
        selection.group_changed.connect(self._on_selection_group_changed)
        timeline.trace_changed.connect(self._on_timeline_trace_changed)
        timeline.step_changed.connect(self._on_timeline_step_changed)
        selection.changed.connect(self._on_selection_changed)

    def _fit_height(self) -> None:
        """The chips' height, plus the scroll bar's only when the sentence is wider than the strip:
        a short sentence leaves no empty band above the panels."""
        chips = self.chips.fontMetrics().height() + 2 * PADDING_Y + 4
        scrolls = self.chips.width() > self.viewport().width()
        self.setFixedHeight(chips + (self.horizontalScrollBar().sizeHint().height() if scrolls else 0))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_height()

    def _on_timeline_trace_changed(self, trace) -> None:
        if trace is None:
            self.chips.set_tokens([])
        elif trace.word_fallback is not None:  # the trained models' word table lacked them
            self.chips.set_tokens(trace.tokens, trace.word_fallback.nonzero()[0], TABLE_STAND_IN)
        elif trace.known_words is not None:  # GloVe lacked them
            self.chips.set_tokens(trace.tokens, (~trace.known_words).nonzero()[0], GLOVE_STAND_IN)
        else:
            self.chips.set_tokens(trace.tokens)
        self._fit_height()

    def _on_timeline_step_changed(self, tick: int) -> None:
        T = self._timeline.length
        self.chips.current = clock.current_word(tick, T)
        self.chips.processed = clock.rnn_rows_revealed(tick, T)
        if self.chips.current is not None and self.chips.current < len(self.chips.rects):
            rect = self.chips.rects[self.chips.current]
            self.ensureVisible(rect.center().x(), rect.center().y(), rect.width(), 0)
        self.chips.update()

    def _on_selection_group_changed(self, group: tuple) -> None:
        self.chips.group = tuple(group)
        self.chips.update()

    def _on_selection_changed(self, index: int) -> None:
        self.chips.selected = index
        self.chips.update()
