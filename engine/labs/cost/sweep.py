"""Cost lab: time and count an RNN, self-attention and minGRU (a linear recurrence, by its step loop
and by a parallel scan) over growing sentence lengths n on this machine, to set beside Table 1 of
Vaswani et al. (2017). Qt-free; torch loads on first use, not on import.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from dataclasses import dataclass
from typing import Callable

from engine.core.cost import attention_cost, mingru_loop_cost, mingru_scan_cost, rnn_cost
from engine.core.errors import RunCancelled
from engine.core.scan_plan import scan_level_count, scan_operator_applications
from engine.core.timing import TimingSummary, intraop_threads, summarize
from engine.labs.cost.config import BYTES_PER_ELEMENT, LabConfig, require_device
from engine.labs.cost.models import (RUNNERS, LabModels, build_models, lab_inputs, model_leaves,
                                    uses_fused_sdpa)

MINGRU = ("mingru_loop", "mingru_scan")  # the linear recurrence: step loop, then scan
# Every result file holds these; files saved before minGRU joined the sweep hold only these.
BASE_IMPLEMENTATIONS = ("rnn_stepwise", "rnn_fused", "attention", "attention_sdpa")
IMPLEMENTATIONS = (*BASE_IMPLEMENTATIONS, *MINGRU)
LABELS = {
    "rnn_stepwise": "RNN, our step loop",  # engine.models.rnn.RNNStepper: one Python call per word
    "rnn_fused": "RNN, torch.nn.RNN",  # the same weights in torch's fused loop (cuDNN on a GPU)
    "attention": "attention, our attend()",  # engine.models.attention.attend: explicit softmax
    "attention_sdpa": "attention, torch SDPA",  # F.scaled_dot_product_attention between projections
    "mingru_loop": "minGRU step loop",  # engine.models.mingru.MinGRUStepper: a call per word
    "mingru_scan": "minGRU scan",  # MinGRU.run_scan: the Hillis-Steele scan, ceil(log2 n) levels
}
RECURRENT = ("rnn_stepwise", "rnn_fused")
COMPARED = (("rnn_stepwise", "attention"), ("rnn_fused", "attention_sdpa"))  # (RNN, attention)
SCAN_COMPARED = ("mingru_loop", "mingru_scan")  # (the loop, the scan that would replace it)
# Copies of one n x n matrix alive at the peak of attend() (measured: about 3.2 forward, 8.4 with
# backward), rounded up; the SDPA reference needs less, so attend() sets the limit.
MATRIX_COPIES = {False: 4, True: 9}

# Vaswani et al. (2017), Table 1, per layer; n = sentence length, d = representation width. The
# linear recurrence's row is not in the paper: minGRU (Feng et al., 2024), h_t = a_t h_{t-1} + b_t
# with gates that read only x_t. Its complexity counts the recurrence, d channels of one
# multiply-add per word (a work-efficient scan keeps O(n·d); the Hillis-Steele scan run here does
# n·ceil(log2 n) operator applications, O(n·d·log n)); its gate projections, W_z x_t and W_h x_t,
# are O(n·d²) like the RNN's but run for every word at once. The scan needs ceil(log2 n) sequential
# levels where the loop needs n steps; the path from word k to word t still passes through every
# decay between them, however the scan brackets the product: O(n).
TABLE1 = {
    "self_attention": {"complexity": "O(n²·d)", "sequential": "O(1)", "path": "O(1)"},
    "recurrent": {"complexity": "O(n·d²)", "sequential": "O(n)", "path": "O(n)"},
    "linear_recurrence": {"complexity": "O(n·d)", "projections": "O(n·d²)",
                          "scan_work": "O(n·d·log n)", "sequential": "O(log n)",
                          "sequential_loop": "O(n)", "path": "O(n)", "in_paper": False},
}
# The exponent of n each implementation's cost should reach at large n (Table 1's; minGRU's from
# its row above: the projections and the loop grow as n, the Hillis-Steele scan as n·log n).
PAPER_EXPONENT = {"rnn_stepwise": 1, "rnn_fused": 1, "attention": 2, "attention_sdpa": 2,
                  "mingru_loop": 1, "mingru_scan": 1}
TABLE1_ROW = {"rnn_stepwise": "recurrent", "rnn_fused": "recurrent", "attention": "self_attention",
              "attention_sdpa": "self_attention", "mingru_loop": "linear_recurrence",
              "mingru_scan": "linear_recurrence"}


def crossover_n(d_model: int) -> int:
    """Table 1: self-attention's per-layer cost n²·d is below the recurrent n·d² while n < d."""
    return d_model


