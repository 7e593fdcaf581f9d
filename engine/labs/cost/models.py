"""The cost lab's implementations on one set of weights: our stepwise RNN, torch.nn.RNN, our
attention, torch's scaled-dot-product attention, and minGRU (a recurrence linear in its state) by
its step loop and by the Hillis-Steele scan, built for a LabConfig's device and precision."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Callable

from engine.core.errors import ConfigError
from engine.labs.cost.config import LabConfig


@dataclass(frozen=True)
class LabModels:
    cell: object  # engine.models.cells.ElmanCell (tanh) on the lab's device and dtype
    fused_rnn: object  # torch.nn.RNN holding copies of the cell's weights
    attention: object  # engine.models.attention.AttentionWeights, shared by attend and the SDPA reference
    mingru: object  # engine.models.mingru.MinGRU (D -> H), shared by its step loop and its scan


def _torch_dtype(config: LabConfig):
    import torch

    return getattr(torch, config.dtype)


def _sim_config(config: LabConfig):
    """The SimConfig whose seed-0 weights the lab uses (None when D or H exceeds its ranges)."""
    from engine.core.config import SimConfig

    try:
        return SimConfig(d_model=config.d_model, hidden_size=config.hidden_size,
                         head_size=config.head_size)
    except ConfigError:
        return None


def _lab_cell(config: LabConfig):
    """build_cell's Elman cell; wider than SimConfig allows, the same draw made directly."""
    from engine.models.cells import CellWeights, ElmanCell, init_weights
    from engine.models.rnn import build_cell
    from engine.core.seeding import generator

    dtype, sim = _torch_dtype(config), _sim_config(config)
    if sim is not None:
        weights = build_cell(sim, dtype=dtype).weights
    else:
        rng = generator(0, "rnn-weights")
        weights = init_weights(1, config.d_model, config.hidden_size, 1.0, rng, dtype)
    moved = CellWeights(*(_leaf(t, config) for t in _tensors(weights)))
    return ElmanCell(moved, "tanh")


def _lab_attention(config: LabConfig):
    """init_attention_weights with one head; wider than SimConfig allows, the same draw made directly."""
    from engine.models.attention import AttentionWeights, init_attention_weights
    from engine.core.seeding import generator

    sim, dtype = _sim_config(config), _torch_dtype(config)
    if sim is not None:
        weights = init_attention_weights(sim, dtype=dtype)
    else:
        import torch

        rng, D, hs = generator(0, "attention-weights"), config.d_model, config.head_size

        def normal(shape, fan_in):
            return torch.from_numpy(rng.standard_normal(shape) / math.sqrt(fan_in)).to(dtype)

        weights = AttentionWeights(normal((1, D, hs), D), normal((1, D, hs), D),
                                   normal((1, D, hs), D), normal((hs, D), hs))
    return AttentionWeights(*(_leaf(t, config) for t in _tensors(weights)))


def _lab_mingru(config: LabConfig):
    """build_mingru's weights; wider than SimConfig allows, the same draw made directly."""
    from engine.core.seeding import generator
    from engine.models.mingru import (WEIGHT_PURPOSE, MinGRU, MinGRUWeights, build_mingru,
                                      init_mingru_weights)

    dtype, sim = _torch_dtype(config), _sim_config(config)
    if sim is not None:
        weights = build_mingru(sim, dtype=dtype).weights
    else:
        rng = generator(0, WEIGHT_PURPOSE)
        weights = init_mingru_weights(config.d_model, config.hidden_size, rng, dtype)
    return MinGRU(MinGRUWeights(*(_leaf(t, config) for t in _tensors(weights))))


def _tensors(weights) -> list:
    """A weights dataclass's tensors in field order (dataclasses.astuple would deep-copy them)."""
    return [getattr(weights, f.name) for f in dataclasses.fields(weights)]


def _leaf(tensor, config: LabConfig):
    """A copy on the lab's device that collects a gradient when backward is timed."""
    return tensor.detach().to(config.device).requires_grad_(config.backward)


