"""Runs the engine off the GUI thread: one run at a time, newer runs discard older ones, and only
the newest run's progress and outcome reach the window."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Signal

from gui.jobs import JobManager
from gui.latest_job import LatestJobRunner

# work(progress, cancel) -> Trace: the engine's simulate with its inputs bound
SimulationWork = Callable[[Callable[[float, str], None], object], object]


def simulation_work(sentence: str, config, weights=None) -> SimulationWork:
    """`weights`: a WeightSet, or None for random weights from the config's seed."""
    def work(progress, cancel):
        from engine.run import simulate  # imports torch, in the worker thread

        trace = simulate(sentence, config, weights=weights, progress=progress, cancel=cancel)
        trace.digest()  # hashing a large trace takes a while: here, not later on the GUI thread
        return trace
    return work


class SimulationRunner(LatestJobRunner):
    """Starts simulations in the background and reports only the newest one's outcome."""

    cancelled = Signal()  # the newest run stopped without a result

    WHO = "engine"
    MEMORY_HINT = "try a shorter sentence or smaller widths"

    def __init__(self, parent: QObject | None = None, jobs: JobManager | None = None):
        super().__init__(parent, jobs)

    def run(self, sentence: str, config, weights=None) -> int:
        """Start a simulation; any earlier one still running is discarded. Returns the run id."""
        return self.run_work(simulation_work(sentence, config, weights))

    def run_work(self, work: SimulationWork) -> int:
        """Run work(progress, cancel) -> Trace; the seam tests use to inject engines."""
        return self._start(lambda context: work(context.progress, context.cancel))

    def cancel(self) -> None:
        """Stop the newest run. Its result is dropped even if it finishes before noticing."""
        if self._job is not None:
            self._job.discard()
            self._end()
            self.cancelled.emit()

    def _on_job_cancelled(self) -> None:  # cancelled from the engine's side, not through cancel()
        self._end()
        self.cancelled.emit()
