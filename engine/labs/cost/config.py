"""The cost lab's settings: which device, widths, lengths, repeats and precision, validated on
construction without loading torch or asking the hardware (require_device does that)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from engine.core.errors import ConfigError
from engine.core.fields import Choice, Flag, IntRange, config_field, validate_fields
from engine.core.validation import check_int

DEVICES = ("cpu", "cuda")
DTYPES = ("float32", "float64")
BYTES_PER_ELEMENT = {"float32": 4, "float64": 8}
LENGTH_RANGE = (1, 65536)
WIDTH_RANGE = (2, 8192)
HEAD_SIZE_RANGE = (1, 512)
REPEATS_RANGE = (1, 100)
WARMUP_RANGE = (0, 100)
THREADS_RANGE = (0, 256)  # 0: torch's default number of CPU threads


def default_lengths(min_n: int = 16, max_n: int = 4096) -> tuple[int, ...]:
    """min_n, 2 min_n, 4 min_n, ... up to max_n (max_n itself is added when not on the doubling)."""
    check_int("min_n", min_n, LENGTH_RANGE)
    check_int("max_n", max_n, (min_n, LENGTH_RANGE[1]))
    lengths = [min_n]
    while lengths[-1] * 2 <= max_n:
        lengths.append(lengths[-1] * 2)
    if lengths[-1] != max_n:
        lengths.append(max_n)
    return tuple(lengths)


@dataclass(frozen=True)
class LabConfig:
    # "cpu" or "cuda" (the first GPU torch sees)
    device: str = config_field(
        "cpu", Choice(DEVICES), "--device", "where to measure", label="Device",
        tip="Where the four implementations run. cuda appears when torch sees a GPU.")
    # D: width of every word vector
    d_model: int = config_field(
        512, IntRange(*WIDTH_RANGE), "--d-model", "width of every word vector", label="Width d (D)",
        tip="D: the width of every word vector. Table 1's d: attention is cheaper per layer "
            "while n < d.")
    # H: width of the RNN's hidden state
    hidden_size: int = config_field(
        512, IntRange(*WIDTH_RANGE), "--hidden-size", "width of the RNN's hidden state",
        label="Hidden size H",
        tip="H: the width of the RNN's hidden state (each step multiplies by an H x H matrix).")
    # hs: width of the one attention head's queries, keys and values
    head_size: int = config_field(
        64, IntRange(*HEAD_SIZE_RANGE), "--head-size",
        "width of the one attention head's queries, keys and values", label="Head size hs",
        tip="hs: the width of the one attention head's queries, keys and values.")
    # every n, increasing; checked in __post_init__ (the command line's --min-n and --max-n)
    lengths: tuple[int, ...] = config_field(
        None, None, None, "every sentence length measured, increasing", label="Lengths n",
        default_factory=default_lengths)
    # time forward + backward of output.sum() instead of forward only
    backward: bool = config_field(
        False, Flag(texts=("forward only", "forward + backward")), "--backward",
        "time forward + backward passes", label="Pass",
        tip="Time the forward pass only, or forward plus the backward pass of output.sum().")
    # timed runs per implementation and n; the median is reported
    repeats: int = config_field(
        5, IntRange(*REPEATS_RANGE), "--repeats", "timed runs per length, after the warm-ups",
        metavar="R", label="Repeats",
        tip="Timed runs per implementation and n: the plot shows their median and the "
            "fastest-to-slowest spread.")
    # untimed runs before the timed ones (caches, kernel selection)
    warmup: int = config_field(
        1, IntRange(*WARMUP_RANGE), "--warmup",
        "untimed runs per length before the timed ones, for caches and kernel selection",
        metavar="W",
        label="Warm-up runs", tip="Untimed runs before the timed ones (caches, kernel selection).")
    # CPU threads torch may use for each operation; 0: torch's default
    threads: int = config_field(
        0, IntRange(*THREADS_RANGE), "--threads",
        "CPU threads torch may use per operation (default %(default)s: torch's default; "
        "1 measures far more steadily on a busy machine)", metavar="N", label="CPU threads",
        tip="CPU threads torch may use for each operation (0: torch's default). On a busy "
            "machine several threads wait for free cores and make timings unsteady; 1 "
            "thread measures steadily, many show what a parallel CPU does at long n.")
    # element type of weights and inputs: "float32" or "float64"
    dtype: str = config_field(
        "float32", Choice(DTYPES), "--dtype", "element type of weights and inputs",
        label="Element type", tip="The element type of weights and inputs.")

    def __post_init__(self) -> None:
        validate_fields(self)
        object.__setattr__(self, "lengths", _checked_lengths(self.lengths))

    def replace(self, **changes) -> LabConfig:
        """A copy with some fields changed (validated like any new config)."""
        return dataclasses.replace(self, **changes)


def _checked_lengths(lengths) -> tuple[int, ...]:
    try:
        values = tuple(lengths)
    except TypeError:
        raise ConfigError("lengths", f"must be a list of whole numbers, got {lengths!r}") from None
    if not values:
        raise ConfigError("lengths", "must hold at least one n")
    for n in values:
        check_int("lengths", n, LENGTH_RANGE)
    if any(b <= a for a, b in zip(values, values[1:])):
        raise ConfigError("lengths", f"must be increasing with no repeats, got {list(values)}")
    return values


def require_device(config: LabConfig) -> None:
    """Refuse a config whose device this machine lacks. Kept out of LabConfig itself, so that a
    config validates without torch and a saved one still loads on a machine without a GPU."""
    if config.device == "cuda" and not _cuda_available():
        raise ConfigError("device", "is cuda, but no CUDA GPU is visible to torch "
                                    "(a CPU-only build, or no driver); use cpu")


def _cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()
