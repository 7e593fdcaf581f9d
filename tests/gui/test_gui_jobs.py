"""The one background-work mechanism: what reaches the GUI thread, when, and what never does."""

import gc
import queue
import threading

import pytest
from PySide6.QtCore import QEventLoop, QObject, QTimer

from engine.core.errors import RunCancelled
from engine.core.progress import CancelToken
from gui import jobs as jobs_module
from gui.jobs import JobContext


def run_until_done(qtbot, jobs, job, timeout=5000):
    qtbot.waitUntil(lambda: job.done, timeout=timeout)


def test_result_arrives_on_the_gui_thread(qtbot, jobs):
    seen = []
    job = jobs.submit(lambda context: threading.current_thread().name,
                      on_result=lambda value: seen.append((value, threading.current_thread())))
    run_until_done(qtbot, jobs, job)
    worker_name, delivered_on = seen[0]
    assert worker_name.startswith(f"job-{job.id}-")
    assert delivered_on is threading.main_thread()
    assert jobs.live_jobs == []


def test_the_drain_timer_runs_only_while_a_job_is_live(qtbot, jobs):
    assert not jobs._timer.isActive()
    job = jobs.submit(lambda context: 1)
    assert jobs._timer.isActive()
    run_until_done(qtbot, jobs, job)
    assert not jobs._timer.isActive()


def test_only_the_newest_progress_of_a_batch_is_delivered_in_order(qtbot, jobs):
    seen = []

    def work(context):
        for step in range(100):
            context.progress(step / 100, f"step {step}")
        return "done"

    job = jobs.submit(work, on_progress=lambda fraction, label: seen.append(fraction))
    assert jobs.join(5)
    jobs.drain()
    assert job.done
    assert seen == [0.99]  # one batch: the 99 older reports were skipped


def test_an_exception_is_delivered_not_raised(qtbot, jobs):
    errors = []
    job = jobs.submit(lambda context: 1 / 0, on_error=errors.append,
                      on_result=lambda value: pytest.fail("no result expected"))
    run_until_done(qtbot, jobs, job)
    assert isinstance(errors[0], ZeroDivisionError)


def test_run_cancelled_is_reported_as_cancelled(qtbot, jobs):
    cancelled = []

    def work(context):
        raise RunCancelled("stopped")

    job = jobs.submit(work, on_cancelled=lambda: cancelled.append(True))
    run_until_done(qtbot, jobs, job)
    assert cancelled == [True]


def test_cancel_still_delivers_the_outcome_but_discard_drops_it(qtbot, jobs):
    release = threading.Event()
    outcomes = []

    def work(context):
        assert release.wait(5)
        return "value" if not context.cancel.cancelled else "stopped early"

    kept = jobs.submit(work, on_result=outcomes.append)
    dropped = jobs.submit(work, on_result=outcomes.append)
    kept.cancel()
    dropped.discard()
    release.set()
    run_until_done(qtbot, jobs, kept)
    run_until_done(qtbot, jobs, dropped)
    assert outcomes == ["stopped early"]


def test_work_whose_token_is_already_cancelled_never_runs():
    """What a worker thread does first: a job discarded before its thread got going ends at once."""
    outbox, token, ran = queue.SimpleQueue(), CancelToken(), []
    token.cancel()
    jobs_module._run(lambda context: ran.append(True), JobContext(7, token, outbox), outbox)
    assert ran == []
    assert outbox.get_nowait() == (7, "cancelled", None)


def test_send_waits_until_the_gui_releases_it(qtbot, jobs):
    order = []

    def on_message(payload, release):
        order.append(("gui got", payload))
        release()

    def work(context):
        context.send("row 1", wait_s=5)
        order.append(("worker resumed", 1))
        return "end"

    job = jobs.submit(work, on_message=on_message)
    run_until_done(qtbot, jobs, job)
    assert order == [("gui got", "row 1"), ("worker resumed", 1)]


def test_send_stops_waiting_when_the_job_is_cancelled(qtbot, jobs):
    waited = threading.Event()

    def work(context):
        context.send("never released", wait_s=30)
        waited.set()

    job = jobs.submit(work, on_message=lambda payload, release: job.cancel())
    run_until_done(qtbot, jobs, job)
    assert waited.is_set()


def test_nothing_is_delivered_to_a_deleted_owner_and_its_job_is_asked_to_stop(qtbot, jobs):
    owner = QObject()
    started = threading.Event()
    seen = []

    def work(context):
        started.set()
        while not context.cancel.cancelled:
            context.progress(0.5, "waiting")
            threading.Event().wait(0.005)
        return "late"

    job = jobs.submit(work, owner=owner, on_progress=lambda *args: seen.append(args),
                      on_result=seen.append)
    assert started.wait(5)
    owner.deleteLater()
    qtbot.waitUntil(lambda: job.done, timeout=5000)
    assert job.cancel_token.cancelled and job.discarded
    assert "late" not in seen


