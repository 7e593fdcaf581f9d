"""The scan lane in a trace: minGRU's part is there exactly when the config's scan is on, its record
joins the others, it round-trips through the .npz bit for bit, and a config or trace without it
keeps the text and digest it had before the lane existed."""

import json

import numpy as np
import pytest

from engine import SimConfig, simulate
from engine.core.clock import RevealSchedule
from engine.core.cost import mingru_scan_cost
from engine.core.trace import TraceFileError, load_trace

CONFIG = SimConfig(d_model=8, hidden_size=6, head_size=4, seed=3)
SENTENCE = "the cat sat on the mat because it was warm"


@pytest.fixture(scope="module")
def scanned():
    return simulate(SENTENCE, CONFIG.replace(scan=True))


def test_the_scan_lane_adds_a_third_record_after_the_other_two(scanned):
    T = scanned.length
    assert list(scanned.models) == ["rnn", "attention", "scan"]
    record = scanned.models["scan"]
    assert record.schedule == RevealSchedule.log_scan(T) and record.schedule.forward_steps == 4
    assert record.cost == mingru_scan_cost(T, 8, 6)
    assert record.causal and np.all(np.triu(record.connectivity, 1) == 0)
    assert scanned.scan.scan_difference <= 1e-12
    assert simulate(SENTENCE, CONFIG).scan is None
    assert list(simulate(SENTENCE, CONFIG).models) == ["rnn", "attention"]


def test_the_other_models_are_the_same_with_or_without_the_lane(scanned):
    plain = simulate(SENTENCE, CONFIG)
    for key in ("embeddings", "rnn_hidden", "attn_weights", "rnn_connectivity"):
        np.testing.assert_array_equal(plain.arrays()[key], scanned.arrays()[key])


def test_a_config_without_the_lane_keeps_its_text_and_old_text_still_reads():
    text = CONFIG.to_json()
    assert "scan" not in json.loads(text)  # as saved before the lane existed: digests unchanged
    assert SimConfig.from_json(text) == CONFIG
    assert json.loads(CONFIG.replace(scan=True).to_json())["scan"] is True
    assert SimConfig.from_json(CONFIG.replace(scan=True).to_json()).scan


def test_a_trace_with_the_lane_reloads_bit_identical(scanned, tmp_path):
    loaded = load_trace(scanned.save(tmp_path / "scan.npz"))
    assert loaded.digest() == scanned.digest()
    for key, value in scanned.arrays().items():
        assert loaded.arrays()[key].tobytes() == value.tobytes(), key
    assert loaded.models["scan"].cost == scanned.models["scan"].cost
    assert loaded.scan.loop_cost == scanned.scan.loop_cost


def _saved(arrays, path):
    np.savez(path, **{key: value for key, value in arrays.items() if value is not None})
    return path


@pytest.mark.parametrize("change, message", [
    ({"scan_level_states": np.zeros((2, 11, 6))}, "scan_level_states"),
    ({"scan_hidden": None}, "scan_hidden"),
    ({"scan_repeat_seconds": np.array([-1.0])}, "scan_repeat_seconds"),
    ({"scan_loop_cost_multiply_adds": np.array(2.5)}, "scan_loop_cost_multiply_adds"),
])
def test_damaged_scan_arrays_are_refused_by_name(scanned, tmp_path, change, message):
    with pytest.raises(TraceFileError, match=message):
        load_trace(_saved({**scanned.arrays(), **change}, tmp_path / "bad.npz"))


def test_scan_arrays_in_a_trace_whose_config_has_the_lane_off_are_refused(scanned, tmp_path):
    arrays = {**scanned.arrays(), "config": np.array(CONFIG.to_json())}
    with pytest.raises(TraceFileError, match="scan lane off"):
        load_trace(_saved(arrays, tmp_path / "bad.npz"))


def test_one_word_has_no_level_and_still_one_tick(tmp_path):
    trace = simulate("hello", CONFIG.replace(scan=True))
    assert trace.scan.levels == 0 and trace.models["scan"].schedule.forward_steps == 1
    np.testing.assert_array_equal(trace.scan.state_after(1), trace.scan.hidden)
    assert load_trace(trace.save(tmp_path / "one.npz")).digest() == trace.digest()


def test_the_same_seed_gives_the_same_digest_with_the_lane(scanned):
    again = simulate(SENTENCE, CONFIG.replace(scan=True))
    assert again.digest() == scanned.digest()  # sessions check this when they re-run
    assert simulate(SENTENCE, CONFIG.replace(scan=True, seed=4)).digest() != scanned.digest()


@pytest.mark.parametrize("key, value, message", [
    ("scan_level_states", np.nan, "not finite"),
    ("scan_hidden_attention", np.inf, "not finite"),
    ("scan_hidden_attention", 1.5, "between 0 and 1"),
    ("scan_gates", -0.2, "between 0 and 1"),
    ("scan_level_seconds", -1.0, "from 0"),
])
def test_values_a_run_cannot_produce_are_refused(scanned, tmp_path, key, value, message):
    arrays = dict(scanned.arrays())
    damaged = np.array(arrays[key])
    damaged.flat[0] = value
    arrays[key] = damaged
    with pytest.raises(TraceFileError, match=message):
        load_trace(_saved(arrays, tmp_path / "bad.npz"))


def test_a_negative_count_is_refused(scanned, tmp_path):
    arrays = {**scanned.arrays(), "scan_loop_cost_sequential_operations": np.array(-3)}
    with pytest.raises(TraceFileError, match="whole number from 0"):
        load_trace(_saved(arrays, tmp_path / "bad.npz"))


def test_traces_with_new_parts_say_format_2_and_others_keep_format_1(scanned):
    assert int(scanned.arrays()["format_version"]) == 2
    assert int(simulate(SENTENCE, CONFIG).arrays()["format_version"]) == 1
