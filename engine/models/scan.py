"""Linear recurrences h_t = a_t h_{t-1} + b_t computed three ways: a step loop, a parallel scan
written out level by level, and the log-space scan (Heinsen, 2023).

The scan rests on one associative operator on pairs, "first span, then second span":
    (a1, b1) o (a2, b2) = (a1 a2, a2 b1 + b2),
so h_t is the b of (a_0, b_0) o (a_1, b_1) o ... o (a_t, b_t) however the products are bracketed.
a_t is a diagonal (elementwise, (..., T, H)) or a dense matrix ((..., T, H, H), where the operator
reads (A2 A1, A2 b1 + b2)); the dense form is what DEER's Newton steps need.

Hillis-Steele, not Blelloch. Hillis-Steele takes ceil(log2 n) levels, and each level is one
vectorised operation over all positions: position t joins the span ending at t - 2^j. After
level j every position holds its whole span of 2^(j+1) words, so every level is a picture of
partial results that a view can draw, and the level count is the sequential depth the clock and
the cost counts use. Its price is work: n L - 2^L + 1 operator applications (O(n log n)).
Blelloch's work-efficient scan needs about 2n applications, but in 2 ceil(log2 n) levels (an
up-sweep, then a down-sweep), and its intermediate values are not prefixes. Where the hardware
is wide enough to run a level at once (a GPU) the shorter depth is what counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from engine.core.scan_plan import ScanLevel, scan_levels


def combine(first, second):
    """(a1, b1) o (a2, b2) = (a1 a2, a2 b1 + b2) with diagonal a: tensors, floats or Fractions."""
    a1, b1 = first
    a2, b2 = second
    return a1 * a2, a2 * b1 + b2


def combine_dense(first, second):
    """(A1, b1) o (A2, b2) = (A2 A1, A2 b1 + b2) for matrices A (..., H, H) and vectors b (..., H)."""
    a1, b1 = first
    a2, b2 = second
    return a2 @ a1, (a2 @ b1.unsqueeze(-1)).squeeze(-1) + b2


def _is_dense(a: torch.Tensor, b: torch.Tensor) -> bool:
    if a.dim() == b.dim() + 1 and a.shape[-1] == a.shape[-2] == b.shape[-1]:
        return True
    if a.shape == b.shape:
        return False
    raise ValueError(f"a {tuple(a.shape)} must match b {tuple(b.shape)}, or be one (H, H) "
                     "matrix per step of b")


def _fold_initial_state(a, b, h0, dense):
    """Put h0 into the first step's b, so every scan starts from zero: b_0 <- a_0 h0 + b_0."""
    if h0 is None:
        return b
    first = (a[..., 0, :, :] @ h0.unsqueeze(-1)).squeeze(-1) if dense else a[..., 0, :] * h0
    return torch.cat([(first + b[..., 0, :]).unsqueeze(-2), b[..., 1:, :]], dim=-2)


def sequential_scan(a: torch.Tensor, b: torch.Tensor, h0: torch.Tensor | None = None) -> torch.Tensor:
    """The step loop, h_t = a_t h_{t-1} + b_t one word at a time. b: (..., T, H) -> (..., T, H)."""
    dense = _is_dense(a, b)
    h = torch.zeros_like(b[..., 0, :]) if h0 is None else h0.expand_as(b[..., 0, :])  # (..., H)
    hidden = torch.empty_like(b)
    for t in range(b.shape[-2]):
        a_t = a[..., t, :, :] if dense else a[..., t, :]
        h = (a_t @ h.unsqueeze(-1)).squeeze(-1) + b[..., t, :] if dense else a_t * h + b[..., t, :]
        hidden[..., t, :] = h
    return hidden


@dataclass(frozen=True)
class ScanResult:
    hidden: torch.Tensor  # (..., T, H)  every h_t
    levels: tuple[ScanLevel, ...]  # which positions each level joined, and the spans they cover
    level_states: tuple[np.ndarray, ...]  # (..., T, H) each: b after each level (if recorded)


def parallel_scan(a: torch.Tensor, b: torch.Tensor, h0: torch.Tensor | None = None,
                  record: bool = False,
                  on_level: Callable[[int], None] | None = None) -> ScanResult:
    """Hillis-Steele over the time axis: level j sets x_t <- x_{t-2^j} o x_t for every t >= 2^j
    at once. After the last level x_t = (a_0 ... a_t, h_t). b: (..., T, H); a: like b, or
    (..., T, H, H). With record, b after each level is kept (position t then holds the state the
    words of its span give from a zero start): one (..., T, H) array per level. on_level(j) is
    called as each level is done (timing, progress)."""
    dense = _is_dense(a, b)
    op = combine_dense if dense else combine
    a_time = -3 if dense else -2  # the time axis of a
    b = _fold_initial_state(a, b, h0, dense)
    levels = scan_levels(b.shape[-2])
    states = []
    for level in levels:
        s = level.offset
        earlier = (a.narrow(a_time, 0, a.shape[a_time] - s), b[..., :-s, :])
        later = (a.narrow(a_time, s, a.shape[a_time] - s), b[..., s:, :])
        joined_a, joined_b = op(earlier, later)  # positions s..T-1, from the previous level only
        a = torch.cat([a.narrow(a_time, 0, s), joined_a], dim=a_time)
        b = torch.cat([b[..., :s, :], joined_b], dim=-2)  # (..., T, H)
        if record:
            states.append(_frozen_copy(b))
        if on_level is not None:
            on_level(level.index)
    return ScanResult(b, levels, tuple(states))


def _frozen_copy(tensor: torch.Tensor) -> np.ndarray:
    array = tensor.detach().cpu().numpy().copy()
    array.setflags(write=False)
    return array


def log_space_scan(log_a: torch.Tensor, b: torch.Tensor, h0: torch.Tensor | None = None,
                   log_abs_b: torch.Tensor | None = None) -> torch.Tensor:
    """Heinsen (2023): h_t = A_t (h0 + sum_{k<=t} b_k / A_k) with A_t = a_0 ... a_t, in logs:
        log A = cumsum(log a), and the sum is a logcumsumexp of log b_k - log A_k.
    Neither A_t (which underflows after a few thousand decays) nor 1/A_k (which overflows) is ever
    formed. b may have either sign: its positive and negative parts are summed apart, in two real
    log-space scans (Heinsen uses complex logarithms to the same end). log_a: (..., T, H) of
    log a_t < 0 or = 0; log_abs_b: log |b|, when the caller has it more exactly than log(|b|)."""
    if log_a.shape != b.shape:
        raise ValueError(f"log a {tuple(log_a.shape)} and b {tuple(b.shape)} must have one shape")
    if h0 is not None:
        b = _fold_initial_state(log_a.exp(), b, h0, dense=False)
        log_abs_b = None
    if log_abs_b is None:
        log_abs_b = b.abs().log()
    log_prefix = torch.cumsum(log_a, dim=-2)  # (..., T, H)  log A_t
    minus_infinity = torch.tensor(-torch.inf, dtype=b.dtype, device=b.device)
    hidden = torch.zeros_like(b)
    for sign in (1.0, -1.0):
        log_part = torch.where(sign * b > 0, log_abs_b, minus_infinity)  # log of b's part of this sign
        summed = torch.logcumsumexp(log_part - log_prefix, dim=-2)  # (..., T, H)
        hidden = hidden + sign * torch.exp(log_prefix + summed)
    return hidden
