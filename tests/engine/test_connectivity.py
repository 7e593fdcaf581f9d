"""Gradient connectivity maps and BPTT state norms equal torch.autograd Jacobians and finite differences."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import engine.analysis.gradients
from engine import SimConfig, simulate
from engine.analysis.gradients import pascanu_bounds, rnn_gradients
from engine.models.cells import CellWeights, ElmanCell
from engine.models.rnn import RNNStepper
from engine_reference import (as_tensor, finite_difference_column, independent_cell_step,
                              jacobian_norms, rnn_hidden_function, sdpa_attention,
                              sinusoidal_reference)

SENTENCE = "The quick brown fox jumps over the lazy dog ."  # T = 10, "the" twice
T = 10
RNN_CASES = [("rnn", "tanh"), ("rnn", "relu"), ("rnn", "sigmoid"), ("rnn", "identity"),
             ("lstm", "tanh"), ("gru", "tanh")]
TOL = dict(rtol=1e-10, atol=1e-14)


def _rnn_trace(cell, activation, seed=1, scale=1.0):
    config = SimConfig(d_model=12, hidden_size=10, cell=cell, activation=activation, seed=seed,
                       recurrent_scale=scale, head_size=4)
    return simulate(SENTENCE, config)


def _rnn_function(trace):
    r = trace.rnn
    return rnn_hidden_function(trace.config.cell, trace.config.activation,
                               r.w_ih, r.w_hh, r.b_ih, r.b_hh)


@pytest.mark.parametrize("cell,activation", RNN_CASES)
def test_rnn_connectivity_equals_autograd(cell, activation):
    trace = _rnn_trace(cell, activation)
    function = _rnn_function(trace)
    x = as_tensor(trace.embeddings)
    with torch.no_grad():
        np.testing.assert_allclose(trace.rnn.hidden, function(x).numpy(), rtol=0, atol=1e-12)
    expected = jacobian_norms(function, x, trace.rnn.readout)
    got = trace.rnn.connectivity
    assert got.shape == (T, T) and got.dtype == np.float64
    np.testing.assert_allclose(got, expected, **TOL)
    assert np.all(got[np.triu_indices(T, 1)] == 0.0)
    assert np.all(np.diag(got) > 0.0)
    np.testing.assert_allclose(np.linalg.norm(trace.rnn.readout), 1.0, rtol=1e-14)
    np.testing.assert_array_equal(trace.rnn.input_gradient, got[-1])


@pytest.mark.parametrize("cell,activation", [("rnn", "tanh"), ("lstm", "tanh"), ("gru", "tanh")])
def test_rnn_connectivity_agrees_with_finite_differences(cell, activation):
    trace = _rnn_trace(cell, activation, seed=4)
    function = _rnn_function(trace)
    for k in (0, T // 2, T - 1):
        column = finite_difference_column(function, trace.embeddings, trace.rnn.readout, k)
        np.testing.assert_allclose(trace.rnn.connectivity[:, k], column, rtol=1e-6, atol=1e-10)


def _independent_state_norms(trace) -> np.ndarray:
    """||d(r . h_{T-1}) / d(h_j [, c_j])|| with the state at j made a leaf, by torch.nn cells."""
    r = trace.rnn
    step = independent_cell_step(trace.config.cell, trace.config.activation,
                                 r.w_ih, r.w_hh, r.b_ih, r.b_hh)
    x = as_tensor(trace.embeddings)
    readout = as_tensor(r.readout)
    n_state = 2 if trace.config.cell == "lstm" else 1
    norms = []
    for j in range(T):
        with torch.no_grad():
            state = tuple(torch.zeros(r.w_hh.shape[1], dtype=torch.float64) for _ in range(n_state))
            for t in range(j + 1):
                state = step(x[t], state)
        leaves = tuple(s.clone().requires_grad_(True) for s in state)
        state = leaves
        for t in range(j + 1, T):
            state = step(x[t], state)
        grads = torch.autograd.grad(state[0] @ readout, leaves, allow_unused=True)
        squares = sum(float((g * g).sum()) for g in grads if g is not None)
        norms.append(np.sqrt(squares))
    return np.array(norms)


@pytest.mark.parametrize("cell,activation", RNN_CASES)
def test_state_norm_equals_autograd(cell, activation):
    trace = _rnn_trace(cell, activation, seed=2)
    expected = _independent_state_norms(trace)
    np.testing.assert_allclose(trace.rnn.state_norm, expected, **TOL)
    assert trace.rnn.state_norm[-1] == pytest.approx(1.0, rel=1e-14)


ATTENTION_CASES = [
    dict(causal=False, scaling=True, positional="none", heads=1),
    dict(causal=True, scaling=True, positional="none", heads=2),
    dict(causal=False, scaling=False, positional="sinusoidal", heads=3),
    dict(causal=True, scaling=False, positional="sinusoidal", heads=4),
    dict(causal=False, scaling=True, positional="sinusoidal", heads=2),
]


def _attention_trace(case, seed=3):
    config = SimConfig(d_model=12, hidden_size=4, head_size=5, seed=seed, **case)
    return simulate(SENTENCE, config)


def _attention_function(trace):
    a, config = trace.attention, trace.config
    positions = (sinusoidal_reference(T, config.d_model) if config.positional == "sinusoidal"
                 else np.zeros((T, config.d_model)))
    p = as_tensor(positions)
    return lambda x: sdpa_attention(x + p, a.w_q, a.w_k, a.w_v, a.w_o,
                                    causal=config.causal, scaling=config.scaling)[1]


@pytest.mark.parametrize("case", ATTENTION_CASES, ids=lambda c: "-".join(map(str, c.values())))
def test_attention_connectivity_equals_autograd(case):
    trace = _attention_trace(case)
    function = _attention_function(trace)
    x = as_tensor(trace.embeddings)
    with torch.no_grad():
        np.testing.assert_allclose(trace.attention.output, function(x).numpy(), rtol=1e-11, atol=1e-12)
    expected = jacobian_norms(function, x, trace.attention.readout)
    got = trace.attention.connectivity
    assert got.shape == (T, T) and got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(np.linalg.norm(trace.attention.readout), 1.0, rtol=1e-14)
    above = got[np.triu_indices(T, 1)]
    if case["causal"]:
        assert np.all(above == 0.0)
    else:
        assert np.all(above > 0.0)  # every word reaches every output in one hop


def test_attention_inputs_hold_independent_sinusoidal_positions():
    trace = _attention_trace(ATTENTION_CASES[2])
    np.testing.assert_allclose(trace.attention.inputs,
                               trace.embeddings + sinusoidal_reference(T, 12), rtol=0, atol=1e-13)
    plain = _attention_trace(ATTENTION_CASES[0])
    np.testing.assert_array_equal(plain.attention.inputs, plain.embeddings)


@pytest.mark.parametrize("case", [ATTENTION_CASES[1], ATTENTION_CASES[2]])
def test_attention_connectivity_agrees_with_finite_differences(case):
    trace = _attention_trace(case, seed=8)
    function = _attention_function(trace)
    for k in (0, 4, T - 1):
        column = finite_difference_column(function, trace.embeddings, trace.attention.readout, k)
        np.testing.assert_allclose(trace.attention.connectivity[:, k], column, rtol=1e-6, atol=1e-10)


def test_attention_connectivity_is_the_same_when_computed_in_small_chunks(monkeypatch):
    case = ATTENTION_CASES[1]
    whole = _attention_trace(case).attention.connectivity
    monkeypatch.setattr(engine.analysis.gradients, "_CHUNK_ELEMENTS", 1)
    chunked = _attention_trace(case).attention.connectivity
    np.testing.assert_allclose(chunked, whole, rtol=1e-13, atol=0)
    trace = _attention_trace(case)
    expected = jacobian_norms(_attention_function(trace), as_tensor(trace.embeddings),
                              trace.attention.readout)
    np.testing.assert_allclose(chunked, expected, rtol=1e-9, atol=1e-13)


@pytest.mark.parametrize("lam", [0.9, 1.1, -0.8])
def test_linear_rnn_gradients_are_exact_powers_of_lambda(lam):
    """W_hh = lam I and identity activation: ||dh_t/dh_k|| = |lam|^(t-k) exactly (Pascanu et al.)."""
    D, H, length = 6, 8, 12
    rng = np.random.default_rng(0)
    w_ih = torch.from_numpy(rng.standard_normal((H, D)))
    weights = CellWeights(w_ih, lam * torch.eye(H, dtype=torch.float64),
                          torch.from_numpy(rng.standard_normal(H)), torch.from_numpy(rng.standard_normal(H)))
    stepper = RNNStepper(ElmanCell(weights, "identity"), torch.from_numpy(rng.standard_normal((length, D))))
    stepper.run()
    readout = rng.standard_normal(H)
    readout /= np.linalg.norm(readout)
    grads = rnn_gradients(stepper, torch.from_numpy(readout))
    c = grads.connectivity
    np.testing.assert_allclose(np.diag(c), np.linalg.norm(w_ih.numpy().T @ readout), rtol=1e-13)
    for t in range(length):
        for k in range(t + 1):
            assert c[t, k] / c[t, t] == pytest.approx(abs(lam) ** (t - k), rel=1e-12)
        assert np.all(c[t, t + 1:] == 0.0)
    hops = np.arange(length - 1, -1, -1)
    np.testing.assert_allclose(grads.state_norm, abs(lam) ** hops, rtol=1e-12)
    # the bound is attained: lambda1 = |lam|, gamma = 1
    state_bound, input_bound = pascanu_bounds(length, abs(lam), 1.0, float(np.linalg.norm(w_ih.numpy(), 2)))
    np.testing.assert_allclose(grads.state_norm, state_bound, rtol=1e-12)
    assert np.all(c[-1] <= input_bound * (1 + 1e-12))


GAMMA = {"tanh": 1.0, "sigmoid": 0.25, "relu": 1.0, "identity": 1.0}


@settings(max_examples=20, deadline=None)
@given(activation=st.sampled_from(sorted(GAMMA)), scale=st.sampled_from([0.3, 0.8, 1.0, 2.0, 5.0]),
       seed=st.integers(0, 10_000))
def test_pascanu_bounds_hold_for_elman(activation, scale, seed):
    trace = _rnn_trace("rnn", activation, seed=seed, scale=scale)
    r = trace.rnn
    lambda1 = float(np.linalg.norm(r.w_hh, 2))
    assert r.lambda1 == pytest.approx(lambda1, rel=1e-12)
    assert r.gamma == GAMMA[activation]
    hops = np.arange(T - 1, -1, -1)
    np.testing.assert_allclose(r.state_bound, (lambda1 * GAMMA[activation]) ** hops, rtol=1e-10)
    input_scale = GAMMA[activation] * float(np.linalg.norm(r.w_ih, 2))
    np.testing.assert_allclose(r.input_bound, r.state_bound * input_scale, rtol=1e-10)
    assert np.all(r.state_norm <= r.state_bound * (1 + 1e-12))
    assert np.all(r.connectivity[-1] <= r.input_bound * (1 + 1e-12))


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_small_recurrent_scale_makes_gradients_vanish_geometrically(activation):
    trace = _rnn_trace("rnn", activation, seed=5, scale=0.3)
    r = trace.rnn
    rate = r.lambda1 * r.gamma
    assert rate < 1.0
    hops = np.arange(T - 1, -1, -1)
    assert np.all(r.state_norm <= rate ** hops * (1 + 1e-12))
    assert np.all(np.diff(r.state_norm) > 0.0)  # smaller the further back
    assert r.state_norm[0] <= rate ** (T - 1) < 1e-3
    assert np.all(np.diff(r.connectivity[-1]) > 0.0)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_pascanu_bounds_are_nan_for_gated_cells(cell):
    r = _rnn_trace(cell, "tanh").rnn
    assert r.state_bound.shape == r.input_bound.shape == (T,)
    assert np.all(np.isnan(r.state_bound)) and np.all(np.isnan(r.input_bound))
    assert r.lambda1 == pytest.approx(float(np.linalg.norm(r.w_hh, 2)), rel=1e-12)


def test_pascanu_bounds_cap_instead_of_overflowing():
    state, inputs = pascanu_bounds(400, 10.0, 1.0, 10.0)
    assert np.all(np.isfinite(state)) and np.all(np.isfinite(inputs))
    assert state[0] == 1e300 and state[-1] == 1.0
    zero_state, _ = pascanu_bounds(4, 0.0, 1.0, 1.0)
    np.testing.assert_array_equal(zero_state, [0.0, 0.0, 0.0, 1.0])
