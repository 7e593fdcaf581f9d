"""Runs the DEER lab's measurements in the background through gui/jobs.py: each finished piece
arrives while the rest go on (the worker waits while the window redraws), Cancel stops between
pieces with the pieces so far kept, and a superseded run's reports are dropped. Torch is imported
in the worker, never on the GUI thread."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Signal

from gui.latest_job import PacedJobRunner, throttled

PROGRESS_INTERVAL_S = 0.1
SETTLE_TIMEOUT_S = 1.0  # the worker goes on regardless when the GUI does not answer
# work(on_part, progress, cancel) -> DeerLabResult: engine.labs.deer.lab.run_lab, config bound
LabWork = Callable[[Callable, Callable, object], object]


def lab_work(config) -> LabWork:
    """The engine's measurements of `config`, imported (with torch) in the worker thread."""
    def work(on_part, progress, cancel):
        from engine.labs.deer.lab import run_lab

        return run_lab(config, on_part=on_part, progress=progress, cancel=cancel)
    return work


class DeerLabRunner(PacedJobRunner):
    """One run at a time; `part_arrived` per finished measurement (engine LabPart), `finished`
    with the DeerLabResult (completed or cancelled, with the parts so far)."""

    part_arrived = Signal(object)

    WHO = "DEER run"
    MEMORY_HINT = "try a smaller n, longest n or hidden size"
    SETTLE_MS = 40

    def run_work(self, work: LabWork) -> int:
        """Run work(on_part, progress, cancel) (the seam tests inject work by)."""
        def job(context):
            def on_part(part):  # worker thread, between measurements
                context.send(part, wait_s=SETTLE_TIMEOUT_S)
            return work(on_part, throttled(context.progress, PROGRESS_INTERVAL_S), context.cancel)
        return self._start(job)

    def _on_job_message(self, part, release) -> None:
        self._release_worker()
        self.part_arrived.emit(part)
        self._hold_worker(release)

    def _on_job_cancelled(self) -> None:
        self._end()
        self.failed.emit("the run was cancelled", "")
