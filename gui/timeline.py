"""The Qt face of the shared cursor (gui/state/timeline.py): the same trace and tick, with Qt
signals for the views. Driving either the adapter or its state updates every view."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from gui.state.timeline import TimelineState


class Timeline(QObject):
    """Holds a Trace and a tick in 0..2T through a TimelineState; emits when a value changes."""

    trace_changed = Signal(object)  # the new Trace
    step_changed = Signal(int)  # the new tick

    def __init__(self, parent: QObject | None = None, state: TimelineState | None = None):
        super().__init__(parent)
        self.state = state if state is not None else TimelineState()
        self.state.trace_changed.connect(self.trace_changed.emit)
        self.state.step_changed.connect(self.step_changed.emit)

    @property
    def trace(self):
        return self.state.trace

    @property
    def tick(self) -> int:
        return self.state.tick

    @property
    def length(self) -> int:
        return self.state.length

    @property
    def last_tick(self) -> int:
        return self.state.last_tick

    @property
    def at_end(self) -> bool:
        return self.state.at_end

    def set_trace(self, trace, tick: int | None = None) -> None:
        """Show a new trace; the tick is kept where it fits (or set to `tick`), then clamped."""
        self.state.set_trace(trace, tick)

    def set_tick(self, tick: int) -> None:
        self.state.set_tick(tick)

    def step_forward(self) -> None:
        self.state.step_forward()

    def step_back(self) -> None:
        self.state.step_back()

    def go_start(self) -> None:
        self.state.go_start()

    def go_end(self) -> None:
        self.state.go_end()