def build_models(config: LabConfig) -> LabModels:
    """Our cell, torch's RNN with the same weights copied in, the attention weights and minGRU."""
    import torch

    cell = _lab_cell(config)
    fused = torch.nn.RNN(config.d_model, config.hidden_size, nonlinearity="tanh",
                         device=config.device, dtype=_torch_dtype(config))
    with torch.no_grad():
        for ours, theirs in (("w_ih", "weight_ih_l0"), ("w_hh", "weight_hh_l0"),
                             ("b_ih", "bias_ih_l0"), ("b_hh", "bias_hh_l0")):
            getattr(fused, theirs).copy_(getattr(cell.weights, ours))
    fused.requires_grad_(config.backward)
    return LabModels(cell, fused, _lab_attention(config), _lab_mingru(config))


def lab_inputs(config: LabConfig, n: int):
    """n word vectors drawn from N(0, 1), the same for every implementation. (T, D)"""
    import torch

    rng = torch.Generator().manual_seed(n)
    x = torch.randn(n, config.d_model, generator=rng, dtype=_torch_dtype(config))  # (T, D)
    return x.to(config.device).requires_grad_(config.backward)


def run_rnn_stepwise(models: LabModels, x):
    from engine.models.rnn import RNNStepper

    return RNNStepper(models.cell, x).run()  # (T, H)


def run_rnn_fused(models: LabModels, x):
    output, _last = models.fused_rnn(x[:, None, :])  # (T, 1, H): batch of one sentence
    return output[:, 0, :]  # (T, H)


def run_attention(models: LabModels, x):
    from engine.models.attention import attend

    return attend(x, models.attention, causal=False, scaling=True).output  # (T, D)


def run_attention_sdpa(models: LabModels, x):
    import torch
    import torch.nn.functional as F

    w, T = models.attention, x.shape[0]
    q = torch.einsum("td,hde->hte", x, w.w_q)[None]  # (1, nh, T, hs)
    k = torch.einsum("td,hde->hte", x, w.w_k)[None]  # (1, nh, T, hs)
    v = torch.einsum("td,hde->hte", x, w.w_v)[None]  # (1, nh, T, hs)
    heads = F.scaled_dot_product_attention(q, k, v)  # (1, nh, T, hs), scale 1/sqrt(hs)
    return heads[0].transpose(0, 1).reshape(T, -1) @ w.w_o  # (T, D)


def run_mingru_loop(models: LabModels, x):
    """The gates of every word at once, then one Python call per word: h_t = a_t h_{t-1} + b_t."""
    from engine.models.mingru import MinGRUStepper

    return MinGRUStepper(models.mingru, x).run()  # (T, H)


def run_mingru_scan(models: LabModels, x):
    """The same gates, then ceil(log2 n) Hillis-Steele levels over every word at once."""
    return models.mingru.run_scan(x).hidden  # (T, H)


RUNNERS: dict[str, Callable] = {
    "rnn_stepwise": run_rnn_stepwise, "rnn_fused": run_rnn_fused,
    "attention": run_attention, "attention_sdpa": run_attention_sdpa,
    "mingru_loop": run_mingru_loop, "mingru_scan": run_mingru_scan,
}


def uses_fused_sdpa(output) -> bool:
    """Whether autograd recorded a fused SDPA kernel (which recomputes Q·Kᵀ in backward)."""
    seen, frontier = set(), [output.grad_fn]
    while frontier:
        node = frontier.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        if type(node).__name__.startswith("ScaledDotProduct"):
            return True
        if len(seen) < 64:  # the kernel sits a few nodes above the output projection
            frontier.extend(next_node for next_node, _ in node.next_functions)
    return False


def model_leaves(models: LabModels, x) -> list:
    return [*_tensors(models.cell.weights), *models.fused_rnn.parameters(),
            *_tensors(models.attention), *_tensors(models.mingru.weights), x]
