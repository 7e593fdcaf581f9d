"""A plain-Python change event: callbacks connected in order and called with the new value, on
whichever thread emits (the app emits only on the GUI thread)."""

from __future__ import annotations

from typing import Callable


class Event:
    """connect(callback), disconnect(callback), emit(*values), like a Qt signal without Qt."""

    def __init__(self):
        self._callbacks: list[Callable] = []

    def connect(self, callback: Callable) -> None:
        self._callbacks.append(callback)

    def disconnect(self, callback: Callable) -> None:
        """Remove one connection of `callback`; ValueError when it is not connected."""
        self._callbacks.remove(callback)

    def emit(self, *values) -> None:
        for callback in list(self._callbacks):  # a callback may disconnect itself
            callback(*values)
