"""The one way this app runs work off the GUI thread: simulations, cost-lab sweeps, the GPU probe,
animation export, and every lab to come.

The cross-thread surface is three plain-Python objects and nothing else:
- each job runs `work(context)` on its own daemon `threading.Thread`; the work is a pure function
  (engine code, an encoder) that never creates, calls or destroys a Qt object;
- the worker reports by putting tuples on one `queue.SimpleQueue` (progress, messages, the result
  or the exception) and reads its `CancelToken` (a `threading.Event`);
- on the GUI thread one QTimer, running only while a job is live, moves the reports into an
  inbox, and the job's callbacks are called there, one report at a time.
No Qt signal crosses a thread and no QObject is touched off the GUI thread, which avoids by
construction the PySide6 crashes of cross-thread delivery (PYSIDE-3124) and of Python-owned Qt
objects freed on pool threads.

Two rules keep Python from freeing GUI objects on a worker, which crashed this app's tests
(`QMetaObject::Connection::~Connection` on a worker thread):
- never connect a Qt signal or timer to something a worker created or still holds (the `release`
  of a message, say). PySide watches such a receiver by weak reference and, when its last
  reference goes on the worker, tears the connection down there, racing the GUI thread;
- the cycle collector runs wherever an allocation trips its threshold, and job threads allocate a
  lot, so automatic collection is off and a GUI-thread timer collects instead (pyqtgraph's
  GarbageCollector does the same, for the same reason).

Delivery goes through a fresh single-shot timer, so a callback that opens a modal dialog (a nested
event loop) does not hold up the other jobs' reports.
"""

from __future__ import annotations

import gc
import itertools
import logging
import queue
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QTimer

from engine.core.errors import RunCancelled
from engine.core.progress import CancelToken

log = logging.getLogger(__name__)

DRAIN_INTERVAL_MS = 10  # how often the GUI thread looks for news while a job is live
# How often the GUI thread runs the cycle collector. Workers allocate fast, so a long interval
# makes each young-generation collection long (about 30 ms every 500 ms while the training lab
# trains); a short one keeps each under a few milliseconds.
COLLECT_INTERVAL_MS = 100
# A full collection walks every object (torch's and Qt's included, 100 ms or more), so while jobs
# run it waits for them to end, or at most this long.
FULL_COLLECTION_WAIT_S = 120.0

# What a worker puts on the queue: (job id, kind, payload)
_PROGRESS, _MESSAGE, _RESULT, _ERROR, _CANCELLED = "progress", "message", "result", "error", "cancelled"
_TERMINAL = (_RESULT, _ERROR, _CANCELLED)


class JobContext:
    """What the work function sees (on its worker thread): the cancel token and two ways to
    report. Both only put plain tuples on the shared queue."""

    def __init__(self, job_id: int, cancel: CancelToken, outbox: queue.SimpleQueue):
        self._id, self.cancel, self._outbox = job_id, cancel, outbox

    def progress(self, fraction: float, label: str) -> None:
        """Report progress; the GUI sees the newest report of each drain (older ones are skipped)."""
        self._outbox.put((self._id, _PROGRESS, (fraction, label)))

    def send(self, payload: Any, wait_s: float = 0.0) -> None:
        """Hand `payload` to the job's on_message callback. With `wait_s`, block until the GUI
        calls the `release` it was given, the job is cancelled, or `wait_s` seconds pass.
        The GUI must call `release` from Python, never connect it to a signal or a QTimer."""
        released = threading.Event()
        self._outbox.put((self._id, _MESSAGE, (payload, released.set)))
        deadline = time.monotonic() + wait_s
        while wait_s > 0 and not self.cancel.cancelled and time.monotonic() < deadline:
            if released.wait(0.02):
                return


def _ignore(*_args) -> None:
    pass


