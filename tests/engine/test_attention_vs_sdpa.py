"""attend() equals F.scaled_dot_product_attention per head; its softmax, mask and scores are as published."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import SimConfig
from engine.models.attention import attend, init_attention_weights
from engine_reference import sdpa_attention

TOL = dict(rtol=1e-11, atol=1e-12)


def _run(T, D, heads, head_size, causal, scaling, seed=0):
    config = SimConfig(d_model=D, hidden_size=4, heads=heads, head_size=head_size, seed=seed,
                       causal=causal, scaling=scaling)
    weights = init_attention_weights(config)
    x = torch.from_numpy(np.random.default_rng(seed + 100).standard_normal((T, D)))  # (T, D)
    return x, weights, attend(x, weights, causal=causal, scaling=scaling)


@settings(max_examples=15, deadline=None)
@given(T=st.integers(1, 12), D=st.integers(2, 24), heads=st.integers(1, 4),
       head_size=st.integers(1, 10), causal=st.booleans(), scaling=st.booleans(),
       seed=st.integers(0, 1000))
def test_attend_equals_sdpa(T, D, heads, head_size, causal, scaling, seed):
    x, w, result = _run(T, D, heads, head_size, causal, scaling, seed)
    ref_heads, ref_output = sdpa_attention(x, w.w_q, w.w_k, w.w_v, w.w_o,
                                           causal=causal, scaling=scaling)
    assert result.head_output.shape == (heads, T, head_size)
    assert result.output.shape == (T, D)
    torch.testing.assert_close(result.head_output, ref_heads, **TOL)
    torch.testing.assert_close(result.output, ref_output, **TOL)


@pytest.mark.parametrize("causal", [False, True])
def test_scaling_off_equals_sdpa_with_unit_scale(causal):
    x, w, result = _run(9, 16, 3, 8, causal, scaling=False, seed=5)
    for h in range(3):
        q, k, v = x @ w.w_q[h], x @ w.w_k[h], x @ w.w_v[h]
        expected = torch.nn.functional.scaled_dot_product_attention(
            q[None], k[None], v[None], is_causal=causal, scale=1.0)[0]
        torch.testing.assert_close(result.head_output[h], expected, **TOL)
    # and it really differs from the scaled version
    _, _, scaled = _run(9, 16, 3, 8, causal, scaling=True, seed=5)
    assert not torch.allclose(scaled.weights, result.weights)


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("scaling", [False, True])
def test_projections_and_scores_before_mask(causal, scaling):
    T, D, nh, hs = 8, 12, 2, 6
    x, w, result = _run(T, D, nh, hs, causal, scaling, seed=3)
    scale = 1.0 / math.sqrt(hs) if scaling else 1.0
    for h in range(nh):
        q = x.numpy() @ w.w_q[h].numpy()
        k = x.numpy() @ w.w_k[h].numpy()
        v = x.numpy() @ w.w_v[h].numpy()
        np.testing.assert_allclose(result.q[h].numpy(), q, rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(result.k[h].numpy(), k, rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(result.v[h].numpy(), v, rtol=1e-12, atol=1e-13)
        # every score, above the diagonal too, is q.k times the scale: the mask comes after
        np.testing.assert_allclose(result.scores[h].numpy(), q @ k.T * scale, rtol=1e-12, atol=1e-12)
    assert torch.isfinite(result.scores).all()


@pytest.mark.parametrize("causal", [False, True])
def test_softmax_rows_sum_to_one_and_causal_zeros_are_exact(causal):
    T = 11
    _, _, result = _run(T, 16, 4, 4, causal, scaling=True, seed=9)
    weights = result.weights.numpy()
    assert weights.shape == (4, T, T)
    np.testing.assert_allclose(weights.sum(axis=2), 1.0, rtol=0, atol=1e-14)
    assert np.all(weights >= 0.0)
    upper = np.triu(np.ones((T, T), dtype=bool), k=1)
    if causal:
        assert np.all(weights[:, upper] == 0.0)
        np.testing.assert_array_equal(weights[:, 0, 0], 1.0)  # the first word can only see itself
    else:
        assert np.all(weights[:, upper] > 0.0)
    # weights are softmax of the (masked) scores, computed here independently
    scores = result.scores.numpy().copy()
    if causal:
        scores[:, upper] = -np.inf
    exp = np.exp(scores - scores.max(axis=2, keepdims=True))
    np.testing.assert_allclose(weights, exp / exp.sum(axis=2, keepdims=True), rtol=1e-12, atol=1e-15)


def test_output_is_concatenated_heads_times_w_o():
    T, D, nh, hs = 7, 10, 3, 5
    _, w, result = _run(T, D, nh, hs, causal=False, scaling=True, seed=2)
    heads = result.head_output.numpy()  # (nh, T, hs)
    concat = np.concatenate([heads[h] for h in range(nh)], axis=1)  # (T, nh*hs)
    assert w.w_o.shape == (nh * hs, D)
    np.testing.assert_allclose(result.output.numpy(), concat @ w.w_o.numpy(), rtol=1e-12, atol=1e-13)
    # head_output is weights @ v, head by head
    for h in range(nh):
        np.testing.assert_allclose(heads[h], result.weights[h].numpy() @ result.v[h].numpy(),
                                   rtol=1e-12, atol=1e-13)


def test_inputs_are_kept_and_time_recorded():
    x, _, result = _run(5, 8, 1, 4, causal=False, scaling=True)
    assert torch.equal(result.inputs, x)
    assert result.seconds >= 0.0


def test_scaling_restores_unit_score_variance():
    """With unit-variance word vectors and N(0, 1/D) projections, q.k has variance ~d_k; /sqrt(d_k) ~1."""
    T, D, hs = 256, 64, 64
    _, _, unscaled = _run(T, D, 1, hs, causal=False, scaling=False, seed=1)
    _, _, scaled = _run(T, D, 1, hs, causal=False, scaling=True, seed=1)
    q_var = float(unscaled.q.var())
    assert 0.7 < q_var < 1.3
    raw = float(unscaled.scores.var())
    assert 0.5 * hs < raw < 2.0 * hs
    assert 0.5 < float(scaled.scores.var()) < 2.0
    np.testing.assert_allclose(scaled.scores.numpy(), unscaled.scores.numpy() / math.sqrt(hs),
                               rtol=1e-12)
    # unscaled softmax rows are far peakier
    assert float(unscaled.weights.max(dim=2).values.mean()) > float(scaled.weights.max(dim=2).values.mean())
