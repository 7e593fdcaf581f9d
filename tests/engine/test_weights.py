"""WeightSet: the seed's weights bit for bit, given weights used exactly (checked against torch),
weight files that round-trip and refuse whatever does not fit, and the trace's weight source."""

import stat

import numpy as np
import pytest
import torch

from engine import EngineInputError, SimConfig, load_trace, simulate
from engine.core.atomic import FILE_MODE
from engine.core.errors import WeightsError
from engine.core.trace import SOURCE_KEYS
from engine.models.attention import init_attention_weights
from engine.models.rnn import build_cell
from engine.models.weights import NAMES, WeightSet, expected_weight_shapes
from engine_reference import sdpa_attention, torch_sequence_module

SENTENCE = "the cat sat on the mat because it was warm ."


def _config(**changes):
    base = dict(d_model=8, hidden_size=6, heads=2, head_size=3, seed=11)
    base.update(changes)
    return SimConfig(**base)


def _assert_same_run(a, b):
    """Every recorded array but the wall-clock timings and the source's wording, bit for bit."""
    left, right = a.arrays(include_timings=False), b.arrays(include_timings=False)
    assert sorted(left) == sorted(right)
    for key in left:
        if key == "weights_source":
            continue
        assert left[key].dtype == right[key].dtype, key
        assert left[key].shape == right[key].shape, key
        assert left[key].tobytes() == right[key].tobytes(), key  # NaN bounds of gated cells too
    assert a.digest() == b.digest()


def _with(weights: WeightSet, **changes) -> dict:
    arrays = weights.arrays()
    arrays.update(changes)
    return {name: value for name, value in arrays.items() if value is not None}


# ---- the seed's weights --------------------------------------------------------------------------

@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_random_weights_are_the_draw_simulate_made(cell):
    config = _config(cell=cell, recurrent_scale=0.7)
    weights = WeightSet.random(config)
    drawn = build_cell(config).weights
    attention = init_attention_weights(config)
    for name in ("w_ih", "w_hh", "b_ih", "b_hh"):
        assert weights[name].tobytes() == getattr(drawn, name).numpy().tobytes(), name
    for name in ("w_q", "w_k", "w_v", "w_o"):
        assert weights[name].tobytes() == getattr(attention, name).numpy().tobytes(), name
    assert weights.source == "random, seed 11"
    assert weights.shape_fields == {"cell": cell, "d_model": 8, "hidden_size": 6, "heads": 2,
                                    "head_size": 3}


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_given_seed_weights_give_the_seeded_run(cell):
    config = _config(cell=cell)
    _assert_same_run(simulate(SENTENCE, config, weights=WeightSet.random(config)),
                     simulate(SENTENCE, config))


def test_build_cell_and_attention_take_weights_from_a_weight_set():
    config = _config(cell="gru")
    seeded = WeightSet.random(config)
    weights = WeightSet(_with(seeded, w_hh=2.0 * seeded["w_hh"]), "test")
    cell = build_cell(config, dtype=torch.float32, weights=weights)
    assert cell.weights.w_hh.dtype == torch.float32
    assert torch.equal(cell.weights.w_hh, torch.from_numpy(weights["w_hh"].copy()).float())
    attention = init_attention_weights(config, weights=weights)
    assert torch.equal(attention.w_o, torch.from_numpy(weights["w_o"].copy()))


def test_weights_from_the_models_records_are_those_weights():
    config = _config(cell="lstm")
    weights = WeightSet.from_models(build_cell(config).weights, init_attention_weights(config),
                                    "trained in the lab")
    assert weights == WeightSet.random(config)
    assert weights.source == "trained in the lab" and weights.path is None
    with pytest.raises(AttributeError):
        weights.source = "something else"


# ---- files ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_saved_weights_load_and_run_bit_identical(cell, tmp_path):
    config = _config(cell=cell, causal=True)
    path = WeightSet.random(config).save(tmp_path / "weights.npz")
    loaded = WeightSet.load(path)
    trace = simulate(SENTENCE, config, weights=loaded)
    _assert_same_run(trace, simulate(SENTENCE, config))
    assert loaded == WeightSet.random(config)
    assert loaded.digest() == WeightSet.random(config).digest()
    assert trace.weight_source.digest == loaded.digest()
    assert trace.weight_source.description == f"file weights.npz (sha256 {loaded.digest()[:12]}…)"


