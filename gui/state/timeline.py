"""The one shared cursor: the current trace and the current tick, in plain Python."""

from __future__ import annotations

from engine.core import clock
from gui.state.events import Event


class TimelineState:
    """Holds a Trace and a tick in 0..2T. Emits only when a value really changes; clamps."""

    def __init__(self):
        self.trace_changed = Event()  # the new Trace
        self.step_changed = Event()  # the new tick
        self._trace = None
        self._tick = 0

    @property
    def trace(self):
        return self._trace

    @property
    def tick(self) -> int:
        return self._tick

    @property
    def length(self) -> int:
        return 0 if self._trace is None else self._trace.length

    @property
    def last_tick(self) -> int:
        return 0 if self._trace is None else clock.tick_count(self.length) - 1

    @property
    def at_end(self) -> bool:
        return self._tick >= self.last_tick

    def set_trace(self, trace, tick: int | None = None) -> None:
        """Show a new trace; the tick is kept where it fits (or set to `tick`), then clamped."""
        self._trace = trace
        self.trace_changed.emit(trace)
        wanted = self._tick if tick is None else tick
        self._tick = -1  # force step_changed so every view draws the new trace at the tick
        self.set_tick(wanted)

    def set_tick(self, tick: int) -> None:
        tick = max(0, min(int(tick), self.last_tick))
        if tick != self._tick:
            self._tick = tick
            self.step_changed.emit(tick)

    def step_forward(self) -> None:
        self.set_tick(self._tick + 1)

    def step_back(self) -> None:
        self.set_tick(self._tick - 1)

    def go_start(self) -> None:
        self.set_tick(0)

    def go_end(self) -> None:
        self.set_tick(self.last_tick)
