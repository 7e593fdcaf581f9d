"""Whole recurrent sequences with a written-out backward pass, as torch autograd Functions.

Autograd records ~7 nodes per word for an LSTM (slices of the gate block, products, tanh), and
walking them back costs more than the arithmetic at these sizes. These Functions run the same
cell maths forward without recording and then backpropagate through time by hand: the same
numbers (tests compare them with autograd and finite differences), in fewer, larger operations.
The cells are models.py's elman_step, lstm_step and gru_step, gate order and all."""

from __future__ import annotations

import torch
from torch.autograd.function import once_differentiable


def _rows(tensor: torch.Tensor, start: int, stop: int) -> tuple[torch.Tensor, ...]:
    """tensor[t, :, start:stop] for every t, as views taken at once: at these sizes a view costs
    the loop as much as a (B, H) product, so the loops index tuples instead. (T, B, G) -> T of
    (B, stop - start)"""
    return tensor[:, :, start:stop].unbind(0)


class LSTMSequence(torch.autograd.Function):
    """LSTM states from the input half of every step: (B, T, 4H), W_hh (4H, H) -> every state
    (B, T, H), or the last one (B, H) when last_only."""

    @staticmethod
    def forward(ctx, projected: torch.Tensor, w_hh: torch.Tensor, last_only: bool):
        B, T, G = projected.shape
        H = G // 4
        steps = projected.transpose(0, 1).unbind(0)  # T views (B, 4H)
        gates = projected.new_empty(T, B, G)  # activated i, f, g, o per step
        hs = projected.new_zeros(T + 1, B, H)  # h_0 = 0, then h_1 .. h_T
        cs = projected.new_zeros(T + 1, B, H)
        tanh_c = projected.new_empty(T, B, H)
        w_t = w_hh.t()
        a, i_f, i, f, g, o = (_rows(gates, *block) for block in (
            (0, G), (0, 2 * H), (0, H), (H, 2 * H), (2 * H, 3 * H), (3 * H, G)))
        h, c, tc = hs.unbind(0), cs.unbind(0), tanh_c.unbind(0)
        for t in range(T):
            torch.addmm(steps[t], h[t], w_t, out=a[t])  # (B, 4H)
            i_f[t].sigmoid_()
            g[t].tanh_()
            o[t].sigmoid_()
            torch.mul(f[t], c[t], out=c[t + 1])
            c[t + 1].addcmul_(i[t], g[t])  # f c + i g
            torch.tanh(c[t + 1], out=tc[t])
            torch.mul(o[t], tc[t], out=h[t + 1])
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
        g_all = gates[:, :, 2 * H:3 * H]
        slopes[:, :, 2 * H:3 * H] = 1 - g_all * g_all
        tanh_slopes = (1 - tanh_c * tanh_c).unbind(0)  # T of (B, H)
        grads = None if ctx.last_only else grad_states.transpose(0, 1).unbind(0)  # T of (B, H)
        da = gates.new_empty(T, B, G)  # dL/d pre-activations
        d, d_i, d_f, d_g, d_o = (_rows(da, *block) for block in (
            (0, G), (0, H), (H, 2 * H), (2 * H, 3 * H), (3 * H, G)))
        i, f, g, o = (_rows(gates, *block) for block in (
            (0, H), (H, 2 * H), (2 * H, 3 * H), (3 * H, G)))
        c, tc, slope = cs.unbind(0), tanh_c.unbind(0), slopes.unbind(0)
        dh = grad_states if ctx.last_only else grads[T - 1]
        dc_next = gates.new_zeros(B, H)
        for t in range(T - 1, -1, -1):
            if t < T - 1:
                dh = dh_prev if grads is None else dh_prev + grads[t]
            dc = torch.addcmul(dc_next, dh * o[t], tanh_slopes[t])  # (B, H)
            torch.mul(dc, g[t], out=d_i[t])
            torch.mul(dc, c[t], out=d_f[t])
            torch.mul(dc, i[t], out=d_g[t])
            torch.mul(dh, tc[t], out=d_o[t])
            d[t].mul_(slope[t])
            dc_next = dc * f[t]
            if t > 0:
                dh_prev = d[t] @ w_hh  # (B, H)
        grad_w_hh = da.view(T * B, G).t() @ hs[:T].view(T * B, H)  # (4H, H)
        return da.transpose(0, 1), grad_w_hh, None


