"""The one background-work mechanism: what reaches the GUI thread, when, and what never does."""

import threading

import pytest
from PySide6.QtCore import QObject

from engine.errors import RunCancelled


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


def test_a_job_discarded_before_it_starts_never_runs_its_work(qtbot, jobs):
    ran = []
    gate = threading.Event()
    job = jobs.submit(lambda context: (gate.wait(5), ran.append(context.cancel.cancelled)))
    job.discard()
    gate.set()
    run_until_done(qtbot, jobs, job)
    assert ran in ([], [True])  # either it never started, or it saw the cancel at once


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
