"""Cost lab sweeps that do not complete: Cancel, a memory refusal, an engine failure, and a run
superseded by a newer one. Every time the rows measured so far stay on screen."""

import threading

import pytest
from cost_lab_helpers import SWEEP_TIMEOUT_MS, TINY, make_lab, run_sweep, tiny_rows  # noqa: F401

from engine.core.errors import ConfigError
from engine.labs.cost import sweep as lab_sweep
from engine.labs.cost.sweep import LabResult, sweep
from gui.labs.cost.runner import CostLabRunner


def test_cancel_keeps_the_rows_measured_so_far(qtbot, make_lab):
    window = make_lab(dict(TINY, max_n=64))
    config = window.controls.config()
    cancel_pressed = threading.Event()

    def work(on_result, progress, cancel):  # the real sweep, held after its first row
        def hold_after_row(row):
            on_result(row)
            assert cancel_pressed.wait(10)
        return sweep(config, on_result=hold_after_row, progress=progress, cancel=cancel)

    with qtbot.waitSignal(window.runner.row_arrived, timeout=SWEEP_TIMEOUT_MS):
        assert window.start_sweep(work) is True
    assert window.cancel_button.isEnabled() and not window.run_button.isEnabled()
    with qtbot.waitSignal(window.runner.finished, timeout=SWEEP_TIMEOUT_MS) as blocker:
        window.cancel_button.click()
        assert window.status_label.text() == "Cancelling after the current timed run…"
        assert not window.cancel_button.isEnabled()
        cancel_pressed.set()
    result = blocker.args[0]
    assert result.stopped_reason == "cancelled"
    assert [row.n for row in result.rows] == [4]
    assert [row.n for row in window.rows] == [4]
    assert window.status_label.text() == "Cancelled: kept the 1 length measured before it stopped."
    assert set(window.plots["time"].point_counts().values()) == {1}
    assert window.table.texts()[1][3] == "O(n) / 4"
    assert window.save_json_button.isEnabled() and window.run_button.isEnabled()


def test_a_memory_refusal_names_the_number_and_keeps_earlier_rows(qtbot, make_lab, monkeypatch):
    # d = 16, hs = 8: n needs 4 bytes x (4·n² + 8·n·64) = 16·n² + 2048·n: n = 8 fits, 16 does not
    monkeypatch.setattr(lab_sweep, "available_memory_bytes", lambda device: 20_000)
    window = make_lab(dict(TINY, max_n=64))
    assert window.controls.estimate.text().endswith("The sweep will stop before it.")
    result = run_sweep(qtbot, window)
    refusal = "n = 16 needs about 36.9 kB for the attention matrices; 20.0 kB is available"
    assert result.stopped_reason == refusal
    assert [row.n for row in window.rows] == [4, 8]
    assert window.status_label.text() == (f"Stopped: {refusal}. "
                                          "Kept the 2 lengths measured before it.")
    assert "c0392b" in window.status_label.styleSheet()
    assert window.plots["depth"].point_counts()["rnn_sequential"] == 2
    assert window.save_csv_button.isEnabled()


def test_an_engine_failure_keeps_the_rows_and_says_what_failed(qtbot, make_lab, tiny_rows):
    window = make_lab()

    def work(on_result, progress, cancel):
        on_result(tiny_rows[0])
        raise RuntimeError("boom at n = 8")

    with qtbot.waitSignal(window.runner.failed, timeout=SWEEP_TIMEOUT_MS) as blocker:
        window.start_sweep(work)
    assert blocker.args == ["the sweep failed: RuntimeError: boom at n = 8", ""]
    assert window.status_label.text() == ("Stopped: the sweep failed: RuntimeError: boom at n = 8. "
                                          "Kept the 1 length measured before it.")
    assert [row.n for row in window.rows] == [4]
    assert window.result.rows == (tiny_rows[0],)  # partial rows can still be saved
    assert window.save_csv_button.isEnabled()


def test_a_config_error_from_the_worker_shows_beside_its_field(qtbot, make_lab):
    window = make_lab()

    def work(on_result, progress, cancel):
        raise ConfigError("repeats", "must be between 1 and 100, got 0")

    with qtbot.waitSignal(window.runner.failed, timeout=SWEEP_TIMEOUT_MS):
        window.start_sweep(work)
    assert window.controls.shown_errors() == {"repeats": "Repeats must be between 1 and 100, got 0"}
    assert window.status_label.text() == "Fix the setting marked in red, then run again."


@pytest.fixture
def runner(qtbot, jobs):
    runner = CostLabRunner(jobs=jobs)
    yield runner
    runner.cancel()


def test_a_newer_run_drops_the_older_runs_rows_and_result(qtbot, runner, tiny_rows):
    release_first = threading.Event()
    rows, results = [], []
    runner.row_arrived.connect(rows.append)
    runner.finished.connect(results.append)

    def first(on_result, progress, cancel):
        assert release_first.wait(10)
        on_result(tiny_rows[0])  # stale by now: dropped
        return "first"

    def second(on_result, progress, cancel):
        on_result(tiny_rows[1])
        return "second"

    runner.run_work(first)
    with qtbot.waitSignal(runner.finished, timeout=SWEEP_TIMEOUT_MS):
        runner.run_work(second)
    release_first.set()
    assert runner.jobs.join(SWEEP_TIMEOUT_MS / 1000)
    with qtbot.assertNotEmitted(runner.row_arrived):
        runner.jobs.drain()
    assert [row.n for row in rows] == [8]
    assert results == ["second"]
    assert runner.busy is False


def test_progress_reaches_the_window_and_the_final_tick_is_never_dropped(qtbot, make_lab):
    window = make_lab()
    seen = []
    window.runner.progress.connect(lambda fraction, label: seen.append((fraction, label)))
    result = run_sweep(qtbot, window)
    assert isinstance(result, LabResult)
    assert seen[0] == (0.0, "n = 4: RNN, our step loop, run 1 of 1")
    assert seen[-1] == (1.0, "done")
    assert [fraction for fraction, _label in seen] == sorted(fraction for fraction, _label in seen)
