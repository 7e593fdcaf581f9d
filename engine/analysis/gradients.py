"""Gradient flow in float64: connectivity maps C[t, k] = ||d(r . y_t)/d x_k|| for both models.

The RNN map is one backward sweep through time that carries a cotangent row for every output
position at once (rows t >= j at step j), so the whole T x T map costs one pass of batched products
instead of T separate backward passes. The attention map uses the closed form of the layer's
Jacobian, which is exact and needs no loop over positions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from engine.models.attention import AttentionResult, AttentionWeights, score_scale
from engine.models.rnn import RNNStepper

_CHUNK_ELEMENTS = 4_000_000  # caps the (rows, T, 2nh) blocks of the attention map held at once


@dataclass(frozen=True)
class RNNGradients:
    connectivity: np.ndarray  # (T, T)  C[t, k], zero above the diagonal (an RNN cannot look ahead)
    state_norm: np.ndarray  # (T,)  ||dL/dh_j|| (with c_j for the LSTM), L = r . h_{T-1}


def rnn_gradients(stepper: RNNStepper, readout: torch.Tensor,
                  on_step: Callable[[int], None] | None = None) -> RNNGradients:
    """Backprop through time from every position at once. readout: (H,)."""
    cell = stepper.cell
    T, H = stepper.length, cell.hidden_size
    hidden = stepper.hidden  # (T, H)
    zero_state = hidden.new_zeros(H)
    cotangents = [hidden.new_zeros(T, H) for _ in cell.initial_state()]  # rows: output position t
    connectivity = hidden.new_zeros(T, T)
    state_norm = np.zeros(T)
    for j in reversed(range(T)):
        cotangents[0][j] = readout  # the loss r . h_j starts at its own position
        state_norm[j] = math.sqrt(sum(float(c[T - 1] @ c[T - 1]) for c in cotangents))
        h_prev = hidden[j - 1] if j > 0 else zero_state
        rows = tuple(c[j:] for c in cotangents)  # (T-j, H) each
        da_input, previous = cell.backward_step(rows, stepper.caches[j], hidden[j], h_prev)
        grad_x = da_input @ cell.weights.w_ih  # (T-j, D)
        connectivity[j:, j] = torch.linalg.vector_norm(grad_x, dim=1)
        for cotangent, value in zip(cotangents, previous):
            cotangent[j:] = value
        if on_step is not None:
            on_step(T - j)
    return RNNGradients(connectivity.numpy(), state_norm)


def attention_connectivity(result: AttentionResult, weights: AttentionWeights,
                           readout: torch.Tensor, scaling: bool,
                           on_rows: Callable[[int], None] | None = None) -> np.ndarray:
    """C[t, k] for the attention layer from its exact Jacobian. readout: (D,). Returns (T, T).

    With L_t = r . y_t and s_j = v_j . (W_o r) per head, dL_t/dx_k is, summed over heads,
        A[t,k] u  +  c E[t,k] W_k q_t  +  [k == t] c W_q sum_j E[t,j] k_j,
    where u = W_v W_o r, E[t,j] = A[t,j] (s_j - L_t) is the softmax's backward and c the score scale.
    """
    nh, T, hs = result.q.shape
    c = score_scale(hs, scaling)
    w_o = weights.w_o.reshape(nh, hs, -1)  # (nh, hs, D)
    readout_heads = w_o @ readout  # (nh, hs)
    u = torch.einsum("hde,he->hd", weights.w_v, readout_heads)  # (nh, D)
    s = torch.einsum("hte,he->ht", result.v, readout_heads)  # (nh, T)
    per_head_loss = torch.einsum("htj,hj->ht", result.weights, s)  # (nh, T)
    e = c * result.weights * (s[:, None, :] - per_head_loss[:, :, None])  # (nh, T, T)
    key_dirs = torch.einsum("hte,hde->htd", result.q, weights.w_k)  # (nh, T, D)  W_k q_t
    query_dirs = torch.einsum("hte,hde->htd", e @ result.k, weights.w_q).sum(0)  # (T, D)
    # Off the diagonal, row (t, k) of the Jacobian is coefficients (2nh,) times a basis (2nh, D)
    # that depends on t only, so its squared norm is a quadratic form in the basis's Gram matrix.
    basis = torch.cat([u[:, None, :].expand(nh, T, -1), key_dirs], dim=0).transpose(0, 1)  # (T, 2nh, D)
    gram = basis @ basis.transpose(1, 2)  # (T, 2nh, 2nh)
    coefficients = torch.cat([result.weights, e], dim=0).permute(1, 2, 0)  # (T, T, 2nh)
    squared = torch.empty(T, T, dtype=u.dtype)
    chunk = max(1, _CHUNK_ELEMENTS // max(1, T * 2 * nh))
    for first in range(0, T, chunk):
        rows = slice(first, min(T, first + chunk))
        block = coefficients[rows]  # (R, T, 2nh)
        squared[rows] = ((block @ gram[rows]) * block).sum(dim=2)  # (R, T)
        if on_rows is not None:
            on_rows(rows.stop)
    connectivity = squared.clamp_min(0.0).sqrt()  # (T, T)
    positions = torch.arange(T)
    diagonal_jac = (coefficients[positions, positions, None, :] @ basis).squeeze(1)  # (T, D)
    connectivity[positions, positions] = torch.linalg.vector_norm(diagonal_jac + query_dirs, dim=1)
    return connectivity.numpy()


def pascanu_bounds(length: int, lambda1: float, gamma: float,
                   input_norm_bound: float) -> tuple[np.ndarray, np.ndarray]:
    """Upper bounds for an Elman RNN from the last position back (Pascanu et al. 2013).

    ||dL/dh_j|| <= (lambda1 gamma)^(T-1-j) with ||r|| = 1, and ||dL/dx_j|| is at most that times
    gamma * sigma_max(W_ih). Returned as (state bound, input bound), each (T,), capped at 1e300.
    """
    hops = np.arange(length - 1, -1, -1, dtype=np.float64)  # (T,)  T-1-j
    rate = lambda1 * gamma
    with np.errstate(divide="ignore", over="ignore"):
        log_state = hops * np.log10(rate) if rate > 0 else np.where(hops == 0, 0.0, -np.inf)
    state = 10.0 ** np.minimum(log_state, 300.0)
    return state, np.minimum(state * gamma * input_norm_bound, 1e300)
