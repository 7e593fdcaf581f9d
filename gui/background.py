"""The machinery every background job shares: one job at a time on a thread pool, a cancel token
per job, and run ids so that whatever a superseded job still reports is dropped."""

from __future__ import annotations

import logging
import traceback
from typing import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class TaskSignals(QObject):
    """Emitted from worker threads; Qt queues them to the runner in the GUI thread."""

    progress = Signal(int, float, str)  # run id, fraction, label
    finished = Signal(int, object)  # run id, result
    failed = Signal(int, str, str)  # run id, message, config field ("" if none)


def describe_failure(error: BaseException, who: str, memory_hint: str) -> tuple[str, str]:
    """(message for the user, config field or "") for an exception a job raised; `who` names
    what failed ("engine", "sweep") and `memory_hint` says what to try when memory ran out."""
    from engine.errors import ConfigError, EngineInputError

    if isinstance(error, ConfigError):
        return error.problem, error.field
    if isinstance(error, EngineInputError):
        return str(error), ""
    if isinstance(error, MemoryError):
        return f"not enough memory: {memory_hint}", ""
    log.error("the %s failed:\n%s", who, "".join(traceback.format_exception(error)))
    return f"the {who} failed: {type(error).__name__}: {error}", ""


class LatestJobRunner(QObject):
    """Runs jobs on a thread pool; only the newest job's progress, result or failure get through.

    Subclasses start a job with `_start(make_task)`, where make_task(run_id, cancel_token) builds
    the QRunnable; the task reports through the TaskSignals, which reach the `_on_task_*` slots.
    """

    started = Signal()
    progress = Signal(float, str)  # fraction done, what is running
    finished = Signal(object)  # the newest job's result
    failed = Signal(str, str)  # message, config field or ""
    busy_changed = Signal(bool)

    def __init__(self, signals: TaskSignals, parent: QObject | None = None,
                 pool: QThreadPool | None = None):
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        # No Qt parent on purpose: a task still running holds a Python reference to `signals`, so
        # they outlive this runner if the window closes, and Qt just drops the dead connections.
        self._signals = signals
        signals.progress.connect(self._on_task_progress)
        signals.finished.connect(self._on_task_finished)
        signals.failed.connect(self._on_task_failed)
        self._latest = 0
        self._cancel = None
        self._busy = False

    @property
    def busy(self) -> bool:
        return self._busy

    def _start(self, make_task: Callable[[int, object], QRunnable]) -> int:
        from engine.progress import CancelToken

        if self._cancel is not None:  # superseded: what it still reports will be dropped
            self._cancel.cancel()
        self._latest += 1
        self._cancel = CancelToken()
        self._pool.start(make_task(self._latest, self._cancel))
        self._set_busy(True)
        self.started.emit()
        return self._latest

    def _is_latest(self, run_id: int) -> bool:
        return run_id == self._latest

    def _end(self) -> None:
        self._cancel = None
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)

    def _on_task_progress(self, run_id: int, fraction: float, label: str) -> None:
        if self._is_latest(run_id):
            self.progress.emit(fraction, label)

    def _on_task_finished(self, run_id: int, result) -> None:
        if self._is_latest(run_id):
            self._end()
            self.finished.emit(result)

    def _on_task_failed(self, run_id: int, message: str, field: str) -> None:
        if self._is_latest(run_id):
            self._end()
            self.failed.emit(message, field)
