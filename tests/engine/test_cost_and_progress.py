"""Cost counts match closed forms and torch's FLOP counter; progress is monotone; cancelling stops a run."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.flop_counter import FlopCounterMode

from engine import CancelToken, RunCancelled, SimConfig, simulate, simulate_tokens
from engine.core.cost import attention_cost, rnn_cost
from engine.models.attention import attend, init_attention_weights
from engine.models.rnn import RNNStepper, build_cell

GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def _words(n):
    return [f"w{i % 5}" for i in range(n)]


@settings(max_examples=25, deadline=None)
@given(T=st.integers(1, 12), D=st.integers(1, 16).map(lambda d: 2 * d), H=st.integers(2, 20),
       nh=st.integers(1, 4), hs=st.integers(1, 8), cell=st.sampled_from(sorted(GATES)))
def test_trace_costs_equal_closed_forms(T, D, H, nh, hs, cell):
    config = SimConfig(d_model=D, hidden_size=H, heads=nh, head_size=hs, cell=cell)
    trace = simulate_tokens(_words(T), config)
    G = GATES[cell]
    rnn, attn = trace.rnn.cost, trace.attention.cost
    assert rnn.multiply_adds == T * G * H * (D + H)
    assert attn.multiply_adds == 3 * T * D * nh * hs + 2 * nh * T * T * hs + T * nh * hs * D
    assert rnn.sequential_operations == T and attn.sequential_operations == 1
    assert rnn.max_path_length == T - 1
    assert attn.max_path_length == (1 if T > 1 else 0)
    arrays = trace.arrays()
    assert int(arrays["rnn_cost_sequential_operations"]) == T
    assert int(arrays["attn_cost_max_path_length"]) == attn.max_path_length


def test_single_word_has_no_path():
    assert rnn_cost(1, 8, 8, 1).max_path_length == 0
    assert attention_cost(1, 8, 1, 8).max_path_length == 0
    assert rnn_cost(1, 8, 8, 1).sequential_operations == 1
    assert attention_cost(1, 8, 1, 8).sequential_operations == 1


def _addmv_flops(self_shape, mat_shape, vec_shape, *args, out_shape=None, **kwargs):
    return 2 * mat_shape[0] * mat_shape[1]


@pytest.mark.parametrize("cell", sorted(GATES))
def test_rnn_count_matches_torch_flop_counter(cell):
    T, D, H = 7, 12, 10
    stepper_cell = build_cell(SimConfig(d_model=D, hidden_size=H, cell=cell))
    x = torch.randn(T, D, dtype=torch.float64)
    with FlopCounterMode(display=False, custom_mapping={torch.ops.aten.addmv: _addmv_flops}) as counter:
        RNNStepper(stepper_cell, x).run()
    assert counter.get_total_flops() // 2 == rnn_cost(T, D, H, GATES[cell]).multiply_adds


@pytest.mark.parametrize("causal", [False, True])
def test_attention_count_matches_torch_flop_counter(causal):
    T, D, nh, hs = 9, 12, 3, 5
    config = SimConfig(d_model=D, heads=nh, head_size=hs)
    x = torch.randn(T, D, dtype=torch.float64)
    weights = init_attention_weights(config)
    with FlopCounterMode(display=False) as counter:
        attend(x, weights, causal=causal, scaling=True)
    assert counter.get_total_flops() // 2 == attention_cost(T, D, nh, hs).multiply_adds


@pytest.mark.parametrize("T", [4, 8, 64])
def test_attention_has_an_n_squared_term_and_the_rnn_none(T):
    """f(2T) - 2 f(T) isolates the T^2 part: 2 nh hs (2T)^2 - 2 (2 nh hs T^2) = 4 nh hs T^2 for attention."""
    D, H, nh, hs = 64, 64, 2, 32
    rnn = lambda n: rnn_cost(n, D, H, 1).multiply_adds  # noqa: E731
    attn = lambda n: attention_cost(n, D, nh, hs).multiply_adds  # noqa: E731
    assert rnn(2 * T) - 2 * rnn(T) == 0
    assert attn(2 * T) - 2 * attn(T) == 4 * nh * hs * T * T


SMALL = SimConfig(d_model=8, hidden_size=8, heads=2, head_size=4)


@pytest.mark.parametrize("config", [SMALL, SMALL.replace(cell="lstm"), SMALL.replace(cell="gru", causal=True)])
def test_progress_fractions_are_non_decreasing_and_end_at_one(config):
    seen = []
    simulate("one two three four five six seven eight nine", config,
             progress=lambda fraction, label: seen.append((fraction, label)))
    fractions = [fraction for fraction, _ in seen]
    assert len(fractions) >= 3
    assert all(0.0 <= f <= 1.0 for f in fractions)
    assert all(isinstance(label, str) and label for _, label in seen)
    decreases = [(a, b) for a, b in zip(seen, seen[1:]) if b[0] < a[0]]
    assert decreases == []
    assert fractions[-1] == pytest.approx(1.0, abs=1e-12)


def test_progress_without_callback_and_without_cancel_token_runs():
    trace = simulate("a b c", SMALL)
    assert trace.length == 3


@pytest.mark.parametrize("stop_after", [1, 3, 8, 12])
def test_cancelling_from_the_progress_callback_stops_the_run(stop_after):
    token = CancelToken()
    calls = []

    def progress(fraction, label):
        calls.append(fraction)
        if len(calls) == stop_after:
            token.cancel()

    with pytest.raises(RunCancelled):
        simulate("one two three four five six seven eight nine ten", SMALL,
                 progress=progress, cancel=token)
    assert token.cancelled
    assert len(calls) == stop_after  # the next check raised: no further progress was reported


def test_a_token_cancelled_before_the_run_stops_it_at_once():
    token = CancelToken()
    assert not token.cancelled
    token.cancel()
    calls = []
    with pytest.raises(RunCancelled):
        simulate("a b c", SMALL, progress=lambda f, label: calls.append(f), cancel=token)
    assert calls == []


def test_an_uncancelled_token_lets_the_run_finish():
    token = CancelToken()
    trace = simulate("a b c d", SMALL, cancel=token)
    assert trace.length == 4 and not token.cancelled
