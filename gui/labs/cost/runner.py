"""Runs a cost-lab sweep in the background: each finished n arrives while the sweep goes on, Cancel
stops it between runs (rows so far kept), and a superseded sweep's reports are dropped."""

from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from gui.jobs import JobManager
from gui.latest_job import LatestJobRunner

PROGRESS_INTERVAL_S = 0.2  # few progress repaints: they share the CPU with the timed runs
# After each row the sweep waits (never inside a timed run) until the GUI has redrawn the plots,
# so the redraw does not slow the next n's timings: the GUI releases it this long after the row.
ROW_SETTLE_MS = 60
SETTLE_TIMEOUT_S = 2.0  # go on regardless when the GUI does not answer
# work(on_result, progress, cancel) -> LabResult: engine.labs.cost.sweep.sweep with its config bound
SweepWork = Callable[[Callable, Callable, object], object]


def sweep_work(config) -> SweepWork:
    """The real engine sweep of `config`, imported (with torch) in the worker thread."""
    def work(on_result, progress, cancel):
        from engine.labs.cost.sweep import sweep

        return sweep(config, on_result=on_result, progress=progress, cancel=cancel)
    return work


def _throttled(progress: Callable[[float, str], None]) -> Callable[[float, str], None]:
    last = [0.0]

    def report(fraction: float, label: str) -> None:  # worker thread
        now = time.monotonic()
        if fraction >= 1.0 or now - last[0] >= PROGRESS_INTERVAL_S:
            last[0] = now
            progress(fraction, label)
    return report


class CostLabRunner(LatestJobRunner):
    """One sweep at a time; only the newest run's rows, progress and result are reported.
    `finished` carries the LabResult: completed, cancelled or refused, with the rows so far."""

    row_arrived = Signal(object)  # LabRow, one per finished n

    WHO = "sweep"
    MEMORY_HINT = "try a shorter longest n or smaller widths"

    def __init__(self, parent: QObject | None = None, jobs: JobManager | None = None):
        super().__init__(parent, jobs)
        # The worker waits for `release` after each row. It is called from Python when this timer
        # fires, never handed to Qt: a Qt connection to a method of an object the worker owns
        # would be torn down on the worker thread when that object dies there, and crash.
        self._release = None
        self._settle_timer = QTimer(self)
        self._settle_timer.setSingleShot(True)
        self._settle_timer.setInterval(ROW_SETTLE_MS)
        self._settle_timer.timeout.connect(self._release_worker)

    @property
    def cancelling(self) -> bool:
        """Cancel was asked for; the sweep stops before its next timed run."""
        return self._job is not None and self._job.cancel_token.cancelled

    def run(self, config) -> int:
        """Start sweeping `config` (an engine LabConfig). Returns the run id."""
        return self.run_work(sweep_work(config))

    def run_work(self, work: SweepWork) -> int:
        """Run work(on_result, progress, cancel) -> LabResult (the seam tests inject sweeps by)."""
        def job(context):
            def on_row(row):  # worker thread, between timed runs: wait until it is drawn
                context.send(row, wait_s=SETTLE_TIMEOUT_S)
            return work(on_row, _throttled(context.progress), context.cancel)
        return self._start(job)

    def cancel(self) -> None:
        """Ask the newest sweep to stop; its result (stopped_reason "cancelled") still arrives."""
        if self._job is not None:
            self._job.cancel()

    def _on_job_message(self, row, release) -> None:
        self._release_worker()
        self.row_arrived.emit(row)  # the window updates its plots here; they repaint next
        self._release = release
        self._settle_timer.start()

    def _release_worker(self) -> None:
        self._settle_timer.stop()
        release, self._release = self._release, None
        if release is not None:
            release()

    def _end(self) -> None:
        self._release_worker()
        super()._end()

    def _on_job_cancelled(self) -> None:
        self._end()
        self.failed.emit("the sweep was cancelled", "")
