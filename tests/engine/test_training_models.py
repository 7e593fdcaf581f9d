"""The training lab's models against references: the batched cells against torch.nn.RNN/LSTM/GRU
with copied weights and against the engine's own cells, the attention against the engine's
attend(), a Transformer block against a plain written-out one, gradients against finite
differences in float64, and the parameter counts and their matching."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch.func import functional_call

from engine.labs.training.config import PARAMETER_TOLERANCE
from engine.labs.training.mingru_model import recurrent_model
from engine.labs.training.models import (CELL_KINDS, RECURRENT_KINDS, RecurrentModel, TransformerModel,
                                         attend_batch, matched_hidden_size, parameter_count,
                                         recurrent_parameters, transformer_parameters)
from engine.models.attention import attend
from engine.models.cells import ElmanCell, GRUCell, LSTMCell
from engine_reference import torch_sequence_module

V = 20
ATOL = 1e-12
ENGINE_CELLS = {"rnn": ElmanCell, "lstm": LSTMCell, "gru": GRUCell}


def _random(*shape, seed=0) -> torch.Tensor:
    return torch.from_numpy(np.random.default_rng(seed).standard_normal(shape))  # float64


@pytest.mark.parametrize("kind", CELL_KINDS)
def test_batched_cells_match_torch_modules_with_copied_weights(kind):
    model = RecurrentModel(kind, V, embed_width=5, hidden_size=7, seed=3, dtype=torch.float64)
    w = model.cell_weights()
    inputs = _random(4, 9, 5)  # (B, T, E)
    reference = torch_sequence_module(kind, "tanh", w.w_ih.detach(), w.w_hh.detach(),
                                      w.b_ih.detach(), w.b_hh.detach())
    expected, _ = reference(inputs.transpose(0, 1))  # (T, B, H)
    with torch.no_grad():
        assert torch.allclose(model.states(inputs), expected.transpose(0, 1), atol=ATOL)
        assert torch.allclose(model.states(inputs, every=False), expected[-1], atol=ATOL)


@pytest.mark.parametrize("kind", CELL_KINDS)
def test_batched_cells_repeat_the_engine_cells_row_by_row(kind):
    model = RecurrentModel(kind, V, embed_width=4, hidden_size=6, seed=1, dtype=torch.float64)
    cell = ENGINE_CELLS[kind](model.cell_weights())
    inputs = _random(3, 5, 4, seed=2)  # (B, T, E)
    with torch.no_grad():
        batched = model.states(inputs)  # (B, T, H)
        for row in range(inputs.shape[0]):
            state = cell.initial_state()
            projected = cell.project_inputs(inputs[row])  # (T, G*H)
            for t in range(inputs.shape[1]):
                state, _ = cell.step(projected[t], state)
                assert torch.allclose(batched[row, t], state[0], atol=ATOL)


def test_batched_attention_is_the_engines_attend_for_every_example():
    model = TransformerModel(V, width=8, heads=2, layers=1, max_length=6, seed=0,
                             dtype=torch.float64)
    weights = model.blocks[0].attention_weights()
    x = _random(3, 6, 8)  # (B, T, D)
    with torch.no_grad():
        output, maps = attend_batch(x, weights, keep_weights=True)
        for row in range(3):
            single = attend(x[row], weights, causal=True, scaling=True)
            assert torch.allclose(output[row], single.output, atol=ATOL)
            assert torch.allclose(maps[row], single.weights, atol=ATOL)
        last = attend_batch(x, weights, last_only=True)  # (B, 1, D)
        assert torch.allclose(last[:, 0], output[:, -1], atol=ATOL)


def written_out_block(x, block):
    """A pre-LayerNorm block from torch's own pieces, one head at a time."""
    nh, D, hs = block.w_q.shape
    T = x.shape[1]
    normed = F.layer_norm(x, (D,), block.ln1_gain, block.ln1_bias, eps=1e-5)
    heads = []
    for h in range(nh):
        q, k, v = normed @ block.w_q[h], normed @ block.w_k[h], normed @ block.w_v[h]
        scores = q @ k.transpose(-1, -2) / math.sqrt(hs)
        scores = scores.masked_fill(~torch.tril(torch.ones(T, T, dtype=torch.bool)), -math.inf)
        heads.append(torch.softmax(scores, dim=-1) @ v)
    x = x + torch.cat(heads, dim=-1) @ block.w_o
    hidden = F.relu(F.layer_norm(x, (D,), block.ln2_gain, block.ln2_bias, eps=1e-5) @ block.w_1
                    + block.b_1)
    return x + hidden @ block.w_2 + block.b_2


def test_a_block_matches_the_written_out_reference():
    model = TransformerModel(V, width=12, heads=3, layers=2, max_length=7, seed=5,
                             dtype=torch.float64)
    x = _random(2, 7, 12, seed=4)
    with torch.no_grad():
        for block in model.blocks:  # LayerNorms and biases other than 1 and 0
            for p in (block.ln1_gain, block.ln2_bias, block.b_1, block.b_2):
                p.add_(_random(*p.shape, seed=9) * 0.1)
            assert torch.allclose(block(x), written_out_block(x, block), atol=ATOL)
            assert torch.allclose(block(x, last_only=True)[:, 0], block(x)[:, -1], atol=ATOL)


def test_the_transformer_readout_sees_the_last_position_of_the_full_stream():
    model = TransformerModel(V, width=8, heads=2, layers=2, max_length=5, seed=2,
                             dtype=torch.float64)
    tokens = torch.tensor([[1, 2, 3, 4, 5], [5, 4, 3, 2, 1]])
    with torch.no_grad():
        full = model.readout(model.hidden(model.embed(tokens))[:, -1])
        assert torch.allclose(model(tokens), full, atol=ATOL)


