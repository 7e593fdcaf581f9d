"""Runs the engine off the GUI thread: one run at a time, newer runs cancel older ones, and results
of a superseded run are dropped (each carries its run id)."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from gui.background import LatestJobRunner, TaskSignals, describe_failure


class _SimulationSignals(TaskSignals):
    cancelled = Signal(int)  # run id


class _SimulationTask(QRunnable):
    def __init__(self, run_id: int, work: Callable, signals: _SimulationSignals, cancel):
        super().__init__()
        self._run_id, self._work, self._signals, self._cancel = run_id, work, signals, cancel

    def _emit(self, signal, *args) -> None:  # worker thread
        try:
            signal.emit(self._run_id, *args)
        except RuntimeError:  # the window (and its runner) went away: stop at the next step
            self._cancel.cancel()

    def run(self) -> None:  # worker thread
        from engine.errors import RunCancelled

        signals = self._signals
        try:
            result = self._work(lambda fraction, label: self._emit(signals.progress, fraction, label),
                                self._cancel)
        except RunCancelled:
            self._emit(signals.cancelled)
        except Exception as error:  # an engine bug must not take the app down
            self._emit(signals.failed, *describe_failure(
                error, "engine", "try a shorter sentence or smaller widths"))
        else:
            self._emit(signals.finished, result)


def _simulate(sentence: str, config):
    def work(progress, cancel):
        from engine.run import simulate  # imports torch, in the worker thread

        trace = simulate(sentence, config, progress=progress, cancel=cancel)
        trace.digest()  # hashing a large trace takes a while: here, not later on the GUI thread
        return trace
    return work


class SimulationRunner(LatestJobRunner):
    """Starts simulations on a thread pool and reports only the newest one's outcome."""

    cancelled = Signal()  # the user stopped the newest run; its result will not arrive

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None):
        signals = _SimulationSignals()
        super().__init__(signals, parent, pool)
        signals.cancelled.connect(self._on_task_cancelled)

    def run(self, sentence: str, config) -> int:
        """Start a simulation; any earlier one still running is cancelled. Returns the run id."""
        return self.run_work(_simulate(sentence, config))

    def run_work(self, work: Callable) -> int:
        """Run work(progress, cancel) -> Trace; the seam tests use to inject engines."""
        return self._start(lambda run_id, cancel: _SimulationTask(run_id, work, self._signals, cancel))

    def cancel(self) -> None:
        """Stop the newest run. Its result is dropped even if it finishes before noticing."""
        if self._cancel is not None:
            self._cancel.cancel()
        if self._busy:
            self._latest += 1  # whatever the cancelled task still reports is now stale
            self._end()
            self.cancelled.emit()
        self._cancel = None

    def _on_task_cancelled(self, run_id: int) -> None:
        if self._is_latest(run_id):  # cancelled from the engine's side, not through cancel()
            self._end()
            self.cancelled.emit()
