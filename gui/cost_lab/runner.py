"""Runs a cost-lab sweep off the GUI thread: each finished n arrives as a signal while the sweep
goes on, Cancel stops it between runs (rows so far kept), a superseded run's signals are dropped."""

from __future__ import annotations

import logging
import threading
import time
import traceback
from typing import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.2  # few progress repaints: they share the CPU with the timed runs
# After each row the sweep waits (never inside a timed run) until the GUI has redrawn the plots,
# so the redraw does not slow the next n's timings: the GUI answers this long after the row.
ROW_SETTLE_MS = 60
SETTLE_TIMEOUT_S = 2.0  # go on regardless when the GUI does not answer
# work(on_result, progress, cancel) -> LabResult: engine.cost_lab.sweep with its config bound
SweepWork = Callable[[Callable, Callable, object], object]


class _SweepSignals(QObject):
    row = Signal(int, object, object)  # run id, LabRow, threading.Event to set once it is drawn
    progress = Signal(int, float, str)  # run id, fraction, label
    finished = Signal(int, object)  # run id, LabResult
    failed = Signal(int, str, str)  # run id, message, config field ("" if none)


class _SweepTask(QRunnable):
    def __init__(self, run_id: int, work: SweepWork, signals: _SweepSignals, cancel):
        super().__init__()
        self._run_id, self._work, self._signals, self._cancel = run_id, work, signals, cancel
        self._last_progress = 0.0
        self._drawn = threading.Event()

    def _emit(self, signal, *args) -> None:  # worker thread
        try:
            signal.emit(self._run_id, *args)
        except RuntimeError:  # the window (and its runner) went away: stop before the next run
            self._cancel.cancel()

    def _on_row(self, row) -> None:  # worker thread, between timed runs
        self._drawn.clear()
        self._emit(self._signals.row, row, self._drawn)
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while not self._cancel.cancelled and time.monotonic() < deadline:
            if self._drawn.wait(0.02):
                break

    def _on_progress(self, fraction: float, label: str) -> None:  # worker thread
        now = time.monotonic()
        if fraction >= 1.0 or now - self._last_progress >= PROGRESS_INTERVAL_S:
            self._last_progress = now
            self._emit(self._signals.progress, fraction, label)

    def run(self) -> None:  # worker thread
        from engine.errors import ConfigError, EngineInputError, RunCancelled

        signals = self._signals
        try:
            result = self._work(self._on_row, self._on_progress, self._cancel)
        except ConfigError as error:
            self._emit(signals.failed, error.problem, error.field)
        except RunCancelled:
            self._emit(signals.failed, "the sweep was cancelled", "")
        except (EngineInputError, MemoryError) as error:
            self._emit(signals.failed, str(error) or "not enough memory for this n", "")
        except Exception as error:  # an engine bug must not take the app down
            log.error("cost lab sweep failed:\n%s", traceback.format_exc())
            self._emit(signals.failed, f"the sweep failed: {type(error).__name__}: {error}", "")
        else:
            self._emit(signals.finished, result)


def sweep_work(config) -> SweepWork:
    """The real engine sweep of `config`, imported (with torch) in the worker thread."""
    def work(on_result, progress, cancel):
        from engine.cost_lab import sweep

        return sweep(config, on_result=on_result, progress=progress, cancel=cancel)
    return work


class CostLabRunner(QObject):
    """One sweep at a time; only the newest run's rows, progress and result are reported."""

    started = Signal()
    row_arrived = Signal(object)  # LabRow, one per finished n
    progress = Signal(float, str)  # fraction done, what is running
    finished = Signal(object)  # LabResult: completed, cancelled or refused, with the rows so far
    failed = Signal(str, str)  # message, config field or ""
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None):
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._signals = _SweepSignals(self)
        self._signals.row.connect(self._on_task_row)
        self._signals.progress.connect(self._on_task_progress)
        self._signals.finished.connect(self._on_task_finished)
        self._signals.failed.connect(self._on_task_failed)
        self._latest = 0
        self._cancel = None
        self._busy = False

    @property
    def busy(self) -> bool:
        return self._busy

    @property
    def cancelling(self) -> bool:
        """Cancel was asked for; the sweep stops before its next timed run."""
        return self._busy and self._cancel is not None and self._cancel.cancelled

    def run(self, config) -> int:
        """Start sweeping `config` (an engine LabConfig). Returns the run id."""
        return self.run_work(sweep_work(config))

    def run_work(self, work: SweepWork) -> int:
        """Run work(on_result, progress, cancel) -> LabResult (the seam tests inject sweeps by)."""
        from engine.progress import CancelToken

        if self._cancel is not None:  # superseded: its rows and result will be dropped
            self._cancel.cancel()
        self._latest += 1
        self._cancel = CancelToken()
        self._pool.start(_SweepTask(self._latest, work, self._signals, self._cancel))
        self._set_busy(True)
        self.started.emit()
        return self._latest

    def cancel(self) -> None:
        """Ask the newest sweep to stop; its result (stopped_reason "cancelled") still arrives."""
        if self._cancel is not None:
            self._cancel.cancel()

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)

    def _on_task_row(self, run_id: int, row, drawn: threading.Event) -> None:
        if run_id != self._latest:
            drawn.set()
            return
        self.row_arrived.emit(row)  # the window updates its plots here; they repaint next
        QTimer.singleShot(ROW_SETTLE_MS, drawn.set)

    def _on_task_progress(self, run_id: int, fraction: float, label: str) -> None:
        if run_id == self._latest:
            self.progress.emit(fraction, label)

    def _on_task_finished(self, run_id: int, result) -> None:
        if run_id == self._latest:
            self._cancel = None
            self._set_busy(False)
            self.finished.emit(result)

    def _on_task_failed(self, run_id: int, message: str, field: str) -> None:
        if run_id == self._latest:
            self._cancel = None
            self._set_busy(False)
            self.failed.emit(message, field)
