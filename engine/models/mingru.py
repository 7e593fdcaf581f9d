"""minGRU (Feng et al., 2024, "Were RNNs All We Needed?"): a recurrence that is linear in its state,

    h_t = (1 - z_t) h_{t-1} + z_t h~_t,   z_t = sigmoid(W_z x_t + b_z),   h~_t = W_h x_t + b_h,

so h_t = a_t h_{t-1} + b_t with a_t = 1 - z_t and b_t = z_t h~_t. The gates read the input only,
never h_{t-1}, which is what lets a parallel scan compute it. It runs three ways that agree: a step
loop (one call per word, like the RNN), the Hillis-Steele scan, and the log-space scan.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from engine.core.seeding import generator
from engine.models.scan import ScanResult, log_space_scan, parallel_scan

WEIGHT_PURPOSE = "mingru-weights"  # the seed's stream for minGRU's weights


@dataclass(frozen=True)
class MinGRUWeights:
    w_z: torch.Tensor  # (H, D)  update gate
    b_z: torch.Tensor  # (H,)
    w_h: torch.Tensor  # (H, D)  candidate state
    b_h: torch.Tensor  # (H,)


def init_mingru_weights(d_model: int, hidden: int, rng: np.random.Generator,
                        dtype=torch.float64) -> MinGRUWeights:
    """torch.nn.Linear's default init, U(-1/sqrt(D), 1/sqrt(D)), for both projections."""
    bound = 1.0 / math.sqrt(d_model)

    def uniform(*shape):
        return torch.from_numpy(rng.uniform(-bound, bound, size=shape)).to(dtype)

    return MinGRUWeights(uniform(hidden, d_model), uniform(hidden), uniform(hidden, d_model),
                         uniform(hidden))


def build_mingru(config, dtype=torch.float64) -> MinGRU:
    """The minGRU of a SimConfig: D and H from it, weights drawn from its seed."""
    rng = generator(config.seed, WEIGHT_PURPOSE)
    return MinGRU(init_mingru_weights(config.d_model, config.hidden_size, rng, dtype))


@dataclass(frozen=True)
class Coefficients:
    gate: torch.Tensor  # (..., T, H)  z_t
    candidate: torch.Tensor  # (..., T, H)  h~_t
    decay: torch.Tensor  # (..., T, H)  a_t = 1 - z_t
    drive: torch.Tensor  # (..., T, H)  b_t = z_t h~_t


class MinGRU:
    """The model: its input-only gates, its step, and the three ways to run it over a sentence."""

    def __init__(self, weights: MinGRUWeights):
        self.weights = weights
        self.hidden_size = weights.w_z.shape[0]

    def preactivations(self, inputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Gate and candidate pre-activations for every word at once. (..., T, D) -> 2 x (..., T, H)"""
        w = self.weights
        return inputs @ w.w_z.T + w.b_z, inputs @ w.w_h.T + w.b_h

    def coefficients(self, inputs: torch.Tensor) -> Coefficients:
        """a_t and b_t of every word; a_t = sigmoid(-u_t) keeps its digits when z_t is near 1."""
        gate_pre, candidate = self.preactivations(inputs)
        gate = torch.sigmoid(gate_pre)
        return Coefficients(gate, candidate, torch.sigmoid(-gate_pre), gate * candidate)

    def step(self, decay_t: torch.Tensor, drive_t: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """One word: h_t = a_t h_{t-1} + b_t. (H,) each."""
        return torch.addcmul(drive_t, decay_t, h)

    def run_scan(self, inputs: torch.Tensor, record: bool = False, on_level=None) -> ScanResult:
        """All h_t by the Hillis-Steele scan (recording each level's states if asked)."""
        c = self.coefficients(inputs)
        return parallel_scan(c.decay, c.drive, record=record, on_level=on_level)

    def run_log_space(self, inputs: torch.Tensor) -> torch.Tensor:
        """All h_t by the log-space scan, stable at long n. (..., T, D) -> (..., T, H)"""
        gate_pre, candidate = self.preactivations(inputs)
        log_decay = F.logsigmoid(-gate_pre)  # (..., T, H)  log(1 - z_t)
        log_abs_drive = F.logsigmoid(gate_pre) + candidate.abs().log()  # log |z_t h~_t|
        return log_space_scan(log_decay, torch.sigmoid(gate_pre) * candidate,
                              log_abs_b=log_abs_drive)


class MinGRUStepper:
    """Runs minGRU one word per step() call, like RNNStepper: the gates of every word come first
    (they read only the input), then the recurrence waits for h_{t-1} at each word."""

    def __init__(self, model: MinGRU, inputs: torch.Tensor):
        self.model = model
        self.length = inputs.shape[0]
        start = time.perf_counter()
        self.coefficients = model.coefficients(inputs)  # (T, H) each
        self.projection_seconds = time.perf_counter() - start
        self._h = inputs.new_zeros(model.hidden_size)
        self.t = 0
        self.hidden = inputs.new_empty(self.length, model.hidden_size)  # (T, H)
        self.step_seconds = np.zeros(self.length)  # wall time of each step() call

    @property
    def done(self) -> bool:
        return self.t >= self.length

    def step(self) -> torch.Tensor:
        """Perform exactly one timestep and return h_t (H,)."""
        if self.done:
            raise RuntimeError("minGRU has already processed every word")
        t, c = self.t, self.coefficients
        start = time.perf_counter()
        self._h = self.model.step(c.decay[t], c.drive[t], self._h)
        self.step_seconds[t] = time.perf_counter() - start
        self.hidden[t] = self._h
        self.t = t + 1
        return self._h

    def run(self, on_step=None) -> torch.Tensor:
        """Step to the end; on_step(t) after each timestep. Returns every h_t (T, H)."""
        while not self.done:
            self.step()
            if on_step is not None:
                on_step(self.t)
        return self.hidden
