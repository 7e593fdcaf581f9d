"""The one shared token selection, in plain Python: hovering shows a token everywhere, a click
pins it."""

from __future__ import annotations

from gui.state.events import Event

NONE = -1


class SelectionState:
    """`current` is the hovered token if any, else the pinned one, else NONE (-1)."""

    def __init__(self):
        self.changed = Event()  # the new current token index, or -1
        self._hovered = NONE
        self._pinned = NONE

    @property
    def current(self) -> int:
        return self._hovered if self._hovered != NONE else self._pinned

    @property
    def pinned(self) -> int:
        return self._pinned

    def set_hovered(self, index: int | None) -> None:
        self._update(hovered=NONE if index is None else int(index))

    def set_pinned(self, index: int | None) -> None:
        self._update(pinned=NONE if index is None else int(index))

    def toggle_pinned(self, index: int) -> None:
        """A click pins a token; clicking the pinned token again unpins it."""
        self.set_pinned(None if index == self._pinned else index)

    def clear(self) -> None:
        self._update(hovered=NONE, pinned=NONE)

    def _update(self, hovered: int | None = None, pinned: int | None = None) -> None:
        before = self.current
        if hovered is not None:
            self._hovered = hovered
        if pinned is not None:
            self._pinned = pinned
        if self.current != before:
            self.changed.emit(self.current)
