"""A labelled heatmap that is built once per trace and updated in place per tick.

Rows not yet computed are hidden under a cover rectangle whose height changes per tick (no image
upload per frame); maps filled from the last column back use a second cover over the first
columns. The selected token is outlined (its row, and its column on word-by-word maps), hovering
shows the exact value in a tooltip, and small matrices print their numbers in the cells.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem

from gui import style
from gui.views.panels.cell_numbers import MAX_VALUE_CELLS, CellNumbers
from gui.views.panels.colour_bar import compact_colorbar
from gui.views.panels.plot_base import HoverPlot
from gui.views.panels.token_axis import TokenAxis, pixels_to_name, pixels_to_name_on_screen

MIN_PLOT_SIZE = (0, 24)  # pixels (width, height): the least plot area a map asks for by default
COLORBAR_GAP = 4  # pixels between the map and its colour bar


def _read_only(array: np.ndarray) -> np.ndarray:
    """A view of `array` that cannot be written through."""
    view = array.view()
    view.flags.writeable = False
    return view


def _drawn_rect(item: QGraphicsRectItem) -> tuple[float, float, float, float] | None:
    """(x, y, width, height) of a rectangle item in data units, or None while it is hidden."""
    if not item.isVisible():
        return None
    rect = item.rect()
    return rect.x(), rect.y(), rect.width(), rect.height()


class HeatmapView(HoverPlot):
    """A matrix drawn as coloured cells, rows top to bottom."""

    def __init__(self, title: str = "", x_label: str = "", y_label: str = "",
                 colormap: str = style.DIVERGING, parent=None):
        super().__init__(parent, axisItems={"left": TokenAxis("left"), "bottom": TokenAxis("bottom")})
        self.plotItem.vb.invertY(True)
        self.plotItem.vb.setDefaultPadding(0.0)
        self.setLabel("bottom", x_label)
        self.setLabel("left", y_label)
        self.setTitle(title, size=style.TITLE_SIZE)
        self._image = pg.ImageItem(axisOrder="row-major")
        self._colour_role = style.colour_role(colormap)  # None: a map that keeps its colours
        self._image.setColorMap(style.colour_map(self._colour_role) if self._colour_role
                                else pg.colormap.get(colormap))
        self.addItem(self._image)
        self._cover = self._add_rect(pen=None, brush=QBrush(QColor(style.PLOT_BACKGROUND)))
        self._column_cover = self._add_rect(pen=None, brush=self._cover.brush())
        self._selected_row = self._add_rect(pen=style.selection_pen(), brush=None)
        self._selected_col = self._add_rect(pen=style.selection_pen(), brush=None)
        self._marker = self._add_rect(pen=style.marker_pen(), brush=None)
        self._numbers = CellNumbers()
        self._colorbar: pg.ColorBarItem | None = None
        self._colorbar_label: str | None = None  # set by add_colorbar
        self._colorbar_on_screen = True
        self._col_tokens_labelled = False
        self._tick_cache: dict[str, tuple] = {}  # axis name -> (labels, are they words?) shown
        self._data = np.zeros((0, 0))
        self._row_labels: list[str] = []
        self._col_labels: list[str] = []
        self._rows_are_tokens = True
        self._cols_are_tokens = False
        self._revealed = 0
        self._first_revealed_column = 0
        self._value_name = "value"
        self._col_name = "dimension"
        self._format = "{:.3g}"
        self._keeps_words_named = False
        self.min_plot_size = MIN_PLOT_SIZE  # a panel may ask more for a map beside wide ones
        self._ready = True

    def _add_rect(self, pen, brush) -> QGraphicsRectItem:
        item = QGraphicsRectItem()
        item.setPen(pen if pen is not None else QPen(Qt.PenStyle.NoPen))
        if brush is not None:
            item.setBrush(brush)
        item.setZValue(10)
        item.setVisible(False)
        self.addItem(item)
        return item

    # -- content ---------------------------------------------------------------------------
    def set_matrix(self, data: np.ndarray, *, row_labels: list[str] | None = None,
                   col_labels: list[str] | None = None, levels: tuple[float, float] | None = None,
                   cols_are_tokens: bool = False, value_name: str = "value",
                   value_format: str = "{:.3g}", display: np.ndarray | None = None,
                   col_name: str = "dimension") -> None:
        """Show `data` (R, C); `display` (same shape) is what is coloured when it differs, for
        example log10 of the values, with NaN for cells left empty; tooltips and cell numbers
        always show `data`."""
        data = np.asarray(data, dtype=float)
        shown = data if display is None else np.asarray(display, dtype=float)
        rows, cols = data.shape
        self._data = data
        self._row_labels = list(row_labels) if row_labels is not None else [str(i) for i in range(rows)]
        self._col_labels = list(col_labels) if col_labels is not None else [str(i) for i in range(cols)]
        self._rows_are_tokens = row_labels is not None
        self._cols_are_tokens = cols_are_tokens
        self._value_name = value_name
        self._col_name = col_name
        self._format = value_format
        if levels is None:
            levels = style.symmetric_levels(shown)
        # NaN cells are drawn empty (transparent): panels use them for structural zeros.
        self._image.setImage(shown, autoLevels=False, levels=levels)
        if self._colorbar is not None:
            self._colorbar.setLevels(levels)
        self._image.setRect(QRectF(0, 0, cols, rows))
        self._col_tokens_labelled = col_labels is not None
        self.plotItem.vb.setRange(xRange=(0, max(cols, 1)), yRange=(0, max(rows, 1)), padding=0)
        self._update_axis_ticks()
        self._build_value_texts(levels, shown)
        self._revealed = rows
        self._first_revealed_column = 0
        self._cover.setVisible(False)
        self._column_cover.setVisible(False)
        self._update_texts()
        self._ask_for_room()

    def set_colormap(self, name: str) -> None:
        """Colour with another pyqtgraph colour map (before set_matrix, which picks each printed
        number's ink for the colour under it)."""
        self._colour_role = style.colour_role(name)  # a role follows the colour set
        colormap = style.colour_map(self._colour_role) if self._colour_role else pg.colormap.get(name)
        self._image.setColorMap(colormap)
        if self._colorbar is not None:
            self._colorbar.setColorMap(colormap)

    def _build_value_texts(self, levels: tuple[float, float], shown: np.ndarray) -> None:
        rows, cols = self._data.shape
        if rows * cols > MAX_VALUE_CELLS:  # none print: skip mapping the colours
            self._numbers.build(self, self._data, shown, self._format, np.zeros((0, 4)))
            return
        span = max(levels[1] - levels[0], 1e-12)
        fractions = np.clip((np.nan_to_num(shown, nan=levels[0]) - levels[0]) / span, 0.0, 1.0)
        colours = self._image.getColorMap().map(fractions.ravel(), mode="float")  # (R*C, 4)
        self._numbers.build(self, self._data, shown, self._format, colours)

    def follow_colours(self) -> None:
        """Redraw in the current colour set's map (View → Colour-blind-safe colours)."""
        if self._colour_role is None:
            return
        colormap = style.colour_map(self._colour_role)
        self._image.setColorMap(colormap)
        if self._colorbar is not None:
            self._colorbar.setColorMap(colormap)
        if self.colour_levels is not None and self._data.size:
            self._build_value_texts(self.colour_levels, self.coloured_matrix)
            self._update_texts()

    def _update_texts(self) -> None:
        if not self._numbers.printing:
            return
        rows, cols = self._data.shape
        rect = self.plotItem.vb.boundingRect()
        self._numbers.update(rect.width() / max(cols, 1), rect.height() / max(rows, 1),
                             self._revealed, self._first_revealed_column)

    def _update_axis_ticks(self) -> None:
        """Words on token axes (each axis fits them to its length itself), indices elsewhere."""
        rows, cols = self._data.shape
        for axis_name, labels, count, tokens in (
                ("left", self._row_labels, rows, self._rows_are_tokens),
                ("bottom", self._col_labels, cols, self._col_tokens_labelled)):
            wanted = (tuple(labels), tokens)
            if self._tick_cache.get(axis_name) == wanted:
                continue
            self._tick_cache[axis_name] = wanted
            axis = self.getAxis(axis_name)
            if tokens:
                axis.set_words(labels)
            else:
                axis.set_indices(count)

    def cell_texts_shown(self) -> list[str]:
        """The numbers printed in the cells now, row by row ([] when they do not fit)."""
        return self._numbers.shown_texts()

    def axis_words(self, axis_name: str) -> list[str]:
        """The words an axis shows now ("left" or "bottom"), as drawn; [] for a numeric axis."""
        return self.getAxis(axis_name).shown_texts

    def plot_area_resized(self) -> None:
        self._update_texts()
        self._ask_for_room()

    def keep_words_named(self, keep: bool = True) -> None:
        """Ask the layout for a plot area that names every word in the smallest font, up to
        MAX_NAMED_ON_SCREEN words (the window's panels scroll when it is too small for that),
        instead of thinning the names to fit whatever room the map is given."""
        self._keeps_words_named = keep
        self._ask_for_room()

    def wanted_area(self) -> tuple[float, float]:
        """(width, height) of plot area this map asks for: room to name every word where it
        keeps its words named, and never less than its min_plot_size."""
        rows, cols = self._data.shape
        width = height = 0.0
        if self._keeps_words_named:
            width = pixels_to_name_on_screen(cols) if self._col_tokens_labelled else 0.0
            height = pixels_to_name_on_screen(rows) if self._rows_are_tokens else 0.0
        return max(width, self.min_plot_size[0]), max(height, self.min_plot_size[1])

    def _ask_for_room(self) -> None:
        """Minimum widget size = the wanted plot area + what the axes, title and colour bar take
        now. That overhead depends on the width alone (the left axis reserves its widest
        words; the bottom axis's plan follows the width), so this settles after one pass."""
        area = self.plotItem.vb.boundingRect()
        if area.width() <= 0 or area.height() <= 0 or self.exporting_alone:
            return
        width, height = self.wanted_area()
        minimum_width = math.ceil(width + self.width() - area.width()) if width else 0
        minimum_height = math.ceil(height + self.height() - area.height())
        if (minimum_width, minimum_height) != (self.minimumWidth(), self.minimumHeight()):
            self.setMinimumSize(minimum_width, minimum_height)

    def add_colorbar(self, label: str = "", on_screen: bool = True) -> None:
        """A labelled colour scale beside the map; it follows the levels given to set_matrix.
        Off screen (`on_screen=False`) it appears only when the plot is exported on its own,
        for maps whose panel shows one scale for several of them; it is made then, on first
        use, since building colour bars is a large part of building the window."""
        self._colorbar_label = label
        self._colorbar_on_screen = on_screen
        if on_screen:
            self._make_colorbar()
            self._attach_colorbar(True)

    def set_colorbar_on_screen(self, on_screen: bool) -> None:
        """Show the colour bar beside the map, or only when it is exported on its own (a
        neighbour took over the panel's one scale)."""
        if on_screen == self._colorbar_on_screen or self._colorbar_label is None:
            return
        self._colorbar_on_screen = on_screen
        if on_screen:
            self._make_colorbar()
        if self._colorbar is not None:
            self._attach_colorbar(on_screen)

    def _make_colorbar(self) -> pg.ColorBarItem:
        if self._colorbar is None:
            self._colorbar = compact_colorbar(self._image.getColorMap(), self._colorbar_label)
            self._colorbar.setParentItem(self.plotItem)  # owned by the plot even off the layout
            self._colorbar.setImageItem(self._image)
            if self.colour_levels is not None:
                self._colorbar.setLevels(self.colour_levels)
        return self._colorbar

    def _attach_colorbar(self, attach: bool) -> None:
        layout = self.plotItem.layout
        attached = any(layout.itemAt(i) is self._colorbar for i in range(layout.count()))
        if attach and not attached:
            layout.addItem(self._colorbar, 2, 5)
            layout.setColumnFixedWidth(4, COLORBAR_GAP)
        elif attached and not attach:
            layout.removeItem(self._colorbar)
            layout.setColumnFixedWidth(4, 0)
        self._colorbar.setVisible(attach)

    @property
    def colorbar(self) -> pg.ColorBarItem | None:
        """The colour bar (made on first use for one shown only in exports), or None."""
        if self._colorbar is None and self._colorbar_label is not None:
            self._make_colorbar()
            self._attach_colorbar(False)
        return self._colorbar

    def colorbar_shown(self) -> bool:
        return self._colorbar is not None and self._colorbar.isVisible()

    def enter_standalone(self) -> bool:
        changed = super().enter_standalone()
        if self._colorbar_label is not None and not self._colorbar_on_screen:
            self._make_colorbar()
            self._attach_colorbar(True)
            changed = True
        return changed

    def standalone_area(self) -> tuple[float, float]:
        """Room to name every word, however many fit on screen (up to MAX_NAMED_ALONE)."""
        rows, cols = self._data.shape
        width = pixels_to_name(cols) if self._col_tokens_labelled else 0.0
        height = pixels_to_name(rows) if self._rows_are_tokens else 0.0
        return width, height

    def leave_standalone(self) -> None:
        super().leave_standalone()
        if self._colorbar is not None and not self._colorbar_on_screen:
            self._attach_colorbar(False)

    # -- per tick ---------------------------------------------------------------------------
    def set_revealed_rows(self, count: int) -> None:
        """Show rows 0..count-1; cover the rest."""
        rows, cols = self._data.shape
        count = max(0, min(count, rows))
        if count == self._revealed:
            return
        self._revealed = count
        self._cover.setVisible(count < rows)
        self._cover.setRect(QRectF(0, count, cols, rows - count))
        self._update_texts()

    def set_revealed_last_columns(self, count: int) -> None:
        """Show the last `count` columns; cover the ones before them (filled from the right)."""
        rows, cols = self._data.shape
        first = cols - max(0, min(count, cols))
        if first == self._first_revealed_column:
            return
        self._first_revealed_column = first
        self._column_cover.setVisible(first > 0)
        self._column_cover.setRect(QRectF(0, 0, first, rows))
        self._update_texts()

    def setBackground(self, background) -> None:
        """The covers take the plot's background colour with it (a theme change, say)."""
        super().setBackground(background)
        for cover in (self.__dict__.get("_cover"), self.__dict__.get("_column_cover")):
            if cover is not None:
                cover.setBrush(self.backgroundBrush())

    def set_marker_row(self, row: int | None) -> None:
        """Outline the row the clock is on (the newest hidden state, say)."""
        rows, cols = self._data.shape
        visible = row is not None and 0 <= row < rows
        self._marker.setVisible(visible)
        if visible:
            self._marker.setRect(QRectF(0, row, cols, 1))

    def set_selected(self, index: int) -> None:
        """Outline the selected token's row (and column on word-by-word maps); -1 clears it."""
        rows, cols = self._data.shape
        show_row = self._rows_are_tokens and 0 <= index < rows
        self._selected_row.setVisible(show_row)
        if show_row:
            self._selected_row.setRect(QRectF(0, index, cols, 1))
        show_col = self._cols_are_tokens and 0 <= index < cols
        self._selected_col.setVisible(show_col)
        if show_col:
            self._selected_col.setRect(QRectF(index, 0, 1, rows))

    def shown_matrix(self) -> tuple[np.ndarray, list[str], list[str], str]:
        """(matrix, row labels, column labels, corner label) for CSV export."""
        cols = self._data.shape[1]
        col_labels = (self._col_labels if self._cols_are_tokens
                      else [f"{self._col_name} {c}" for c in range(cols)])
        return self._data, list(self._row_labels), col_labels, self._value_name

    # -- what the map shows, read-only --------------------------------------------------------
    @property
    def matrix(self) -> np.ndarray:
        """The matrix shown (R, C), as given to set_matrix; a read-only view."""
        return _read_only(self._data)

    @property
    def coloured_matrix(self) -> np.ndarray:
        """The values coloured (R, C), NaN where a cell is drawn empty; a read-only view."""
        return _read_only(self._image.image if self._image.image is not None else np.zeros((0, 0)))

    @property
    def colour_levels(self) -> tuple[float, float] | None:
        """(low, high) of the colour scale, or None before any matrix is shown."""
        levels = self._image.getLevels()
        return None if levels is None else (float(levels[0]), float(levels[1]))

    @property
    def value_name(self) -> str:
        """What a cell's value is called in tooltips and exports ("h", "weight", ...)."""
        return self._value_name

    @property
    def cell_numbers(self) -> tuple[str, ...]:
        """Each cell's number in full, row by row ("" for an empty cell; () when none print)."""
        return self._numbers.full_texts

    @property
    def cell_numbers_visible(self) -> tuple[bool, ...]:
        """Whether each cell's number is printed now, row by row (() when none print)."""
        return self._numbers.visible

    @property
    def revealed_rows(self) -> int:
        """How many rows, from the top, are revealed (the rest lie under the cover)."""
        return self._revealed

    @property
    def first_revealed_column(self) -> int:
        """The first column revealed on maps filled from the last column back (0: all)."""
        return self._first_revealed_column

    @property
    def row_cover_rect(self) -> tuple[float, float, float, float] | None:
        """(x, y, width, height) in cells of the cover over rows not yet revealed, or None."""
        return _drawn_rect(self._cover)

    @property
    def column_cover_rect(self) -> tuple[float, float, float, float] | None:
        """(x, y, width, height) in cells of the cover over columns not yet revealed, or None."""
        return _drawn_rect(self._column_cover)

    @property
    def covers_z_value(self) -> float:
        """The covers' drawing order: items with a lower z lie under them until revealed."""
        return self._cover.zValue()

    @property
    def cover_colour(self) -> QColor:
        """The colour the covers are filled with (the plot's background)."""
        return QColor(self._cover.brush().color())

    @property
    def marker_row(self) -> int | None:
        """The row outlined as the clock's newest one, or None."""
        rect = _drawn_rect(self._marker)
        return None if rect is None else int(rect[1])

    @property
    def marker_rect(self) -> tuple[float, float, float, float] | None:
        """(x, y, width, height) in cells of the newest row's outline, or None."""
        return _drawn_rect(self._marker)

    @property
    def selected_row(self) -> int | None:
        """The row outlined as the selected token's, or None."""
        rect = _drawn_rect(self._selected_row)
        return None if rect is None else int(rect[1])

    @property
    def selected_row_rect(self) -> tuple[float, float, float, float] | None:
        """(x, y, width, height) in cells of the selected token's row outline, or None."""
        return _drawn_rect(self._selected_row)

    @property
    def selected_column(self) -> int | None:
        """The column outlined as the selected token's (word-by-word maps), or None."""
        rect = _drawn_rect(self._selected_col)
        return None if rect is None else int(rect[0])

    @property
    def selected_column_rect(self) -> tuple[float, float, float, float] | None:
        """(x, y, width, height) in cells of the selected token's column outline, or None."""
        return _drawn_rect(self._selected_col)

    @property
    def bitmap_shown(self) -> bool:
        """Whether the cells are drawn as the bitmap now (an SVG export swaps it out a while)."""
        return self._image.isVisible()

    # -- mouse ------------------------------------------------------------------------------
    def cell_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        if not self.plotItem.vb.sceneBoundingRect().contains(scene_pos):
            return None
        point = self.plotItem.vb.mapSceneToView(scene_pos)
        row, col = int(np.floor(point.y())), int(np.floor(point.x()))
        rows, cols = self._data.shape
        if 0 <= row < min(rows, self._revealed) and self._first_revealed_column <= col < cols:
            return row, col
        return None

    def describe_cell(self, row: int, col: int) -> str:
        """Tooltip text: the token(s) and dimension under the cursor and the exact value."""
        value = self._data[row, col]
        row_text = (f"word {row} “{self._row_labels[row]}”" if self._rows_are_tokens
                    else f"row {row}")
        if self._cols_are_tokens:
            col_text = f"{self._col_name} {col} “{self._col_labels[col]}”"
        else:
            col_text = f"{self._col_name} {col}"
        return f"{row_text}, {col_text}\n{self._value_name} = {value:.6g}"

    def _hovered_token(self, row: int, col: int) -> int | None:
        if self._rows_are_tokens:
            return row
        if self._cols_are_tokens:
            return col
        return None

    # HoverPlot's hooks: the item under the cursor is a (row, column) cell
    def item_at_scene(self, scene_pos) -> tuple[int, int] | None:
        return self.cell_at(scene_pos)

    def describe(self, cell: tuple[int, int]) -> str:
        return self.describe_cell(*cell)

    def token_of(self, cell: tuple[int, int]) -> int | None:
        return self._hovered_token(*cell)
