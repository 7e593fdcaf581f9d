"""Hidden attention (Ali, Zimerman & Wolf, 2024): a linear recurrence is a token-by-token matrix.

For minGRU, h_t = sum_{k<=t} M[:, t, k] h~_k channel by channel, with
    M[c, t, k] = z_k[c] * (1 - z_{k+1}[c]) * ... * (1 - z_t[c])   (0 for k > t),
the input gate of word k times the decays between k and t. Every entry lies in [0, 1] and each row
sums to 1 - prod_{j<=t} (1 - z_j[c]) <= 1 (the rest is the weight left on h_0 = 0), so it shares
softmax attention's [0, 1] colour scale. The heatmap draws the token map: the mean of M over the H
channels (M >= 0, so the mean of |M| is the same), a causal lower triangle whose rows also sum to
at most 1. For the tanh RNN, which is not linear, the Jacobian-based analogue is its connectivity
map in gradients.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from engine.models.mingru import MinGRU


@dataclass(frozen=True)
class HiddenAttention:
    per_channel: np.ndarray  # (H, T, T)  M[c, t, k], exact
    token_map: np.ndarray  # (T, T)  mean of M over the H channels, for the attention heatmap
    values: np.ndarray  # (T, H)  h~_k = W_h x_k + b_h, what M mixes: h[:, c] = M[c] @ values[:, c]

    def apply(self, values: np.ndarray | None = None) -> np.ndarray:
        """M times the values, channel by channel: the recurrence's output h (T, H)."""
        values = self.values if values is None else values
        return np.einsum("ctk,kc->tc", self.per_channel, values)


def hidden_attention(model: MinGRU, inputs: torch.Tensor) -> HiddenAttention:
    """M for one sentence (T, D), built in logs: log M = log z_k + L_t - L_k with L the running sum
    of log(1 - z), so no product of many decays is formed and nothing underflows before the end."""
    if inputs.dim() != 2:
        raise ValueError(f"hidden attention takes one sentence (T, D), not shape {tuple(inputs.shape)}")
    gate_pre, candidate = model.preactivations(inputs)  # (T, H) each
    log_decay_sum = torch.cumsum(F.logsigmoid(-gate_pre), dim=0).T  # (H, T)  L_t
    log_gate = F.logsigmoid(gate_pre).T  # (H, T)
    log_m = log_gate[:, None, :] + log_decay_sum[:, :, None] - log_decay_sum[:, None, :]  # (H, T, T)
    T = inputs.shape[0]
    causal = torch.ones(T, T, dtype=torch.bool, device=inputs.device).tril()
    per_channel = torch.where(causal, log_m.exp(), torch.zeros((), dtype=log_m.dtype))  # (H, T, T)
    return HiddenAttention(_frozen(per_channel), _frozen(per_channel.mean(dim=0)),
                           _frozen(candidate))


def hidden_attention_map(model: MinGRU, inputs: torch.Tensor, chunk_bytes: int = 2**26,
                         on_block=None) -> np.ndarray:
    """The token map alone, the mean of M over the channels (T, T), built a block of channels at
    a time so that memory stays near chunk_bytes however large H * T * T grows. on_block(done)
    is called with the channels done after each block (progress; it may raise to cancel)."""
    T, H = inputs.shape[0], model.hidden_size
    gate_pre, _candidate = model.preactivations(inputs)  # (T, H) each
    log_decay_sum = torch.cumsum(F.logsigmoid(-gate_pre), dim=0).T  # (H, T)
    log_gate = F.logsigmoid(gate_pre).T  # (H, T)
    causal = torch.ones(T, T, dtype=torch.bool, device=inputs.device).tril()
    total = torch.zeros(T, T, dtype=inputs.dtype, device=inputs.device)
    block = max(1, chunk_bytes // (8 * T * T))
    for start in range(0, H, block):
        part = slice(start, start + block)
        log_m = (log_gate[part, None, :] + log_decay_sum[part, :, None]
                 - log_decay_sum[part, None, :])  # (h, T, T)
        total += torch.where(causal, log_m.exp(), torch.zeros((), dtype=log_m.dtype)).sum(dim=0)
        if on_block is not None:
            on_block(min(start + block, H))
    return _frozen(total / H)


def difference_from_attention(token_map: np.ndarray, attention_weights: np.ndarray) -> np.ndarray:
    """Hidden attention minus softmax attention (averaged over heads), on their shared [0, 1]
    scale: the difference view. token_map (T, T); attention_weights (nh, T, T) or (T, T)."""
    weights = np.asarray(attention_weights, dtype=np.float64)
    if weights.ndim == 3:
        weights = weights.mean(axis=0)  # (T, T)
    if weights.shape != token_map.shape:
        raise ValueError(f"hidden attention {token_map.shape} and softmax attention "
                         f"{weights.shape} must cover the same words")
    return token_map - weights


def _frozen(tensor: torch.Tensor) -> np.ndarray:
    array = tensor.detach().cpu().numpy().copy()
    array.setflags(write=False)
    return array
