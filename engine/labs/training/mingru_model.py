"""minGRU for the training lab: an embedding, then minGRU (Feng et al., 2024), whose states are
computed by the engine's parallel scan in ceil(log2 n) levels, not a loop, then a readout from the
last state. Can an RNN that parallelises learn the long-range tasks? This model lets the lab show it.

Its gate and candidate read the word only (engine/models/mingru.py), so training runs the whole
sequence at once and autograd differentiates through the scan's levels.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from engine.core.seeding import generator
from engine.labs.training.models import EMBEDDING_SCALE, RecurrentModel, _tensor
from engine.models.mingru import init_mingru_weights
from engine.models.scan import parallel_scan

KIND = "mingru"


class MinGRUModel(RecurrentModel):
    """Embedding (V, E) -> minGRU of width H by the parallel scan -> readout (V, H). A
    RecurrentModel to the rest of the lab (embed, states, readout, checkpoints), without a cell."""

    def __init__(self, vocabulary: int, embed_width: int, hidden_size: int, seed: int,
                 dtype=torch.float32, embedding_scale: float = EMBEDDING_SCALE):
        nn.Module.__init__(self)
        self.kind = KIND
        rng = generator(seed, f"training:{KIND}")
        self.embedding = nn.Parameter(
            _tensor(rng, (vocabulary, embed_width), embedding_scale, dtype))  # (V, E)
        weights = init_mingru_weights(embed_width, hidden_size, rng, dtype)
        self.w_z, self.b_z = nn.Parameter(weights.w_z), nn.Parameter(weights.b_z)  # (H, E), (H,)
        self.w_h, self.b_h = nn.Parameter(weights.w_h), nn.Parameter(weights.b_h)
        bound = 1.0 / math.sqrt(hidden_size)
        self.w_out = nn.Parameter(
            torch.from_numpy(rng.uniform(-bound, bound, (vocabulary, hidden_size))).to(dtype))
        self.b_out = nn.Parameter(torch.zeros(vocabulary, dtype=dtype))  # (V,)

    @property
    def hidden_size(self) -> int:
        return self.w_z.shape[0]

    def cell_weights(self):
        raise TypeError("minGRU has no recurrent cell: its gates read the word only")

    def coefficients(self, inputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(a_t, b_t) = (1 - z_t, z_t h~_t) for words (..., E): h_t = a_t h_{t-1} + b_t."""
        gate = torch.sigmoid(torch.matmul(inputs, self.w_z.T) + self.b_z)  # (..., H)
        candidate = torch.matmul(inputs, self.w_h.T) + self.b_h  # (..., H)
        return 1.0 - gate, gate * candidate

    def states(self, inputs: torch.Tensor, every: bool = True) -> torch.Tensor:
        """Every state (B, T, H) for embedded words (B, T, E), or the last (B, H), by the scan."""
        decay, drive = self.coefficients(inputs)  # (B, T, H) each
        hidden = parallel_scan(decay, drive).hidden  # (B, T, H)
        return hidden if every else hidden[:, -1]

    def step(self, word: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """One word's update, for generating token by token: (B, E), (B, H) -> (B, H)."""
        decay, drive = self.coefficients(word)
        return decay * h + drive


def recurrent_model(kind: str, vocabulary: int, embed_width: int, hidden: int, seed: int,
                    dtype=torch.float32,
                    embedding_scale: float = EMBEDDING_SCALE) -> RecurrentModel:
    """An RNN, LSTM or GRU (RecurrentModel), or minGRU by the parallel scan (MinGRUModel)."""
    if kind == KIND:
        return MinGRUModel(vocabulary, embed_width, hidden, seed, dtype, embedding_scale)
    return RecurrentModel(kind, vocabulary, embed_width, hidden, seed, dtype, embedding_scale)
