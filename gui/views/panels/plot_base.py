"""Plot widgets' shared behaviour: right-click asks for the export menu, and plots with one
position per word turn hover and click into the shared token selection with a tooltip."""

from __future__ import annotations

import contextlib
import html
import math

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QCursor, QFont, QFontMetricsF
from PySide6.QtWidgets import QToolTip

from gui import style


TITLE_SHRINK_POINTS = (0.0, 1.0, 2.0, 3.0)  # the title tries its size, then up to 3 points less
TITLE_MARGIN = 6  # pixels left free beside a title
TITLE_COLUMNS = 6  # the columns of pyqtgraph's plot layout: axes, view, colour bar


def _points(size: str) -> float:
    """'10pt' -> 10.0"""
    return float(str(size).removesuffix("pt"))


def fitted_title(text: str, pixels: float, points: float) -> tuple[float, list[str]]:
    """(size in points, lines): one line in the largest size that fits `pixels`; else the text
    split before its shape (at its last double space) in the smallest size."""
    for shrink in TITLE_SHRINK_POINTS:
        font = QFont()
        font.setPointSizeF(points - shrink)
        if QFontMetricsF(font).horizontalAdvance(text) + TITLE_MARGIN <= pixels:
            return points - shrink, [text]
    name, _gap, shape = text.rpartition("  ")
    return points - TITLE_SHRINK_POINTS[-1], [name, shape] if name else [text]


class ShrinkableLabel(pg.LabelItem):
    """A label that may be narrower than its text. pyqtgraph makes a label's text width its
    minimum width, so a long title in a narrow view would push the plot past the widget's edge
    and cut its last columns off; a title may be clipped instead (setTitle sees that it is not)."""

    def updateMin(self) -> None:
        super().updateMin()
        self.setMinimumWidth(0)


