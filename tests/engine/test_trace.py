"""Traces are deterministic, immutable, complete, and round-trip exactly through their .npz file."""

import dataclasses
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

from engine import SimConfig, Trace, TraceFileError, load_trace, simulate
from engine.core.glove import glove_problem

SENTENCE = "Attention is all you need, said the paper 📄 ."


def _config(**changes):
    base = dict(d_model=12, hidden_size=10, heads=2, head_size=4, seed=5)
    base.update(changes)
    return SimConfig(**base)


@pytest.fixture(scope="module")
def trace():
    return simulate(SENTENCE, _config())


@pytest.fixture(scope="module")
def lstm_trace():
    return simulate("one two three four", _config(cell="lstm", causal=True, positional="sinusoidal"))


def _assert_same_arrays(a: dict, b: dict):
    assert sorted(a) == sorted(b)
    for key in a:
        assert a[key].dtype == b[key].dtype, key
        assert a[key].shape == b[key].shape, key
        equal_nan = a[key].dtype.kind in "fc"  # gated cells store NaN Pascanu bounds
        assert np.array_equal(a[key], b[key], equal_nan=equal_nan), key
        assert a[key].tobytes() == b[key].tobytes(), key  # bit-identical, NaN payloads too


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_same_seed_and_config_give_bit_identical_traces(cell):
    config = _config(cell=cell, seed=123)
    first = simulate(SENTENCE, config).arrays(include_timings=False)
    second = simulate(SENTENCE, config).arrays(include_timings=False)
    _assert_same_arrays(first, second)
    assert not any(key.endswith("_seconds") for key in first)


def test_different_seed_gives_different_trace(trace):
    other = simulate(SENTENCE, _config(seed=6)).arrays(include_timings=False)
    mine = trace.arrays(include_timings=False)
    for key in ("embeddings", "rnn_w_ih", "rnn_hidden", "attn_w_q", "attn_output",
                "rnn_connectivity", "attn_connectivity"):
        assert not np.array_equal(mine[key], other[key]), key


def test_required_keys_and_shapes(trace):
    T, D, H, nh, hs = trace.length, 12, 10, 2, 4
    arrays = trace.arrays()
    assert list(arrays["tokens"]) == list(trace.tokens)
    assert trace.tokens == ("Attention", "is", "all", "you", "need", ",", "said", "the", "paper",
                            "📄", ".")
    shapes = {
        "embeddings": (T, D), "rnn_w_ih": (H, D), "rnn_w_hh": (H, H), "rnn_hidden": (T, H),
        "attn_w_q": (nh, D, hs), "attn_w_k": (nh, D, hs), "attn_w_v": (nh, D, hs),
        "attn_w_o": (nh * hs, D), "attn_q": (nh, T, hs), "attn_k": (nh, T, hs),
        "attn_v": (nh, T, hs), "attn_scores": (nh, T, T), "attn_weights": (nh, T, T),
        "attn_output": (T, D), "rnn_connectivity": (T, T), "attn_connectivity": (T, T),
        "rnn_state_norm": (T,), "rnn_step_seconds": (T,),
    }
    for key, shape in shapes.items():
        assert arrays[key].shape == shape, key
        assert arrays[key].dtype == np.float64, key
    assert SimConfig.from_json(str(arrays["config"])) == trace.config
    assert json.loads(str(arrays["config"]))["d_model"] == D
    timings = [key for key in arrays if key.endswith("_seconds")]
    assert {"rnn_step_seconds", "rnn_projection_seconds", "rnn_gradient_seconds",
            "attn_seconds", "attn_gradient_seconds"} <= set(timings)
    assert all(np.all(arrays[key] >= 0.0) for key in timings)
    assert "rnn_cell_state" not in arrays


def test_lstm_trace_has_cell_states(lstm_trace):
    arrays = lstm_trace.arrays()
    assert arrays["rnn_cell_state"].shape == (4, 10)
    assert arrays["rnn_w_ih"].shape == (40, 12)


@pytest.mark.parametrize("which", ["trace", "lstm_trace"])
def test_save_load_round_trip_is_exact(which, request, tmp_path):
    original = request.getfixturevalue(which)
    written = original.save(tmp_path / "x.npz")
    assert written == tmp_path / "x.npz" and written.is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["x.npz"]  # no temporary file left behind
    loaded = load_trace(written)
    _assert_same_arrays(original.arrays(), loaded.arrays())
    assert loaded.tokens == original.tokens
    assert loaded.sentence == original.sentence
    assert loaded.config == original.config
    assert loaded.rnn.cost == original.rnn.cost and loaded.attention.cost == original.attention.cost
    assert loaded.rnn.lambda1 == original.rnn.lambda1
    assert loaded.attention.seconds == original.attention.seconds
    assert isinstance(loaded.rnn.lambda1, float)


