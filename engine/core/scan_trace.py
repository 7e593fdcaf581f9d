"""minGRU's part of a trace (a run with the scan lane on): the loop's states, the scan's partial
states after every level, the gradient maps, hidden attention and the measured times, as plain
read-only arrays. Its record in Trace.models is the scan; the loop's cost and times ride along so
the views can set the two side by side."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.core.clock import RevealSchedule
from engine.core.cost import ModelCost
from engine.core.records import ModelRecord
from engine.core.scan_plan import scan_level_count
from engine.core.timing import TimingSummary, summarize

SCAN_NAME = "minGRU (parallel scan)"
SCAN_NAME_IN_TEXT = "minGRU by parallel scan"


@dataclass(frozen=True)
class ScanTrace:
    w_z: np.ndarray  # (H, D)  update gate z_t = sigmoid(W_z x_t + b_z)
    b_z: np.ndarray  # (H,)
    w_h: np.ndarray  # (H, D)  candidate h~_t = W_h x_t + b_h
    b_h: np.ndarray  # (H,)
    gates: np.ndarray  # (T, H)  z_t; the scan's leaves are (a_t, b_t) = (1 - z_t, z_t h~_t)
    drive: np.ndarray  # (T, H)  b_t = z_t h~_t: each word's own input term, the level-0 state
    hidden: np.ndarray  # (T, H)  h_t by the step loop, the exact answer
    level_states: np.ndarray  # (L, T, H)  the scan's partial states after each of its L levels
    scan_difference: float  # max |h_scan - h_loop|
    log_space_difference: float  # max |h_log-space - h_loop|
    readout: np.ndarray  # (H,)  r, unit length; the output at t is r . h_t
    connectivity: np.ndarray  # (T, T)  ||d(r . h_t)/d x_k||, zero for k > t
    state_norm: np.ndarray  # (T,)  ||d(r . h_{T-1})/d h_j||
    hidden_attention: np.ndarray  # (T, T)  M[t, k] averaged over the H channels, in [0, 1]
    cost: ModelCost  # by the scan
    loop_cost: ModelCost  # by the step loop
    repeat_seconds: np.ndarray  # (R,)  the whole scan (gates included), per timed repeat
    loop_repeat_seconds: np.ndarray  # (R,)  the whole loop (gates included), per timed repeat
    level_seconds: np.ndarray  # (max(1, L),)  median seconds until each level is done
    loop_step_seconds: np.ndarray  # (T,)  median seconds until each loop step is done

    def __post_init__(self):
        for value in vars(self).values():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False

    @property
    def levels(self) -> int:
        return self.level_states.shape[0]

    @property
    def timing(self) -> TimingSummary:
        return summarize(self.repeat_seconds)

    @property
    def loop_timing(self) -> TimingSummary:
        return summarize(self.loop_repeat_seconds)

    def state_after(self, levels_done: int) -> np.ndarray:
        """The scan's states once `levels_done` levels have run (0: each word's own input term,
        b_t = z_t h~_t; all levels: h_t). (T, H)"""
        if levels_done <= 0 or self.levels == 0:
            return self.drive
        return self.level_states[min(levels_done, self.levels) - 1]

    def record(self) -> ModelRecord:
        """The scan's model-agnostic face: ceil(log2 T) levels each way."""
        T = len(self.hidden)
        timing = self.timing
        elapsed = self.level_seconds * (timing.median / self.level_seconds[-1]
                                        if self.level_seconds[-1] > 0 else 1.0)
        return ModelRecord(key="scan", name=SCAN_NAME, name_in_text=SCAN_NAME_IN_TEXT,
                           cost=self.cost, schedule=RevealSchedule.log_scan(T),
                           forward_timing=timing, forward_seconds=timing.median,
                           elapsed_seconds=elapsed, input_gradient=self.connectivity[-1],
                           connectivity=self.connectivity, causal=True)


def expected_scan_shapes(length: int, d_model: int, hidden: int) -> dict[str, tuple[int, ...]]:
    """The shape of every float64 array of a scan part over `length` words (keys without the
    trace's "scan_" prefix; the repeat counts are checked on their own)."""
    T, D, H, L = length, d_model, hidden, scan_level_count(length)
    return {"w_z": (H, D), "b_z": (H,), "w_h": (H, D), "b_h": (H,), "gates": (T, H),
            "drive": (T, H), "hidden": (T, H), "level_states": (L, T, H), "scan_difference": (),
            "log_space_difference": (), "readout": (H,), "connectivity": (T, T),
            "state_norm": (T,), "hidden_attention": (T, T), "level_seconds": (max(1, L),),
            "loop_step_seconds": (T,)}
