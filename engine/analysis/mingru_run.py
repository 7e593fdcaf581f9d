"""Everything a minGRU lane shows for one sentence, in one call: the loop's states, the scan's
levels (one per tick) with their partial states, how closely the scan and the log-space scan agree
with the loop, the gradient maps, hidden attention, the counts, and measured times per step and per
level. Plain read-only arrays, for a trace record and views to be built over."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from engine.analysis.hidden_attention import HiddenAttention, hidden_attention
from engine.analysis.mingru_gradients import mingru_gradients
from engine.core.cost import ModelCost, mingru_loop_cost, mingru_scan_cost
from engine.core.scan_plan import ScanLevel
from engine.core.seeding import unit_vector
from engine.core.timing import TimingSummary, intraop_threads, summarize
from engine.models.mingru import MinGRU, MinGRUStepper, build_mingru

READOUT_PURPOSE = "mingru-readout"  # the seed's stream for minGRU's readout r


@dataclass(frozen=True)
class MinGRURun:
    hidden: np.ndarray  # (T, H)  h_t by the step loop
    levels: tuple[ScanLevel, ...]  # the scan's levels: which positions each joins, spans after it
    level_states: tuple[np.ndarray, ...]  # (T, H) each: the scan's partial states after each level
    scan_difference: float  # max |h_scan - h_loop|
    log_space_difference: float  # max |h_log-space - h_loop|
    readout: np.ndarray  # (H,)  r, a unit vector from the seed
    connectivity: np.ndarray  # (T, T)  ||d(r . h_t)/d x_k||, zero above the diagonal
    state_norm: np.ndarray  # (T,)  ||d(r . h_{T-1})/d h_j||
    attention: HiddenAttention  # M per channel (H, T, T) and the token map (T, T)
    loop_cost: ModelCost
    scan_cost: ModelCost
    loop_timing: TimingSummary  # whole forward pass by the loop (gates included), over the repeats
    scan_timing: TimingSummary  # whole forward pass by the scan (gates included)
    loop_elapsed: np.ndarray  # (T,)  median seconds until each step is done
    scan_elapsed: np.ndarray  # (max(1, levels),)  median seconds until each level is done


def run_mingru(embeddings: np.ndarray, config, repeats: int = 5) -> MinGRURun:
    """minGRU (D, H and weights from the SimConfig's seed) on a sentence's word vectors (T, D)."""
    if embeddings.ndim != 2 or embeddings.shape[0] < 1 or embeddings.shape[1] != config.d_model:
        raise ValueError(f"minGRU needs at least one word vector of width {config.d_model}, "
                         f"not an array of shape {embeddings.shape}")
    model, x = build_mingru(config), torch.from_numpy(np.array(embeddings, dtype=np.float64))  # a copy
    stepper = MinGRUStepper(model, x)
    hidden = stepper.run()  # (T, H)
    scan = model.run_scan(x, record=True)
    readout = unit_vector(config.seed, READOUT_PURPOSE, config.hidden_size)  # (H,)
    grads = mingru_gradients(stepper, torch.from_numpy(readout))
    loop_runs, scan_runs = _timed_repeats(model, x, max(1, repeats))
    T, D, H = x.shape[0], config.d_model, config.hidden_size
    return MinGRURun(
        hidden=_frozen(hidden), levels=scan.levels, level_states=scan.level_states,
        scan_difference=float((scan.hidden - hidden).abs().max()),
        log_space_difference=float((model.run_log_space(x) - hidden).abs().max()),
        readout=_frozen(torch.from_numpy(readout)), connectivity=_frozen_array(grads.connectivity),
        state_norm=_frozen_array(grads.state_norm), attention=hidden_attention(model, x),
        loop_cost=mingru_loop_cost(T, D, H), scan_cost=mingru_scan_cost(T, D, H),
        loop_timing=summarize(loop_runs[:, -1]), scan_timing=summarize(scan_runs[:, -1]),
        loop_elapsed=_frozen_array(np.median(loop_runs, axis=0)),
        scan_elapsed=_frozen_array(np.median(scan_runs, axis=0)))


def _timed_repeats(model: MinGRU, x: torch.Tensor, repeats: int) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative seconds after each loop step (R, T) and after each scan level (R, max(1, L)),
    alternating the two so a busy moment slows both alike; one thread, after a warm-up."""
    loops, scans = [], []
    with intraop_threads(1), torch.no_grad():
        _time_loop(model, x), _time_scan(model, x)  # warm-up
        for _ in range(repeats):
            loops.append(_time_loop(model, x))
            scans.append(_time_scan(model, x))
    return np.array(loops), np.array(scans)


def _time_loop(model: MinGRU, x: torch.Tensor) -> np.ndarray:
    stepper = MinGRUStepper(model, x)
    stepper.run()
    return stepper.projection_seconds + np.cumsum(stepper.step_seconds)  # (T,)


def _time_scan(model: MinGRU, x: torch.Tensor) -> np.ndarray:
    marks = []
    start = time.perf_counter()
    model.run_scan(x, on_level=lambda _level: marks.append(time.perf_counter() - start))
    return np.array(marks or [time.perf_counter() - start])  # one word: no level, one step


def _frozen_array(array: np.ndarray) -> np.ndarray:
    array = np.array(array, dtype=np.float64)
    array.setflags(write=False)
    return array


def _frozen(tensor: torch.Tensor) -> np.ndarray:
    return _frozen_array(tensor.detach().cpu().numpy())