class TitledPlotItem(pg.PlotItem):
    """A PlotItem whose title spans the whole plot, axes and colour bar included, and may be
    narrower than its text."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.layout.removeItem(self.titleLabel)
        self.titleLabel.setParentItem(None)
        self.titleLabel = ShrinkableLabel("", size="11pt", parent=self)
        self.layout.addItem(self.titleLabel, 0, 0, 1, TITLE_COLUMNS)
        self.setTitle(None)


class ExportablePlot(pg.PlotWidget):
    """A plot that asks for the export menu on right-click (the export controller answers)."""

    export_menu_requested = Signal(object)  # global QPoint

    def __init__(self, parent=None, axisItems=None):
        super().__init__(parent=parent, background=style.PLOT_BACKGROUND,
                         plotItem=TitledPlotItem(axisItems=axisItems))
        self.plotItem.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        for name in ("left", "bottom"):  # words and dimensions are counts: never "(x0.001)"
            self.getAxis(name).enableAutoSIPrefix(False)
        self._title_text = ""
        self._title_size = style.TITLE_SIZE
        self.exporting_alone = False  # True while standalone() lays the plot out for an export
        self.plotItem.vb.sigResized.connect(self._on_view_box_resized)

    def setTitle(self, title: str | None = None, **args) -> None:
        """Show `title` in the largest size that fits above the plot; when none does, its
        shape (after the two spaces) goes on a second line. Never clipped."""
        self._title_text = title or ""
        self._title_size = args.get("size", self._title_size)
        self._fit_title()

    def title_text(self) -> str:
        return self._title_text

    def _fit_title(self) -> None:
        text = self._title_text
        if not text:
            self.plotItem.setTitle(None)
            return
        size, lines = fitted_title(text, self.plotItem.width(), _points(self._title_size))
        self.plotItem.setTitle("<br>".join(html.escape(line) for line in lines), size=f"{size:g}pt")

    def _on_view_box_resized(self) -> None:
        if self._title_text:
            self._fit_title()
        if self.__dict__.get("_ready"):
            self.plot_area_resized()

    @contextlib.contextmanager
    def standalone(self):
        """While exported on its own, a plot shows the labels and scales its panel lets
        neighbours carry, and grows by the room they take, so its cells keep their size; it
        also grows to its standalone_area(), the room its labels need."""
        before = self.plotItem.vb.boundingRect().size()
        size = self.size()
        self.exporting_alone = True
        changed = self.enter_standalone()
        self._lay_out_now()
        after = self.plotItem.vb.boundingRect().size()
        wanted_width, wanted_height = self.standalone_area()
        grow_x = max(0, math.ceil(max(before.width(), wanted_width) - after.width()))
        grow_y = max(0, math.ceil(max(before.height(), wanted_height) - after.height()))
        if grow_x or grow_y:
            self.resize(size.width() + grow_x, size.height() + grow_y)
            self._lay_out_now()
        try:
            yield
        finally:
            if changed:
                self.leave_standalone()
            if changed or grow_x or grow_y:
                self.resize(size)
                self._lay_out_now()
            self.exporting_alone = False

    def standalone_area(self) -> tuple[float, float]:
        """The least plot area (width, height in pixels) a plot exported alone should have."""
        return 0.0, 0.0

    def _lay_out_now(self) -> None:
        """The export renders before the next turn of the event loop would lay the plot out."""
        self.plotItem.layout.activate()
        self.plot_area_resized()

    def enter_standalone(self) -> bool:
        """Show what neighbours carry on screen; True if anything changed."""
        axis = self.getAxis("left")
        self._left_values_hidden = not axis.style["showValues"]
        if self._left_values_hidden:
            axis.setStyle(showValues=True)
        return self._left_values_hidden

    def leave_standalone(self) -> None:
        if self._left_values_hidden:
            self.getAxis("left").setStyle(showValues=False)

    def plot_area_resized(self) -> None:
        """Hook for plots whose labels depend on the plot area's size in pixels. Subclasses set
        self._ready = True at the end of __init__: pyqtgraph resizes once before their fields exist."""

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # A closed pyqtgraph plot has dropped its plot item and still gets a last resize.
        if self.__dict__.get("_ready") and self.plotItem is not None:
            self.plot_area_resized()

    def contextMenuEvent(self, event) -> None:
        event.accept()
        self.export_menu_requested.emit(event.globalPos())


class HoverPlot(ExportablePlot):
    """A plot whose points belong to words: hovering shows a tooltip and selects the point's word
    everywhere, a click pins it. Subclasses say what lies under the cursor."""

    hovered = Signal(object)  # token index under the cursor, or None
    clicked = Signal(int)  # token index clicked

    def __init__(self, parent=None, axisItems=None):
        super().__init__(parent, axisItems=axisItems)
        self.scene().sigMouseMoved.connect(self._on_scene_mouse_moved)
        self.scene().sigMouseClicked.connect(self._on_scene_mouse_clicked)

    def item_at_scene(self, scene_pos):
        """What lies under a scene point (a word index, a cell, ...), or None."""
        raise NotImplementedError

    def describe(self, item) -> str:
        raise NotImplementedError

    def token_of(self, item) -> int | None:
        return item

    def _on_scene_mouse_moved(self, scene_pos) -> None:
        item = self.item_at_scene(scene_pos)
        if item is None:
            QToolTip.hideText()
            self.hovered.emit(None)
            return
        QToolTip.showText(QCursor.pos(), self.describe(item), self)
        self.hovered.emit(self.token_of(item))

    def _on_scene_mouse_clicked(self, event) -> None:
        item = self.item_at_scene(event.scenePos())
        token = None if item is None else self.token_of(item)
        if token is not None:
            self.clicked.emit(token)

    def leaveEvent(self, event) -> None:
        QToolTip.hideText()
        self.hovered.emit(None)
        super().leaveEvent(event)


class WordPlot(HoverPlot):
    """A plot with one position per word along an axis."""

    def word_at(self, view_point) -> int | None:
        """The word at a point in data coordinates, or None."""
        raise NotImplementedError

    def describe_word(self, index: int) -> str:
        raise NotImplementedError

    def item_at_scene(self, scene_pos) -> int | None:
        if not self.plotItem.vb.sceneBoundingRect().contains(scene_pos):
            return None
        return self.word_at(self.plotItem.vb.mapSceneToView(scene_pos))

    def describe(self, item: int) -> str:
        return self.describe_word(item)
