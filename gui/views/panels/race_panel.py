"""The race strip: for each model, the work done so far by this tick, counted and measured."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from engine.analysis.report import (SMALL_N_ON_CPU, SMALL_N_ON_CPU_SHORT, UNSTEADY_MEANS,
                                    format_seconds, timing_verdict)
from engine.core import clock
from engine.core.records import MODEL_KEYS
from engine.core.timing import spread_text
from gui import style
from gui.views.panels.base import lesson_link_label, show_lesson_link
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

    def set_colour(self, colour: str) -> None:
        self._colour = QColor(colour)
        self.update()

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
    """One row of live counters and a progress bar per model of the trace (its records, in order)."""

    lesson_requested = Signal()  # the lesson link above the model names was clicked

    def __init__(self, timeline, parent=None):
        super().__init__(parent)
        self._timeline = timeline
        self._grid = grid = QGridLayout(self)
        grid.setContentsMargins(8, 2, 8, 2)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(2)
        for column, (name, tip) in enumerate(COLUMNS, start=2):
            header = QLabel(f"<b>{name}</b>")
            header.setToolTip(tip)
            header.setAlignment(Qt.AlignmentFlag.AlignRight)
            grid.addWidget(header, 0, column)
        self.lesson_link = lesson_link_label(self.lesson_requested)
        self.lesson_link.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        grid.addWidget(self.lesson_link, 0, 0)
        self._rows = {}  # model key -> (name label, bar, one label per column)
        self._records = {}  # model key -> ModelRecord of the shown trace
        self.timing_note = QLabel()
        self.timing_note.setWordWrap(True)
        self.timing_note.setToolTip(" ".join((
            "Both forward passes run several times, alternating, after an untimed warm-up, on one "
            "CPU thread: split over several threads, such small products wait for a free core and "
            "a busy machine makes single runs many times slower.", UNSTEADY_MEANS,
            SMALL_N_ON_CPU)))
        grid.addWidget(self.timing_note, 1, 0, 1, len(COLUMNS) + 2)
        grid.setColumnStretch(1, 1)
        self._build_rows(MODEL_KEYS)  # the rows every trace has, blank until one arrives
        timeline.trace_changed.connect(self._on_timeline_trace_changed)
        timeline.step_changed.connect(self._on_timeline_step_changed)
        self._trace = None

    def show_lesson_link(self, text: str, tip: str) -> None:
        show_lesson_link(self.lesson_link, text, tip)

    def model_keys(self) -> tuple[str, ...]:
        """The models that have a row, top to bottom ("rnn", "attention", ...)."""
        return tuple(self._rows)

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

    def count_labels(self, columns: tuple[str, ...]) -> list[QLabel]:
        """Every model's counter labels in the named COLUMNS (a lesson covers them while a
        question they would answer is open)."""
        wanted = [index for index, (name, _tip) in enumerate(COLUMNS) if name in columns]
        return [values[index] for _name, _bar, values in self._rows.values() for index in wanted]

    def _build_rows(self, keys: tuple[str, ...]) -> None:
        """One row per model key, under the headers and above the timing note."""
        grid = self._grid
        for name, bar, values in self._rows.values():
            for widget in (name, bar, *values):
                grid.removeWidget(widget)
                widget.deleteLater()
        self._rows = {}
        for row, key in enumerate(keys, start=1):
            name = QLabel()
            bar = RaceBar(style.model_colour(key))
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
        grid.removeWidget(self.timing_note)
        grid.addWidget(self.timing_note, len(keys) + 1, 0, 1, len(COLUMNS) + 2)
        self._colour_names()

    def _colour_names(self) -> None:
        """Each model's name in its colour, made legible on a dark palette."""
        for key, (name, _bar, _values) in self._rows.items():
            shown = style.readable_on(style.model_colour(key), self.palette()).name()
            name.setStyleSheet(f"color: {shown}; font-weight: bold;")

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in style.PALETTE_EVENTS:
            self._colour_names()

    def follow_colours(self) -> None:
        """Bars and names in the current colour set."""
        for key, (_name, bar, _values) in self._rows.items():
            bar.set_colour(style.model_colour(key))
        self._colour_names()

    def _on_timeline_trace_changed(self, trace) -> None:
        self._trace = trace
        if trace is None:
            self.timing_note.clear()
            return
        self._records = dict(trace.models)
        if tuple(self._records) != self.model_keys():
            self._build_rows(tuple(self._records))
        for key, record in self._records.items():
            self._rows[key][0].setText(record.name)
        self._show_timing_note(trace)

    def _show_timing_note(self, trace) -> None:
        rnn, attention = trace.rnn.forward_timing, trace.attention.timing
        runs = (f" on one CPU thread, median of {rnn.count} timed runs each" if rnn.count > 1
                else ", one measurement each (a trace saved before repeats were timed)")
        text = f"Measured forward passes{runs}: {timing_verdict(rnn, attention)}."
        if attention.median >= rnn.median:
            text += " " + SMALL_N_ON_CPU_SHORT + " (Hover for why.)"
        trusted = not (rnn.unsteady or attention.unsteady)
        if trace.scan is not None:
            loop, scan = trace.scan.loop_timing, trace.scan.timing
            text += (f" minGRU's scan against its own {trace.length}-step loop: "
                     f"{timing_verdict(loop, scan, ('the loop', 'the scan'))}.")
            trusted = trusted and not (loop.unsteady or scan.unsteady)
        self.timing_note.setText(text)
        style.colour_text(self.timing_note, None if trusted else "error")

    def _on_timeline_step_changed(self, tick: int) -> None:
        if self._trace is None:
            return
        for record in self._records.values():
            self._show_record(record, tick, self._trace.length)

    def _show_record(self, record, tick: int, length: int) -> None:
        """A model's counters at this tick, from its schedule: steps done, work and time so far."""
        schedule = record.schedule
        steps = clock.forward_steps_revealed(tick, schedule)
        total = schedule.forward_steps
        done_share = steps / total if total else 0.0
        self._set_row(record.key, done_share, [
            f"{steps} of {total}",
            count(record.cost.max_path_length, 'hop'),
            f"{record.cost.multiply_adds * steps // total if total else 0:,}",
            _timing_text(record.elapsed_at(steps), record.forward_timing),
            f"{clock.words_reached(tick, schedule)} of {length}",
        ])

    def _set_row(self, key: str, fraction: float, texts: list[str]) -> None:
        _name, bar, labels = self._rows[key]
        bar.set_fraction(fraction)
        for label, text in zip(labels, texts):
            label.setText(text)


def _timing_text(seconds: float, timing) -> str:
    """'446 µs ±1%', with ⚠ when the spread is too large (or unknown) to trust."""
    return f"{format_seconds(seconds)} {spread_text(timing)}" + (" ⚠" if timing.unsteady else "")
