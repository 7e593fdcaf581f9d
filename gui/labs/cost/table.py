"""Table 1 of Vaswani et al. (2017) beside this machine: the paper's O(·) entries next to the
fitted slopes of measured time and counted multiply-adds, and the counts at the largest n; with a
third row, not in the paper, for the linear recurrence (minGRU by its step loop and its scan)."""

from __future__ import annotations

import math

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from engine.labs.cost.report import fit_slope, measured_implementations, slope_warnings
from engine.labs.cost.sweep import MINGRU, PAPER_EXPONENT, TABLE1

ROWS = (("self-attention", "self_attention", ("attention", "attention_sdpa")),
        ("recurrent", "recurrent", ("rnn_stepwise", "rnn_fused")),
        ("linear\nrecurrence\n(minGRU) †", "linear_recurrence", MINGRU))
ROW_TIPS = {
    "linear_recurrence": "† Not in the paper. minGRU (Feng et al., 2024): h_t = a_t·h_(t-1) + b_t, "
                         "gates from the word alone, so a parallel scan can run it. O(n·d) counts "
                         "its recurrence, one multiply-add per channel and word; the Hillis–Steele "
                         "scan measured here does n·⌈log₂ n⌉ operator applications, O(n·d·log n). "
                         "Its two gate projections are O(n·d²) like the RNN's, but for every word "
                         "at once. The scan waits ⌈log₂ n⌉ levels, the step loop n steps; the path "
                         "between the first and the last word is n − 1 hops in both.",
}
COLUMNS = ("complexity per layer (paper)", "measured time slope", "counted MAC slope",
           "sequential operations (paper / at largest n)",
           "maximum path length (paper / at largest n)")
SHORT = {"attention": "attend()", "attention_sdpa": "SDPA", "rnn_stepwise": "step loop",
         "rnn_fused": "nn.RNN", "mingru_loop": "loop", "mingru_scan": "scan"}
COLUMN_TIPS = (
    "Table 1's cost of one layer: n words, width d.",
    "Slope of log(median time) against log(n) over the upper half of the measured n, for our "
    "implementation and torch's reference. Table 1 predicts 2 for attention and 1 for the RNN. "
    "⚠ marks a slope that cannot be read as the algorithm's (hover it for why).",
    "The same fit over the exact multiply-add counts. Below n ≈ d the projections' n·d² term still "
    "dominates attention, so its slope reaches 2 only for n well above d.",
    "Steps that must wait for the previous one: n for the RNN and minGRU's step loop, "
    "⌈log₂ n⌉ levels for minGRU's scan, 1 for attention.",
    "Hops between the first and the last word: n − 1 through the RNN's chain and minGRU's (the "
    "scan shortens the wait, not the path), 1 in attention.",
)
DASH = "–"
NBSP = "\u00a0"  # keeps "O(log n) / 9" on one line


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
    """Table 1's two rows (self-attention, recurrent) and the linear recurrence's, with Table 1's
    columns, filled as rows arrive."""

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
        for index, (_label, key, _names) in enumerate(ROWS):
            self.verticalHeaderItem(index).setToolTip(ROW_TIPS.get(key, "Table 1 of the paper."))
        self.show_rows([])

    def show_rows(self, rows) -> None:
        """Fill every cell from the rows measured so far (none: the paper's entries and dashes)."""
        warnings, measured = slope_warnings(rows), measured_implementations(rows)
        for index, (_label, key, names) in enumerate(ROWS):
            shown = rows if all(name in measured for name in names) else []
            cells = _row_cells(key, names, shown, warnings)
            for column, text in enumerate(cells):
                self._set(index, column, text)
            self.item(index, 1).setToolTip("\n".join(
                f"{SHORT[name]}: {warnings[name]}" for name in names if name in warnings))
            if rows and not shown:
                for column in (1, 2, 3, 4):
                    self.item(index, column).setToolTip("Not in this result: it was saved "
                                                        "before the lab measured minGRU.")

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


def _row_cells(key: str, names, rows, warnings) -> tuple[str, ...]:
    """One row's five cells from the rows that measured its implementations (none: dashes)."""
    ns, paper = [row.n for row in rows], TABLE1[key]
    time = {name: fit_slope(ns, [row[name].median_seconds for row in rows]) for name in names}
    macs = {name: fit_slope(ns, [row[name].macs for row in rows]) for name in names}
    source = "paper" if paper.get("in_paper", True) else "expected"
    exponent = f"({source} {PAPER_EXPONENT[names[0]]})"
    sequential, path = _counts_at_largest_n(key, rows[-1] if rows else None)
    if key == "linear_recurrence":
        complexity = f"{paper['complexity']} recurrence + {paper['projections']} gates"
        sequential_text = "\n".join(  # a narrow cell breaks after "scan" and "loop" only
            f"{kind} {_paired(paper[entry], count)}".replace(" ", NBSP).replace(NBSP, " ", 1)
            for kind, entry, count in (("scan", "sequential", sequential[1]),
                                       ("loop", "sequential_loop", sequential[0])))
    else:
        complexity, sequential_text = paper["complexity"], _paired(paper["sequential"], sequential)
    return (complexity, _with(slope_cell(names, time, warnings), exponent),
            _with(slope_cell(names, macs), exponent), sequential_text,
            _paired(paper["path"], path))


def _counts_at_largest_n(key: str, last):
    """(sequential operations, path length) of the row's model at the largest n; minGRU's
    sequential operations as (loop, scan). None where nothing was measured."""
    if key == "linear_recurrence":
        if last is None:
            return (None, None), None
        return ((last.mingru_loop_sequential_operations, last.mingru_scan_sequential_operations),
                last.mingru_max_path_length)
    if last is None:
        return None, None
    if key == "recurrent":
        return last.rnn_sequential_operations, last.rnn_max_path_length
    return last.attention_sequential_operations, last.attention_max_path_length


def _with(slopes: str, exponent: str) -> str:
    """The paper's exponent after one slope, or on a line of its own below two."""
    separator = "\n" if "\n" in slopes else " "
    return slopes + separator + exponent


def _paired(paper: str, measured) -> str:
    return f"{paper} / {DASH if measured is None else measured}"
