"""Whole recurrent sequences with a written-out backward pass, as torch autograd Functions.

Autograd records ~7 nodes per word for an LSTM (slices of the gate block, products, tanh), and
walking them back costs more than the arithmetic at these sizes. These Functions run the same
cell maths forward without recording and then backpropagate through time by hand: the same
numbers (tests compare them with autograd and finite differences), in fewer, larger operations.
The cells are models.py's elman_step, lstm_step and gru_step, gate order and all."""

from __future__ import annotations

import torch
from torch.autograd.function import once_differentiable


class LSTMSequence(torch.autograd.Function):
    """LSTM states from the input half of every step: (B, T, 4H), W_hh (4H, H) -> every state
    (B, T, H), or the last one (B, H) when last_only."""

    @staticmethod
    def forward(ctx, projected: torch.Tensor, w_hh: torch.Tensor, last_only: bool):
        B, T, G = projected.shape
        H = G // 4
        steps = projected.transpose(0, 1)  # (T, B, 4H) view
        gates = projected.new_empty(T, B, G)  # activated i, f, g, o per step
        hs = projected.new_zeros(T + 1, B, H)  # h_0 = 0, then h_1 .. h_T
        cs = projected.new_zeros(T + 1, B, H)
        tanh_c = projected.new_empty(T, B, H)
        w_t = w_hh.t()
        for t in range(T):
            a = gates[t]  # (B, 4H)
            torch.addmm(steps[t], hs[t], w_t, out=a)
            a[:, :2 * H].sigmoid_()
            a[:, 2 * H:3 * H].tanh_()
            a[:, 3 * H:].sigmoid_()
            torch.mul(a[:, H:2 * H], cs[t], out=cs[t + 1])
            cs[t + 1].addcmul_(a[:, :H], a[:, 2 * H:3 * H])  # f c + i g
            torch.tanh(cs[t + 1], out=tanh_c[t])
            torch.mul(a[:, 3 * H:], tanh_c[t], out=hs[t + 1])
        ctx.save_for_backward(w_hh, gates, hs, cs, tanh_c)
        ctx.last_only = last_only
        return hs[T].clone() if last_only else hs[1:].transpose(0, 1).clone()

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_states: torch.Tensor):
        w_hh, gates, hs, cs, tanh_c = ctx.saved_tensors
        T, B, G = gates.shape
        H = G // 4
        # d(activation)/d(pre-activation) for every step at once: s(1 - s), and 1 - g^2 for g
        slopes = gates * (1 - gates)  # (T, B, 4H)
        g = gates[:, :, 2 * H:3 * H]
        slopes[:, :, 2 * H:3 * H] = 1 - g * g
        tanh_slopes = 1 - tanh_c * tanh_c  # (T, B, H)
        grads = None if ctx.last_only else grad_states.transpose(0, 1)  # (T, B, H)
        da = gates.new_empty(T, B, G)  # dL/d pre-activations
        dh = grad_states if ctx.last_only else grads[T - 1]
        dc_next = gates.new_zeros(B, H)
        for t in range(T - 1, -1, -1):
            if t < T - 1:
                dh = dh_prev if grads is None else dh_prev + grads[t]
            a, d = gates[t], da[t]
            dc = torch.addcmul(dc_next, dh * a[:, 3 * H:], tanh_slopes[t])  # (B, H)
            torch.mul(dc, a[:, 2 * H:3 * H], out=d[:, :H])  # i
            torch.mul(dc, cs[t], out=d[:, H:2 * H])  # f
            torch.mul(dc, a[:, :H], out=d[:, 2 * H:3 * H])  # g
            torch.mul(dh, tanh_c[t], out=d[:, 3 * H:])  # o
            d.mul_(slopes[t])
            dc_next = dc * a[:, H:2 * H]
            if t > 0:
                dh_prev = d @ w_hh  # (B, H)
        grad_w_hh = da.view(T * B, G).t() @ hs[:T].view(T * B, H)  # (4H, H)
        return da.transpose(0, 1), grad_w_hh, None