class ElmanSequence(torch.autograd.Function):
    """Elman states from the input half of every step: (B, T, H), W_hh (H, H) -> every state
    (B, T, H), or the last one (B, H) when last_only."""

    @staticmethod
    def forward(ctx, projected: torch.Tensor, w_hh: torch.Tensor, last_only: bool):
        B, T, H = projected.shape
        steps = projected.transpose(0, 1).unbind(0)  # T views (B, H)
        hs = projected.new_zeros(T + 1, B, H)
        h = hs.unbind(0)
        w_t = w_hh.t()
        for t in range(T):
            torch.addmm(steps[t], h[t], w_t, out=h[t + 1]).tanh_()
        ctx.save_for_backward(w_hh, hs)
        ctx.last_only = last_only
        return hs[T].clone() if last_only else hs[1:].transpose(0, 1).clone()

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_states: torch.Tensor):
        w_hh, hs = ctx.saved_tensors
        T, B, H = hs.shape[0] - 1, hs.shape[1], hs.shape[2]
        slopes = (1 - hs[1:] * hs[1:]).unbind(0)  # tanh' for every step: T of (B, H)
        grads = None if ctx.last_only else grad_states.transpose(0, 1).unbind(0)  # T of (B, H)
        da = hs.new_empty(T, B, H)
        d = da.unbind(0)
        dh = grad_states if ctx.last_only else grads[T - 1]
        for t in range(T - 1, -1, -1):
            if t < T - 1:
                dh = dh_prev if grads is None else dh_prev + grads[t]
            torch.mul(dh, slopes[t], out=d[t])
            if t > 0:
                dh_prev = d[t] @ w_hh  # (B, H)
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
        step_rz, step_n = _rows(steps, 0, 2 * H), _rows(steps, 2 * H, G)
        hidden, hidden_rz, hidden_n = (_rows(hidden_parts, *block) for block in (
            (0, G), (0, 2 * H), (2 * H, G)))
        gates, r, z = (_rows(rz, *block) for block in ((0, 2 * H), (0, H), (H, 2 * H)))
        n, h = ns.unbind(0), hs.unbind(0)
        for t in range(T):
            torch.addmm(b_hh, h[t], w_t, out=hidden[t])  # (B, 3H)
            torch.add(step_rz[t], hidden_rz[t], out=gates[t]).sigmoid_()
            torch.addcmul(step_n[t], r[t], hidden_n[t], out=n[t]).tanh_()
            torch.sub(h[t], n[t], out=h[t + 1]).mul_(z[t]).add_(n[t])  # n + z (h - n)
        ctx.save_for_backward(w_hh, hidden_parts, rz, ns, hs)
        ctx.last_only = last_only
        return hs[T].clone() if last_only else hs[1:].transpose(0, 1).clone()

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_states: torch.Tensor):
        w_hh, hidden_parts, rz, ns, hs = ctx.saved_tensors
        T, B, G = hidden_parts.shape
        H = G // 3
        rz_slopes = (rz * (1 - rz)).unbind(0)  # T of (B, 2H)
        n_slopes = (1 - ns * ns).unbind(0)  # T of (B, H)
        gaps = (hs[:T] - ns).unbind(0)  # h_{t-1} - n_t: T of (B, H)
        grads = None if ctx.last_only else grad_states.transpose(0, 1).unbind(0)  # T of (B, H)
        da = hs.new_empty(T, B, G)  # dL/d the input half
        d_hidden = hs.new_empty(T, B, G)  # dL/d (b_hh + W_hh h)
        d_r, d_rz, d_z, d_n = (_rows(da, *block) for block in (
            (0, H), (0, 2 * H), (H, 2 * H), (2 * H, G)))
        dhid, dhid_rz, dhid_n = (_rows(d_hidden, *block) for block in (
            (0, G), (0, 2 * H), (2 * H, G)))
        r, z, hidden_n = _rows(rz, 0, H), _rows(rz, H, 2 * H), _rows(hidden_parts, 2 * H, G)
        dh = grad_states if ctx.last_only else grads[T - 1]
        for t in range(T - 1, -1, -1):
            if t < T - 1:
                dh = dh_prev if grads is None else dh_prev + grads[t]
            torch.mul(dh, gaps[t], out=d_z[t])  # z
            torch.mul(dh, 1 - z[t], out=d_n[t]).mul_(n_slopes[t])  # n, before tanh
            torch.mul(d_n[t], r[t], out=dhid_n[t])
            torch.mul(d_n[t], hidden_n[t], out=d_r[t])  # r
            d_rz[t].mul_(rz_slopes[t])
            dhid_rz[t].copy_(d_rz[t])
            if t > 0:
                dh_prev = torch.addmm(dh * z[t], dhid[t], w_hh)  # (B, H)
        flat = d_hidden.view(T * B, G)
        grad_w_hh = flat.t() @ hs[:T].view(T * B, H)  # (3H, H)
        return da.transpose(0, 1), grad_w_hh, flat.sum(dim=0), None
