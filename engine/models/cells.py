"""Recurrent cells (Elman, LSTM, GRU): one forward timestep and its hand-written backward step.

Weights follow torch.nn.RNN/LSTM/GRU's layout and gate order, so tests can copy them into torch's
modules. The backward step maps cotangents of the new state to cotangents of the previous state and
of the input pre-activations, for a batch of B cotangent rows at once (used by gradients.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

State = tuple[torch.Tensor, ...]


@dataclass(frozen=True)
class CellWeights:
    w_ih: torch.Tensor  # (G*H, D)  input-to-hidden, G gate blocks
    w_hh: torch.Tensor  # (G*H, H)  hidden-to-hidden (the recurrent matrix)
    b_ih: torch.Tensor  # (G*H,)
    b_hh: torch.Tensor  # (G*H,)


def init_weights(gates: int, d_model: int, hidden: int, recurrent_scale: float,
                 rng: np.random.Generator, dtype=torch.float64) -> CellWeights:
    """torch's default init, U(-1/sqrt(H), 1/sqrt(H)), then the recurrent matrix times a scale."""
    bound = 1.0 / math.sqrt(hidden)

    def uniform(*shape):
        return torch.from_numpy(rng.uniform(-bound, bound, size=shape)).to(dtype)

    w_ih = uniform(gates * hidden, d_model)
    w_hh = uniform(gates * hidden, hidden) * recurrent_scale
    return CellWeights(w_ih, w_hh, uniform(gates * hidden), uniform(gates * hidden))


_ACTIVATIONS = {
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
    "identity": lambda a: a,
}
# sup |sigma'|: the gamma of Pascanu, Mikolov & Bengio (2013).
DERIVATIVE_BOUNDS = {"tanh": 1.0, "sigmoid": 0.25, "relu": 1.0, "identity": 1.0}


class ElmanCell:
    """h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)."""

    gates = 1

    def __init__(self, weights: CellWeights, activation: str = "tanh"):
        self.weights = weights
        self.activation = activation
        self.hidden_size = weights.w_hh.shape[1]
        self._act = _ACTIVATIONS[activation]

    def initial_state(self) -> State:
        return (self.weights.w_hh.new_zeros(self.hidden_size),)

    def project_inputs(self, inputs: torch.Tensor) -> torch.Tensor:
        """The input half of every timestep at once; both biases fold in here. (T, D) -> (T, H)"""
        w = self.weights
        return torch.addmm(w.b_ih + w.b_hh, inputs, w.w_ih.T)  # (T, H)

    def step(self, projected: torch.Tensor, state: State) -> tuple[State, tuple]:
        (h,) = state
        h = self._act(torch.addmv(projected, self.weights.w_hh, h))  # (H,)
        return (h,), ()

    def activate(self, pre: torch.Tensor) -> torch.Tensor:
        """The cell's activation on pre-activations of any shape (every step at once, say)."""
        return self._act(pre)

    def derivative(self, h: torch.Tensor) -> torch.Tensor:
        """act'(a_t), written in terms of h_t = act(a_t) so no pre-activation has to be kept."""
        if self.activation == "tanh":
            return 1.0 - h * h
        if self.activation == "sigmoid":
            return h * (1.0 - h)
        if self.activation == "relu":
            return (h > 0).to(h.dtype)
        return torch.ones_like(h)

    def backward_step(self, cotangent: State, cache: tuple, h_t: torch.Tensor,
                      h_prev: torch.Tensor) -> tuple[torch.Tensor, State]:
        (g,) = cotangent  # (B, H)
        da = g * self.derivative(h_t)  # (B, H)
        return da, (da @ self.weights.w_hh,)


class GatedCell:
    """What the gated cells share: their weights, and tanh fixed inside the cell."""

    gates: int
    activation = "tanh"

    def __init__(self, weights: CellWeights):
        self.weights = weights
        self.hidden_size = weights.w_hh.shape[1]


