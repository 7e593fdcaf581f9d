"""The Qt face of the shared token selection (gui/state/selection.py), with a Qt signal for the
views."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from gui.state.selection import NONE, SelectionState

__all__ = ["NONE", "TokenSelection"]


class TokenSelection(QObject):
    """`current` is the hovered token if any, else the pinned one, else NONE (-1)."""

    changed = Signal(int)  # the new current token index, or -1
    group_changed = Signal(object)  # the words gathered by Ctrl+click: a sorted tuple, or ()

    def __init__(self, parent: QObject | None = None, state: SelectionState | None = None):
        super().__init__(parent)
        self.state = state if state is not None else SelectionState()
        self.state.changed.connect(self.changed.emit)
        self.state.group_changed.connect(self.group_changed.emit)

    @property
    def current(self) -> int:
        return self.state.current

    @property
    def pinned(self) -> int:
        return self.state.pinned

    def set_hovered(self, index: int | None) -> None:
        self.state.set_hovered(index)

    def set_pinned(self, index: int | None) -> None:
        self.state.set_pinned(index)

    @property
    def group(self) -> tuple[int, ...]:
        return self.state.group

    def toggle_pinned(self, index: int) -> None:
        self.state.toggle_pinned(index)

    def toggle_grouped(self, index: int) -> None:
        self.state.toggle_grouped(index)

    def clear(self) -> None:
        self.state.clear()
