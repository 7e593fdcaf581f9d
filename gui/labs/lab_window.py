"""What every lab window shares: a top-level window of its own (even with the main window as its
parent) that opens no larger than the screen, remembered settings, menu actions, a status line
that can turn red, and a right-click export menu per plot. A lab gives its own
`export_menu(name, plot)` and `status_label`."""

from __future__ import annotations

from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QScrollArea, QSplitter, QWidget

from gui import style
from gui.window_geometry import available_geometry, fitted_size


class LabWindow(QMainWindow):
    """A top-level window; keep one instance and show() it again. `size` is the size it opens
    at where the screen has room; on a smaller screen it is shrunk to fit."""

    def __init__(self, title: str, size: tuple[int, int], parent: QWidget | None = None,
                 settings: QSettings | None = None):
        super().__init__(parent)
        if parent is not None:
            self.setWindowFlag(Qt.WindowType.Window, True)  # its own window, not a child widget
        self.setWindowTitle(title)
        self.resize(fitted_size(QSize(*size), available_geometry(self)))
        self._settings = settings
        self.shown_export_menu = None  # the plot menu shown last (right-click)

    def export_menu(self, name: str, plot) -> QMenu:
        raise NotImplementedError

    def _place_side_by_side(self, side: QWidget, views: QWidget,
                            widths: tuple[int, int] = (300, 1100)) -> QSplitter:
        """The side panel (controls) beside the views, which take any width the window gains."""
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(side)
        splitter.addWidget(views)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes(list(widths))
        self.setCentralWidget(splitter)
        return splitter

    @staticmethod
    def _scrolling(panel: QWidget, min_width: int = 290) -> QScrollArea:
        """A side panel that scrolls when the window is too short for it."""
        scroll = QScrollArea()
        scroll.setWidget(panel)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(min_width)
        return scroll

    def _say_damaged_settings(self, damaged: list[str]) -> None:
        """Name the remembered settings that were damaged and so forgotten, for half a minute."""
        if damaged:
            self.statusBar().showMessage(f"Ignored damaged remembered settings: "
                                         f"{', '.join(damaged)}.", 30_000)

    def _action(self, menu, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _set_status(self, text: str, error: bool = False) -> None:
        self.status_label.setText(text)
        style.colour_text(self.status_label, "error" if error else None)

    def _on_plot_export_menu_requested(self, name: str, plot, global_pos) -> None:
        menu = self.export_menu(name, plot)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.shown_export_menu = menu
        menu.popup(global_pos)


def wrapping_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label
