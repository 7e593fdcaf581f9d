"""The per-model table beside the live plots: model, parameters, width, last loss, held-out
accuracy, steps per second and how it stopped, each row in its model's colour."""

from __future__ import annotations

import math

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from gui import style
from gui.labs.training.plots import MODEL_LABELS, model_colour

COLUMNS = ("model", "parameters", "width", "loss", "held-out accuracy", "steps/s", "state")


MIN_TEXT_CONTRAST = 3.0  # WCAG's least contrast for large or bold text


def _luminance(colour: QColor) -> float:
    channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
                for c in colour.getRgbF()[:3]]
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def legible_text(colour: str, palette) -> QColor:
    """A model's colour as text on the table's base: lightened on a dark palette, and darkened
    on a light one where it is too pale to read (the safe set's orange and pink)."""
    shown = QColor(style.readable_on(colour, palette))
    base = _luminance(palette.color(QPalette.ColorRole.Base))
    while (base + 0.05) / (_luminance(shown) + 0.05) < MIN_TEXT_CONTRAST and base > 0.5:
        shown = shown.darker(115)
    return shown


def _number(value: float, text: str) -> str:
    return text if math.isfinite(value) else "—"


class ModelTable(QTableWidget):
    """One row per model, refreshed from a TrainResult's summaries and the live curves."""

    def __init__(self, parent=None):
        super().__init__(0, len(COLUMNS), parent)
        self._kinds: list[str] = []  # each row's model
        self.setHorizontalHeaderLabels(COLUMNS)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.setToolTip("Parameter counts are matched within ±20 % by default (Match "
                        "parameters). Loss: the last step's batch. Accuracy: the last "
                        "measurement on the held-out batch.")

    def show_rows(self, rows: list[tuple[str, ...]]) -> None:
        """Rows of (kind, then one text per column after the first)."""
        resized = len(rows) != self.rowCount()
        self.setRowCount(len(rows))
        self._kinds = [kind for kind, *_cells in rows]
        for index, (kind, *cells) in enumerate(rows):
            for column, text in enumerate([MODEL_LABELS[kind], *cells]):
                item = self.item(index, column)
                if item is None:
                    item = QTableWidgetItem()
                    self.setItem(index, column, item)
                item.setText(text)
        self._colour_names()
        if resized:
            self.setMinimumHeight(self.rows_height())

    def rows_height(self) -> int:
        """Pixels that show the header and every row without a vertical scroll bar (and the
        horizontal one's height where the columns are wider than the table)."""
        height = self.horizontalHeader().sizeHint().height() + 2 * self.frameWidth()
        height += sum(self.rowHeight(row) for row in range(self.rowCount()))
        if self.horizontalHeader().length() > self.viewport().width():
            height += self.horizontalScrollBar().sizeHint().height()
        return height

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(hint.width(), max(self.rows_height(), self.minimumHeight()))

    def _colour_names(self) -> None:
        """Each model's name in its colour, legible on the palette."""
        for index, kind in enumerate(getattr(self, "_kinds", ())):  # not set while Qt builds it
            self.item(index, 0).setForeground(legible_text(model_colour(kind), self.palette()))

    def follow_colours(self) -> None:
        self._colour_names()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in style.PALETTE_EVENTS:
            self._colour_names()

    def model_colours(self) -> list[QColor]:
        """Each row's name colour, top to bottom."""
        return [self.item(row, 0).foreground().color() for row in range(self.rowCount())]

    def texts(self) -> list[list[str]]:
        return [[self.item(r, c).text() for c in range(self.columnCount())]
                for r in range(self.rowCount())]


def summary_rows(summaries, curves, live: dict[str, float],
                 total: int) -> list[tuple[str, ...]]:
    """The table's rows from engine ModelSummaries, with the live curves' last loss and
    accuracy while training runs (`live`: kind -> steps per second)."""
    rows = []
    for s in summaries:
        width = f"D = {s.hidden_size}" if s.kind == "transformer" else f"H = {s.hidden_size}"
        losses = curves.steps(s.kind, "loss") if s.kind in curves.models else []
        accuracies = curves.evaluations(s.kind, "accuracy") if s.kind in curves.models else []
        loss = float(losses[-1]) if len(losses) else math.nan
        accuracy = float(accuracies[-1]) if len(accuracies) else math.nan
        rate = live.get(s.kind, math.nan)
        steps = curves.step_count(s.kind) if s.kind in curves.models else 0
        state = s.stopped_reason if s.stopped_reason != "completed" else (
            "done" if steps >= total else f"step {steps} of {total}")
        rows.append((s.kind, f"{s.parameters:,}", width, _number(loss, f"{loss:.3f}"),
                     _number(accuracy, f"{accuracy:.1%}"), _number(rate, f"{rate:.0f}"), state))
    return rows
