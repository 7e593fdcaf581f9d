"""Trustworthy timings: median, quartiles and the unsteady flag on given numbers, the stable
crossover and the slope warnings, and the repeats a trace records (old files still load)."""

import math
import zipfile

import numpy as np
import pytest
import torch

import engine.run as engine_run
from engine import SimConfig, TraceFileError, load_trace, simulate
from engine.analysis.report import comparison, format_report, timing_verdict
from engine.core.errors import RunCancelled
from engine.core.progress import CancelToken
from engine.core.timing import (Crossover, crossover_text, intraop_threads, order_is_clear,
                           slope_warning, spread_text, stable_crossover, summarize)
from engine.run import TIMING_REPEATS


def test_summary_is_the_median_and_quartiles_of_the_repeats():
    summary = summarize([5.0, 1.0, 3.0, 2.0, 4.0])
    assert (summary.median, summary.q1, summary.q3, summary.count) == (3.0, 2.0, 4.0, 5)
    assert summary.relative_spread == pytest.approx(2 / 3)
    assert summary.unsteady and spread_text(summary) == "±33%"


def test_a_tight_spread_is_steady_and_a_wide_one_is_flagged():
    steady = summarize([100e-6, 101e-6, 102e-6, 103e-6, 104e-6])
    assert not steady.unsteady and spread_text(steady) == "±1%"
    busy = summarize([100e-6, 102e-6, 150e-6, 300e-6, 310e-6])  # a busy machine stretched three
    assert busy.median == 150e-6 and busy.unsteady


def test_one_or_two_repeats_say_nothing_about_the_spread():
    single = summarize([2e-3])
    assert (single.median, single.q1, single.q3, single.count) == (2e-3, 2e-3, 2e-3, 1)
    assert single.unsteady and spread_text(single) == "1 run"
    assert summarize([1.0, 1.0]).unsteady
    with pytest.raises(ValueError):
        summarize([])


def test_an_order_is_clear_only_when_the_middle_halves_do_not_overlap():
    fast, slow = summarize([1.0, 1.1, 1.2]), summarize([2.0, 2.1, 2.2])
    assert order_is_clear(fast, slow) and order_is_clear(slow, fast)
    assert not order_is_clear(summarize([1.0, 1.9, 2.4]), slow)  # q3 2.15 > q1 2.05


def test_the_report_trusts_only_clear_and_steady_orders():
    rnn, attention = summarize([4e-4, 4.1e-4, 4.2e-4]), summarize([2e-4, 2.05e-4, 2.1e-4])
    assert timing_verdict(rnn, attention) == "attention was 2.0× faster, beyond the spread"
    assert timing_verdict(attention, rnn) == "the RNN was 2.0× faster, beyond the spread"
    assert timing_verdict(rnn, summarize([3.9e-4, 4.1e-4, 4.3e-4])).startswith("too close to call")
    busy = timing_verdict(rnn, summarize([1e-4, 2e-4, 4e-4]))
    assert busy.startswith("attention was 2.0× faster in the median, but the timings are unsteady")
    assert busy.endswith("the order may be noise")
    assert "but the timings are unsteady" in timing_verdict(rnn, summarize([2e-4]))


NS = [16, 32, 64, 128, 256, 512]


@pytest.mark.parametrize("attention, rnn, expected", [
    ([1, 1, 1, 1, 1, 1], [2] * 6, Crossover("always_faster", None, 0, True, 6)),
    ([3, 3, 3, 3, 3, 3], [2] * 6, Crossover("always_slower", None, 0, False, 6)),
    # one change: the CPU's story, attention's n² overtaking the RNN from n = 128 on
    ([1, 1, 1, 3, 3, 3], [2] * 6, Crossover("slower_from", 128, 1, False, 3)),
    # the report's case: slower at the smallest n, ten times faster later in the same run
    ([3, 0.2, 0.2, 0.2, 0.2, 0.2], [2] * 6, Crossover("faster_from", 32, 1, True, 5)),
    # one change at the largest n only: not yet confirmed
    ([1, 1, 1, 1, 1, 3], [2] * 6, Crossover("slower_from", 512, 1, False, 1)),
    # flips twice: no stable crossover, but faster at every n from 128 on
    ([1, 3, 1, 1, 1, 1], [2] * 6, Crossover("unstable", 64, 2, True, 4)),
    # flips at the largest n: no stretch of two lengths to stand on
    ([1, 3, 1, 3, 1, 3], [2] * 6, Crossover("unstable", None, 5, False, 1)),
])
def test_stable_crossover(attention, rnn, expected):
    assert stable_crossover(NS, attention, rnn) == expected


def test_the_crossover_ignores_lengths_not_measured_yet():
    assert stable_crossover(NS, [1, 3], [2, 2]) == Crossover("slower_from", 32, 1, False, 1)
    assert stable_crossover(NS, [], []) is None


def test_crossover_sentences():
    faster = crossover_text(Crossover("faster_from", 32, 1, True, 2), "SDPA", "torch.nn.RNN")
    assert faster == "SDPA is faster than torch.nn.RNN from n = 32 on (slower below): a stable crossover"
    last = crossover_text(Crossover("slower_from", 1024, 1, False, 1), "SDPA", "torch.nn.RNN")
    assert last == ("SDPA was slower than torch.nn.RNN only at the largest n, 1024 (faster below): "
                    "measure longer n to confirm a crossover")
    unstable = crossover_text(Crossover("unstable", 64, 2, True, 4), "attend()", "our step loop")
    assert unstable == ("attend() vs our step loop: no stable crossover, the order flips 2 times; "
                        "from n = 64 on it stays faster")
    always = crossover_text(Crossover("always_slower", None, 0, False, 6), "a", "b")
    assert "every n measured" in always