# ---- exact multiply-add counts -------------------------------------------------------------------

def count_macs(name: str, n: int, config: LabConfig, sdpa_fused: bool = True) -> int:
    """Multiply-adds of the matrix products one timed run of `name` performs at length n.

    Forward: engine.core.cost's closed forms (one head of size hs). Backward rule: a product A·B of
    forward cost m·k·p needs one product of the same cost per operand that needs a gradient
    (dA = dC·Bᵀ, dB = Aᵀ·dC; a matrix-vector product's weight gradient is the outer product g·hᵀ,
    counted as H·H). Inputs and weights all need gradients, so every product costs 2x its forward,
    except the RNN's first step, whose W_hh·h_0 has a constant h_0 = 0 (no dh_0): one H·H fewer.
    Fused SDPA kernels (flash / memory-efficient / cuDNN) also recompute Q·Kᵀ in backward: +n²·hs.
    Bias additions, activations and softmax are not counted. cuDNN's RNN backward may form dh_0
    as well (one H·H more than counted); on the CPU the count is exact.

    minGRU: engine.core.cost's counts, its two gate projections (2·n·H·D) and its elementwise
    recurrence (mingru_recurrence_macs). The gating a_t = 1 - z_t, b_t = z_t·h~_t is not counted.
    """
    D, H, hs = config.d_model, config.hidden_size, config.head_size
    if name in MINGRU:
        cost = mingru_loop_cost if name == "mingru_loop" else mingru_scan_cost
        forward = cost(n, D, H).multiply_adds
        backward = 2 * (2 * n * H * D) + mingru_recurrence_macs(name, n, H, backward=True)
    elif name in RECURRENT:
        forward = rnn_cost(n, D, H, 1).multiply_adds  # n·H·(D + H)
        backward = 2 * n * D * H + (2 * n - 1) * H * H
    elif name in ("attention", "attention_sdpa"):
        forward = attention_cost(n, D, 1, hs).multiply_adds  # 4·n·D·hs + 2·n²·hs
        recompute = n * n * hs if name == "attention_sdpa" and sdpa_fused else 0
        backward = 2 * forward + recompute
    else:
        raise ValueError(f"unknown implementation {name!r}; expected one of {IMPLEMENTATIONS}")
    return forward + backward if config.backward else forward


def mingru_recurrence_macs(name: str, n: int, H: int, backward: bool = False) -> int:
    """Multiply-adds of minGRU's recurrence alone, forward or (backward=True) its backward pass.

    Loop: n·H forward (a_t·h_{t-1} + b_t); backward one product per operand that needs a gradient,
    a_t and h_{t-1}, except at the first step, whose h_0 = 0 is a constant: (2n - 1)·H.
    Scan: 2·H per operator application forward (a1·a2 and a2·b1 + b2); backward twice that, except
    that the last level's products a1·a2 feed nothing (only b is returned), so autograd skips them.
    """
    if name == "mingru_loop":
        return (2 * n - 1) * H if backward else n * H
    if name != "mingru_scan":
        raise ValueError(f"{name!r} is not one of minGRU's implementations {MINGRU}")
    forward = 2 * H * scan_operator_applications(n)
    if not backward:
        return forward
    levels = scan_level_count(n)
    last_level = n - (1 << (levels - 1)) if levels else 0  # applications of the last level
    return 2 * forward - 2 * H * last_level


# ---- memory --------------------------------------------------------------------------------------

def available_memory_bytes(device: str) -> int:
    """Free memory now: MemAvailable from /proc/meminfo (or sysconf) on cpu, mem_get_info on cuda."""
    if device == "cuda":
        import torch

        free, _total = torch.cuda.mem_get_info()
        cached = torch.cuda.memory_reserved() - torch.cuda.memory_allocated()  # torch can reuse it
        return int(free + cached)
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def memory_needed_bytes(config: LabConfig, n: int) -> int:
    """Peak bytes of one measurement at length n: the n x n attention matrices dominate, unless
    H is far wider than n, where the scan's levels (kept for backward) take more."""
    element = BYTES_PER_ELEMENT[config.dtype]
    matrices = MATRIX_COPIES[config.backward] * n * n  # scores, exp, weights (and their grads)
    # the scan: a and b before and after one level, or 4 (n, H) tensors per level kept for backward
    kept = max(1, scan_level_count(n)) if config.backward else 1
    scan_levels = 4 * n * config.hidden_size * kept
    matrices = max(matrices, scan_levels)
    vectors = 8 * n * (config.d_model + config.hidden_size + 4 * config.head_size)  # x, h, q, k, v
    return element * (matrices + vectors)


