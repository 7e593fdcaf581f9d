"""Runs the engine off the GUI thread: one run at a time, newer runs cancel older ones, and results
of a superseded run are dropped (each carries its run id)."""

from __future__ import annotations

import logging
import traceback
from typing import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class _TaskSignals(QObject):
    progress = Signal(int, float, str)  # run id, fraction, label
    finished = Signal(int, object)  # run id, Trace
    failed = Signal(int, str, str)  # run id, message, config field ("" if none)
    cancelled = Signal(int)


class _SimulationTask(QRunnable):
    def __init__(self, run_id: int, work: Callable, signals: _TaskSignals, cancel):
        super().__init__()
        self._run_id, self._work, self._signals, self._cancel = run_id, work, signals, cancel

    def run(self) -> None:  # worker thread
        from engine.errors import ConfigError, EngineInputError, RunCancelled

        run_id, signals = self._run_id, self._signals
        try:
            result = self._work(lambda fraction, label: signals.progress.emit(run_id, fraction, label),
                                self._cancel)
        except RunCancelled:
            signals.cancelled.emit(run_id)
        except ConfigError as error:
            signals.failed.emit(run_id, error.problem, error.field)
        except EngineInputError as error:
            signals.failed.emit(run_id, str(error), "")
        except MemoryError:
            signals.failed.emit(run_id, "not enough memory for this run: try a shorter sentence "
                                        "or smaller widths", "")
        except Exception as error:  # an engine bug must not take the app down
            log.error("simulation failed:\n%s", traceback.format_exc())
            signals.failed.emit(run_id, f"the engine failed: {type(error).__name__}: {error}", "")
        else:
            signals.finished.emit(run_id, result)


def _simulate(sentence: str, config):
    def work(progress, cancel):
        from engine.run import simulate  # imports torch, in the worker thread

        return simulate(sentence, config, progress=progress, cancel=cancel)
    return work


class SimulationRunner(QObject):
    """Starts simulations on a thread pool and reports only the newest one's outcome."""

    started = Signal()
    cancelled = Signal()  # the user stopped the newest run; its result will not arrive
    progress = Signal(float, str)
    finished = Signal(object)  # Trace
    failed = Signal(str, str)  # message, config field or ""
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None):
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._signals = _TaskSignals(self)
        self._signals.progress.connect(self._on_task_progress)
        self._signals.finished.connect(self._on_task_finished)
        self._signals.failed.connect(self._on_task_failed)
        self._signals.cancelled.connect(self._on_task_cancelled)
        self._latest = 0
        self._cancel = None
        self._busy = False

    @property
    def busy(self) -> bool:
        return self._busy

    def run(self, sentence: str, config) -> int:
        """Start a simulation; any earlier one still running is cancelled. Returns the run id."""
        return self.run_work(_simulate(sentence, config))

    def run_work(self, work: Callable) -> int:
        """Run work(progress, cancel) -> Trace; the seam tests use to inject engines."""
        from engine.progress import CancelToken

        if self._cancel is not None:  # superseded, not cancelled by the user: no signal
            self._cancel.cancel()
        self._latest += 1
        self._cancel = CancelToken()
        self._pool.start(_SimulationTask(self._latest, work, self._signals, self._cancel))
        self._set_busy(True)
        self.started.emit()
        return self._latest

    def cancel(self) -> None:
        """Stop the newest run. Its result is dropped even if it finishes before noticing."""
        if self._cancel is not None:
            self._cancel.cancel()
            self._cancel = None
        if self._busy:
            self._latest += 1  # whatever the cancelled task still reports is now stale
            self._set_busy(False)
            self.cancelled.emit()

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)

    def _on_task_progress(self, run_id: int, fraction: float, label: str) -> None:
        if run_id == self._latest:
            self.progress.emit(fraction, label)

    def _on_task_finished(self, run_id: int, trace) -> None:
        if run_id == self._latest:
            self._cancel = None
            self._set_busy(False)
            self.finished.emit(trace)

    def _on_task_failed(self, run_id: int, message: str, field: str) -> None:
        if run_id == self._latest:
            self._cancel = None
            self._set_busy(False)
            self.failed.emit(message, field)

    def _on_task_cancelled(self, run_id: int) -> None:
        if run_id == self._latest:  # cancelled from the engine's side, not through cancel()
            self._cancel = None
            self._set_busy(False)
            self.cancelled.emit()
