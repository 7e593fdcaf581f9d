"""Everything the scan lane shows for one sentence, in one call, as the trace's ScanTrace: the
loop's states, the scan's partial states after each level (one per tick), how closely the scan and
the log-space scan agree with the loop, the gradient maps, hidden attention, the counts, and
measured times per step and per level."""

from __future__ import annotations

import time
from typing import Callable

import numpy as np
import torch

from engine.analysis.hidden_attention import hidden_attention_map
from engine.analysis.mingru_gradients import mingru_gradients
from engine.core.cost import mingru_loop_cost, mingru_scan_cost
from engine.core.scan_trace import ScanTrace
from engine.core.seeding import unit_vector
from engine.core.timing import intraop_threads
from engine.models.mingru import MinGRU, MinGRUStepper, build_mingru

READOUT_PURPOSE = "mingru-readout"  # the seed's stream for minGRU's readout r


Progress = Callable[[float, str], None]


def run_mingru(embeddings: np.ndarray, config, repeats: int = 5,
               progress: Progress | None = None) -> ScanTrace:
    """minGRU (D, H and weights from the SimConfig's seed) on a sentence's word vectors (T, D):
    the trace's scan part. progress(fraction, label) is called between the stages (a cancel
    raised there stops the run)."""
    if embeddings.ndim != 2 or embeddings.shape[0] < 1 or embeddings.shape[1] != config.d_model:
        raise ValueError(f"minGRU needs at least one word vector of width {config.d_model}, "
                         f"not an array of shape {embeddings.shape}")
    report = progress or (lambda _fraction, _label: None)
    model, x = build_mingru(config), torch.from_numpy(np.array(embeddings, dtype=np.float64))  # a copy
    report(0.0, "minGRU: the step loop")
    stepper = MinGRUStepper(model, x)
    hidden = stepper.run()  # (T, H)
    report(0.15, "minGRU: the parallel scan, level by level")
    scan = model.run_scan(x, record=True)
    log_space = model.run_log_space(x)  # (T, H)
    T, H = x.shape[0], config.hidden_size
    readout = unit_vector(config.seed, READOUT_PURPOSE, H)  # (H,)
    grads = mingru_gradients(stepper, torch.from_numpy(readout), lambda done: report(
        0.3 + 0.4 * done * (2 * T - done + 1) / (T * (T + 1)),  # rows T, T-1, ...: a triangle
        f"minGRU gradients: {done} of {T} steps back"))
    token_map = hidden_attention_map(model, x, on_block=lambda done: report(
        0.7 + 0.2 * done / H, f"minGRU hidden attention: {done} of {H} channels"))  # (T, T)
    report(0.9, "minGRU: timing the loop against the scan")
    loop_runs, scan_runs = _timed_repeats(model, x, max(1, repeats))
    D = config.d_model
    coefficients, weights = stepper.coefficients, model.weights
    level_states = (np.stack(scan.level_states) if scan.level_states
                    else np.zeros((0, T, H)))  # (L, T, H)
    report(1.0, "minGRU: done")
    return ScanTrace(
        w_z=_frozen(weights.w_z), b_z=_frozen(weights.b_z), w_h=_frozen(weights.w_h),
        b_h=_frozen(weights.b_h), gates=_frozen(coefficients.gate),
        drive=_frozen(coefficients.drive), hidden=_frozen(hidden),
        level_states=_frozen_array(level_states),
        scan_difference=float((scan.hidden - hidden).abs().max()),
        log_space_difference=float((log_space - hidden).abs().max()),
        readout=_frozen_array(readout), connectivity=_frozen_array(grads.connectivity),
        state_norm=_frozen_array(grads.state_norm), hidden_attention=token_map,
        cost=mingru_scan_cost(T, D, H), loop_cost=mingru_loop_cost(T, D, H),
        repeat_seconds=_frozen_array(scan_runs[:, -1]),
        loop_repeat_seconds=_frozen_array(loop_runs[:, -1]),
        level_seconds=_frozen_array(np.median(scan_runs, axis=0)),
        loop_step_seconds=_frozen_array(np.median(loop_runs, axis=0)))


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