@dataclass(eq=False)
class Job:
    """A submitted job, as the GUI thread sees it. `cancel()` asks the work to stop and still
    delivers whatever it reports; `discard()` also drops everything it reports from now on."""

    id: int
    name: str
    cancel_token: CancelToken
    on_progress: Callable[[float, str], None] = _ignore
    on_message: Callable[[Any, Callable[[], None]], None] = _ignore
    on_result: Callable[[Any], None] = _ignore
    on_error: Callable[[BaseException], None] = _ignore
    on_cancelled: Callable[[], None] = _ignore
    owner: QObject | None = None  # callbacks stop once this Qt object has been deleted
    discarded: bool = False
    done: bool = False
    thread: threading.Thread | None = field(default=None, repr=False)

    def cancel(self) -> None:
        self.cancel_token.cancel()

    def discard(self) -> None:
        self.cancel_token.cancel()
        self.discarded = True

    @property
    def deliverable(self) -> bool:
        return not self.discarded and (self.owner is None or shiboken6.isValid(self.owner))


class JobManager(QObject):
    """Starts jobs and delivers what they report on the GUI thread. Create and use it on the GUI
    thread only; `job_manager()` gives the application's one instance."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        collect_on_gui_thread()
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()  # filled by workers
        self._inbox: deque = deque()  # (sequence, job id, kind, payload) taken, not yet delivered
        self._newest_progress: dict[int, int] = {}  # job id -> sequence of its newest progress
        self._sequence = itertools.count()
        self._jobs: dict[int, Job] = {}
        self._ids = itertools.count(1)
        self._delivery_scheduled = False
        self._timer = QTimer(self)
        self._timer.setInterval(DRAIN_INTERVAL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def live_jobs(self) -> list[Job]:
        """Jobs whose outcome has not been delivered yet (discarded ones included)."""
        return list(self._jobs.values())

    def submit(self, work: Callable[[JobContext], Any], *, name: str = "job",
               owner: QObject | None = None, **callbacks) -> Job:
        """Run work(context) on a new worker thread. Callbacks (all optional, all called on the
        GUI thread): on_progress(fraction, label), on_message(payload, release),
        on_result(value), on_error(exception), on_cancelled() when the work raised RunCancelled.
        A callback may open a modal dialog; other jobs' deliveries go on meanwhile."""
        job = Job(next(self._ids), name, CancelToken(), owner=owner, **callbacks)
        context = JobContext(job.id, job.cancel_token, self._outbox)
        job.thread = threading.Thread(target=_run, args=(work, context, self._outbox),
                                      name=f"job-{job.id}-{name}", daemon=True)
        self._jobs[job.id] = job
        job.thread.start()
        if not self._timer.isActive():
            self._timer.start()
        return job

    def _on_timer_timeout(self) -> None:
        # Deliver from a fresh single-shot timer, not from this one: Qt does not fire a timer
        # again while its own slot runs, so a modal dialog opened by a callback would stop it.
        self._take_reports()
        if self._inbox and not self._delivery_scheduled:
            self._delivery_scheduled = True
            QTimer.singleShot(0, self._on_delivery_due)
        self._stop_when_idle()

    def _on_delivery_due(self) -> None:
        self._delivery_scheduled = False
        self._deliver_inbox()

    def drain(self) -> None:
        """Deliver everything reported so far, now (the timers do this; tests may too)."""
        self._take_reports()
        self._deliver_inbox()

    def _take_reports(self) -> None:
        while True:
            try:
                job_id, kind, payload = self._outbox.get_nowait()
            except queue.Empty:
                return
            sequence = next(self._sequence)
            if kind == _PROGRESS:
                self._newest_progress[job_id] = sequence
            self._inbox.append((sequence, job_id, kind, payload))

    def _deliver_inbox(self) -> None:
        """One report at a time, so that a nested event loop inside a callback can go on
        delivering the rest in order. Reports of ended or unknown jobs are dropped."""
        while self._inbox:
            sequence, job_id, kind, payload = self._inbox.popleft()
            job = self._jobs.get(job_id)
            if job is None:
                continue
            if kind == _PROGRESS and self._newest_progress.get(job_id) != sequence:
                continue  # a newer report of the same job is waiting
            if kind in _TERMINAL:
                job.done = True
                del self._jobs[job_id]
                self._newest_progress.pop(job_id, None)
            self._deliver(job, kind, payload)
        self._stop_when_idle()

    def _stop_when_idle(self) -> None:
        for job in self._jobs.values():
            if not job.discarded and job.owner is not None and not shiboken6.isValid(job.owner):
                job.discard()  # its window is gone: nobody will read what it reports
        if not self._jobs and not self._inbox:
            self._timer.stop()

    def _deliver(self, job: Job, kind: str, payload) -> None:
        if not job.deliverable:
            if kind == _MESSAGE:
                payload[1]()  # release a worker waiting for this message
            return
        try:
            if kind == _PROGRESS:
                job.on_progress(*payload)
            elif kind == _MESSAGE:
                job.on_message(*payload)
            elif kind == _RESULT:
                job.on_result(payload)
            elif kind == _ERROR:
                job.on_error(payload)
            else:
                job.on_cancelled()
        except Exception:  # a bug in one callback must not stop the others being delivered
            log.error("a callback of job %r failed:\n%s", job.name, traceback.format_exc())

    def cancel_all(self) -> None:
        """Discard every live job: they are asked to stop and nothing more of them is delivered."""
        for job in self._jobs.values():
            job.discard()

    def join(self, timeout: float) -> bool:
        """Wait (blocking, without delivering) until every live job's thread has ended, at most
        `timeout` seconds. True if all have ended. Call drain() afterwards to deliver outcomes."""
        deadline = time.monotonic() + timeout
        for job in list(self._jobs.values()):
            job.thread.join(max(0.0, deadline - time.monotonic()))
        return all(not job.thread.is_alive() for job in self._jobs.values())

    def shutdown(self, timeout: float) -> bool:
        """Discard every job and wait up to `timeout` seconds for their threads; True if all ended."""
        self.cancel_all()
        ended = self.join(timeout)
        self.drain()
        return ended


