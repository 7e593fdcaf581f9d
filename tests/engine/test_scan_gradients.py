"""minGRU's connectivity map and BPTT norms equal autograd and finite differences in float64;
its hidden attention matrix times the values is the recurrence's output."""

import numpy as np
import pytest
import torch

from engine import SimConfig, simulate
from engine.analysis.hidden_attention import difference_from_attention, hidden_attention
from engine.analysis.mingru_gradients import mingru_gradients
from engine.core.seeding import unit_vector
from engine.models.mingru import MinGRUStepper, build_mingru
from engine_reference import as_tensor, finite_difference_column, jacobian_norms

T, D, H = 9, 7, 5
TOL = dict(rtol=1e-10, atol=1e-14)


def _setup(seed=2, scale=1.0):
    model = build_mingru(SimConfig(d_model=D, hidden_size=H, seed=seed))
    x = as_tensor(scale * np.random.default_rng(seed).standard_normal((T, D)))  # (T, D)
    readout = torch.from_numpy(unit_vector(seed, "mingru-readout", H))
    return model, x, readout


def _function(model):
    """x (T, D) -> h (T, H), the paper's equations in a plain differentiable loop."""
    w = model.weights

    def run(x):
        h, rows = torch.zeros(H, dtype=torch.float64), []
        for x_t in x:
            z = torch.sigmoid(w.w_z @ x_t + w.b_z)
            h = (1 - z) * h + z * (w.w_h @ x_t + w.b_h)
            rows.append(h)
        return torch.stack(rows)

    return run


@pytest.mark.parametrize("seed,scale", [(2, 1.0), (5, 3.0), (11, 0.2)])
def test_connectivity_equals_autograd(seed, scale):
    model, x, readout = _setup(seed, scale)
    stepper = MinGRUStepper(model, x)
    stepper.run()
    grads = mingru_gradients(stepper, readout)
    expected = jacobian_norms(_function(model), x, readout.numpy())
    assert grads.connectivity.shape == (T, T) and grads.connectivity.dtype == np.float64
    np.testing.assert_allclose(grads.connectivity, expected, **TOL)
    assert np.all(grads.connectivity[np.triu_indices(T, 1)] == 0.0)
    assert np.all(np.diag(grads.connectivity) > 0.0)


def test_connectivity_agrees_with_finite_differences():
    model, x, readout = _setup(4)
    stepper = MinGRUStepper(model, x)
    stepper.run()
    connectivity = mingru_gradients(stepper, readout).connectivity
    for k in (0, T // 2, T - 1):
        column = finite_difference_column(_function(model), x, readout.numpy(), k)
        np.testing.assert_allclose(connectivity[:, k], column, rtol=1e-6, atol=1e-10)


def test_state_norms_equal_autograd_with_the_state_made_a_leaf():
    model, x, readout = _setup(3)
    stepper = MinGRUStepper(model, x)
    stepper.run()
    got = mingru_gradients(stepper, readout).state_norm
    c = stepper.coefficients
    for j in range(T):
        leaf = stepper.hidden[j].clone().requires_grad_(True)
        h = leaf
        for t in range(j + 1, T):
            h = c.decay[t] * h + c.drive[t]
        (readout @ h).backward()
        np.testing.assert_allclose(got[j], float(leaf.grad.norm()), rtol=1e-12)
    # linear in the state: exactly ||r * a_{j+1} ... a_{T-1}||, the product of the decays
    np.testing.assert_allclose(got[0], float((readout * c.decay[1:].prod(dim=0)).norm()), rtol=1e-12)


def test_gradients_need_a_finished_run_and_report_progress():
    model, x, readout = _setup()
    stepper = MinGRUStepper(model, x)
    with pytest.raises(ValueError, match="every word"):
        mingru_gradients(stepper, readout)
    stepper.run()
    done = []
    mingru_gradients(stepper, readout, done.append)
    assert done == list(range(1, T + 1))


def test_hidden_attention_times_values_is_the_recurrence():
    model, x, _ = _setup(6, scale=2.0)
    hidden = MinGRUStepper(model, x).run().numpy()
    attention = hidden_attention(model, x)
    assert attention.per_channel.shape == (H, T, T) and attention.token_map.shape == (T, T)
    np.testing.assert_allclose(attention.apply(), hidden, rtol=1e-12, atol=1e-14)
    for c in range(H):  # per hidden unit: one token-by-token matrix each
        np.testing.assert_allclose(attention.per_channel[c] @ attention.values[:, c], hidden[:, c],
                                   rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(attention.token_map, attention.per_channel.mean(axis=0))


def test_hidden_attention_is_causal_and_on_softmaxs_scale():
    model, x, _ = _setup(8)
    m = hidden_attention(model, x).per_channel
    assert np.all(m[:, np.triu_indices(T, 1)[0], np.triu_indices(T, 1)[1]] == 0.0)
    assert np.all((m >= 0.0) & (m <= 1.0))
    gates = torch.sigmoid(model.preactivations(x)[0]).numpy()  # (T, H)
    kept_on_start = np.cumprod(1.0 - gates, axis=0).T  # (H, T)
    np.testing.assert_allclose(m.sum(axis=2), 1.0 - kept_on_start, rtol=1e-12)
    np.testing.assert_allclose(np.diagonal(m, axis1=1, axis2=2), gates.T, rtol=1e-12)


def test_difference_view_against_a_runs_softmax_weights():
    trace = simulate("The cat sat on the mat today .", SimConfig(d_model=D, hidden_size=H, head_size=4, heads=2))
    model = build_mingru(trace.config)
    attention = hidden_attention(model, as_tensor(trace.embeddings))
    difference = difference_from_attention(attention.token_map, trace.attention.weights)
    np.testing.assert_allclose(difference, attention.token_map - trace.attention.weights.mean(axis=0))
    with pytest.raises(ValueError, match="same words"):
        difference_from_attention(attention.token_map, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="one sentence"):
        hidden_attention(model, as_tensor(trace.embeddings)[None])
