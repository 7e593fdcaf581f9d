"""Independent float64 reference models (torch.nn modules, sdpa, numpy loops) the engine is checked against."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

ELMAN_ACTIVATIONS = {
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
    "identity": lambda a: a,
}
NUMPY_ACTIVATIONS = {
    "tanh": np.tanh,
    "sigmoid": lambda a: 1.0 / (1.0 + np.exp(-a)),
    "relu": lambda a: np.maximum(a, 0.0),
    "identity": lambda a: a,
}


def as_tensor(array) -> torch.Tensor:
    """A float64 tensor copy of a numpy array or tensor (never a view of engine memory)."""
    if isinstance(array, torch.Tensor):
        return array.detach().clone().to(torch.float64)
    return torch.tensor(np.array(array, dtype=np.float64))


def _copy_weights(module, w_ih, w_hh, b_ih, b_hh, suffix: str = "") -> None:
    with torch.no_grad():
        getattr(module, "weight_ih" + suffix).copy_(as_tensor(w_ih))
        getattr(module, "weight_hh" + suffix).copy_(as_tensor(w_hh))
        getattr(module, "bias_ih" + suffix).copy_(as_tensor(b_ih))
        getattr(module, "bias_hh" + suffix).copy_(as_tensor(b_hh))


def torch_sequence_module(cell: str, activation: str, w_ih, w_hh, b_ih, b_hh):
    """torch.nn.RNN / LSTM / GRU (one layer, float64) holding the given weights."""
    hidden, d_model = w_hh.shape[1], w_ih.shape[1]
    if cell == "lstm":
        module = torch.nn.LSTM(d_model, hidden, dtype=torch.float64)
    elif cell == "gru":
        module = torch.nn.GRU(d_model, hidden, dtype=torch.float64)
    else:
        module = torch.nn.RNN(d_model, hidden, nonlinearity=activation, dtype=torch.float64)
    _copy_weights(module, w_ih, w_hh, b_ih, b_hh, suffix="_l0")
    return module


def torch_cell_module(cell: str, activation: str, w_ih, w_hh, b_ih, b_hh):
    """torch.nn.RNNCell / LSTMCell / GRUCell (float64) holding the given weights."""
    hidden, d_model = w_hh.shape[1], w_ih.shape[1]
    if cell == "lstm":
        module = torch.nn.LSTMCell(d_model, hidden, dtype=torch.float64)
    elif cell == "gru":
        module = torch.nn.GRUCell(d_model, hidden, dtype=torch.float64)
    else:
        module = torch.nn.RNNCell(d_model, hidden, nonlinearity=activation, dtype=torch.float64)
    _copy_weights(module, w_ih, w_hh, b_ih, b_hh)
    return module


def independent_cell_step(cell: str, activation: str, w_ih, w_hh, b_ih, b_hh):
    """(x (D,), state tuple) -> new state tuple, by torch.nn cells or a hand-written Elman step."""
    if cell == "rnn" and activation not in ("tanh", "relu"):
        act = ELMAN_ACTIVATIONS[activation]
        w_ih, w_hh, b_ih, b_hh = (as_tensor(a) for a in (w_ih, w_hh, b_ih, b_hh))
        return lambda x, state: (act(w_ih @ x + b_ih + w_hh @ state[0] + b_hh),)
    module = torch_cell_module(cell, activation, w_ih, w_hh, b_ih, b_hh)
    if cell == "lstm":
        return lambda x, state: module(x, (state[0], state[1]))
    return lambda x, state: (module(x, state[0]),)


def manual_elman_hidden(inputs, activation, w_ih, w_hh, b_ih, b_hh) -> torch.Tensor:
    """h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), a plain torch loop (differentiable). (T, H)"""
    act = ELMAN_ACTIVATIONS[activation]
    w_ih, w_hh, b_ih, b_hh = (as_tensor(a) for a in (w_ih, w_hh, b_ih, b_hh))
    h = torch.zeros(w_hh.shape[1], dtype=torch.float64)
    rows = []
    for t in range(inputs.shape[0]):
        h = act(w_ih @ inputs[t] + b_ih + w_hh @ h + b_hh)
        rows.append(h)
    return torch.stack(rows)


def numpy_elman_hidden(inputs, activation, w_ih, w_hh, b_ih, b_hh) -> np.ndarray:
    """The same recurrence in numpy, for forward checks. (T, H)"""
    act = NUMPY_ACTIVATIONS[activation]
    w_ih, w_hh, b_ih, b_hh = (np.asarray(a, dtype=np.float64) for a in (w_ih, w_hh, b_ih, b_hh))
    h = np.zeros(w_hh.shape[1])
    rows = []
    for x in np.asarray(inputs, dtype=np.float64):
        h = act(w_ih @ x + b_ih + w_hh @ h + b_hh)
        rows.append(h)
    return np.stack(rows)


def rnn_hidden_function(cell: str, activation: str, w_ih, w_hh, b_ih, b_hh):
    """x (T, D) -> hidden states (T, H) by an independent implementation of the named cell."""
    if cell == "rnn" and activation not in ("tanh", "relu"):
        return lambda x: manual_elman_hidden(x, activation, w_ih, w_hh, b_ih, b_hh)
    module = torch_sequence_module(cell, activation, w_ih, w_hh, b_ih, b_hh)
    return lambda x: module(x)[0]


def sinusoidal_reference(length: int, d_model: int) -> np.ndarray:
    """PE[pos, 2i] = sin(pos / 10000^(2i/D)), PE[pos, 2i+1] = cos(same), written as a loop."""
    table = np.zeros((length, d_model))
    for pos in range(length):
        for i in range(d_model // 2):
            angle = pos / 10000.0 ** (2 * i / d_model)
            table[pos, 2 * i] = math.sin(angle)
            table[pos, 2 * i + 1] = math.cos(angle)
    return table


def sdpa_attention(x, w_q, w_k, w_v, w_o, *, causal: bool, scaling: bool):
    """Multi-head self-attention via F.scaled_dot_product_attention. Returns (heads (nh,T,hs), y (T,D))."""
    w_q, w_k, w_v, w_o = (as_tensor(a) for a in (w_q, w_k, w_v, w_o))
    heads = []
    for h in range(w_q.shape[0]):
        q, k, v = x @ w_q[h], x @ w_k[h], x @ w_v[h]  # (T, hs)
        scale = None if scaling else 1.0
        heads.append(F.scaled_dot_product_attention(
            q[None], k[None], v[None], is_causal=causal, scale=scale)[0])
    head_output = torch.stack(heads)  # (nh, T, hs)
    return head_output, torch.cat(heads, dim=1) @ w_o


def jacobian_norms(function, x: torch.Tensor, readout) -> np.ndarray:
    """C[t, k] = || d(r . y_t) / d x_k || by torch.autograd, for y = function(x). (T, T)"""
    r = as_tensor(readout)
    jac = torch.autograd.functional.jacobian(lambda inp: function(inp) @ r, as_tensor(x))  # (T, T, D)
    return torch.linalg.vector_norm(jac, dim=2).numpy()


def finite_difference_column(function, x, readout, k: int, eps: float = 1e-6) -> np.ndarray:
    """|| d(r . y_t) / d x_k || for every t, by central differences on each component of x_k. (T,)"""
    r = as_tensor(readout)
    x = as_tensor(x)
    grads = []
    with torch.no_grad():
        for d in range(x.shape[1]):
            plus, minus = x.clone(), x.clone()
            plus[k, d] += eps
            minus[k, d] -= eps
            grads.append(((function(plus) @ r) - (function(minus) @ r)) / (2 * eps))
    return torch.linalg.vector_norm(torch.stack(grads, dim=1), dim=1).numpy()
