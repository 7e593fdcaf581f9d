"""Stress every kind of background job: start, supersede, cancel and finish thousands of times with
instant fake work, with owners deleted while their jobs run. pytest runs this under faulthandler,
so a crash prints every thread's stack. Before gui.jobs, the same churn through QRunnables and
cross-thread signals crashed the interpreter about once in fifteen runs of the runner tests."""

import queue
import threading
import weakref

import numpy as np
import pytest
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QLabel

from gui.labs.cost import devices
from gui.labs.cost.devices import CudaProbe
from gui.labs.cost import runner as runner_module
from gui.labs.cost.runner import CostLabRunner
from gui.export import animation
from gui.export.animation import AnimationExport
from gui.worker import SimulationRunner

ROUNDS = 1000


def pump(ms: int = 0) -> None:
    """Turn the event loop for `ms` milliseconds without holding the GIL (no QTest.qWait)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def settle(qtbot, jobs) -> None:
    """Every job has ended and everything it reported has been delivered."""
    assert jobs.join(30), "a job did not end"
    jobs.drain()
    assert jobs.live_jobs == []


def held_work(gate: threading.Event):
    """Work that blocks until `gate` opens, then finishes as if it had not been superseded."""
    def work(progress, cancel):
        gate.wait(5)
        progress(1.0, "late")
        return "stale"
    return work


def test_simulation_runs_superseded_cancelled_and_finished(qtbot, jobs):
    runner = SimulationRunner(jobs=jobs)
    results, failures, gate = [], [], threading.Event()
    runner.finished.connect(results.append)
    runner.failed.connect(lambda message, field: failures.append(message))
    for round_ in range(ROUNDS):
        if round_ % 10 == 0:
            runner.run_work(held_work(gate))  # still running when superseded below
        runner.run_work(lambda progress, cancel: (progress(0.5, "half"), "first")[1])
        runner.run_work(lambda progress, cancel: (progress(1.0, "done"), round_)[1])
        if round_ % 7 == 0:
            runner.cancel()
        if round_ % 13 == 0:
            runner.run_work(lambda progress, cancel: 1 / 0)
        if round_ % 5 == 0:
            pump()
    last = runner.run_work(lambda progress, cancel: "newest")
    gate.set()
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)
    settle(qtbot, jobs)
    assert last > ROUNDS
    assert results[-1] == "newest"
    assert "stale" not in results and "first" not in results
    assert all(message.startswith("the engine failed: ZeroDivisionError") for message in failures)


@pytest.mark.parametrize("settle_timeout_s", [2.0, 0.0005])
def test_sweeps_superseded_cancelled_and_finished(qtbot, jobs, monkeypatch, settle_timeout_s):
    """With a tiny settle timeout the worker stops waiting (and drops its side of the handshake)
    while the GUI still holds the release: that must be harmless."""
    monkeypatch.setattr(runner_module, "SETTLE_TIMEOUT_S", settle_timeout_s)
    runner = CostLabRunner(jobs=jobs)
    rows, results = [], []
    runner.row_arrived.connect(rows.append)
    runner.finished.connect(results.append)

    def sweep(tag):
        def work(on_result, progress, cancel):
            on_result(tag)  # waits (briefly) for the GUI to draw it
            progress(1.0, "done")
            return tag
        return work

    for round_ in range(ROUNDS // 2):
        runner.run_work(sweep(("old", round_)))
        runner.run_work(sweep(("new", round_)))
        if round_ % 3 == 0:
            runner.cancel()
        if round_ % 4 == 0:
            pump(1)
    runner.run_work(sweep(("final", 0)))
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)
    settle(qtbot, jobs)
    assert results[-1] == ("final", 0)
    assert all(tag[0] != "old" for tag in results)
    assert rows[-1] == ("final", 0)


def test_probes_whose_owners_are_deleted_while_they_run(qtbot, jobs, monkeypatch):
    monkeypatch.setattr(devices, "cuda_status", lambda: (False, "no GPU (stress)"))
    answers = []
    for round_ in range(ROUNDS):
        probe = CudaProbe(jobs=jobs)
        probe.answered.connect(lambda available, detail: answers.append(detail))
        probe.start()
        if round_ % 2:
            probe.deleteLater()  # the window closed before torch answered
        else:
            keep = probe  # noqa: F841  (alive until the next round replaces it)
        if round_ % 5 == 0:
            pump()
    settle(qtbot, jobs)
    pump()
    assert answers and set(answers) == {"no GPU (stress)"}


class _LabelSnapshot:
    """What AnimationExport draws from (an ExportSnapshot's interface): a small label that shows
    the tick."""

    def __init__(self, last_tick: int):
        self.widget = QLabel("frame")
        self.widget.resize(24, 16)
        self.last_tick = last_tick

    def show_tick(self, tick: int) -> None:
        self.widget.setText(str(tick))

    def close(self) -> None:
        self.widget.deleteLater()


def test_animation_exports_started_cancelled_and_finished(qtbot, jobs, tmp_path):
    """7 frames each (a 3-word run); the round that neither waits nor cancels lets the export
    finish on its own while the next ones start."""
    outcomes = []
    for round_ in range(ROUNDS // 10):
        export = AnimationExport(_LabelSnapshot(6), tmp_path / f"a{round_ % 3}.gif", fps=10,
                                 width=24)
        export.finished.connect(lambda path: outcomes.append("finished"))
        export.failed.connect(lambda message: outcomes.append("failed"))
        export.cancelled.connect(lambda: outcomes.append("cancelled"))
        export.start(jobs)
        if round_ % 3 == 1:
            export.cancel()
        elif round_ % 3 == 2:
            pump(1)
        else:
            qtbot.waitUntil(lambda: not export.running, timeout=10_000)
        if round_ % 4 == 0:
            pump()
    qtbot.waitUntil(lambda: len(outcomes) == ROUNDS // 10, timeout=30_000)
    settle(qtbot, jobs)
    assert outcomes.count("finished") >= ROUNDS // 30
    assert "failed" not in outcomes
    names = {path.name for path in tmp_path.iterdir()}
    assert "a0.gif" in names and names <= {"a0.gif", "a2.gif"}  # no .part file left behind


def test_no_qt_connection_tracks_an_object_the_worker_owns(qtbot, jobs):
    """PySide watches the owner of a connected bound method with a weak reference and tears the
    connection down wherever that owner dies. The sweep's release belongs to the worker, so it
    must reach Qt neither as a slot nor as a timer callback (that crashed the tests before)."""
    runner = CostLabRunner(jobs=jobs)
    watched = []
    handle = runner._on_job_message

    def spy(row, release):
        handle(row, release)
        watched.append(weakref.getweakrefcount(release.__self__))

    runner._on_job_message = spy  # submit() takes the callback from the instance
    with qtbot.waitSignal(runner.finished, timeout=10_000):
        runner.run_work(lambda on_result, progress, cancel: (on_result("row"), "done")[1])
    assert watched == [0]


class _NeverBlockQueue(queue.Queue):
    """A frame queue that fails loudly if the GUI thread ever waits on it."""

    blocking_puts = 0

    def put(self, item, block=True, timeout=None):
        if block:  # on the real queue this could wait forever for an encoder that died
            self.blocking_puts += 1
            raise RuntimeError("the GUI thread waited for the encoder")
        super().put(item, block=False)


class _FailingEncoder:
    """Slower than rendering, so the frame queue stays full; fails at its 12th frame (ffmpeg or
    the disk giving up)."""

    def __init__(self, *args):
        self.frames = 0

    def add(self, rgb) -> None:
        self.frames += 1
        if self.frames == 12:  # meanwhile the GUI renders the last frames into a full queue
            threading.Event().wait(0.2)
            raise OSError(28, "No space left on device")
        threading.Event().wait(0.02)

    def finish(self, before_replace=None):
        raise AssertionError("an encoder that failed is never finished")

    def abort(self) -> None:
        pass


def test_an_encoder_dying_with_a_full_frame_queue_never_blocks_the_gui(qtbot, jobs, monkeypatch,
                                                                       tmp_path):
    monkeypatch.setattr(animation, "FrameEncoder", _FailingEncoder)
    # 20 frames: 12 encoded (the last one fails) and 8 queued
    export = AnimationExport(_LabelSnapshot(19), tmp_path / "a.gif")
    export._frames = _NeverBlockQueue(maxsize=export.QUEUED_FRAMES)
    monkeypatch.setattr(export, "_render_frame", lambda index: np.zeros((2, 2, 3), np.uint8))
    with qtbot.waitSignal(export.failed, timeout=10_000) as blocker:
        export.start(jobs)
    assert "No space left" in blocker.args[0]
    assert not export.running
    assert export._frames.blocking_puts == 0
