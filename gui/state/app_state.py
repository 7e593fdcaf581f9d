"""Everything the views show, in one plain-Python object: the trace and tick, the selection, and
the sentence and parameters of the run last started. A script or a lesson asks for a run here;
the window runs it and the views follow."""

from __future__ import annotations

from dataclasses import dataclass, field

from gui.state.events import Event
from gui.state.selection import SelectionState
from gui.state.timeline import TimelineState


@dataclass
class AppState:
    """What a script, a headless mode or a lesson drives; the window's views follow it."""

    timeline: TimelineState = field(default_factory=TimelineState)
    selection: SelectionState = field(default_factory=SelectionState)
    sentence: str = ""  # of the run last started ("" before the first)
    config: object = None  # its SimConfig (None before the first run)
    run_requested: Event = field(default_factory=Event, repr=False)  # (sentence, config or None)

    def show(self, trace, tick: int | None = None) -> None:
        """Put a trace on screen at a tick (kept where it fits when None)."""
        self.timeline.set_trace(trace, tick)

    def request_run(self, sentence: str, config=None) -> None:
        """Ask for a run of `sentence` with `config` (None: the parameters shown); the window
        shows both in its sentence bar and dock, runs them, and sets `sentence` and `config`."""
        self.run_requested.emit(sentence, config)
