"""The lab's first tab: the four live plots (loss, held-out accuracy, the gradient reaching the
first word, time per step) in a grid above the per-model table, under a caption."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QGridLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from gui.labs.training.plots import LIVE_PLOTS, LivePlot
from gui.labs.training.table import ModelTable

CAPTION = (
    "<b>How to read this.</b> Every model learns the same task from the same batches, with the "
    "same optimiser (Adam) and seed; parameter counts are matched within ±20 %. Accuracy is "
    "measured on a held-out batch the models never train on. The gradient plot shows how much "
    "of the loss's gradient reaches the first word: through an RNN it must pass every later "
    "step, through attention it arrives in one hop. Right-click a plot to export it.")


class LiveView(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.plots = {name: LivePlot(name) for name in LIVE_PLOTS}
        self._waiting: list[LivePlot] = []  # plots to update on later turns of the event loop
        self._session, self._growing = None, False
        self.table = ModelTable()
        self.caption = QLabel(CAPTION)
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        for index, plot in enumerate(self.plots.values()):
            grid.addWidget(plot, index // 2, index % 2)
        plots = QWidget()
        plots.setLayout(grid)
        rows = QSplitter(Qt.Orientation.Vertical)
        rows.setChildrenCollapsible(False)
        rows.addWidget(plots)
        rows.addWidget(self.table)
        rows.setStretchFactor(0, 5)
        rows.setSizes([700, 140])
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(rows, 1)

    def reset(self, models) -> None:
        self._waiting.clear()
        for plot in self.plots.values():
            plot.set_models(models)
        self.table.show_rows([])

    def redraw(self, session, growing: bool = False) -> None:
        """Show what the session holds; `growing` while its run goes on.

        While it grows, the first plot is updated now and each other one on a later turn of the
        event loop, so the window paints one plot at a time: painting all four in one frame
        (axes re-laid out as ranges change) held the GUI thread for about 100 ms."""
        self._session, self._growing = session, growing
        plots = list(self.plots.values())
        if not growing:
            self._waiting.clear()
            for plot in plots:
                plot.show_curves(session.curves)
        else:
            first, *later = plots
            first.show_curves(session.curves, growing=True)
            if not self._waiting:
                QTimer.singleShot(0, self, self._draw_next)
            self._waiting[:] = later  # a plot still waiting draws the newest curves
        self.table.show_rows(session.table_rows())

    def _draw_next(self) -> None:
        if self._waiting:
            self._waiting.pop(0).show_curves(self._session.curves, self._growing)
        if self._waiting:
            QTimer.singleShot(0, self, self._draw_next)

    def set_x_field(self, x_field: str) -> None:
        for plot in self.plots.values():
            plot.set_x_field(x_field)
