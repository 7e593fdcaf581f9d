"""Runs a cost-lab sweep off the GUI thread: each finished n arrives as a signal while the sweep
goes on, Cancel stops it between runs (rows so far kept), a superseded run's signals are dropped."""

from __future__ import annotations

import threading
import time
from typing import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from gui.background import LatestJobRunner, TaskSignals, describe_failure

PROGRESS_INTERVAL_S = 0.2  # few progress repaints: they share the CPU with the timed runs
# After each row the sweep waits (never inside a timed run) until the GUI has redrawn the plots,
# so the redraw does not slow the next n's timings: the GUI answers this long after the row.
ROW_SETTLE_MS = 60
SETTLE_TIMEOUT_S = 2.0  # go on regardless when the GUI does not answer
# work(on_result, progress, cancel) -> LabResult: engine.cost_lab.sweep with its config bound
SweepWork = Callable[[Callable, Callable, object], object]


class _SweepSignals(TaskSignals):
    row = Signal(int, object, object)  # run id, LabRow, threading.Event to set once it is drawn


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
        from engine.errors import RunCancelled

        signals = self._signals
        try:
            result = self._work(self._on_row, self._on_progress, self._cancel)
        except RunCancelled:
            self._emit(signals.failed, "the sweep was cancelled", "")
        except Exception as error:  # an engine bug must not take the app down
            self._emit(signals.failed, *describe_failure(
                error, "sweep", "try a shorter longest n or smaller widths"))
        else:
            self._emit(signals.finished, result)


def sweep_work(config) -> SweepWork:
    """The real engine sweep of `config`, imported (with torch) in the worker thread."""
    def work(on_result, progress, cancel):
        from engine.cost_lab import sweep

        return sweep(config, on_result=on_result, progress=progress, cancel=cancel)
    return work


class CostLabRunner(LatestJobRunner):
    """One sweep at a time; only the newest run's rows, progress and result are reported.
    `finished` carries the LabResult: completed, cancelled or refused, with the rows so far."""

    row_arrived = Signal(object)  # LabRow, one per finished n

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None):
        signals = _SweepSignals()
        super().__init__(signals, parent, pool)
        signals.row.connect(self._on_task_row)

    @property
    def cancelling(self) -> bool:
        """Cancel was asked for; the sweep stops before its next timed run."""
        return self._busy and self._cancel is not None and self._cancel.cancelled

    def run(self, config) -> int:
        """Start sweeping `config` (an engine LabConfig). Returns the run id."""
        return self.run_work(sweep_work(config))

    def run_work(self, work: SweepWork) -> int:
        """Run work(on_result, progress, cancel) -> LabResult (the seam tests inject sweeps by)."""
        return self._start(lambda run_id, cancel: _SweepTask(run_id, work, self._signals, cancel))

    def cancel(self) -> None:
        """Ask the newest sweep to stop; its result (stopped_reason "cancelled") still arrives."""
        if self._cancel is not None:
            self._cancel.cancel()

    def _on_task_row(self, run_id: int, row, drawn: threading.Event) -> None:
        if not self._is_latest(run_id):
            drawn.set()
            return
        self.row_arrived.emit(row)  # the window updates its plots here; they repaint next
        QTimer.singleShot(ROW_SETTLE_MS, drawn.set)
