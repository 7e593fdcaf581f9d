"""minGRU's step loop, Hillis-Steele scan and log-space scan agree in float64, with torch's own
reference recurrence, for a seed, batched and at long n."""

import numpy as np
import pytest
import torch

from engine.core.config import SimConfig
from engine.models.mingru import MinGRU, MinGRUStepper, build_mingru
from engine.models.scan import log_space_scan, parallel_scan, sequential_scan
from engine_reference import as_tensor

TOL = dict(rtol=1e-12, atol=1e-13)


def _model(seed=3, d_model=8, hidden=6) -> MinGRU:
    return build_mingru(SimConfig(d_model=d_model, hidden_size=hidden, seed=seed))


def _inputs(length, d_model=8, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    return as_tensor(scale * rng.standard_normal((length, d_model)))  # (T, D)


def reference_mingru(model: MinGRU, x: torch.Tensor) -> torch.Tensor:
    """The paper's equations, written independently: h_t = (1 - z_t) h_{t-1} + z_t h~_t."""
    w = model.weights
    h = torch.zeros(model.hidden_size, dtype=torch.float64)
    rows = []
    for x_t in x:
        z = torch.sigmoid(w.w_z @ x_t + w.b_z)
        h = (1 - z) * h + z * (w.w_h @ x_t + w.b_h)
        rows.append(h)
    return torch.stack(rows)


@pytest.mark.parametrize("length", [1, 2, 3, 7, 8, 9, 33, 64])
def test_loop_scan_and_log_space_scan_agree(length):
    model, x = _model(), _inputs(length)
    expected = reference_mingru(model, x)
    loop = MinGRUStepper(model, x).run()
    np.testing.assert_allclose(loop.numpy(), expected.numpy(), **TOL)
    np.testing.assert_allclose(model.run_scan(x).hidden.numpy(), expected.numpy(), **TOL)
    np.testing.assert_allclose(model.run_log_space(x).numpy(), expected.numpy(), rtol=1e-11, atol=1e-12)


def test_the_stepper_makes_one_call_per_word():
    model, x = _model(), _inputs(5)
    stepper = MinGRUStepper(model, x)
    for t in range(5):
        assert stepper.t == t
        stepper.step()
    assert stepper.done and np.all(stepper.step_seconds >= 0)
    with pytest.raises(RuntimeError, match="already processed"):
        stepper.step()


def test_scans_are_batched_over_sentences():
    model = _model()
    x = torch.stack([_inputs(19, seed=s) for s in range(3)])  # (B, T, D)
    batched = model.run_scan(x).hidden  # (B, T, H)
    log_batched = model.run_log_space(x)
    for i in range(3):
        expected = reference_mingru(model, x[i]).numpy()
        np.testing.assert_allclose(batched[i].numpy(), expected, **TOL)
        np.testing.assert_allclose(log_batched[i].numpy(), expected, rtol=1e-11, atol=1e-12)


def test_recorded_levels_hold_each_spans_state_from_a_zero_start():
    model, x = _model(), _inputs(11)
    result = model.run_scan(x, record=True)
    assert len(result.level_states) == len(result.levels) == 4
    c = model.coefficients(x)
    for level, states in zip(result.levels, result.level_states):
        assert states.shape == (11, 6) and not states.flags.writeable
        for t in range(11):
            start = level.span_start[t]
            span_state = sequential_scan(c.decay[start:t + 1], c.drive[start:t + 1])[-1]
            np.testing.assert_allclose(states[t], span_state.numpy(), **TOL)
    np.testing.assert_array_equal(result.level_states[-1], result.hidden.numpy())
    assert model.run_scan(x).level_states == ()


def test_initial_state_and_dense_coefficients():
    rng = np.random.default_rng(5)
    a = as_tensor(0.4 * rng.standard_normal((2, 13, 4, 4)))  # (B, T, H, H)
    b = as_tensor(rng.standard_normal((2, 13, 4)))
    h0 = as_tensor(rng.standard_normal(4))
    expected = sequential_scan(a, b, h0)
    np.testing.assert_allclose(parallel_scan(a, b, h0).hidden.numpy(), expected.numpy(), **TOL)
    h = h0
    for t in range(13):  # the loop itself, checked by hand for the first sentence
        h = a[0, t] @ h + b[0, t]
    np.testing.assert_allclose(expected[0, -1].numpy(), h.numpy(), **TOL)
    decay = as_tensor(rng.uniform(0.1, 1.0, (13, 4)))
    np.testing.assert_allclose(log_space_scan(decay.log(), b[0], h0).numpy(),
                               sequential_scan(decay, b[0], h0).numpy(), **TOL)


def test_mismatched_coefficients_are_refused_clearly():
    with pytest.raises(ValueError, match="must match b"):
        parallel_scan(torch.ones(5, 3), torch.ones(5, 4))
    with pytest.raises(ValueError, match="one shape"):
        log_space_scan(torch.zeros(5, 3), torch.ones(5, 4))


def test_log_space_scan_stays_finite_where_the_direct_formula_fails():
    model, x = _model(), _inputs(20_000, scale=3.0)
    loop = MinGRUStepper(model, x).run()
    c = model.coefficients(x)
    prefix = torch.cumprod(c.decay, dim=0)  # underflows to 0 after a few thousand decays
    direct = prefix * torch.cumsum(c.drive / prefix, dim=0)
    assert not torch.isfinite(direct).all()
    np.testing.assert_allclose(model.run_log_space(x).numpy(), loop.numpy(), rtol=1e-8, atol=1e-9)


def test_weights_are_deterministic_for_a_seed():
    first, again, other = _model(seed=7), _model(seed=7), _model(seed=8)
    for name in ("w_z", "b_z", "w_h", "b_h"):
        assert torch.equal(getattr(first.weights, name), getattr(again.weights, name))
        assert not torch.equal(getattr(first.weights, name), getattr(other.weights, name))
    assert first.weights.w_z.shape == (6, 8) and first.weights.w_z.dtype == torch.float64
    bound = 1 / np.sqrt(8)
    assert float(first.weights.w_h.abs().max()) <= bound
