"""The RNN run one timestep at a time: a stepper whose step() performs exactly one cell call."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np
import torch

from engine.core.config import SimConfig
from engine.core.seeding import generator
from engine.models.cells import (DERIVATIVE_BOUNDS, GATES, Cell, CellWeights, ElmanCell, GRUCell,
                                 LSTMCell, init_weights)

if TYPE_CHECKING:
    from engine.models.weights import WeightSet


def build_cell(config: SimConfig, dtype=torch.float64, weights: WeightSet | None = None) -> Cell:
    """The cell the config names, with the given weights (WeightsError if they do not fit it),
    or with weights drawn from the config's seed."""
    if weights is not None:
        weights.check(config)
        return make_cell(config, weights.cell_weights(dtype))
    rng = generator(config.seed, "rnn-weights")
    return make_cell(config, init_weights(GATES[config.cell], config.d_model, config.hidden_size,
                                          config.recurrent_scale, rng, dtype))


def make_cell(config: SimConfig, weights: CellWeights) -> Cell:
    """The cell the config names (and, for Elman, its activation) holding `weights`."""
    if config.cell == "lstm":
        return LSTMCell(weights)
    if config.cell == "gru":
        return GRUCell(weights)
    return ElmanCell(weights, config.activation)


def largest_singular_value(cell: Cell) -> float:
    """lambda_1 of the recurrent matrix W_hh (all gate blocks stacked for LSTM and GRU)."""
    return float(torch.linalg.matrix_norm(cell.weights.w_hh, ord=2))


def derivative_bound(cell: Cell) -> float:
    """gamma: the bound on |act'| of the activation that the recurrence passes through."""
    return DERIVATIVE_BOUNDS[cell.activation]


class RNNStepper:
    """Runs a cell over a sentence, one timestep per step() call, recording every state.

    The input half of each timestep (W_ih x_t) does not depend on the past, so it is computed for
    all words in one matrix product up front; the recurrence is what must wait for h_{t-1}.
    """

    def __init__(self, cell: Cell, inputs: torch.Tensor):
        self.cell = cell
        self.length = inputs.shape[0]
        start = time.perf_counter()
        self._projected = cell.project_inputs(inputs)  # (T, G*H)
        self.projection_seconds = time.perf_counter() - start
        self._state = cell.initial_state()
        self.t = 0
        H = cell.hidden_size
        self.hidden = inputs.new_empty(self.length, H)  # (T, H)
        self.cell_state = inputs.new_empty(self.length, H) if len(self._state) == 2 else None
        self.caches: list[tuple] = []
        self.step_seconds = np.zeros(self.length)  # wall time of each step() call

    @property
    def done(self) -> bool:
        return self.t >= self.length

    def step(self) -> torch.Tensor:
        """Perform exactly one timestep, h_t = cell(x_t, h_{t-1}); return h_t (H,)."""
        if self.done:
            raise RuntimeError("the RNN has already processed every word")
        t = self.t
        start = time.perf_counter()
        self._state, cache = self.cell.step(self._projected[t], self._state)
        self.step_seconds[t] = time.perf_counter() - start
        self.hidden[t] = self._state[0]
        if self.cell_state is not None:
            self.cell_state[t] = self._state[1]
        self.caches.append(cache)
        self.t = t + 1
        return self._state[0]

    def run(self, on_step=None) -> torch.Tensor:
        """Step to the end; on_step(t) is called after each timestep (progress, cancelling)."""
        while not self.done:
            self.step()
            if on_step is not None:
                on_step(self.t)
        return self.hidden
