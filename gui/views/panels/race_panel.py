"""The race strip: for each model, the work done so far by this tick, counted and measured."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from engine.analysis.report import (SMALL_N_ON_CPU, SMALL_N_ON_CPU_SHORT, UNSTEADY_MEANS, cell_label,
                           format_seconds, timing_verdict)
from engine.core import clock
from engine.core.timing import spread_text
from gui import style
from gui.wording import count

COLUMNS = [
    ("sequential ops", "Operations that had to wait for the previous one (Vaswani et al., Table 1)"),
    ("longest path", "Most hops between two words: n−1 through the RNN's chain, 1 through attention"),
    ("multiply-adds", "Multiply-adds of the matrix products run so far (exact count)"),
    ("measured time", "Wall time of the work done so far on this machine: the median of the timed "
                      "repeats of each forward pass, ± half their interquartile range. ⚠ marks a "
                      "spread above 25% of the median or too few repeats: do not trust it"),
    ("words reached going back", "Backward phase: words the gradient of the last word's output "
                                 "has reached so far"),
]


class RaceBar(QWidget):
    """A flat progress bar that schedules its repaint (QProgressBar repaints synchronously)."""

    def __init__(self, colour: str, parent=None):
        super().__init__(parent)
        self._colour = QColor(colour)
        self.fraction = 0.0
        self.setFixedHeight(12)
        self.setMinimumWidth(80)

    def set_fraction(self, fraction: float) -> None:
        if fraction != self.fraction:
            self.fraction = fraction
            self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        palette = self.palette()
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        painter.setBrush(palette.color(QPalette.ColorRole.AlternateBase))
        painter.drawRect(rect)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._colour)
        painter.drawRect(QRectF(rect.x(), rect.y(), rect.width() * self.fraction, rect.height()))


class RacePanel(QWidget):
    """Two rows (RNN, attention) of live counters and a progress bar each."""

    def __init__(self, timeline, parent=None):
        super().__init__(parent)
        self._timeline = timeline
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 2, 8, 2)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(2)
        for column, (name, tip) in enumerate(COLUMNS, start=2):
            header = QLabel(f"<b>{name}</b>")
            header.setToolTip(tip)
            header.setAlignment(Qt.AlignmentFlag.AlignRight)
            grid.addWidget(header, 0, column)
        self._rows = {}
        for row, (key, colour) in enumerate((("rnn", style.RNN_COLOR),
                                             ("attention", style.ATTENTION_COLOR)), start=1):
            name = QLabel()
            bar = RaceBar(colour)
            bar.setToolTip("Share of this model's forward pass done by this tick")
            grid.addWidget(name, row, 0)
            grid.addWidget(bar, row, 1)
            values = []
            for column in range(len(COLUMNS)):
                label = QLabel("–")
                label.setAlignment(Qt.AlignmentFlag.AlignRight)
                label.setToolTip(COLUMNS[column][1])
                grid.addWidget(label, row, column + 2)
                values.append(label)
            self._rows[key] = (name, bar, values)
        self.timing_note = QLabel()
        self.timing_note.setWordWrap(True)
        self.timing_note.setToolTip(" ".join((
            "Both forward passes run several times, alternating, after an untimed warm-up, on one "
            "CPU thread: split over several threads, such small products wait for a free core and "
            "a busy machine makes single runs many times slower.", UNSTEADY_MEANS,
            SMALL_N_ON_CPU)))
        grid.addWidget(self.timing_note, 3, 0, 1, len(COLUMNS) + 2)
        grid.setColumnStretch(1, 1)
        self._colour_names()
        timeline.trace_changed.connect(self._on_timeline_trace_changed)
        timeline.step_changed.connect(self._on_timeline_step_changed)
        self._trace = None

    def model_name(self, key: str) -> str:
        """The name shown for a model ("rnn" or "attention")."""
        return self._rows[key][0].text()

    def model_name_style(self, key: str) -> str:
        """The style sheet that colours a model's name ("color: #...; ...")."""
        return self._rows[key][0].styleSheet()

    def progress(self, key: str) -> float:
        """The share, 0 to 1, of a model's forward pass its bar shows done."""
        return self._rows[key][1].fraction

    def counters(self, key: str) -> tuple[str, ...]:
        """A model's counters as shown, one text per column of COLUMNS."""
        return tuple(label.text() for label in self._rows[key][2])

    def _colour_names(self) -> None:
        """Each model's name in its colour, made legible on a dark palette."""
        for key, colour in (("rnn", style.RNN_COLOR), ("attention", style.ATTENTION_COLOR)):
            shown = style.readable_on(colour, self.palette()).name()
            self._rows[key][0].setStyleSheet(f"color: {shown}; font-weight: bold;")

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in style.PALETTE_EVENTS:
            self._colour_names()

    def _on_timeline_trace_changed(self, trace) -> None:
        self._trace = trace
        if trace is None:
            self.timing_note.clear()
            return
        config = trace.config
        self._rows["rnn"][0].setText(cell_label(config))
        self._rows["attention"][0].setText(f"Self-attention ({count(config.heads, 'head')})")
        # Cumulative time after each RNN step: the input projection, then every step (medians
        # per step over the repeats), scaled to end at the median of the whole passes.
        elapsed = trace.rnn.projection_seconds + trace.rnn.step_seconds.cumsum()  # (T,)
        self._rnn_elapsed = elapsed * (trace.rnn.forward_seconds / elapsed[-1] if elapsed[-1] > 0
                                       else 1.0)  # (T,)
        self._show_timing_note(trace)

    def _show_timing_note(self, trace) -> None:
        rnn, attention = trace.rnn.forward_timing, trace.attention.timing
        runs = (f" on one CPU thread, median of {rnn.count} timed runs each" if rnn.count > 1
                else ", one measurement each (a trace saved before repeats were timed)")
        text = f"Measured forward passes{runs}: {timing_verdict(rnn, attention)}."
        if attention.median >= rnn.median:
            text += " " + SMALL_N_ON_CPU_SHORT + " (Hover for why.)"
        self.timing_note.setText(text)
        trusted = not (rnn.unsteady or attention.unsteady)
        style.colour_text(self.timing_note, None if trusted else "error")

    def _on_timeline_step_changed(self, tick: int) -> None:
        trace = self._trace
        if trace is None:
            return
        T = trace.length
        steps = clock.rnn_rows_revealed(tick, T)
        done = clock.attention_done(tick)
        rnn, attention = trace.rnn, trace.attention
        rnn_time = self._rnn_elapsed[steps - 1] if steps else 0.0
        self._set_row("rnn", steps / T, [
            f"{steps} of {T}",
            count(rnn.cost.max_path_length, 'hop'),
            f"{rnn.cost.multiply_adds * steps // T:,}",
            _timing_text(rnn_time, rnn.forward_timing),
            f"{clock.rnn_words_reached(tick, T)} of {T}",
        ])
        self._set_row("attention", 1.0 if done else 0.0, [
            f"{1 if done else 0} of 1",
            count(attention.cost.max_path_length, 'hop'),
            f"{attention.cost.multiply_adds if done else 0:,}",
            _timing_text(attention.seconds if done else 0.0, attention.timing),
            f"{clock.attention_words_reached(tick, T)} of {T}",
        ])

    def _set_row(self, key: str, fraction: float, texts: list[str]) -> None:
        _name, bar, labels = self._rows[key]
        bar.set_fraction(fraction)
        for label, text in zip(labels, texts):
            label.setText(text)


def _timing_text(seconds: float, timing) -> str:
    """'446 µs ±1%', with ⚠ when the spread is too large (or unknown) to trust."""
    return f"{format_seconds(seconds)} {spread_text(timing)}" + (" ⚠" if timing.unsteady else "")
