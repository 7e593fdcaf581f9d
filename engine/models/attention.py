"""Self-attention over the whole sentence in one call: softmax(Q K^T / sqrt(d_k) [+ mask]) V.

Every intermediate the GUI draws is kept. The softmax is written out rather than calling
F.scaled_dot_product_attention, which is the reference in the tests.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch

from engine.core.config import SimConfig
from engine.core.seeding import generator

if TYPE_CHECKING:
    from engine.models.weights import WeightSet


@dataclass(frozen=True)
class AttentionWeights:
    w_q: torch.Tensor  # (nh, D, hs)
    w_k: torch.Tensor  # (nh, D, hs)
    w_v: torch.Tensor  # (nh, D, hs)
    w_o: torch.Tensor  # (nh*hs, D)  mixes the concatenated heads back to width D

    @property
    def heads(self) -> int:
        return self.w_q.shape[0]

    @property
    def head_size(self) -> int:
        return self.w_q.shape[2]


@dataclass(frozen=True)
class AttentionResult:
    inputs: torch.Tensor  # (T, D)  word vectors, plus positions when configured
    q: torch.Tensor  # (nh, T, hs)
    k: torch.Tensor  # (nh, T, hs)
    v: torch.Tensor  # (nh, T, hs)
    scores: torch.Tensor  # (nh, T, T)  Q K^T times the scale, before the mask
    weights: torch.Tensor  # (nh, T, T)  softmax rows, each sums to 1
    head_output: torch.Tensor  # (nh, T, hs)  weights @ V
    output: torch.Tensor  # (T, D)
    seconds: float  # wall time of the one call


def init_attention_weights(config: SimConfig, dtype=torch.float64,
                           weights: WeightSet | None = None) -> AttentionWeights:
    """The given weights (WeightsError if they do not fit the config), or weights drawn from the
    config's seed: N(0, 1/D) projections keep q and k components near variance 1, as in the
    paper's argument."""
    if weights is not None:
        weights.check(config)
        return weights.attention_weights(dtype)
    rng = generator(config.seed, "attention-weights")
    D, nh, hs = config.d_model, config.heads, config.head_size

    def normal(shape, fan_in):
        return torch.from_numpy(rng.standard_normal(shape) / math.sqrt(fan_in)).to(dtype)

    return AttentionWeights(
        w_q=normal((nh, D, hs), D), w_k=normal((nh, D, hs), D), w_v=normal((nh, D, hs), D),
        w_o=normal((nh * hs, D), nh * hs),
    )


def score_scale(head_size: int, scaling: bool) -> float:
    return 1.0 / math.sqrt(head_size) if scaling else 1.0


def causal_mask(length: int) -> torch.Tensor:
    """True above the diagonal: word t may not look at any later word. (T, T)"""
    return torch.ones(length, length, dtype=torch.bool).triu(1)


def attend(inputs: torch.Tensor, weights: AttentionWeights, *, causal: bool,
           scaling: bool) -> AttentionResult:
    """Run the whole pipeline for every word at once and time the call."""
    start = time.perf_counter()
    T = inputs.shape[0]
    q = torch.einsum("td,hde->hte", inputs, weights.w_q)  # (nh, T, hs)
    k = torch.einsum("td,hde->hte", inputs, weights.w_k)  # (nh, T, hs)
    v = torch.einsum("td,hde->hte", inputs, weights.w_v)  # (nh, T, hs)
    scores = (q @ k.transpose(1, 2)).mul_(score_scale(weights.head_size, scaling))  # (nh, T, T)
    masked = scores.masked_fill(causal_mask(T), -math.inf) if causal else scores
    # Softmax, written out. At long sentences the T x T temporaries, not the arithmetic, cost
    # the time, so it works in place unless autograd needs exp's output (the cost lab's backward).
    shifted = torch.sub(masked, masked.amax(dim=2, keepdim=True))  # (nh, T, T)
    if shifted.requires_grad:
        exp = shifted.exp()  # (nh, T, T)
        attn = exp / exp.sum(dim=2, keepdim=True)  # (nh, T, T)  rows sum to 1
    else:
        attn = shifted.exp_()  # (nh, T, T)
        attn.div_(attn.sum(dim=2, keepdim=True))  # rows sum to 1
    head_output = attn @ v  # (nh, T, hs)
    output = head_output.transpose(0, 1).reshape(T, -1) @ weights.w_o  # (T, D)
    seconds = time.perf_counter() - start
    return AttentionResult(inputs, q, k, v, scores, attn, head_output, output, seconds)


def attention_inputs(embeddings: np.ndarray, positions: np.ndarray | None,
                     dtype=torch.float64) -> torch.Tensor:
    """X, or X + P when positions are configured. (T, D)"""
    x = embeddings if positions is None else embeddings + positions
    return torch.from_numpy(np.ascontiguousarray(x)).to(dtype)
