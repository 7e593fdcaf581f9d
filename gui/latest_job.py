"""The policy the simulation and the labs share: one job at a time, a newer job discards the
older one, and only the newest job's progress, messages and outcome reach the window as signals
(emitted on the GUI thread; the jobs themselves run through gui.jobs). PacedJobRunner adds the
pause a lab's worker takes after each message while the window redraws."""

from __future__ import annotations

import time
from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer, Signal

from gui.jobs import Job, JobContext, JobManager, describe_failure, job_manager


class LatestJobRunner(QObject):
    """Subclasses start work with `_start(work)` and may override `_on_job_message`."""

    started = Signal()
    progress = Signal(float, str)  # fraction done, what is running
    finished = Signal(object)  # the newest job's result
    failed = Signal(str, str)  # message, config field or ""
    busy_changed = Signal(bool)

    WHO = "job"  # names what failed in messages ("engine", "sweep")
    MEMORY_HINT = "try smaller settings"

    def __init__(self, parent: QObject | None = None, jobs: JobManager | None = None):
        super().__init__(parent)
        self._jobs = jobs if jobs is not None else job_manager()
        self._job: Job | None = None
        self._runs = 0

    @property
    def busy(self) -> bool:
        return self._job is not None

    @property
    def jobs(self) -> JobManager:
        return self._jobs

    @property
    def cancelling(self) -> bool:
        """Cancel was asked for and the newest job has not ended yet."""
        return self._job is not None and self._job.cancel_token.cancelled

    def cancel(self) -> None:
        """Ask the newest job to stop at its next check; its outcome (with what it did so far)
        still arrives."""
        if self._job is not None:
            self._job.cancel()

    def _start(self, work: Callable[[JobContext], Any]) -> int:
        was_busy = self._job is not None
        if was_busy:  # superseded: whatever it still reports is dropped
            self._job.discard()
            self._job = None  # not busy with it even if starting the new one fails
        self._runs += 1
        try:
            self._job = self._jobs.submit(
                work, name=type(self).__name__, owner=self,
                on_progress=self._on_job_progress, on_message=self._on_job_message,
                on_result=self._on_job_result, on_error=self._on_job_error,
                on_cancelled=self._on_job_cancelled)
        except RuntimeError as error:  # the system would not start another thread
            if was_busy:
                self.busy_changed.emit(False)
            self.failed.emit(f"could not start the {self.WHO}: {error}", "")
            return self._runs
        if not was_busy:
            self.busy_changed.emit(True)
        self.started.emit()
        return self._runs

    def _end(self) -> None:
        if self._job is not None:
            self._job = None
            self.busy_changed.emit(False)

    def _on_job_progress(self, fraction: float, label: str) -> None:
        self.progress.emit(fraction, label)

    def _on_job_message(self, payload, release: Callable[[], None]) -> None:
        release()

    def _on_job_result(self, result) -> None:
        self._end()
        self.finished.emit(result)

    def _on_job_error(self, error: BaseException) -> None:
        self._end()
        self.failed.emit(*describe_failure(error, self.WHO, self.MEMORY_HINT))

    def _on_job_cancelled(self) -> None:
        self._end()


class PacedJobRunner(LatestJobRunner):
    """A LatestJobRunner whose worker waits after each message it sends with `wait_s` until the
    window has redrawn: the GUI releases it SETTLE_MS after the message arrives (or when the next
    one does, or the job ends). Painting is Python that needs the GIL, so a worker that went on at
    once would slow the repaint (and, in the cost lab, the repaint would slow its timings).

    `release` is called from Python when the timer fires, never handed to Qt: a Qt connection to a
    method of an object the worker owns would be torn down on the worker thread when that object
    dies there, and crash."""

    SETTLE_MS = 50

    def __init__(self, parent: QObject | None = None, jobs: JobManager | None = None):
        super().__init__(parent, jobs)
        self._release = None
        self._settle_timer = QTimer(self)
        self._settle_timer.setSingleShot(True)
        self._settle_timer.setInterval(self.SETTLE_MS)
        self._settle_timer.timeout.connect(self._release_worker)

    def _hold_worker(self, release: Callable[[], None]) -> None:
        """Keep the worker waiting until the window has had SETTLE_MS to redraw."""
        self._release_worker()
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


def throttled(report: Callable[[float, str], None],
              interval_s: float) -> Callable[[float, str], None]:
    """`report`, called at most once per `interval_s` (and always at the end): progress repaints
    share the CPU with the work they report."""
    last = [0.0]

    def send(fraction: float, label: str) -> None:  # worker thread
        now = time.monotonic()
        if fraction >= 1.0 or now - last[0] >= interval_s:
            last[0] = now
            report(fraction, label)
    return send
