"""Each cell's hand-written backward_step equals torch.autograd, on its own step and on torch.nn cells."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import SimConfig
from engine.models.rnn import build_cell
from engine_reference import independent_cell_step

CASES = [("rnn", "tanh"), ("rnn", "sigmoid"), ("rnn", "relu"), ("rnn", "identity"),
         ("lstm", "tanh"), ("gru", "tanh")]
TOL = dict(rtol=1e-11, atol=1e-12)


def _setup(cell_name, activation, D, H, seed, B):
    config = SimConfig(d_model=D, hidden_size=H, cell=cell_name, activation=activation, seed=seed)
    cell = build_cell(config)
    rng = np.random.default_rng(seed + 1)
    x = torch.from_numpy(rng.standard_normal(D))  # (D,)
    n_state = 2 if cell_name == "lstm" else 1
    state = tuple(torch.from_numpy(rng.uniform(-0.9, 0.9, H)) for _ in range(n_state))  # (H,) each
    cotangent = tuple(torch.from_numpy(rng.standard_normal((B, H))) for _ in range(n_state))
    return cell, x, state, cotangent


def _engine_backward(cell, x, state, cotangent):
    projected = cell.project_inputs(x[None])[0]  # (G*H,)
    new_state, cache = cell.step(projected, state)
    return cell.backward_step(cotangent, cache, new_state[0], state[0])


def _autograd_on_step(cell, x, state, cotangent):
    """VJP of the engine's own step function, one cotangent row at a time."""
    projected = cell.project_inputs(x[None])[0].detach().requires_grad_(True)
    leaves = tuple(s.clone().requires_grad_(True) for s in state)
    new_state, _ = cell.step(projected, leaves)
    rows_input, rows_state = [], [[] for _ in leaves]
    for b in range(cotangent[0].shape[0]):
        grads = torch.autograd.grad(new_state, (projected, *leaves),
                                    grad_outputs=tuple(c[b] for c in cotangent),
                                    retain_graph=True, allow_unused=True)
        rows_input.append(grads[0])
        for i, g in enumerate(grads[1:]):
            rows_state[i].append(torch.zeros_like(leaves[i]) if g is None else g)
    return torch.stack(rows_input), tuple(torch.stack(r) for r in rows_state)


def _independent_step(cell_name, activation, w):
    return independent_cell_step(cell_name, activation, w.w_ih, w.w_hh, w.b_ih, w.b_hh)


@settings(max_examples=10, deadline=None)
@given(case=st.sampled_from(CASES), D=st.integers(2, 16), H=st.integers(2, 16),
       seed=st.integers(0, 10_000), B=st.integers(2, 6))
def test_backward_step_equals_autograd_of_step(case, D, H, seed, B):
    cell_name, activation = case
    cell, x, state, cotangent = _setup(cell_name, activation, D, H, seed, B)
    da_input, previous = _engine_backward(cell, x, state, cotangent)
    ref_input, ref_previous = _autograd_on_step(cell, x, state, cotangent)
    assert da_input.shape == (B, cell.gates * H)
    assert len(previous) == len(state)
    torch.testing.assert_close(da_input, ref_input, **TOL)
    for ours, ref in zip(previous, ref_previous):
        assert ours.shape == (B, H)
        torch.testing.assert_close(ours, ref, **TOL)


@pytest.mark.parametrize("cell_name,activation", CASES)
def test_backward_step_equals_autograd_of_torch_cells(cell_name, activation):
    """Input cotangents mapped through W_ih, and state cotangents, match torch.nn.*Cell's autograd."""
    D, H, B = 7, 9, 4
    cell, x, state, cotangent = _setup(cell_name, activation, D, H, seed=17, B=B)
    da_input, previous = _engine_backward(cell, x, state, cotangent)
    grad_x_ours = da_input @ cell.weights.w_ih  # (B, D)

    step = _independent_step(cell_name, activation, cell.weights)
    for b in range(B):
        x_leaf = x.clone().requires_grad_(True)
        leaves = tuple(s.clone().requires_grad_(True) for s in state)
        new_state = step(x_leaf, leaves)
        grads = torch.autograd.grad(new_state, (x_leaf, *leaves),
                                    grad_outputs=tuple(c[b] for c in cotangent))
        torch.testing.assert_close(grad_x_ours[b], grads[0], **TOL)
        for ours, ref in zip(previous, grads[1:]):
            torch.testing.assert_close(ours[b], ref, **TOL)


@pytest.mark.parametrize("cell_name,activation", CASES)
def test_forward_step_equals_independent_cell(cell_name, activation):
    cell, x, state, _ = _setup(cell_name, activation, 6, 5, seed=4, B=2)
    projected = cell.project_inputs(x[None])[0]
    ours, _ = cell.step(projected, state)
    with torch.no_grad():
        ref = _independent_step(cell_name, activation, cell.weights)(x, state)
    for a, b in zip(ours, ref):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12)


def test_backward_is_linear_in_the_cotangent():
    """Rows are independent: the batch result equals stacking single-row results."""
    cell, x, state, cotangent = _setup("lstm", "tanh", 5, 6, seed=8, B=3)
    da_batch, prev_batch = _engine_backward(cell, x, state, cotangent)
    for b in range(3):
        single = tuple(c[b: b + 1] for c in cotangent)
        da_one, prev_one = _engine_backward(cell, x, state, single)
        torch.testing.assert_close(da_one[0], da_batch[b], rtol=1e-13, atol=1e-14)
        for one, batch in zip(prev_one, prev_batch):
            torch.testing.assert_close(one[0], batch[b], rtol=1e-13, atol=1e-14)