@pytest.mark.parametrize("time_slope, work_slope, warned", [
    (1.02, 1.0, None), (1.9, 1.6, None), (math.nan, 1.0, None),
    (-0.06, 1.0, "negative"), (4.99, 1.6, "far steeper"), (3.82, 2.0, "far steeper"),
    (0.1, 1.0, "far flatter"), (0.5, math.nan, None), (-0.5, math.nan, "negative"),
])
def test_implausible_slopes_are_named(time_slope, work_slope, warned):
    warning = slope_warning(time_slope, work_slope)
    assert (warning is None) if warned is None else warning.startswith(warned)


# ---- the repeats a trace records -----------------------------------------------------------------

@pytest.fixture(scope="module")
def trace():
    return simulate("one two three four five", SimConfig(d_model=8, hidden_size=8, head_size=4))


def test_simulate_times_each_forward_pass_several_times(trace):
    fewest, most = TIMING_REPEATS
    rnn, attention = trace.rnn.forward_repeat_seconds, trace.attention.repeat_seconds
    assert rnn.shape == attention.shape and fewest <= len(rnn) <= most
    assert np.all(rnn > 0) and np.all(attention > 0)
    assert trace.attention.seconds == np.median(attention)
    assert trace.rnn.forward_seconds == np.median(rnn)
    assert trace.rnn.forward_timing.count == len(rnn) and trace.rnn.forward_timing.spread_known
    assert trace.rnn.step_seconds.shape == (5,)


def test_the_report_carries_median_spread_and_flag(trace):
    data = comparison(trace)
    for model in ("rnn", "attention"):
        timing = data[model]["forward_timing"]
        assert timing["q1_seconds"] <= timing["median_seconds"] <= timing["q3_seconds"]
        assert timing["repeats"] >= TIMING_REPEATS[0] and isinstance(timing["unsteady"], bool)
    text = format_report(trace)
    assert "measured forward time (median)" in text and "interquartile range" in text
    assert f"timed {trace.rnn.forward_timing.count} times each on one CPU thread" in text


def test_repeats_run_on_one_thread_and_leave_the_thread_count_as_it_was():
    before = torch.get_num_threads()
    with intraop_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with intraop_threads(0):  # 0: torch's own setting
        assert torch.get_num_threads() == before
    simulate("a b", SimConfig(d_model=4, hidden_size=4, head_size=2))
    assert torch.get_num_threads() == before


def test_progress_reports_the_timing_phase():
    labels = []
    simulate("a b c", SimConfig(d_model=4, hidden_size=4, head_size=2),
             progress=lambda fraction, label: labels.append((fraction, label)))
    assert any(label.startswith("timing: repeat") for _fraction, label in labels)
    assert labels[-1] == (1.0, "timing: done")


def test_repeats_round_trip_through_the_trace_file(trace, tmp_path):
    loaded = load_trace(trace.save(tmp_path / "t.npz"))
    assert np.array_equal(loaded.rnn.forward_repeat_seconds, trace.rnn.forward_repeat_seconds)
    assert np.array_equal(loaded.attention.repeat_seconds, trace.attention.repeat_seconds)
    assert loaded.digest() == trace.digest()  # timings stay out of the digest


def _rewrite(source, target, drop=(), replace=None):
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename[:-4] in drop:
                continue
            new.writestr(info, old.read(info))
        for key, array in (replace or {}).items():
            with new.open(key + ".npy", "w") as member:
                np.lib.format.write_array(member, array)
    return target


def test_a_trace_saved_before_repeats_still_loads_as_one_measurement(trace, tmp_path):
    old = _rewrite(trace.save(tmp_path / "new.npz"), tmp_path / "old.npz",
                   drop=("rnn_forward_repeat_seconds", "attn_repeat_seconds"))
    loaded = load_trace(old)
    assert loaded.rnn.forward_repeat_seconds is None and loaded.attention.repeat_seconds is None
    assert loaded.attention.timing.count == 1 and loaded.attention.timing.unsteady
    assert loaded.rnn.forward_seconds == pytest.approx(
        loaded.rnn.projection_seconds + loaded.rnn.step_seconds.sum())
    assert "1 run" in format_report(loaded)


@pytest.mark.parametrize("bad", [np.array([]), np.array([1e-3, -1.0]), np.array([np.nan]),
                                 np.zeros((2, 2)), np.array([1, 2])])
def test_damaged_repeats_are_refused_with_a_message(trace, tmp_path, bad):
    damaged = _rewrite(trace.save(tmp_path / "new.npz"), tmp_path / "bad.npz",
                       drop=("attn_repeat_seconds",), replace={"attn_repeat_seconds": bad})
    with pytest.raises(TraceFileError, match="attn_repeat_seconds is not a list of 1 to"):
        load_trace(damaged)


@pytest.mark.parametrize("budget, repeats", [(0.0, TIMING_REPEATS[0]), (1e9, TIMING_REPEATS[1])])
def test_the_time_budget_bounds_the_repeats(monkeypatch, budget, repeats):
    monkeypatch.setattr(engine_run, "TIMING_BUDGET_SECONDS", budget)
    trace = simulate("a b c", SimConfig(d_model=4, hidden_size=4, head_size=2))
    assert len(trace.rnn.forward_repeat_seconds) == len(trace.attention.repeat_seconds) == repeats


def test_cancelling_while_timing_stops_the_run():
    token = CancelToken()

    def progress(_fraction, label):
        if label.startswith("timing"):
            token.cancel()

    with pytest.raises(RunCancelled):
        simulate("a b c d", SimConfig(d_model=4, hidden_size=4, head_size=2), progress=progress,
                 cancel=token)
