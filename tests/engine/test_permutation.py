"""Without positions self-attention is permutation-equivariant; an RNN, and attention with positions, are not."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import SimConfig, simulate_tokens

TOKENS = ["the", "dog", "chased", "a", "red", "ball", "across", "wet", "grass", "."]


def _config(**changes):
    base = dict(d_model=16, hidden_size=12, heads=2, head_size=6, seed=7)
    base.update(changes)
    return SimConfig(**base)


def _permuted(perm):
    return [TOKENS[i] for i in perm]


@settings(max_examples=10, deadline=None)
@given(perm=st.permutations(range(len(TOKENS))), scaling=st.booleans(), heads=st.integers(1, 3))
def test_attention_without_positions_is_equivariant(perm, scaling, heads):
    config = _config(scaling=scaling, heads=heads)
    base = simulate_tokens(TOKENS, config).attention
    moved = simulate_tokens(_permuted(perm), config).attention
    p = np.array(perm)
    np.testing.assert_allclose(moved.output, base.output[p], rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(moved.weights, base.weights[:, p][:, :, p], rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(moved.connectivity, base.connectivity[p][:, p], rtol=1e-9, atol=1e-13)


def test_reversal_permutes_attention_outputs_but_not_rnn_states():
    config = _config()
    reverse = list(range(len(TOKENS)))[::-1]
    base = simulate_tokens(TOKENS, config)
    moved = simulate_tokens(_permuted(reverse), config)
    np.testing.assert_allclose(moved.embeddings, base.embeddings[reverse], rtol=0, atol=0)
    np.testing.assert_allclose(moved.attention.output, base.attention.output[reverse],
                               rtol=1e-11, atol=1e-12)
    # the RNN reads in order: its final state (and its states, reordered) differ
    assert not np.allclose(moved.rnn.hidden[-1], base.rnn.hidden[-1], rtol=1e-3, atol=1e-6)
    assert not np.allclose(moved.rnn.hidden, base.rnn.hidden[reverse], rtol=1e-3, atol=1e-6)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_rnn_final_state_depends_on_word_order(cell):
    config = _config(cell=cell)
    swap = [1, 0] + list(range(2, len(TOKENS)))
    a = simulate_tokens(TOKENS, config).rnn.hidden
    b = simulate_tokens(_permuted(swap), config).rnn.hidden
    assert np.max(np.abs(a[-1] - b[-1])) > 1e-6


def test_sinusoidal_positions_break_equivariance():
    config = _config(positional="sinusoidal")
    reverse = list(range(len(TOKENS)))[::-1]
    base = simulate_tokens(TOKENS, config).attention
    moved = simulate_tokens(_permuted(reverse), config).attention
    assert not np.allclose(moved.output, base.output[reverse], rtol=1e-3, atol=1e-6)


def test_causal_mask_breaks_equivariance():
    config = _config(causal=True)
    reverse = list(range(len(TOKENS)))[::-1]
    base = simulate_tokens(TOKENS, config).attention
    moved = simulate_tokens(_permuted(reverse), config).attention
    assert not np.allclose(moved.output, base.output[reverse], rtol=1e-3, atol=1e-6)