class ElmanSequence(torch.autograd.Function):
    """Elman states from the input half of every step: (B, T, H), W_hh (H, H) -> every state
    (B, T, H), or the last one (B, H) when last_only."""

    @staticmethod
    def forward(ctx, projected: torch.Tensor, w_hh: torch.Tensor, last_only: bool):
        B, T, H = projected.shape
        steps = projected.transpose(0, 1)  # (T, B, H) view
        hs = projected.new_zeros(T + 1, B, H)
        w_t = w_hh.t()
        for t in range(T):
            torch.addmm(steps[t], hs[t], w_t, out=hs[t + 1]).tanh_()
        ctx.save_for_backward(w_hh, hs)
        ctx.last_only = last_only
        return hs[T].clone() if last_only else hs[1:].transpose(0, 1).clone()

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_states: torch.Tensor):
        w_hh, hs = ctx.saved_tensors
        T, B, H = hs.shape[0] - 1, hs.shape[1], hs.shape[2]
        slopes = 1 - hs[1:] * hs[1:]  # tanh' for every step (T, B, H)
        grads = None if ctx.last_only else grad_states.transpose(0, 1)  # (T, B, H)
        da = hs.new_empty(T, B, H)
        dh = grad_states if ctx.last_only else grads[T - 1]
        for t in range(T - 1, -1, -1):
            if t < T - 1:
                dh = dh_prev if grads is None else dh_prev + grads[t]
            torch.mul(dh, slopes[t], out=da[t])
            if t > 0:
                dh_prev = da[t] @ w_hh  # (B, H)
        grad_w_hh = da.view(T * B, H).t() @ hs[:T].view(T * B, H)  # (H, H)
        return da.transpose(0, 1), grad_w_hh, None


class GRUSequence(torch.autograd.Function):
    """GRU states from the input half of every step (with b_ih): (B, T, 3H), W_hh (3H, H),
    b_hh (3H,) -> every state (B, T, H), or the last one (B, H) when last_only."""

    @staticmethod
    def forward(ctx, projected: torch.Tensor, w_hh: torch.Tensor, b_hh: torch.Tensor,
                last_only: bool):
        B, T, G = projected.shape
        H = G // 3
        steps = projected.transpose(0, 1)  # (T, B, 3H) view
        hidden_parts = projected.new_empty(T, B, G)  # b_hh + W_hh h_{t-1}
        rz = projected.new_empty(T, B, 2 * H)  # reset and update gates
        ns = projected.new_empty(T, B, H)  # candidates
        hs = projected.new_zeros(T + 1, B, H)
        w_t = w_hh.t()
        for t in range(T):
            hidden = torch.addmm(b_hh, hs[t], w_t, out=hidden_parts[t])  # (B, 3H)
            torch.add(steps[t, :, :2 * H], hidden[:, :2 * H], out=rz[t]).sigmoid_()
            torch.addcmul(steps[t, :, 2 * H:], rz[t, :, :H], hidden[:, 2 * H:], out=ns[t]).tanh_()
            torch.sub(hs[t], ns[t], out=hs[t + 1]).mul_(rz[t, :, H:]).add_(ns[t])  # n + z (h - n)
        ctx.save_for_backward(w_hh, hidden_parts, rz, ns, hs)
        ctx.last_only = last_only
        return hs[T].clone() if last_only else hs[1:].transpose(0, 1).clone()

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_states: torch.Tensor):
        w_hh, hidden_parts, rz, ns, hs = ctx.saved_tensors
        T, B, G = hidden_parts.shape
        H = G // 3
        rz_slopes = rz * (1 - rz)  # (T, B, 2H)
        n_slopes = 1 - ns * ns  # (T, B, H)
        gaps = hs[:T] - ns  # h_{t-1} - n_t  (T, B, H)
        grads = None if ctx.last_only else grad_states.transpose(0, 1)  # (T, B, H)
        da = hs.new_empty(T, B, G)  # dL/d the input half
        d_hidden = hs.new_empty(T, B, G)  # dL/d (b_hh + W_hh h)
        dh = grad_states if ctx.last_only else grads[T - 1]
        for t in range(T - 1, -1, -1):
            if t < T - 1:
                dh = dh_prev if grads is None else dh_prev + grads[t]
            d, dhid, z = da[t], d_hidden[t], rz[t, :, H:]
            torch.mul(dh, gaps[t], out=d[:, H:2 * H])  # z
            torch.mul(dh, 1 - z, out=d[:, 2 * H:]).mul_(n_slopes[t])  # n, before tanh
            torch.mul(d[:, 2 * H:], rz[t, :, :H], out=dhid[:, 2 * H:])
            torch.mul(d[:, 2 * H:], hidden_parts[t, :, 2 * H:], out=d[:, :H])  # r
            d[:, :2 * H].mul_(rz_slopes[t])
            dhid[:, :2 * H] = d[:, :2 * H]
            if t > 0:
                dh_prev = torch.addmm(dh * z, dhid, w_hh)  # (B, H)
        flat = d_hidden.view(T * B, G)
        grad_w_hh = flat.t() @ hs[:T].view(T * B, H)  # (3H, H)
        return da.transpose(0, 1), grad_w_hh, flat.sum(dim=0), None
