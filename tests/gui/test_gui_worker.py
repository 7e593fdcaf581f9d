"""SimulationRunner: stale results dropped, errors reported, cancelling, and one real engine run."""

import threading

import pytest

from engine import SimConfig
from engine.core.errors import ConfigError, EngineInputError
from gui.worker import SimulationRunner


@pytest.fixture
def runner(qtbot, jobs):
    runner = SimulationRunner(jobs=jobs)
    yield runner
    runner.cancel()


def test_a_newer_run_drops_the_older_result(qtbot, runner):
    release_first = threading.Event()
    finished, busy = [], []
    runner.finished.connect(finished.append)
    runner.busy_changed.connect(busy.append)

    def first(progress, cancel):
        assert release_first.wait(10)
        return "first result"

    first_id = runner.run_work(first)
    assert runner.busy is True
    with qtbot.waitSignal(runner.finished, timeout=5000) as blocker:
        second_id = runner.run_work(lambda progress, cancel: "second result")
    assert (first_id, second_id) == (1, 2)
    assert blocker.args == ["second result"]
    assert runner.busy is False
    release_first.set()  # the first run now finishes, after the second: its result is stale
    assert runner.jobs.join(5)
    with qtbot.assertNotEmitted(runner.finished):
        runner.jobs.drain()
    assert finished == ["second result"]
    assert busy == [True, False]


def test_progress_of_the_latest_run_is_forwarded(qtbot, runner):
    def work(progress, cancel):
        progress(0.5, "half way")
        return 42

    events = []
    runner.progress.connect(lambda fraction, label: events.append(("progress", fraction, label)))
    runner.finished.connect(lambda result: events.append(("finished", result)))
    with qtbot.waitSignals([runner.progress, runner.finished], order="strict"):
        runner.run_work(work)
    assert events == [("progress", 0.5, "half way"), ("finished", 42)]


def test_an_engine_bug_is_reported_not_raised(qtbot, runner):
    def work(progress, cancel):
        raise RuntimeError("boom in step 3")

    with qtbot.assertNotEmitted(runner.finished), \
            qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        runner.run_work(work)
    message, field = blocker.args
    assert "RuntimeError" in message and "boom in step 3" in message
    assert field == ""
    assert runner.busy is False


def test_bad_input_surfaces_its_message(qtbot, runner):
    def work(progress, cancel):
        raise EngineInputError("the sentence is empty: type at least one word")

    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        runner.run_work(work)
    assert blocker.args == ["the sentence is empty: type at least one word", ""]
    assert runner.busy is False


def test_config_error_surfaces_message_and_field(qtbot, runner):
    def work(progress, cancel):
        raise ConfigError("heads", "must be between 1 and 16, got 20")

    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        runner.run_work(work)
    assert blocker.args == ["must be between 1 and 16, got 20", "heads"]


def test_memory_error_gets_a_helpful_message(qtbot, runner):
    def work(progress, cancel):
        raise MemoryError()

    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        runner.run_work(work)
    assert blocker.args[0].startswith("not enough memory")


def test_cancel_ends_a_running_run_without_a_result(qtbot, runner):
    started = threading.Event()

    def work(progress, cancel):
        started.set()
        while True:  # a long run that checks its token, as the engine does between timesteps
            cancel.raise_if_cancelled()
            threading.Event().wait(0.001)

    with qtbot.assertNotEmitted(runner.finished), qtbot.assertNotEmitted(runner.failed):
        runner.run_work(work)
        assert started.wait(5)
        assert runner.busy is True
        with qtbot.waitSignal(runner.busy_changed, timeout=5000) as blocker:
            runner.cancel()
        assert blocker.args == [False]
    assert runner.busy is False


def test_a_new_run_cancels_the_running_one(qtbot, runner):
    tokens = []

    def slow(progress, cancel):
        tokens.append(cancel)
        while True:
            cancel.raise_if_cancelled()
            threading.Event().wait(0.001)

    runner.run_work(slow)
    with qtbot.waitSignal(runner.finished, timeout=5000) as blocker:
        runner.run_work(lambda progress, cancel: "fresh")
    assert blocker.args == ["fresh"]
    qtbot.waitUntil(lambda: bool(tokens))
    assert tokens[0].cancelled is True


def test_real_engine_run(qtbot, runner):
    config = SimConfig(d_model=4, hidden_size=4, head_size=2)
    fractions = []
    runner.progress.connect(lambda fraction, label: fractions.append(fraction))
    with qtbot.waitSignal(runner.finished, timeout=20_000) as blocker:
        runner.run("The cat sat", config)
    trace = blocker.args[0]
    assert trace.tokens == ("The", "cat", "sat")
    assert trace.length == 3
    assert trace.config == config
    assert trace.rnn.hidden.shape == (3, 4)
    assert fractions and fractions == sorted(fractions) and fractions[-1] <= 1.0
    assert runner.busy is False


def test_real_engine_rejects_an_empty_sentence(qtbot, runner):
    with qtbot.waitSignal(runner.failed, timeout=20_000) as blocker:
        runner.run("   ", SimConfig(d_model=4, hidden_size=4, head_size=2))
    assert blocker.args == ["the sentence is empty: type at least one word", ""]
