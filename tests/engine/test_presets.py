"""Every packaged preset shows its effect on the sentence it brings, measured through the engine."""

import json
from importlib import resources

import numpy as np
import pytest

from engine import SimConfig, simulate

MAX_VALUE_CELLS = 16 * 16  # gui.views.panels.heatmap prints numbers in matrices up to this many cells


def all_presets() -> list[dict]:
    return json.loads(resources.files("resources").joinpath("presets.json").read_text("utf-8"))["presets"]


def preset(name: str) -> dict:
    return next(p for p in all_presets() if p["name"].startswith(name))


def run(name: str, seed: int = 0, **changes):
    chosen = preset(name)
    return simulate(chosen["sentence"], SimConfig(**{**chosen["values"], "seed": seed, **changes}))


def gradient_ratio(trace) -> float:
    """||dL/dx_first|| / ||dL/dx_last|| for the loss at the last word: how the gradient changed
    on its way back through the RNN."""
    gradient = trace.rnn.input_gradient  # (T,)
    return float(gradient[0] / gradient[-1])


def test_every_preset_is_a_valid_config_with_a_sentence():
    for chosen in all_presets():
        trace = simulate(chosen["sentence"], SimConfig(**chosen["values"]))
        assert trace.length >= 5, chosen["name"]


def test_readable_preset_prints_every_number():
    trace = run("Readable")
    assert trace.length * trace.config.d_model <= MAX_VALUE_CELLS
    assert trace.length * trace.config.hidden_size <= MAX_VALUE_CELLS


def test_typical_preset_attention_is_cheaper_than_the_rnn_when_n_is_below_d():
    trace = run("Typical")
    assert trace.length < trace.config.d_model
    assert trace.attention.cost.multiply_adds < trace.rnn.cost.multiply_adds / 2


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_vanishing_preset_shrinks_the_gradient_a_millionfold(seed):
    trace = run("Vanishing", seed)
    assert trace.rnn.lambda1 * trace.rnn.gamma < 1  # Pascanu: vanishing is guaranteed
    assert gradient_ratio(trace) < 1e-6


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exploding_preset_grows_the_gradient_a_hundredfold(seed):
    trace = run("Exploding", seed)
    assert gradient_ratio(trace) > 100
    assert np.all(np.diff(trace.rnn.input_gradient) < 0)  # larger at every step further back


def test_exploding_preset_stays_flat_on_five_words_which_is_why_it_brings_a_sentence():
    chosen = preset("Exploding")
    short = simulate("The cat sat on mat", SimConfig(**chosen["values"]))
    assert gradient_ratio(short) < 10 < 100 < gradient_ratio(run("Exploding"))


def test_lstm_preset_fades_slower_than_an_elman_cell_of_the_same_size():
    lstm = run("LSTM")
    elman = run("LSTM", cell="rnn")
    assert gradient_ratio(lstm) > 10 * gradient_ratio(elman)


def test_decoder_preset_masks_later_words_and_tells_repeated_words_apart():
    trace = run("Decoder")
    weights = trace.attention.weights  # (nh, T, T)
    assert np.all(np.triu(weights, k=1) == 0)
    first, second = [i for i, token in enumerate(trace.tokens) if token.lower() == "the"][:2]
    inputs = trace.attention.inputs  # (T, D)
    assert np.abs(inputs[first] - inputs[second]).max() > 0.1
    unpositioned = run("Decoder", positional="none").attention.inputs
    assert np.array_equal(unpositioned[first], unpositioned[second])


def test_no_scaling_preset_collapses_softmax_rows():
    def mean_row_max(trace) -> float:
        return float(trace.attention.weights.max(axis=-1).mean())  # (nh, T) -> scalar

    unscaled, scaled = run("No √d_k"), run("No √d_k", scaling=True)
    assert mean_row_max(unscaled) > 0.7
    assert mean_row_max(unscaled) > 2 * mean_row_max(scaled)
