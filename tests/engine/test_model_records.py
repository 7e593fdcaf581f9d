"""Each model's record in a trace (name, cost, schedule, timings), and the report built from the
records: a made-up third model gets its own column with no change to the report's code."""

import dataclasses

import numpy as np
import pytest

from engine import SimConfig, load_trace, simulate
from engine.analysis.report import comparison, format_report
from engine.core.clock import RevealSchedule
from engine.core.records import MODEL_KEYS, ModelRecord
from model_record_helpers import SCAN_KEY, SCAN_NAME, scan_record, with_scan

SENTENCE = "The cat sat on the mat ."  # T = 7


def _config(**changes):
    return SimConfig(**{**dict(d_model=6, hidden_size=5, head_size=3), **changes})


@pytest.fixture(scope="module")
def trace():
    return simulate(SENTENCE, _config())


def test_both_models_have_records_rnn_first(trace):
    assert tuple(trace.models) == MODEL_KEYS == ("rnn", "attention")
    assert all(key == record.key for key, record in trace.models.items())


def test_the_records_hold_each_models_cost_and_timings(trace):
    rnn, attention = trace.models["rnn"], trace.models["attention"]
    assert rnn.cost == trace.rnn.cost and attention.cost == trace.attention.cost
    assert rnn.forward_timing == trace.rnn.forward_timing
    assert attention.forward_timing == trace.attention.timing
    assert rnn.forward_seconds == trace.rnn.forward_seconds
    assert attention.forward_seconds == trace.attention.seconds
    np.testing.assert_array_equal(rnn.input_gradient, trace.rnn.input_gradient)
    np.testing.assert_array_equal(attention.input_gradient, trace.attention.input_gradient)
    assert rnn.elapsed_seconds.shape == (7,) and attention.elapsed_seconds.shape == (1,)
    assert np.all(np.diff(rnn.elapsed_seconds) >= 0)
    assert rnn.elapsed_seconds[-1] == pytest.approx(trace.rnn.forward_seconds)
    assert (rnn.elapsed_at(0), attention.elapsed_at(1)) == (0.0, trace.attention.seconds)


def test_the_loop_reveals_one_word_per_tick_and_attention_all_at_once(trace):
    rnn, attention = trace.models["rnn"].schedule, trace.models["attention"].schedule
    assert rnn == RevealSchedule(7, 7, (1, 2, 3, 4, 5, 6, 7))
    assert attention == RevealSchedule(7, 1, (7,))
    for record in trace.models.values():  # the schedule's steps are the counted sequential ops
        assert record.schedule.forward_steps == record.cost.sequential_operations


@pytest.mark.parametrize("changes, rnn_name, attention_name", [
    ({}, "Elman RNN (tanh)", "Self-attention (1 head)"),
    ({"activation": "relu"}, "Elman RNN (relu)", "Self-attention (1 head)"),
    ({"cell": "lstm", "heads": 2}, "LSTM", "Self-attention (2 heads)"),
    ({"cell": "gru", "heads": 3}, "GRU", "Self-attention (3 heads)"),
])
def test_the_records_name_the_models(changes, rnn_name, attention_name):
    models = simulate("a b c", _config(**changes)).models
    assert (models["rnn"].name, models["attention"].name) == (rnn_name, attention_name)
    assert models["rnn"].name_in_text == rnn_name  # a proper name keeps its capital
    assert models["attention"].name_in_text == "s" + attention_name[1:]


def test_records_come_back_with_a_saved_trace(trace, tmp_path):
    loaded = load_trace(trace.save(tmp_path / "run.npz"))
    for key, record in trace.models.items():
        again = loaded.models[key]
        assert (again.name, again.cost, again.schedule) == (record.name, record.cost, record.schedule)
        np.testing.assert_array_equal(again.elapsed_seconds, record.elapsed_seconds)


def test_records_follow_a_replaced_part_of_the_trace(trace):
    slower = dataclasses.replace(trace.attention, seconds=1.0, repeat_seconds=None)
    assert dataclasses.replace(trace, attention=slower).models["attention"].forward_seconds == 1.0


@pytest.mark.parametrize("length, levels, reach", [
    (1, 1, (1,)), (2, 1, (2,)), (3, 2, (2, 3)), (4, 2, (2, 4)), (5, 3, (2, 4, 5)),
    (8, 3, (2, 4, 8)), (9, 4, (2, 4, 8, 9)), (12, 4, (2, 4, 8, 12)),
])
def test_a_scan_takes_ceil_log2_n_levels_each_way(length, levels, reach):
    schedule = RevealSchedule.log_scan(length)
    assert (schedule.forward_steps, schedule.backward_reach) == (levels, reach)


@pytest.mark.parametrize("arguments, problem", [
    ((-1, 0, ()), "length of 0 or more"),
    ((3, 4, (1, 2, 3)), "4 forward steps do not fit"),
    ((3, 1, (1, 1, 2, 3)), "4 backward steps do not fit"),
    ((3, 1, (2, 1, 3)), "must rise from 0 to at most 3"),
    ((3, 1, (4,)), "must rise from 0 to at most 3"),
])
def test_a_schedule_that_does_not_fit_the_clock_is_refused(arguments, problem):
    with pytest.raises(ValueError, match=problem):
        RevealSchedule(*arguments)


def test_a_record_times_each_of_its_forward_steps():
    record = scan_record(5)
    with pytest.raises(ValueError, match="times 2 forward steps; its schedule has 3"):
        dataclasses.replace(record, elapsed_seconds=np.ones(2))
    assert isinstance(record, ModelRecord)


def test_a_third_record_gets_its_own_report_column(trace):
    three = with_scan(trace)
    data = comparison(three)
    assert list(data)[-3:] == ["rnn", "attention", SCAN_KEY]
    assert data[SCAN_KEY]["name"] == SCAN_NAME
    assert data[SCAN_KEY]["sequential_operations"] == 3  # ceil(log2 7)
    assert data[SCAN_KEY]["forward_timing"]["repeats"] == 5
    assert {k: v for k, v in data.items() if k != SCAN_KEY} == comparison(trace)
    two_lines, three_lines = format_report(trace).splitlines(), format_report(three).splitlines()
    assert len(two_lines) == len(three_lines)
    table = slice(5, 13)  # after sentence, tokens, weights, word vectors and a gap: heading, 7 rows
    for two, three in zip(two_lines[table], three_lines[table]):
        assert three.startswith(two) and len(three) > len(two)  # one more column on the right
    assert three_lines[5].endswith("linear scan (minGRU)")
    assert three_lines[6].split()[-3:] == ["7", "1", "3"]  # sequential operations, per model
    assert three_lines[9].endswith("300 µs")
    assert two_lines[13:] == three_lines[13:]


@pytest.mark.parametrize("key", ["min_gru", "Scan", "", "2scan", "scan lane"])
def test_a_record_key_must_make_a_file_name(key):
    """The key names export targets ("gradient-<key>-connectivity") and files."""
    import dataclasses

    from model_record_helpers import scan_record

    with pytest.raises(ValueError, match="lower-case letters and digits"):
        dataclasses.replace(scan_record(4), key=key)
