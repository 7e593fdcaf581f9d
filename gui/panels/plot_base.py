"""Plot widgets' shared behaviour: right-click asks for the export menu, and plots with one
position per word turn hover and click into the shared token selection with a tooltip."""

from __future__ import annotations

import contextlib

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QToolTip

from gui import style


class ExportablePlot(pg.PlotWidget):
    """A plot that asks for the export menu on right-click (the export controller answers)."""

    export_menu_requested = Signal(object)  # global QPoint

    def __init__(self, parent=None):
        super().__init__(parent=parent, background=style.PLOT_BACKGROUND)
        self.plotItem.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self._let_title_shrink()

    def _let_title_shrink(self) -> None:
        """pyqtgraph makes a title's width the plot's minimum width, so a long title in a narrow
        view pushes the plot past the widget's edge and cuts its last columns off. Here the title
        may be narrower than its text instead; the plot always fits."""
        label = self.plotItem.titleLabel
        update_min = label.updateMin

        def relaxed_update_min() -> None:
            update_min()
            label.setMinimumWidth(0)

        label.updateMin = relaxed_update_min

    @contextlib.contextmanager
    def standalone(self):
        """While exported on its own, a plot shows the axis labels its panel lets neighbours carry."""
        axis = self.getAxis("left")
        hidden = not axis.style["showValues"]
        if hidden:
            axis.setStyle(showValues=True)
            self.plotItem.layout.activate()  # lay out now: the export renders before the next turn
            self.plot_area_resized()
        try:
            yield
        finally:
            if hidden:
                axis.setStyle(showValues=False)
                self.plotItem.layout.activate()
                self.plot_area_resized()

    def plot_area_resized(self) -> None:
        """Hook for plots whose labels depend on the plot area's size in pixels. Subclasses set
        self._ready = True at the end of __init__: pyqtgraph resizes once before their fields exist."""

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.__dict__.get("_ready"):
            self.plot_area_resized()

    def contextMenuEvent(self, event) -> None:
        event.accept()
        self.export_menu_requested.emit(event.globalPos())


class WordPlot(ExportablePlot):
    """A plot with one position per word: subclasses say which word is under a point and what
    the tooltip for it reads."""

    hovered = Signal(object)  # word index under the cursor, or None
    clicked = Signal(int)  # word index clicked

    def __init__(self, parent=None):
        super().__init__(parent)
        self.scene().sigMouseMoved.connect(self._on_scene_mouse_moved)
        self.scene().sigMouseClicked.connect(self._on_scene_mouse_clicked)

    def word_at(self, view_point) -> int | None:
        """The word at a point in data coordinates, or None."""
        raise NotImplementedError

    def describe_word(self, index: int) -> str:
        raise NotImplementedError

    def _word_at_scene(self, scene_pos) -> int | None:
        if not self.plotItem.vb.sceneBoundingRect().contains(scene_pos):
            return None
        return self.word_at(self.plotItem.vb.mapSceneToView(scene_pos))

    def _on_scene_mouse_moved(self, scene_pos) -> None:
        index = self._word_at_scene(scene_pos)
        self.hovered.emit(index)
        if index is None:
            QToolTip.hideText()
        else:
            QToolTip.showText(QCursor.pos(), self.describe_word(index), self)

    def _on_scene_mouse_clicked(self, event) -> None:
        index = self._word_at_scene(event.scenePos())
        if index is not None:
            self.clicked.emit(index)

    def leaveEvent(self, event) -> None:
        QToolTip.hideText()
        self.hovered.emit(None)
        super().leaveEvent(event)
