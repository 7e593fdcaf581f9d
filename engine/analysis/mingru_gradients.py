"""minGRU's gradient flow in float64, in the shapes the other models use (RNNGradients): the
connectivity map C[t, k] = ||d(r . h_t)/d x_k|| and the BPTT norms ||d(r . h_{T-1})/d h_j||.

One backward sweep through time carries a cotangent row for every output position at once, as
rnn_gradients does. With h_t = a_t h_{t-1} + z_t h~_t and a_t = 1 - z_t, at word j
    d/dh~_j = g z_j,   d/dz_j = g (h~_j - h_{j-1}),   d/dh_{j-1} = g a_j,
for the cotangent g of h_j; x_j enters through both projections, dz/du = z (1 - z).
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch

from engine.analysis.gradients import RNNGradients
from engine.models.mingru import MinGRUStepper


def mingru_gradients(stepper: MinGRUStepper, readout: torch.Tensor,
                     on_step: Callable[[int], None] | None = None) -> RNNGradients:
    """Backprop through time from every position at once, after stepper.run(). readout: (H,)."""
    if not stepper.done:
        raise ValueError("run the minGRU over every word before taking its gradients")
    weights, c = stepper.model.weights, stepper.coefficients
    T, H = stepper.length, stepper.model.hidden_size
    hidden = stepper.hidden  # (T, H)
    cotangent = hidden.new_zeros(T, H)  # row t: d(r . h_t)/d h_j at the current j
    connectivity = hidden.new_zeros(T, T)
    state_norm = np.zeros(T)
    for j in reversed(range(T)):
        cotangent[j] = readout  # the loss r . h_j starts at its own position
        state_norm[j] = math.sqrt(float(cotangent[T - 1] @ cotangent[T - 1]))
        h_prev = hidden[j - 1] if j > 0 else hidden.new_zeros(H)
        rows = cotangent[j:]  # (T-j, H)
        gate = c.gate[j]
        d_gate_pre = rows * (c.candidate[j] - h_prev) * gate * (1.0 - gate)  # (T-j, H)
        d_candidate = rows * gate  # (T-j, H)
        grad_x = d_gate_pre @ weights.w_z + d_candidate @ weights.w_h  # (T-j, D)
        connectivity[j:, j] = torch.linalg.vector_norm(grad_x, dim=1)
        cotangent[j:] = rows * c.decay[j]
        if on_step is not None:
            on_step(T - j)
    return RNNGradients(connectivity.numpy(), state_norm)
