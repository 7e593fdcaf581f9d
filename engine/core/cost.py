"""Cost, counted: sequential operations, longest path between two words, exact multiply-adds.

Multiply-adds count the matrix products each model runs (elementwise activations and gating are
not counted), the quantities behind Table 1 of Vaswani et al. (2017).
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.core.scan_plan import scan_level_count, scan_operator_applications


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


# ---- minGRU, a recurrence linear in its state: h_t = a_t * h_{t-1} + b_t --------------------------
# Its gates read the input only, so the two projections (W_z x_t and W_h x_t, H x D each) run for
# every word at once. The recurrence itself is elementwise, and it is where the loop and the scan
# differ, so its multiply-adds are counted too: one per channel per step for the loop
# (a_t h_{t-1} + b_t), two per channel per operator application for the scan (a1 a2 and
# a2 b1 + b2). Forming a_t = 1 - z_t and b_t = z_t h~_t is the same gating in both, not counted.
# The longest path stays n - 1 in both: word k reaches word t only through the product of the
# t - k decays between them, however the scan brackets that product. The scan shortens the wait
# (ceil(log2 n) levels), not the path.

def _mingru_projection_macs(length: int, d_model: int, hidden: int) -> int:
    return 2 * length * hidden * d_model


def mingru_loop_cost(length: int, d_model: int, hidden: int) -> ModelCost:
    """minGRU by its step loop: n steps of a_t h_{t-1} + b_t, each waiting for the one before."""
    return ModelCost(
        sequential_operations=length,
        max_path_length=max(length - 1, 0),
        multiply_adds=_mingru_projection_macs(length, d_model, hidden) + length * hidden,
    )


def mingru_scan_cost(length: int, d_model: int, hidden: int) -> ModelCost:
    """minGRU by the Hillis-Steele scan: ceil(log2 n) levels (at least one step, the one
    RevealSchedule.log_scan gives), n L - 2^L + 1 operator applications, path still n - 1."""
    return ModelCost(
        sequential_operations=max(1, scan_level_count(length)),
        max_path_length=max(length - 1, 0),
        multiply_adds=(_mingru_projection_macs(length, d_model, hidden)
                       + 2 * hidden * scan_operator_applications(length)),
    )
