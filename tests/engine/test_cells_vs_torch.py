"""The stepwise Elman, LSTM and GRU cells reproduce torch.nn.RNN/LSTM/GRU and a numpy loop exactly."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import SimConfig
from engine.models.rnn import RNNStepper, build_cell
from engine_reference import numpy_elman_hidden, torch_sequence_module

ATOL = 1e-12


def _inputs(T: int, D: int, seed: int) -> torch.Tensor:
    return torch.from_numpy(np.random.default_rng(seed).standard_normal((T, D)))  # (T, D)


def _cell_and_module(cell: str, activation: str, D: int, H: int, seed: int, scale: float = 1.0):
    config = SimConfig(d_model=D, hidden_size=H, cell=cell, activation=activation, seed=seed,
                       recurrent_scale=scale)
    engine_cell = build_cell(config)
    w = engine_cell.weights
    if activation not in ("tanh", "relu"):  # torch.nn.RNN has no other nonlinearity
        return engine_cell, None
    module = torch_sequence_module(cell, activation, w.w_ih, w.w_hh, w.b_ih, w.b_hh)
    return engine_cell, module


@settings(max_examples=12, deadline=None)
@given(
    cell_activation=st.sampled_from([("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"),
                                     ("gru", "tanh")]),
    T=st.integers(1, 12),
    D=st.integers(2, 24),
    H=st.integers(2, 24),
    seed=st.integers(0, 2**32 - 1),
    scale=st.sampled_from([0.3, 1.0, 2.5]),
)
def test_hidden_states_match_torch_modules(cell_activation, T, D, H, seed, scale):
    cell, activation = cell_activation
    engine_cell, module = _cell_and_module(cell, activation, D, H, seed, scale)
    x = _inputs(T, D, seed)
    ours = RNNStepper(engine_cell, x).run()  # (T, H)
    with torch.no_grad():
        theirs = module(x)[0]  # (T, H)
    assert ours.dtype == torch.float64
    assert ours.shape == (T, H)
    assert torch.allclose(ours, theirs, rtol=0, atol=ATOL)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_elman_uses_weights_in_torch_layout(activation):
    engine_cell, module = _cell_and_module("rnn", activation, 8, 16, seed=3)
    assert engine_cell.weights.w_ih.shape == module.weight_ih_l0.shape == (16, 8)
    assert engine_cell.weights.w_hh.shape == module.weight_hh_l0.shape == (16, 16)
    x = _inputs(9, 8, 4)
    with torch.no_grad():
        expected = module(x)[0]
    assert torch.allclose(RNNStepper(engine_cell, x).run(), expected, rtol=0, atol=ATOL)


def test_lstm_hidden_and_cell_states_match_torch():
    T, D, H = 10, 12, 16
    engine_cell, module = _cell_and_module("lstm", "tanh", D, H, seed=11)
    x = _inputs(T, D, 5)
    stepper = RNNStepper(engine_cell, x)
    hidden = stepper.run()
    with torch.no_grad():
        out, _ = module(x)
        # c_t for every t: the final cell state of torch.nn.LSTM run on each prefix.
        cells = torch.stack([module(x[: t + 1])[1][1][0] for t in range(T)])  # (T, H)
    assert torch.allclose(hidden, out, rtol=0, atol=ATOL)
    assert stepper.cell_state is not None
    assert torch.allclose(stepper.cell_state, cells, rtol=0, atol=ATOL)


def test_gru_matches_torch_with_large_recurrent_scale():
    engine_cell, module = _cell_and_module("gru", "tanh", 8, 8, seed=21, scale=4.0)
    x = _inputs(12, 8, 6)
    with torch.no_grad():
        expected = module(x)[0]
    assert torch.allclose(RNNStepper(engine_cell, x).run(), expected, rtol=0, atol=ATOL)


@pytest.mark.parametrize("activation", ["sigmoid", "identity", "tanh", "relu"])
@pytest.mark.parametrize("scale", [0.5, 1.0, 1.5])
def test_elman_matches_numpy_loop(activation, scale):
    T, D, H = 11, 10, 14
    engine_cell, _ = _cell_and_module("rnn", activation, D, H, seed=7, scale=scale)
    w = engine_cell.weights
    x = _inputs(T, D, 8)
    expected = numpy_elman_hidden(x.numpy(), activation, w.w_ih.numpy(), w.w_hh.numpy(),
                                  w.b_ih.numpy(), w.b_hh.numpy())
    np.testing.assert_allclose(RNNStepper(engine_cell, x).run().numpy(), expected,
                               rtol=1e-12, atol=ATOL)


def test_recurrent_scale_multiplies_only_the_recurrent_matrix():
    base = build_cell(SimConfig(d_model=6, hidden_size=8, seed=9)).weights
    scaled = build_cell(SimConfig(d_model=6, hidden_size=8, seed=9, recurrent_scale=0.25)).weights
    assert torch.equal(base.w_ih, scaled.w_ih)
    assert torch.equal(base.b_ih, scaled.b_ih)
    assert torch.equal(base.b_hh, scaled.b_hh)
    assert torch.allclose(scaled.w_hh, 0.25 * base.w_hh, rtol=0, atol=1e-15)
    bound = 1.0 / np.sqrt(8)
    assert float(base.w_hh.abs().max()) <= bound and float(base.w_ih.abs().max()) <= bound


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_step_performs_exactly_one_timestep(cell):
    T, D, H = 5, 6, 8
    engine_cell, module = _cell_and_module(cell, "tanh", D, H, seed=13)
    x = _inputs(T, D, 9)
    with torch.no_grad():
        expected = module(x)[0]  # (T, H)
    stepper = RNNStepper(engine_cell, x)
    assert stepper.t == 0 and not stepper.done and stepper.caches == []
    for t in range(T):
        returned = stepper.step()
        assert stepper.t == t + 1
        assert len(stepper.caches) == t + 1
        assert torch.allclose(returned, expected[t], rtol=0, atol=ATOL)
        assert torch.allclose(stepper.hidden[t], expected[t], rtol=0, atol=ATOL)
        assert torch.allclose(stepper.hidden[: t + 1], expected[: t + 1], rtol=0, atol=ATOL)
    assert stepper.done
    assert stepper.step_seconds.shape == (T,) and np.all(stepper.step_seconds >= 0)
    with pytest.raises(RuntimeError):
        stepper.step()
    assert stepper.t == T


def test_step_does_not_look_ahead():
    """Changing a later word leaves every earlier hidden state bit-identical."""
    cell = build_cell(SimConfig(d_model=6, hidden_size=8, seed=2))
    x = _inputs(7, 6, 1)
    changed = x.clone()
    changed[5:] += 1.0
    a = RNNStepper(cell, x).run().clone()
    b = RNNStepper(cell, changed).run().clone()
    assert torch.equal(a[:5], b[:5])
    assert not torch.equal(a[5:], b[5:])


def test_run_calls_on_step_once_per_timestep():
    cell = build_cell(SimConfig(d_model=4, hidden_size=4, cell="gru"))
    seen = []
    RNNStepper(cell, _inputs(6, 4, 0)).run(on_step=seen.append)
    assert seen == [1, 2, 3, 4, 5, 6]