def test_save_adds_the_suffix_writes_atomically_and_follows_the_umask(tmp_path):
    saved = WeightSet.random(_config()).save(tmp_path / "trained")
    assert saved == tmp_path / "trained.npz"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trained.npz"]  # no temporary left
    assert stat.S_IMODE(saved.stat().st_mode) == FILE_MODE  # what the umask allows, not 0o600
    assert WeightSet.load(saved).digest() == WeightSet.random(_config()).digest()


def test_save_into_a_missing_folder_is_a_weights_error(tmp_path):
    with pytest.raises(WeightsError, match="does not exist"):
        WeightSet.random(_config()).save(tmp_path / "nowhere" / "w.npz")


def test_the_file_holds_plain_arrays_and_a_json_header(tmp_path):
    path = WeightSet.random(_config(cell="lstm")).save(tmp_path / "w.npz")
    with np.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == sorted((*NAMES, "header"))
        assert archive["w_hh"].shape == (24, 6) and archive["w_hh"].dtype == np.float64
        header = str(archive["header"])
    assert '"cell": "lstm"' in header and '"version": 1' in header and '"d_model": 8' in header


# ---- given weights change the run, exactly as torch's modules would --------------------------------

@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_given_weights_match_torch_modules(cell):
    config = _config(cell=cell)
    seeded = WeightSet.random(config)
    scaled = WeightSet(_with(seeded, w_hh=3.0 * seeded["w_hh"], b_ih=seeded["b_ih"] + 0.5), "test")
    trace = simulate(SENTENCE, config, weights=scaled)
    assert not np.allclose(trace.rnn.hidden, simulate(SENTENCE, config).rnn.hidden)
    module = torch_sequence_module(cell, "tanh", *(scaled[name] for name in
                                                   ("w_ih", "w_hh", "b_ih", "b_hh")))
    with torch.no_grad():
        expected = module(torch.from_numpy(trace.embeddings.copy()))[0].numpy()  # (T, H)
    np.testing.assert_allclose(trace.rnn.hidden, expected, rtol=0, atol=1e-12)
    assert trace.rnn.w_hh.tobytes() == scaled["w_hh"].tobytes()
    assert trace.weight_source.description == "test"


