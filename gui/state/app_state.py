"""Everything the views show, in one plain-Python object: the trace and tick, and the selection."""

from __future__ import annotations

from dataclasses import dataclass, field

from gui.state.selection import SelectionState
from gui.state.timeline import TimelineState


@dataclass
class AppState:
    """What a script, a headless mode or a lesson drives; the window's views follow it."""

    timeline: TimelineState = field(default_factory=TimelineState)
    selection: SelectionState = field(default_factory=SelectionState)

    def show(self, trace, tick: int | None = None) -> None:
        """Put a trace on screen at a tick (kept where it fits when None)."""
        self.timeline.set_trace(trace, tick)
