"""The one shared token selection, in plain Python: hovering shows a token everywhere, a click
pins it; Ctrl+click gathers several words into a group (their attention is summed)."""

from __future__ import annotations

from gui.state.events import Event

NONE = -1


class SelectionState:
    """`current` is the hovered token if any, else the pinned one, else NONE (-1)."""

    def __init__(self):
        self.changed = Event()  # the new current token index, or -1
        self.group_changed = Event()  # the new group: a sorted tuple of indices, () for none
        self._hovered = NONE
        self._pinned = NONE
        self._group: tuple[int, ...] = ()

    @property
    def current(self) -> int:
        return self._hovered if self._hovered != NONE else self._pinned

    @property
    def pinned(self) -> int:
        return self._pinned

    def set_hovered(self, index: int | None) -> None:
        self._update(hovered=NONE if index is None else int(index))

    @property
    def group(self) -> tuple[int, ...]:
        """The words gathered by Ctrl+click, sorted: two or more, or () for none."""
        return self._group

    def set_pinned(self, index: int | None) -> None:
        self._set_group(())
        self._update(pinned=NONE if index is None else int(index))

    def toggle_grouped(self, index: int) -> None:
        """Ctrl+click: add the word to the group (which starts from the pinned word), or take it
        out; a group of one is no group, and its word stays pinned."""
        members = set(self._group) or ({self._pinned} - {NONE})
        members ^= {int(index)}
        if len(members) >= 2:
            self._set_group(tuple(sorted(members)))
            return
        self._set_group(())
        self._update(pinned=members.pop() if members else NONE)

    def _set_group(self, group: tuple[int, ...]) -> None:
        if group != self._group:
            self._group = group
            self.group_changed.emit(group)

    def toggle_pinned(self, index: int) -> None:
        """A click pins a token; clicking the pinned token again unpins it."""
        self.set_pinned(None if index == self._pinned else index)

    def clear(self) -> None:
        self._set_group(())
        self._update(hovered=NONE, pinned=NONE)

    def _update(self, hovered: int | None = None, pinned: int | None = None) -> None:
        before = self.current
        if hovered is not None:
            self._hovered = hovered
        if pinned is not None:
            self._pinned = pinned
        if self.current != before:
            self.changed.emit(self.current)