def test_given_attention_weights_match_sdpa():
    config = _config(causal=True)
    seeded = WeightSet.random(config)
    rng = np.random.default_rng(4)
    changed = WeightSet(_with(seeded, w_q=rng.standard_normal(seeded["w_q"].shape),
                              w_o=rng.standard_normal(seeded["w_o"].shape)), "test")
    trace = simulate(SENTENCE, config, weights=changed)
    heads, output = sdpa_attention(torch.from_numpy(trace.attention.inputs.copy()),
                                   *(changed[name] for name in ("w_q", "w_k", "w_v", "w_o")),
                                   causal=True, scaling=True)
    np.testing.assert_allclose(trace.attention.head_output, heads.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(trace.attention.output, output.numpy(), rtol=0, atol=1e-12)
    assert not np.allclose(trace.attention.output, simulate(SENTENCE, config).attention.output)


def test_the_lambda1_of_given_weights_is_theirs():
    config = _config()
    seeded = WeightSet.random(config)
    doubled = WeightSet(_with(seeded, w_hh=2.0 * seeded["w_hh"]), "test")
    assert simulate(SENTENCE, config, weights=doubled).rnn.lambda1 == pytest.approx(
        2.0 * simulate(SENTENCE, config).rnn.lambda1, rel=1e-12)


# ---- refusals, each naming the weight --------------------------------------------------------------

def _bad_sets():
    seeded = WeightSet.random(_config())
    w_hh = seeded["w_hh"]
    nan = w_hh.copy()
    nan[2, 3] = np.nan
    inf = seeded["b_ih"].copy()
    inf[0] = -np.inf
    return {
        "w_hh wrong shape": ("w_hh", _with(seeded, w_hh=np.zeros((6, 7)))),
        "w_q wrong shape": ("w_q", _with(seeded, w_q=np.zeros((2, 8, 4)))),
        "w_o wrong shape": ("w_o", _with(seeded, w_o=np.zeros((6, 9)))),
        "b_ih wrong length": ("b_ih", _with(seeded, b_ih=np.zeros(5))),
        "b_hh two dimensions": ("b_hh", _with(seeded, b_hh=np.zeros((6, 1)))),
        "w_hh not a gate multiple": ("w_hh", _with(seeded, w_hh=np.zeros((12, 6)),
                                                   w_ih=np.zeros((12, 8)))),
        "w_ih float32": ("w_ih", _with(seeded, w_ih=seeded["w_ih"].astype(np.float32))),
        "w_k integers": ("w_k", _with(seeded, w_k=np.zeros((2, 8, 3), dtype=np.int64))),
        "w_v text": ("w_v", _with(seeded, w_v=np.array("weights"))),
        "w_hh NaN": ("w_hh", _with(seeded, w_hh=nan)),
        "b_ih infinite": ("b_ih", _with(seeded, b_ih=inf)),
        "w_o missing": ("w_o", _with(seeded, w_o=None)),
        "extra name": ("embeddings", _with(seeded, embeddings=np.zeros((3, 8)))),
    }


@pytest.mark.parametrize("case", list(_bad_sets()))
def test_bad_weights_are_refused_naming_the_weight(case):
    name, arrays = _bad_sets()[case]
    with pytest.raises(WeightsError) as raised:
        WeightSet(arrays, "test")
    assert raised.value.weight == name
    assert name in str(raised.value)
    assert isinstance(raised.value, EngineInputError)


@pytest.mark.parametrize("changes,name", [
    ({"cell": "lstm"}, "w_ih"),  # weights of an Elman cell given to an LSTM
    ({"hidden_size": 7}, "w_ih"),
    ({"d_model": 10}, "w_ih"),
    ({"heads": 1}, "w_q"),
    ({"head_size": 4}, "w_q"),
])
def test_weights_of_another_configuration_are_refused(changes, name):
    weights = WeightSet.random(_config())
    other = _config(**changes)
    with pytest.raises(WeightsError) as raised:
        weights.check(other)
    assert raised.value.weight == name
    message = str(raised.value)
    assert f"weight {name} has shape {weights[name].shape}" in message
    assert str(expected_weight_shapes(other)[name]) in message
    assert "cell=rnn, d_model=8, hidden_size=6, heads=2, head_size=3" in message
    with pytest.raises(WeightsError, match=f"weight {name}"):
        simulate(SENTENCE, other, weights=weights)


def test_a_gru_weight_set_is_refused_for_an_lstm(tmp_path):
    gru = WeightSet.random(_config(cell="gru"))
    with pytest.raises(WeightsError, match=r"weight w_ih has shape \(18, 8\).*needs \(24, 8\)"
                                           r".*weights are for cell=gru"):
        simulate(SENTENCE, _config(cell="lstm"), weights=gru)


def test_weight_sets_are_immutable_copies():
    seeded = WeightSet.random(_config())
    mine = seeded.arrays()
    mine["w_hh"] = mine["w_hh"].copy()
    weights = WeightSet(mine, "test")
    before = weights.digest()
    mine["w_hh"][0, 0] = 5.0  # the caller's array, not the set's
    assert weights.digest() == before == seeded.digest()
    with pytest.raises(ValueError):
        weights["w_hh"][0, 0] = 5.0
    assert weights.arrays()["w_hh"].flags.writeable is False


def test_the_digest_covers_every_value_and_only_the_values():
    seeded = WeightSet.random(_config())
    assert len(seeded.digest()) == 64 and int(seeded.digest(), 16) >= 0
    assert WeightSet(dict(reversed(list(seeded.arrays().items()))), "other").digest() \
        == seeded.digest()
    nudged = seeded["b_hh"].copy()
    nudged[-1] = np.nextafter(nudged[-1], 1.0)  # one bit
    assert WeightSet(_with(seeded, b_hh=nudged), "test").digest() != seeded.digest()
    big_endian = WeightSet(_with(seeded, w_ih=seeded["w_ih"].astype(">f8")), "test")
    assert big_endian.digest() == seeded.digest()  # the same numbers


# ---- the trace's record of the weights ---------------------------------------------------------------

def test_the_trace_records_random_weights_with_their_seed():
    trace = simulate(SENTENCE, _config(seed=42))
    assert trace.weight_source.description == "random, seed 42"
    assert trace.weight_source.digest == WeightSet.random(_config(seed=42)).digest()
    arrays = trace.arrays()
    assert str(arrays["weights_source"]) == "random, seed 42"
    assert str(arrays["weights_sha256"]) == trace.weight_source.digest


def test_a_trace_from_a_weight_file_keeps_its_source_when_saved(tmp_path):
    config = _config(cell="lstm")
    seeded = WeightSet.random(config)
    trained = WeightSet(_with(seeded, w_hh=0.5 * seeded["w_hh"]), "test")
    weights = WeightSet.load(trained.save(tmp_path / "trained.npz"))
    trace = simulate(SENTENCE, config, weights=weights)
    loaded = load_trace(trace.save(tmp_path / "trace.npz"))
    assert loaded.weight_source == trace.weight_source
    assert loaded.weight_source.description.startswith("file trained.npz (sha256 ")
    assert loaded.digest() == trace.digest()


def test_a_trace_saved_before_weight_sources_loads_as_random_from_its_seed(tmp_path):
    trace = simulate(SENTENCE, _config(seed=8))
    path = tmp_path / "old.npz"
    np.savez(path, **{key: value for key, value in trace.arrays().items()
                      if key not in SOURCE_KEYS})
    loaded = load_trace(path)
    assert loaded.weight_source.description == "random, seed 8"
    assert loaded.weight_source.digest == WeightSet.random(_config(seed=8)).digest()
    assert loaded.digest() == trace.digest()


def test_a_trace_whose_weight_digest_lies_is_refused(tmp_path):
    from engine import TraceFileError

    trace = simulate(SENTENCE, _config())
    lying = tmp_path / "lying.npz"
    np.savez(lying, **{**trace.arrays(), "weights_sha256": np.array("0" * 64)})
    with pytest.raises(TraceFileError, match="weights_sha256 .* is not the digest of its weights"):
        load_trace(lying)
    half = tmp_path / "half.npz"
    np.savez(half, **{key: value for key, value in trace.arrays().items()
                      if key != "weights_source"})
    with pytest.raises(TraceFileError, match="weights_sha256 without"):
        load_trace(half)


def test_the_trace_digest_ignores_the_source_wording():
    """Sessions saved before weight sources hold digests computed without them."""
    config = _config()
    assert simulate(SENTENCE, config, weights=WeightSet(WeightSet.random(config).arrays(),
                                                         "renamed")).digest() \
        == simulate(SENTENCE, config).digest()


def test_given_weights_are_used_as_they_are_whatever_the_recurrent_scale():
    weights = WeightSet.random(_config())
    trace = simulate(SENTENCE, _config(recurrent_scale=3.0), weights=weights)
    assert trace.rnn.w_hh.tobytes() == weights["w_hh"].tobytes()


def test_a_file_opened_by_a_relative_name_remembers_where_it_is(tmp_path, monkeypatch):
    WeightSet.random(SimConfig(d_model=4, hidden_size=4, head_size=2)).save(tmp_path / "w.npz")
    monkeypatch.chdir(tmp_path)
    assert WeightSet.load("w.npz").path == tmp_path / "w.npz"


def test_weights_of_widths_this_app_cannot_run_are_refused(tmp_path):
    from engine.models.weights import _shapes

    arrays = {name: np.zeros(shape) for name, shape in _shapes("rnn", 1, 3, 1, 2).items()}
    path = WeightSet(arrays, "").save(tmp_path / "narrow.npz")
    with pytest.raises(WeightsError, match="d_model = 1, which this app cannot run"):
        WeightSet.load(path)
