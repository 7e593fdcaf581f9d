"""Table 1 of Vaswani et al. (2017) beside this machine: the paper's O(·) entries next to the
fitted slopes of measured time and counted multiply-adds, and the counts at the largest n."""

from __future__ import annotations

import math

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from engine.labs.cost.report import fit_slope, slope_warnings
from engine.labs.cost.sweep import PAPER_EXPONENT, TABLE1

ROWS = (("self-attention", "self_attention", ("attention", "attention_sdpa")),
        ("recurrent", "recurrent", ("rnn_stepwise", "rnn_fused")))
COLUMNS = ("complexity per layer (paper)", "measured time slope", "counted MAC slope",
           "sequential operations (paper / measured at largest n)",
           "maximum path length (paper / at largest n)")
SHORT = {"attention": "attend()", "attention_sdpa": "SDPA", "rnn_stepwise": "step loop",
         "rnn_fused": "nn.RNN"}
COLUMN_TIPS = (
    "Table 1's cost of one layer: n words, width d.",
    "Slope of log(median time) against log(n) over the upper half of the measured n, for our "
    "implementation and torch's reference. Table 1 predicts 2 for attention and 1 for the RNN. "
    "⚠ marks a slope that cannot be read as the algorithm's (hover it for why).",
    "The same fit over the exact multiply-add counts. Below n ≈ d the projections' n·d² term still "
    "dominates attention, so its slope reaches 2 only for n well above d.",
    "Steps that must wait for the previous one: n for the RNN, 1 for attention.",
    "Hops between the first and the last word: n − 1 through the RNN's chain, 1 in attention.",
)
DASH = "–"


def number(value: float) -> str:
    return DASH if value is None or math.isnan(value) else f"{value:.2f}"


def slope_cell(names, slopes: dict[str, float], warned=()) -> str:
    """'attend() 2.33' and 'SDPA 2.80 ⚠' on lines of their own, or one number when both agree
    to two decimals; ⚠ after a slope named in `warned`."""
    texts = [number(slopes[name]) + (" ⚠" if name in warned else "") for name in names]
    if texts[0] == texts[1]:
        return texts[0]
    return "\n".join(f"{SHORT[name]} {text}" for name, text in zip(names, texts))


class CostTable(QTableWidget):
    """Two rows (self-attention, recurrent) with Table 1's columns, filled as rows arrive."""

    def __init__(self, parent=None):
        super().__init__(len(ROWS), len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self.setVerticalHeaderLabels([label for label, _key, _names in ROWS])
        for column, tip in enumerate(COLUMN_TIPS):
            self.horizontalHeaderItem(column).setToolTip(tip)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)  # wrap, never cut a number to "…"
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)
        header.sectionResized.connect(self._fit_header)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.show_rows([])

    def show_rows(self, rows) -> None:
        """Fill every cell from the rows measured so far (none: the paper's entries and dashes)."""
        ns = [row.n for row in rows]
        last = rows[-1] if rows else None
        warnings = slope_warnings(rows)
        for index, (_label, key, names) in enumerate(ROWS):
            paper = TABLE1[key]
            time = {name: fit_slope(ns, [row[name].median_seconds for row in rows])
                    for name in names}
            macs = {name: fit_slope(ns, [row[name].macs for row in rows]) for name in names}
            exponent = f"(paper {PAPER_EXPONENT[names[0]]})"
            recurrent = key == "recurrent"
            sequential = (last.rnn_sequential_operations if recurrent
                          else last.attention_sequential_operations) if last else None
            path = (last.rnn_max_path_length if recurrent
                    else last.attention_max_path_length) if last else None
            cells = (paper["complexity"], _with(slope_cell(names, time, warnings), exponent),
                     _with(slope_cell(names, macs), exponent),
                     _paired(paper["sequential"], sequential),
                     _paired(paper["path"], path))
            for column, text in enumerate(cells):
                self._set(index, column, text)
            self.item(index, 1).setToolTip("\n".join(
                f"{SHORT[name]}: {warnings[name]}" for name in names if name in warnings))

    def _fit_header(self, *_args) -> None:
        """Make the header tall enough for its longest wrapped title at the current widths."""
        header = self.horizontalHeader()
        metrics = header.fontMetrics()
        needed = max(metrics.boundingRect(QRect(0, 0, max(header.sectionSize(column) - 12, 24),
                                                10_000), Qt.TextFlag.TextWordWrap, title).height()
                     for column, title in enumerate(COLUMNS))
        if header.height() != needed + 12:
            header.setFixedHeight(needed + 12)

    def _set(self, row: int, column: int, text: str) -> None:
        item = self.item(row, column)
        if item is None:
            item = QTableWidgetItem()
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.setItem(row, column, item)
        item.setText(text)

    def texts(self) -> list[list[str]]:
        return [[self.item(r, c).text() for c in range(self.columnCount())]
                for r in range(self.rowCount())]


def _with(slopes: str, exponent: str) -> str:
    """The paper's exponent after one slope, or on a line of its own below two."""
    separator = "\n" if "\n" in slopes else " "
    return slopes + separator + exponent


def _paired(paper: str, measured) -> str:
    return f"{paper} / {DASH if measured is None else measured}"