def _tiny_models():
    yield from (recurrent_model(kind, 7, 3, 4, seed=0, dtype=torch.float64)
                for kind in RECURRENT_KINDS)  # minGRU too
    yield TransformerModel(7, width=4, heads=2, layers=2, max_length=4, seed=0,
                           dtype=torch.float64)


@pytest.mark.parametrize("model", list(_tiny_models()), ids=lambda m: m.kind)
def test_gradients_match_finite_differences_in_float64(model):
    inputs = _random(2, 4, model.embedding.shape[1], seed=6).requires_grad_()
    assert torch.autograd.gradcheck(model.forward_from_inputs, (inputs,))
    name = {"transformer": "blocks.0.w_q", "mingru": "w_z"}.get(model.kind, "w_hh")
    weight = dict(model.named_parameters())[name].detach().clone().requires_grad_()
    tokens = torch.tensor([[1, 2, 3, 0], [4, 5, 6, 1]])
    assert torch.autograd.gradcheck(lambda w: functional_call(model, {name: w}, (tokens,)),
                                    (weight,))


@pytest.mark.parametrize("model", list(_tiny_models()), ids=lambda m: m.kind)
def test_the_first_word_gradient_is_autograds(model):
    tokens = torch.tensor([[1, 2, 3, 0], [4, 5, 6, 1]])
    targets = torch.tensor([1, 4])
    inputs = model.embed(tokens)
    inputs.retain_grad()
    F.cross_entropy(model.forward_from_inputs(inputs), targets).backward()
    embedded = model.embed(tokens).detach().requires_grad_()
    (expected,) = torch.autograd.grad(
        F.cross_entropy(model.forward_from_inputs(embedded), targets), embedded)
    assert torch.allclose(inputs.grad[:, 0], expected[:, 0], atol=ATOL)
    assert expected[:, 0].norm() > 0


@pytest.mark.parametrize("E, H", [(3, 4), (32, 120)])
@pytest.mark.parametrize("kind", RECURRENT_KINDS)
def test_recurrent_parameter_count_formula(kind, E, H):
    model = recurrent_model(kind, V, E, H, seed=0)
    assert parameter_count(model) == recurrent_parameters(kind, V, E, H)


@pytest.mark.parametrize("D, heads, layers, T", [(4, 1, 1, 3), (32, 2, 2, 33)])
def test_transformer_parameter_count_formula(D, heads, layers, T):
    model = TransformerModel(V, D, heads, layers, T, seed=0)
    assert parameter_count(model) == transformer_parameters(V, D, layers, T)


@pytest.mark.parametrize("width", [8, 16, 32, 64, 128])
@pytest.mark.parametrize("T", [9, 33, 129])
@pytest.mark.parametrize("layers", [1, 2])
def test_matched_hidden_sizes_bring_counts_within_the_tolerance(width, T, layers):
    target = transformer_parameters(83, width, layers, T)
    for kind in RECURRENT_KINDS:
        hidden = matched_hidden_size(kind, target, 83, width)
        count = recurrent_parameters(kind, 83, width, hidden)
        assert abs(count - target) / target <= PARAMETER_TOLERANCE, (kind, hidden, count, target)


def _stepwise_states(model, inputs):
    """The states through the cell step functions one word at a time, recorded by autograd."""
    from engine.labs.training.models import elman_step, gru_step, lstm_step

    w = model.cell_weights()
    bias = w.b_ih if model.kind == "gru" else w.b_ih + w.b_hh
    projected = inputs @ w.w_ih.T + bias  # (B, T, G*H)
    h = inputs.new_zeros(inputs.shape[0], model.hidden_size)
    c, states = torch.zeros_like(h), []
    for step_input in projected.unbind(1):
        if model.kind == "rnn":
            h = elman_step(step_input, h, w)
        elif model.kind == "lstm":
            h, c = lstm_step(step_input, (h, c), w)
        else:
            h = gru_step(step_input, h, w)
        states.append(h)
    return torch.stack(states, dim=1)  # (B, T, H)


@pytest.mark.parametrize("kind", CELL_KINDS)
@pytest.mark.parametrize("every", [True, False])
def test_sequence_gradients_are_autograds_through_the_steps(kind, every):
    """The written-out backward pass through time gives autograd's gradients, for every state
    and for the last one alone."""
    model = RecurrentModel(kind, V, embed_width=5, hidden_size=6, seed=4, dtype=torch.float64)
    inputs = _random(3, 7, 5, seed=8).requires_grad_()
    weights = _random(3, 7, 6, seed=9)  # a loss that weighs every state differently
    states = model.states(inputs, every=every)
    expected_states = _stepwise_states(model, inputs)
    if not every:
        expected_states = expected_states[:, -1]
        weights = weights[:, -1]
    assert torch.allclose(states, expected_states, atol=ATOL)
    parameters = [inputs, *model.parameters()]
    ours = torch.autograd.grad((states * weights).sum(), parameters, allow_unused=True)
    theirs = torch.autograd.grad((expected_states * weights).sum(), parameters,
                                 allow_unused=True)
    for name, mine, reference in zip(["inputs", *dict(model.named_parameters())], ours, theirs):
        if reference is None:
            assert mine is None or not mine.any(), name
        else:
            assert torch.allclose(mine, reference, atol=ATOL), name


@pytest.mark.parametrize("kind", CELL_KINDS)
def test_every_state_has_finite_difference_gradients(kind):
    model = RecurrentModel(kind, 7, 3, 4, seed=0, dtype=torch.float64)
    inputs = _random(2, 4, 3, seed=6).requires_grad_()
    assert torch.autograd.gradcheck(model.states, (inputs,))