def test_a_failing_callback_does_not_stop_other_deliveries(qtbot, jobs, caplog):
    results = []

    def bad(value):
        raise ValueError("callback bug")

    first = jobs.submit(lambda context: 1, on_result=bad)
    second = jobs.submit(lambda context: 2, on_result=results.append)
    assert jobs.join(5)
    jobs.drain()
    assert first.done and second.done and results == [2]
    assert "callback bug" in caplog.text


def test_shutdown_discards_everything_and_waits_for_the_threads(qtbot, jobs):
    seen = []

    def work(context):
        while not context.cancel.cancelled:
            threading.Event().wait(0.001)
        return "after shutdown"

    for _ in range(5):
        jobs.submit(work, on_result=seen.append)
    assert jobs.shutdown(5) is True
    assert seen == [] and jobs.live_jobs == []


def test_shutdown_reports_a_job_that_will_not_stop(qtbot, jobs):
    gate = threading.Event()
    jobs.submit(lambda context: gate.wait(10))  # ignores its cancel token
    assert jobs.shutdown(0.05) is False
    gate.set()
    assert jobs.join(5)


def test_a_callback_in_a_nested_event_loop_does_not_hold_up_other_jobs(qtbot, jobs):
    """A modal dialog opened from a callback runs a nested event loop; meanwhile the other jobs'
    reports must still arrive (Qt does not fire a timer again while its own slot runs)."""
    gate = threading.Event()
    delivered_inside = []
    second_results = []

    def open_dialog(value):  # as a QMessageBox would: a nested loop until the user answers
        loop = QEventLoop()
        poll = QTimer()
        poll.timeout.connect(lambda: second_results and loop.quit())
        poll.start(5)
        QTimer.singleShot(5000, loop.quit)  # a hang guard, not a timing assertion
        gate.set()  # let the second job finish while the dialog is open
        loop.exec()
        delivered_inside.extend(second_results)

    first = jobs.submit(lambda context: "first", on_result=open_dialog)
    second = jobs.submit(lambda context: (gate.wait(5), "second")[1],
                         on_result=second_results.append)
    qtbot.waitUntil(lambda: first.done and second.done, timeout=10_000)
    assert delivered_inside == ["second"]


class _Receiver:
    """A plain Python object in a reference cycle, with a method connected to a Qt signal (PySide
    watches it by weak reference). Notes the thread it is finally freed on."""

    freed_on: list[str] = []

    def __init__(self, timer: QTimer):
        self.me = self
        timer.timeout.connect(self.on_timeout)

    def on_timeout(self) -> None:
        pass

    def __del__(self):
        _Receiver.freed_on.append(threading.current_thread().name)


def test_gui_objects_in_cycles_are_never_freed_on_a_worker(qtbot, jobs):
    """Job threads allocate a lot; with automatic collection they would run the cycle collector and
    free GUI objects there. Collection runs only on the GUI thread."""
    _Receiver.freed_on = []
    timer = QTimer()

    def allocate(context):  # engine-like work: many short-lived container objects
        junk = []
        for index in range(200_000):
            junk.append((index, [index]))
            if index % 1000 == 0:
                junk.clear()
        return len(junk)

    for _ in range(10):
        _Receiver(timer)  # garbage, made on the GUI thread
        job = jobs.submit(allocate)
        assert jobs.join(30)
        jobs.drain()
        assert job.done
    assert not gc.isenabled()
    gc.collect()
    assert _Receiver.freed_on == ["MainThread"] * 10


class _FakeCollector:
    """gc's counting and collecting, as _collect_generations uses them."""

    def __init__(self, counts):
        self.counts, self.collected = counts, []

    def get_count(self):
        return self.counts

    def get_threshold(self):
        return (700, 10, 10)

    def collect(self, generation):
        self.collected.append(generation)


def test_a_full_collection_waits_while_jobs_run_but_not_for_ever(monkeypatch):
    fake = _FakeCollector((800, 11, 11))  # every generation past its threshold
    monkeypatch.setattr(jobs_module, "gc", fake)
    running = [True]
    monkeypatch.setattr(jobs_module, "_jobs_running", lambda: running[0])
    monkeypatch.setattr(jobs_module, "_last_full_collection", [jobs_module.time.monotonic()])
    jobs_module._collect_generations()
    assert fake.collected == [1]  # a job runs: the younger generations only
    jobs_module._last_full_collection[0] -= jobs_module.FULL_COLLECTION_WAIT_S + 1
    jobs_module._collect_generations()
    assert fake.collected == [1, 2]  # waited long enough
    running[0] = False
    jobs_module._collect_generations()
    assert fake.collected == [1, 2, 2]  # no job: as automatic collection would