def memory_refusal(config: LabConfig, n: int) -> str | None:
    """The reason n cannot run in the memory there is, or None when it fits."""
    needed = memory_needed_bytes(config, n)
    available = available_memory_bytes(config.device)
    if needed <= available:
        return None
    return (f"n = {n} needs about {bytes_text(needed)} for the attention matrices; "
            f"{bytes_text(available)} is available")


def bytes_text(size: int) -> str:
    """34.4 GB, 512.0 MB, 3.1 kB: decimal units, one decimal."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size / 1e3:.1f} kB"


# ---- results -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Measurement:
    implementation: str  # one of IMPLEMENTATIONS
    median_seconds: float  # median of the timed repeats
    min_seconds: float  # fastest timed repeat
    max_seconds: float  # slowest timed repeat
    macs: int  # counted multiply-adds of one run (forward, or forward + backward)
    samples: tuple[float, ...]  # every timed repeat in seconds, in the order run

    @property
    def spread_seconds(self) -> float:
        return self.max_seconds - self.min_seconds

    @property
    def timing(self) -> TimingSummary:
        """Median and interquartile range of the samples, and whether they can be trusted."""
        return summarize(self.samples)

    @property
    def unsteady(self) -> bool:
        return self.timing.unsteady


@dataclass(frozen=True)
class LabRow:
    n: int  # sentence length of this row
    measurements: dict[str, Measurement]  # implementation name -> its timing and count
    rnn_sequential_operations: int  # n: each step waits for the previous one
    attention_sequential_operations: int  # 1: every word at once
    rnn_max_path_length: int  # n - 1 hops from the first word to the last
    attention_max_path_length: int  # 1 hop between any two words
    # minGRU's counts; None in results saved before minGRU joined the sweep
    mingru_loop_sequential_operations: int | None = None  # n steps, like the RNN
    mingru_scan_sequential_operations: int | None = None  # ceil(log2 n) levels (1 at n = 1)
    mingru_max_path_length: int | None = None  # n - 1: the scan shortens the wait, not the path

    def __getitem__(self, name: str) -> Measurement:
        return self.measurements[name]

    @property
    def has_mingru(self) -> bool:
        return all(name in self.measurements for name in MINGRU)


@dataclass(frozen=True)
class LabResult:
    config: LabConfig  # what was asked for
    rows: tuple[LabRow, ...]  # one per n that finished, in order
    stopped_reason: str  # "completed", "cancelled", or why the next n was refused
    device_name: str  # the GPU's name, or the CPU's and its thread count
    torch_version: str  # torch.__version__ that ran the sweep

    @property
    def completed(self) -> bool:
        return self.stopped_reason == "completed"


# ---- timing and the sweep ------------------------------------------------------------------------

def _run_once(runner: Callable, models: LabModels, x, backward: bool):
    """One run: forward under no_grad, or forward and the backward of output.sum()."""
    import torch

    if not backward:
        with torch.no_grad():
            return runner(models, x)
    output = runner(models, x)
    output.sum().backward()
    return output


def _time_once(function: Callable, device: str) -> tuple[float, object]:
    """Seconds one call takes: CUDA events around it on a GPU, perf_counter on the CPU."""
    import torch

    if device == "cuda":
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        torch.cuda.synchronize()
        start.record()
        value = function()
        end.record()
        torch.cuda.synchronize()
        return start.elapsed_time(end) / 1000.0, value
    start_time = time.perf_counter()
    value = function()
    return time.perf_counter() - start_time, value


class _Ticker:
    """Reports progress (work weighted by n) and checks the cancel token before every run."""

    def __init__(self, config: LabConfig, progress, cancel):
        self._warmup, self._repeats = config.warmup, config.repeats
        self._total = sum(config.lengths) * len(IMPLEMENTATIONS) * (config.warmup + config.repeats)
        self._done = 0
        self._progress, self._cancel = progress, cancel

    def before_run(self, n: int, name: str, index: int) -> None:
        if self._cancel is not None:
            self._cancel.raise_if_cancelled()
        if self._progress is not None:
            if index < self._warmup:
                what = f"warm-up {index + 1} of {self._warmup}"
            else:
                what = f"run {index - self._warmup + 1} of {self._repeats}"
            self._progress(self._done / self._total, f"n = {n}: {LABELS[name]}, {what}")
        self._done += n

    def finish(self) -> None:
        if self._progress is not None:
            self._progress(1.0, "done")


def measure(name: str, models: LabModels, x, config: LabConfig, ticker: _Ticker | None = None
            ) -> Measurement:
    """Warm-up runs, then `repeats` timed runs of one implementation on the inputs x (T, D)."""
    runner, n = RUNNERS[name], x.shape[0]
    samples, output = [], None
    for index in range(config.warmup + config.repeats):
        if ticker is not None:
            ticker.before_run(n, name, index)
        for leaf in model_leaves(models, x):
            leaf.grad = None
        output = None  # frees the previous run's output before the next one allocates
        seconds, output = _time_once(lambda: _run_once(runner, models, x, config.backward),
                                     config.device)
        if index >= config.warmup:
            samples.append(seconds)
    fused = config.backward and name == "attention_sdpa" and uses_fused_sdpa(output)
    return Measurement(name, statistics.median(samples), min(samples), max(samples),
                       count_macs(name, n, config, sdpa_fused=fused), tuple(samples))


def measure_length(models: LabModels, n: int, config: LabConfig,
                   ticker: _Ticker | None = None) -> LabRow:
    """Every implementation at one sentence length n, on the same inputs and weights."""
    x = lab_inputs(config, n)  # (T, D)
    measurements = {name: measure(name, models, x, config, ticker) for name in IMPLEMENTATIONS}
    return LabRow(n, measurements, *counted_columns(n))


def counted_columns(n: int) -> tuple[int, ...]:
    """A row's counts at length n, in LabRow's order: sequential operations and path length of
    the RNN and attention, then minGRU's loop steps, scan levels and path (engine.core.cost's)."""
    rnn, attention = rnn_cost(n, 1, 1, 1), attention_cost(n, 1, 1, 1)
    loop, scan = mingru_loop_cost(n, 1, 1), mingru_scan_cost(n, 1, 1)
    return (rnn.sequential_operations, attention.sequential_operations, rnn.max_path_length,
            attention.max_path_length, loop.sequential_operations, scan.sequential_operations,
            scan.max_path_length)


def sweep(config: LabConfig, on_result: Callable[[LabRow], None] | None = None,
          progress: Callable[[float, str], None] | None = None, cancel=None) -> LabResult:
    """Measure every n in order; stop early (keeping the rows so far) when cancelled or out of memory.

    on_result(row) is called after each n; progress(fraction, label) before every run; cancel is an
    engine.core.progress.CancelToken, checked before every run (never inside a timed one).
    """
    require_device(config)
    with intraop_threads(config.threads):
        rows, reason = _sweep_lengths(config, on_result, _Ticker(config, progress, cancel))
        return LabResult(config, tuple(rows), reason, device_name(config.device),
                         _torch_version())


def _sweep_lengths(config: LabConfig, on_result, ticker: _Ticker) -> tuple[list[LabRow], str]:
    """The rows measured and why the sweep ended ("completed", "cancelled" or the refusal)."""
    models, rows, reason = build_models(config), [], "completed"
    try:
        for n in config.lengths:
            reason = memory_refusal(config, n) or "completed"
            if reason != "completed":
                break
            rows.append(measure_length(models, n, config, ticker))
            if on_result is not None:
                on_result(rows[-1])
    except RunCancelled:
        reason = "cancelled"
    except RuntimeError as error:  # torch.OutOfMemoryError included: a run the estimate let through
        if not any(text in str(error) for text in ("out of memory", "can't allocate memory")):
            raise
        reason = f"n = {config.lengths[len(rows)]} ran out of memory: {str(error).splitlines()[0]}"
    if reason == "completed":
        ticker.finish()
    return rows, reason


def device_name(device: str) -> str:
    """The GPU's name, or the CPU's model name and the threads torch uses on this thread."""
    import torch

    if device == "cuda":
        return torch.cuda.get_device_name(torch.cuda.current_device())
    model = platform.processor() or platform.machine() or "CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo
                          if line.startswith("model name")), model)
    except OSError:
        pass
    threads = torch.get_num_threads()
    return f"{model} ({threads} thread{'' if threads == 1 else 's'})"


def _torch_version() -> str:
    import torch

    return torch.__version__