def test_save_adds_npz_suffix(trace, tmp_path):
    written = trace.save(tmp_path / "run")
    assert written.name == "run.npz" and written.is_file()
    assert load_trace(written).tokens == trace.tokens


def _ndarrays(record):
    for field in dataclasses.fields(record):
        value = getattr(record, field.name)
        if isinstance(value, np.ndarray):
            yield field.name, value


@pytest.mark.parametrize("source", ["simulated", "loaded"])
def test_arrays_are_read_only(trace, tmp_path, source):
    subject = trace if source == "simulated" else load_trace(trace.save(tmp_path / "ro.npz"))
    checked = 0
    for record in (subject, subject.rnn, subject.attention):
        for name, array in _ndarrays(record):
            assert not array.flags.writeable, name
            with pytest.raises(ValueError):
                array[(0,) * array.ndim] = 1.0
            checked += 1
    assert checked >= 25
    with pytest.raises(dataclasses.FrozenInstanceError):
        subject.tokens = ("x",)


def test_loading_a_missing_file_raises(tmp_path):
    with pytest.raises(TraceFileError):
        load_trace(tmp_path / "nowhere.npz")


def test_loading_a_non_npz_file_raises(tmp_path):
    path = tmp_path / "notes.npz"
    path.write_text("this is not a zip archive")
    with pytest.raises(TraceFileError):
        load_trace(path)
    folder = tmp_path / "folder.npz"
    folder.mkdir()
    with pytest.raises(TraceFileError):
        load_trace(folder)


def test_loading_an_npz_that_is_not_a_trace_raises(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, a=np.arange(3), b=np.ones(2))
    with pytest.raises(TraceFileError):
        load_trace(path)


def test_loading_a_truncated_or_incomplete_trace_raises(trace, tmp_path):
    arrays = trace.arrays()
    incomplete = {k: v for k, v in arrays.items() if k != "attn_weights"}
    np.savez(tmp_path / "incomplete.npz", **incomplete)
    with pytest.raises(TraceFileError):
        load_trace(tmp_path / "incomplete.npz")
    future = dict(arrays, format_version=np.array(99))
    np.savez(tmp_path / "future.npz", **future)
    with pytest.raises(TraceFileError):
        load_trace(tmp_path / "future.npz")
    bad_config = dict(arrays, config=np.array('{"d_model": 0}'))
    np.savez(tmp_path / "bad_config.npz", **bad_config)
    with pytest.raises(TraceFileError):
        load_trace(tmp_path / "bad_config.npz")
    good = trace.save(tmp_path / "good.npz")
    data = good.read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(TraceFileError):
        load_trace(tmp_path / "cut.npz")


def test_saving_to_a_missing_folder_raises_and_writes_nothing(trace, tmp_path):
    target = tmp_path / "missing" / "x.npz"
    with pytest.raises(TraceFileError):
        trace.save(target)
    assert not target.exists()
    assert not (tmp_path / "missing").exists()
    assert list(tmp_path.iterdir()) == []


def test_saved_file_is_a_plain_npz_without_pickles(trace, tmp_path):
    path = trace.save(tmp_path / "plain.npz")
    assert zipfile.is_zipfile(path)
    with np.load(path, allow_pickle=False) as archive:
        assert set(archive.files) == set(trace.arrays())
        assert all(archive[key].dtype != object for key in archive.files)


def test_trace_is_a_frozen_trace_instance(trace):
    assert isinstance(trace, Trace)
    assert trace.length == len(trace.tokens) == trace.embeddings.shape[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        trace.rnn.lambda1 = 0.0


def _documented_keys() -> set[str]:
    doc = Path(__file__).resolve().parents[2] / "docs" / "trace-format.md"
    keys = set()
    for line in doc.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            keys.update(re.findall(r"`([a-z_0-9]+)`", line.split("|")[1]))
    return keys


def test_docs_list_exactly_the_saved_keys(trace, lstm_trace):
    documented = _documented_keys()
    scanned = simulate("one two three", SimConfig(d_model=4, hidden_size=3, head_size=2, scan=True))
    saved = set(trace.arrays()) | set(lstm_trace.arrays()) | set(scanned.arrays())
    if glove_problem() is None:
        saved |= set(simulate("a cat", SimConfig(d_model=50, hidden_size=3, head_size=2,
                                                 word_vectors="glove")).arrays())
    else:  # only a GloVe run saves it; without the extra the docs still list it
        documented.discard("known_words")
    documented -= {"word_fallback", "weights_inputs_sha256"}  # trained word tables only:
    # test_trained_simulator.py saves and reloads such a trace
    assert saved == documented
