"""The numbers printed inside a heatmap's cells: in a font and a form chosen so that every number
fits its cell at the map's current size (full, then compact, then two digits), in a colour that
reads on the cell's colour, and shown only on revealed cells. Maps of more than MAX_VALUE_CELLS
cells print none; their tooltips carry the values."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetrics

from gui import style

MAX_VALUE_CELLS = 16 * 16  # print numbers in the cells only up to this many cells
CELL_FONT_SIZES = (8.0, 7.0, 6.0)  # points; the largest that fits the cells is used


def _compact(text: str) -> str:
    """-0.67 -> -.67 and 0.21 -> .21: one character less where cells are narrow."""
    if text.startswith("0.") and len(text) > 2:
        return text[1:]
    if text.startswith("-0.") and len(text) > 3:
        return "-" + text[2:]
    return text


def _two_digits(text: str) -> str:
    """Two significant digits for fixed-point numbers: -2.42 -> -2.4, 13.57 -> 14, 0.67 -> .67.
    The last resort where cells are narrower still; the tooltip keeps every digit."""
    try:
        value = float(text)
    except ValueError:
        return text
    if "e" in text.lower() or "." not in text or abs(value) < 1:
        return _compact(text)
    return f"{value:.1f}" if abs(value) < 9.95 else f"{value:.0f}"


CELL_TEXT_FORMS = (str, _compact)  # every font size tries these before any size tries the last
LAST_CELL_TEXT_FORM = _two_digits


class CellNumbers:
    """The cell numbers of one plot, on text items kept in a pool: creating and destroying
    hundreds of items for every new trace stalled the GUI thread for a large part of a second."""

    def __init__(self):
        self._pool: list[pg.TextItem] = []  # created on demand, reused, never removed
        self._items: list[pg.TextItem] = []  # the pool's first R*C items, one per cell shown
        self._full: list[str] = []  # each cell's number in full (items may show it compact)
        self._fits: list[tuple[QFont, object, float, float]] = []  # best first
        self._fit: int | None = None
        self._columns = 1

    def build(self, plot: pg.PlotWidget, data: np.ndarray, shown: np.ndarray, value_format: str,
              colours: np.ndarray) -> None:
        """Numbers for `data` (R, C) in `plot`, printed on cells whose `shown` value is not NaN,
        in text that reads on `colours` (R*C, 4), the cells' RGBA in 0..1. (The plot is not
        kept: a reference back to it would keep a closed plot alive.)"""
        rows, cols = data.shape
        needed = rows * cols if rows * cols <= MAX_VALUE_CELLS else 0
        while len(self._pool) < needed:
            item = pg.TextItem("", anchor=(0.5, 0.5))
            item.setZValue(5)
            plot.addItem(item)
            self._pool.append(item)
        for item in self._pool[needed:]:
            item.setVisible(False)
        self._items = self._pool[:needed]
        self._full = []
        self._columns = max(cols, 1)
        if not needed:
            return
        luminance = colours[:, :3] @ np.array([0.299, 0.587, 0.114])  # (R*C,)
        luminance[np.isnan(shown).ravel()] = 1.0  # empty cells show the white background
        for index, item in enumerate(self._items):
            r, c = divmod(index, cols)
            value = data[r, c]
            if np.isnan(shown[r, c]):
                text = ""  # an empty cell says nothing, not "0"
            else:
                text = "0" if value == 0 else value_format.format(value)
            self._full.append(text)
            item.setPlainText(text)
            item.setColor(style.cell_text_color(luminance[index] < 0.5))
            item.setPos(c + 0.5, r + 0.5)
        self._fit = None
        self._fits = []
        forms = [(size, form) for size in CELL_FONT_SIZES for form in CELL_TEXT_FORMS]
        forms += [(size, LAST_CELL_TEXT_FORM) for size in CELL_FONT_SIZES]
        for size, form in forms:  # (font, text form, width and height needed)
            font = QFont()
            font.setPointSizeF(size)
            metrics = QFontMetrics(font)
            widest = max(metrics.horizontalAdvance(form(text)) for text in self._full)
            self._fits.append((font, form, widest + 4, metrics.height() + 1))

    def _best_fit(self, cell_width: float, cell_height: float) -> int | None:
        """Index into self._fits of the best form that fits: full numbers before compact ones,
        larger fonts before smaller, two-digit numbers last."""
        for index, (_font, _form, width, height) in enumerate(self._fits):
            if cell_width >= width and cell_height >= height:
                return index
        return None

    def update(self, cell_width: float, cell_height: float, revealed_rows: int,
               first_revealed_column: int) -> None:
        """Show the numbers only when every one fits inside its cell (`cell_width` x
        `cell_height` pixels), and only on revealed cells."""
        if not self._items:
            return
        fit = self._best_fit(cell_width, cell_height)
        if fit is not None and fit != self._fit:
            font, form, _width, _height = self._fits[fit]
            for item, full in zip(self._items, self._full):
                item.setFont(font)
                item.setPlainText(form(full))
        self._fit = fit
        for index, item in enumerate(self._items):
            row, col = divmod(index, self._columns)
            item.setVisible(fit is not None and row < revealed_rows
                            and col >= first_revealed_column)

    @property
    def printing(self) -> bool:
        """Whether the map is small enough to print its numbers."""
        return bool(self._items)

    @property
    def full_texts(self) -> tuple[str, ...]:
        """Each cell's number in full, row by row ("" for an empty cell; () when none print)."""
        return tuple(self._full)

    @property
    def visible(self) -> tuple[bool, ...]:
        """Whether each cell's number is printed now, row by row."""
        return tuple(item.isVisible() for item in self._items)

    def shown_texts(self) -> list[str]:
        """The numbers printed now, row by row, as drawn."""
        return [item.toPlainText() for item in self._items if item.isVisible()]
