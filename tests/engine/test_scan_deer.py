"""DEER and quasi-DEER reach the step loop's trajectory on contracting dynamics, say clearly when
they do not on chaotic ones, and take iterations that grow with n only when the dynamics expand."""

import numpy as np
import pytest
import torch

from engine.analysis.deer_convergence import (SweepSettings, deer_convergence,
                                              iterations_against_length, iterations_against_scale)
from engine.core.config import SimConfig
from engine.models.deer import deer_solve
from engine.models.rnn import RNNStepper, build_cell


def _case(length, scale, seed=1, hidden=8, activation="tanh"):
    config = SimConfig(d_model=6, hidden_size=hidden, recurrent_scale=scale, seed=seed,
                       activation=activation)
    words = torch.from_numpy(np.random.default_rng(seed).standard_normal((length, 6)))  # (T, D)
    return build_cell(config), words


@pytest.mark.parametrize("jacobian", ["full", "diagonal"])
@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_converges_to_the_loop_on_contracting_dynamics(jacobian, activation):
    cell, words = _case(64, 0.5, activation=activation)
    run = deer_convergence(cell, words, jacobian=jacobian)
    assert run.result.converged and run.result.status == "converged"
    assert run.lambda1_gamma < 1
    assert run.errors[-1] <= 1e-10
    loop = RNNStepper(cell, words).run().numpy()
    np.testing.assert_allclose(run.result.hidden.numpy(), loop, rtol=0, atol=1e-10)
    assert run.result.message.startswith("converged in")
    assert len(run.errors) == len(run.result.residuals) == run.result.iterations + 1


def test_full_newton_converges_fast_and_quasi_newton_slower():
    cell, words = _case(64, 0.5)
    full = deer_convergence(cell, words, jacobian="full")
    quasi = deer_convergence(cell, words, jacobian="diagonal")
    assert full.result.iterations <= 6 < quasi.result.iterations
    assert np.all(np.diff(full.errors) < 0)  # every Newton step gets closer


def test_each_iteration_makes_one_more_leading_state_exact():
    cell, words = _case(12, 3.0)
    loop = RNNStepper(cell, words).run().numpy()
    run = deer_convergence(cell, words, record=True, max_iterations=12)
    for i, iterate in enumerate(run.iterates):
        np.testing.assert_allclose(iterate[:i], loop[:i], rtol=0, atol=1e-12)
    assert not run.iterates[0].any() and not run.iterates[0].flags.writeable


@pytest.mark.parametrize("jacobian", ["full", "diagonal"])
def test_chaotic_dynamics_stop_at_the_iteration_limit_and_say_so(jacobian):
    cell, words = _case(256, 10.0)
    result = deer_solve(cell, words, jacobian=jacobian, max_iterations=20)
    assert result.status == "max_iterations" and not result.converged
    assert result.iterations == 20 and len(result.residuals) == 21
    assert result.message.startswith("did not converge within 20 iterations")


def test_overflow_is_reported_as_divergence():
    cell, words = _case(1024, 10.0)
    result = deer_solve(cell, words, max_iterations=20)
    assert result.status == "diverged" and not result.converged
    assert not np.isfinite(result.residuals[-1])
    assert "diverged after" in result.message


def test_iterations_grow_with_n_only_when_the_dynamics_expand():
    settings = SweepSettings(max_iterations=40)
    contracting = iterations_against_length([8, 16, 32, 64], 0.5, settings)
    chaotic = iterations_against_length([8, 16, 32, 64], 6.0, settings)
    assert all(p.status == "converged" and p.iterations <= 6 for p in contracting)
    assert [p.iterations for p in chaotic] == sorted(p.iterations for p in chaotic)
    assert chaotic[-1].iterations > 4 * contracting[-1].iterations
    assert all(p.lambda1_gamma > 1 for p in chaotic)


def test_iterations_against_scale_and_determinism():
    done = []
    points = iterations_against_scale([0.25, 1.0, 6.0], 48, SweepSettings(max_iterations=48),
                                      on_point=done.append)
    assert done == [1, 2, 3]
    rates = [p.lambda1_gamma for p in points]
    assert rates == sorted(rates) and rates[0] < 1 < rates[-1]
    assert points[0].iterations < points[-1].iterations
    assert points == iterations_against_scale([0.25, 1.0, 6.0], 48, SweepSettings(max_iterations=48))


def test_bad_requests_are_refused_clearly():
    cell, words = _case(8, 0.5)
    with pytest.raises(ValueError, match="unknown Jacobian"):
        deer_solve(cell, words, jacobian="dense")
    with pytest.raises(ValueError, match="at least one iteration"):
        deer_solve(cell, words, max_iterations=0)
    with pytest.raises(ValueError, match="one sentence"):
        deer_solve(cell, words[:0])
    lstm = build_cell(SimConfig(d_model=6, hidden_size=8, cell="lstm"))
    with pytest.raises(ValueError, match="Elman"):
        deer_solve(lstm, words)
