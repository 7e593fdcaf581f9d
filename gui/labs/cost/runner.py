"""Runs a cost-lab sweep in the background: each finished n arrives while the sweep goes on, Cancel
stops it between runs (rows so far kept), and a superseded sweep's reports are dropped."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Signal

from gui.latest_job import PacedJobRunner, throttled

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


class CostLabRunner(PacedJobRunner):
    """One sweep at a time; only the newest run's rows, progress and result are reported.
    `finished` carries the LabResult: completed, cancelled or refused, with the rows so far."""

    row_arrived = Signal(object)  # LabRow, one per finished n

    WHO = "sweep"
    MEMORY_HINT = "try a shorter longest n or smaller widths"
    SETTLE_MS = ROW_SETTLE_MS

    def run(self, config) -> int:
        """Start sweeping `config` (an engine LabConfig). Returns the run id."""
        return self.run_work(sweep_work(config))

    def run_work(self, work: SweepWork) -> int:
        """Run work(on_result, progress, cancel) -> LabResult (the seam tests inject sweeps by)."""
        def job(context):
            def on_row(row):  # worker thread, between timed runs: wait until it is drawn
                context.send(row, wait_s=SETTLE_TIMEOUT_S)
            return work(on_row, throttled(context.progress, PROGRESS_INTERVAL_S), context.cancel)
        return self._start(job)

    def _on_job_message(self, row, release) -> None:
        self._release_worker()
        self.row_arrived.emit(row)  # the window updates its plots here; they repaint next
        self._hold_worker(release)

    def _on_job_cancelled(self) -> None:
        self._end()
        self.failed.emit("the sweep was cancelled", "")
