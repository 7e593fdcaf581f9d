"""The policy the simulation and the cost lab share: one job at a time, a newer job discards the
older one, and only the newest job's progress, messages and outcome reach the window as signals
(emitted on the GUI thread; the jobs themselves run through gui.jobs)."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

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