def _run(work: Callable[[JobContext], Any], context: JobContext,
         outbox: queue.SimpleQueue) -> None:  # worker thread
    job_id = context._id
    try:
        context.cancel.raise_if_cancelled()  # superseded before it even started
        result = work(context)
    except RunCancelled:
        outbox.put((job_id, _CANCELLED, None))
    except BaseException as error:  # reported to the GUI thread, never raised on a worker
        outbox.put((job_id, _ERROR, error))
    else:
        outbox.put((job_id, _RESULT, result))


_manager: JobManager | None = None
_collector: QTimer | None = None


def collect_on_gui_thread() -> None:
    """Switch off automatic cycle collection and run it from a GUI-thread timer instead (once per
    application). Otherwise whichever thread allocates collects, and a worker would free GUI
    objects in reference cycles, tearing down their Qt connections off the GUI thread."""
    global _collector
    if _collector is not None and shiboken6.isValid(_collector):
        return
    gc.disable()
    _collector = QTimer(QCoreApplication.instance())
    _collector.setInterval(COLLECT_INTERVAL_MS)
    _collector.timeout.connect(_collect_generations)
    _collector.start()


_last_full_collection = [time.monotonic()]


def _collect_generations() -> None:
    """Collect the oldest generation whose count is past its threshold, as automatic collection
    would, except that a full collection waits while jobs run (FULL_COLLECTION_WAIT_S at most)."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    now = time.monotonic()
    if counts[2] > thresholds[2] and (not _jobs_running()
                                      or now - _last_full_collection[0] > FULL_COLLECTION_WAIT_S):
        gc.collect(2)
        _last_full_collection[0] = now
        return
    for generation in (1, 0):
        if counts[generation] > thresholds[generation]:
            gc.collect(generation)
            return


def _jobs_running() -> bool:
    return _manager is not None and shiboken6.isValid(_manager) and bool(_manager.live_jobs)


def job_manager() -> JobManager:
    """The application's job manager, created on first use (on the GUI thread)."""
    global _manager
    if _manager is None or not shiboken6.isValid(_manager):
        _manager = JobManager(QCoreApplication.instance())
    return _manager


def describe_failure(error: BaseException, who: str, memory_hint: str) -> tuple[str, str]:
    """(message for the user, config field or "") for an exception a job raised; `who` names
    what failed ("engine", "sweep") and `memory_hint` says what to try when memory ran out."""
    from engine.core.errors import ConfigError, EngineInputError

    if isinstance(error, ConfigError):
        return error.problem, error.field
    if isinstance(error, EngineInputError):
        return str(error), ""
    if isinstance(error, MemoryError):
        return f"not enough memory: {memory_hint}", ""
    log.error("the %s failed:\n%s", who, "".join(traceback.format_exception(error)))
    return f"the {who} failed: {type(error).__name__}: {error}", ""
