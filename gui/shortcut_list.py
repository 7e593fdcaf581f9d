"""Help → Keyboard shortcuts: every shortcut the main window, its menus and its docks define,
read from the actions themselves when the list opens, so it cannot go stale."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QMenu,
                               QTableWidget, QTableWidgetItem, QVBoxLayout)

DIALOG_NAME = "keyboard-shortcuts"
NO_MENU = "Window"  # actions outside every menu (the Lessons dock's Back, Next, Leave)


def shortcut_actions(window) -> list[tuple[str, QAction]]:
    """(menu title, action) for every action with a shortcut that works in `window`: its
    menus' (in menu order), then the rest the window or its widgets hold. Each action once."""
    found: list[tuple[str, QAction]] = []
    seen: set[int] = set()

    def take(where: str, action: QAction) -> None:
        if id(action) not in seen and not action.isSeparator() and action.shortcuts():
            seen.add(id(action))
            found.append((where, action))

    def walk(menu: QMenu, where: str) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu(), f"{where} → {plain(action.text())}")
            else:
                take(where, action)

    for top in window.menuBar().actions():
        if top.menu() is not None:
            walk(top.menu(), plain(top.text()))
    for action in window.findChildren(QAction):
        widgets = [w for w in action.associatedObjects() if hasattr(w, "window")]
        if any(w.window() is window for w in widgets):
            take(NO_MENU, action)
    return found


def shortcut_rows(window) -> list[tuple[str, str, str]]:
    """(menu, action, keys) for the list, keys as the platform writes them."""
    return [(where, plain(action.text()), keys_text(action))
            for where, action in shortcut_actions(window)]


def plain(text: str) -> str:
    """A menu text without its mnemonic '&' ("&Run" -> "Run"; "&&" stays one '&')."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def keys_text(action: QAction) -> str:
    native = QKeySequence.SequenceFormat.NativeText
    return ", ".join(sequence.toString(native) for sequence in action.shortcuts())


class ShortcutDialog(QDialog):
    """A non-modal table of the window's shortcuts."""

    def __init__(self, window):
        super().__init__(window)
        self.setObjectName(DIALOG_NAME)
        self.setWindowTitle("Keyboard shortcuts")
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Menu", "Action", "Keys"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.refresh(window)
        self.resize(540, 600)

    def refresh(self, window) -> None:
        rows = shortcut_rows(window)
        self.table.setRowCount(len(rows))
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.table.setItem(row, column, item)

    def rows(self) -> list[tuple[str, str, str]]:
        return [tuple(self.table.item(row, column).text() for column in range(3))
                for row in range(self.table.rowCount())]


def show_shortcuts(window) -> ShortcutDialog:
    """Open (or bring forward, refreshed) the shortcut list of `window`; never modal."""
    dialog = window.findChild(ShortcutDialog, DIALOG_NAME)
    if dialog is None:
        dialog = ShortcutDialog(window)
    else:
        dialog.refresh(window)
    dialog.show()
    dialog.raise_()
    return dialog
