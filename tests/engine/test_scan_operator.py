"""The scan's operator is associative, so every bracketing of a product gives the same state:
exactly on rationals, and to rounding on float64 tensors, diagonal and dense."""

from fractions import Fraction
from functools import reduce

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.models.scan import combine, combine_dense, parallel_scan, sequential_scan

fractions = st.fractions(min_value=-4, max_value=4, max_denominator=50)
pairs = st.tuples(fractions, fractions)


@settings(max_examples=100, deadline=None)
@given(pairs, pairs, pairs)
def test_operator_is_associative_exactly(x, y, z):
    assert combine(combine(x, y), z) == combine(x, combine(y, z))


@st.composite
def bracketed_products(draw):
    elements = draw(st.lists(pairs, min_size=1, max_size=12))
    return elements, _tree(draw, [("leaf", e) for e in elements])


def _tree(draw, nodes):
    if len(nodes) == 1:
        return nodes[0]
    split = draw(st.integers(1, len(nodes) - 1))
    return ("node", _tree(draw, nodes[:split]), _tree(draw, nodes[split:]))


def _evaluate(tree, op):
    if tree[0] == "leaf":
        return tree[1]
    return op(_evaluate(tree[1], op), _evaluate(tree[2], op))


@settings(max_examples=100, deadline=None)
@given(bracketed_products(), fractions)
def test_any_bracketing_gives_the_loops_state(product, h0):
    elements, tree = product
    state = h0
    for a, b in elements:  # the step loop: h_t = a_t h_{t-1} + b_t
        state = a * state + b
    folded = reduce(combine, elements)
    bracketed = _evaluate(tree, combine)
    assert bracketed == folded
    assert bracketed[0] * h0 + bracketed[1] == state


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 40), st.integers(1, 5), st.integers(0, 2**31 - 1), st.booleans())
def test_parallel_scan_matches_the_loop_on_float64(length, hidden, seed, dense):
    rng = np.random.default_rng(seed)
    shape = (length, hidden, hidden) if dense else (length, hidden)
    a = torch.from_numpy(rng.uniform(-1, 1, shape) / (hidden if dense else 1))
    b = torch.from_numpy(rng.standard_normal((length, hidden)))
    np.testing.assert_allclose(parallel_scan(a, b).hidden.numpy(), sequential_scan(a, b).numpy(),
                               rtol=1e-12, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_dense_operator_is_associative_to_rounding(seed):
    rng = np.random.default_rng(seed)
    x, y, z = ((torch.from_numpy(rng.standard_normal((3, 3))), torch.from_numpy(rng.standard_normal(3)))
               for _ in range(3))
    left, right = combine_dense(combine_dense(x, y), z), combine_dense(x, combine_dense(y, z))
    for l, r in zip(left, right):
        np.testing.assert_allclose(l.numpy(), r.numpy(), rtol=1e-12, atol=1e-12)
