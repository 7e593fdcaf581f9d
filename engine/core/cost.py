"""Cost, counted: sequential operations, longest path between two words, exact multiply-adds.

Multiply-adds count the matrix products each model runs (elementwise activations and gating are
not counted), the quantities behind Table 1 of Vaswani et al. (2017).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelCost:
    sequential_operations: int  # steps that must wait for the previous one
    max_path_length: int  # most hops between any two words
    multiply_adds: int  # of the matrix products the forward pass ran


def rnn_cost(length: int, d_model: int, hidden: int, gates: int) -> ModelCost:
    """Each timestep: W_ih x_t (G*H x D) and W_hh h_{t-1} (G*H x H)."""
    return ModelCost(
        sequential_operations=length,
        max_path_length=max(length - 1, 0),
        multiply_adds=length * gates * hidden * (d_model + hidden),
    )


def attention_cost(length: int, d_model: int, heads: int, head_size: int) -> ModelCost:
    """Q, K, V projections, Q K^T, weights @ V and the output projection, all at once."""
    width = heads * head_size
    projections = 3 * length * d_model * width
    scores_and_mixing = 2 * heads * length * length * head_size
    output = length * width * d_model
    return ModelCost(
        sequential_operations=1,
        max_path_length=1 if length > 1 else 0,
        multiply_adds=projections + scores_and_mixing + output,
    )
