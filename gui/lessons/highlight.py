"""The lesson highlight: an outline around one panel and the rest of the window's views dimmed.
An overlay on the central views that lets every click through; no panel knows about it. The
outlined panel is scrolled into view, and again when it appears or changes size (the scan lane
arriving with its run), never while the learner scrolls elsewhere."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QRegion
from PySide6.QtWidgets import QScrollArea, QWidget

DIM_ALPHA = 110  # of 255: the surroundings stay readable, the panel stands out
OUTLINE_WIDTH = 3
OUTLINE_COLOUR = QColor("#e6550d")  # the orange of the token strip's current word


class PanelHighlight(QWidget):
    """Covers `host`; `show_panel(name)` outlines `panels[name]`, `show_panel(None)` hides."""

    def __init__(self, host: QWidget, panels: dict[str, QWidget]):
        super().__init__(host)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._host, self._panels, self._panel = host, panels, None
        self._allowed = True  # False while the lesson's text is out of sight
        self._watched: list[QObject] = []
        host.installEventFilter(self)
        self.hide()

    @property
    def panel(self) -> str | None:
        """The name of the panel outlined now, or None."""
        return self._panel

    def set_allowed(self, allowed: bool) -> None:
        """Hide the highlight while the lesson's dock is closed or behind another tab, and
        bring the step's highlight back when it shows again."""
        self._allowed = allowed
        self.show_panel(self._panel)

    def show_panel(self, name: str | None) -> None:
        for watched in self._watched:
            if shiboken6.isValid(watched):  # the window may be closing, its widgets gone
                watched.removeEventFilter(self)
        self._watched = []
        self._panel = name if name in self._panels else None
        if self._panel is None or not self._allowed:
            self.hide()
            return
        # Resizes, splitter drags and scrolling move the panel: follow them.
        widget = self._panels[self._panel]
        chain, parent = [], widget
        while parent is not None and parent is not self._host:
            chain.append(parent)
            parent = parent.parentWidget()
        for watched in chain:
            watched.installEventFilter(self)
        self._watched = chain
        self.setGeometry(self._host.rect())
        self.raise_()
        self.show()
        self.update()
        QTimer.singleShot(0, self.scroll_into_view)  # once the layout has placed the panel

    def scroll_into_view(self) -> None:
        """Scroll each scroll area between the host and the outlined panel so the panel shows:
        all of it where it fits, else from its top or left edge (where its title is)."""
        if self._panel is None or not self._allowed:
            return
        widget = self._panels[self._panel]
        parent = widget.parentWidget()
        while parent is not None and parent is not self._host:
            if isinstance(parent, QScrollArea) and parent.widget() is not None:
                _scroll_to_show(parent, widget)
            parent = parent.parentWidget()

    def target_rect(self) -> QRect:
        """The outlined panel's visible part, in the host's (and this overlay's) coordinates."""
        if self._panel is None:
            return QRect()
        widget = self._panels[self._panel]
        rect = QRect(widget.mapTo(self._host, QPoint(0, 0)), widget.size())
        return rect.intersected(self._visible_area(widget))

    def _visible_area(self, widget: QWidget) -> QRect:
        """The host's rectangle clipped by every scrolling viewport between it and `widget`."""
        area = self._host.rect()
        parent = widget.parentWidget()
        while parent is not None and parent is not self._host:
            clip = QRect(parent.mapTo(self._host, QPoint(0, 0)), parent.size())
            area = area.intersected(clip)
            parent = parent.parentWidget()
        return area

    def eventFilter(self, watched, event) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Move, QEvent.Type.Show,
                            QEvent.Type.Hide, QEvent.Type.LayoutRequest):
            if watched is self._host:
                self.setGeometry(self._host.rect())
            elif self._panel is not None and watched is self._panels[self._panel] \
                    and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
                QTimer.singleShot(0, self.scroll_into_view)
            self.update()
        return False

    def paintEvent(self, _event) -> None:
        target = self.target_rect()
        painter = QPainter(self)
        dimmed = QRegion(self.rect()).subtracted(QRegion(target))
        path = QPainterPath()
        path.addRegion(dimmed)
        painter.fillPath(path, QColor(0, 0, 0, DIM_ALPHA))
        if not target.isEmpty():
            painter.setPen(QPen(OUTLINE_COLOUR, OUTLINE_WIDTH))
            inset = OUTLINE_WIDTH // 2 + 1
            painter.drawRect(target.adjusted(inset, inset, -inset - 1, -inset - 1))
        painter.end()


def _scroll_to_show(area: QScrollArea, widget: QWidget) -> None:
    """Scroll `area` as little as shows all of `widget` along each axis; along an axis where it
    is larger than the viewport, to its start."""
    rect = QRect(widget.mapTo(area.widget(), QPoint(0, 0)), widget.size())
    viewport = area.viewport().size()
    for bar, start, extent, room in (
            (area.horizontalScrollBar(), rect.left(), rect.width(), viewport.width()),
            (area.verticalScrollBar(), rect.top(), rect.height(), viewport.height())):
        shown = bar.value()
        if extent > room or start < shown:
            bar.setValue(start)
        elif start + extent > shown + room:
            bar.setValue(start + extent - room)