class LSTMCell(GatedCell):
    """Gates i, f, g, o (torch's order); c_t = f c_{t-1} + i g, h_t = o tanh(c_t)."""

    gates = 4

    def initial_state(self) -> State:
        zeros = self.weights.w_hh.new_zeros(self.hidden_size)
        return (zeros, zeros.clone())

    def project_inputs(self, inputs: torch.Tensor) -> torch.Tensor:
        w = self.weights
        return torch.addmm(w.b_ih + w.b_hh, inputs, w.w_ih.T)  # (T, 4H)

    def step(self, projected: torch.Tensor, state: State) -> tuple[State, tuple]:
        h, c_prev = state
        H = self.hidden_size
        a = torch.addmv(projected, self.weights.w_hh, h)  # (4H,)
        gates = torch.cat([torch.sigmoid(a[: 2 * H]), torch.tanh(a[2 * H: 3 * H]),
                           torch.sigmoid(a[3 * H:])])  # (4H,) = i, f, g, o
        i, f, g, o = gates.split(H)
        c = f * c_prev + i * g  # (H,)
        h = o * torch.tanh(c)  # (H,)
        return (h, c), (gates, c_prev, c)

    def backward_step(self, cotangent: State, cache: tuple, h_t: torch.Tensor,
                      h_prev: torch.Tensor) -> tuple[torch.Tensor, State]:
        g_h, g_c = cotangent  # (B, H) each
        gates, c_prev, c = cache
        i, f, g, o = gates.split(self.hidden_size)
        tanh_c = torch.tanh(c)
        dc = g_c + g_h * o * (1.0 - tanh_c * tanh_c)  # (B, H)
        da = torch.cat([
            dc * g * i * (1.0 - i),
            dc * c_prev * f * (1.0 - f),
            dc * i * (1.0 - g * g),
            g_h * tanh_c * o * (1.0 - o),
        ], dim=1)  # (B, 4H)
        return da, (da @ self.weights.w_hh, dc * f)


class GRUCell(GatedCell):
    """Gates r, z, n (torch's order); h_t = (1 - z) n + z h_{t-1}."""

    gates = 3

    def initial_state(self) -> State:
        return (self.weights.w_hh.new_zeros(self.hidden_size),)

    def project_inputs(self, inputs: torch.Tensor) -> torch.Tensor:
        # b_hh cannot fold in: the reset gate multiplies the hidden part of n, bias included.
        return torch.addmm(self.weights.b_ih, inputs, self.weights.w_ih.T)  # (T, 3H)

    def step(self, projected: torch.Tensor, state: State) -> tuple[State, tuple]:
        (h_prev,) = state
        H = self.hidden_size
        hidden_part = torch.addmv(self.weights.b_hh, self.weights.w_hh, h_prev)  # (3H,)
        rz = torch.sigmoid(projected[: 2 * H] + hidden_part[: 2 * H])  # (2H,)
        r, z = rz.split(H)
        hidden_n = hidden_part[2 * H:]  # (H,)
        n = torch.tanh(projected[2 * H:] + r * hidden_n)  # (H,)
        h = n + z * (h_prev - n)  # (H,)
        return (h,), (r, z, n, hidden_n)

    def backward_step(self, cotangent: State, cache: tuple, h_t: torch.Tensor,
                      h_prev: torch.Tensor) -> tuple[torch.Tensor, State]:
        (g,) = cotangent  # (B, H)
        r, z, n, hidden_n = cache
        da_n = g * (1.0 - z) * (1.0 - n * n)  # (B, H)
        da_r = da_n * hidden_n * r * (1.0 - r)
        da_z = g * (h_prev - n) * z * (1.0 - z)
        da_input = torch.cat([da_r, da_z, da_n], dim=1)  # (B, 3H)
        da_hidden = torch.cat([da_r, da_z, da_n * r], dim=1)  # (B, 3H)
        return da_input, (g * z + da_hidden @ self.weights.w_hh,)


Cell = ElmanCell | LSTMCell | GRUCell
GATES = {"rnn": ElmanCell.gates, "lstm": LSTMCell.gates, "gru": GRUCell.gates}  # by SimConfig.cell
