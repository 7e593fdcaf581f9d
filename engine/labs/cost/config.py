"""The cost lab's settings: which device, widths, lengths, repeats and precision, validated on
construction without loading torch or asking the hardware (require_device does that)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from engine.core.errors import ConfigError
from engine.core.validation import check_choice, check_int

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
    device: str = "cpu"  # "cpu" or "cuda" (the first GPU torch sees)
    d_model: int = 512  # D: width of every word vector
    hidden_size: int = 512  # H: width of the RNN's hidden state
    head_size: int = 64  # hs: width of the one attention head's queries, keys and values
    lengths: tuple[int, ...] = field(default_factory=default_lengths)  # every n, increasing
    backward: bool = False  # time forward + backward of output.sum() instead of forward only
    repeats: int = 5  # timed runs per implementation and n; the median is reported
    warmup: int = 1  # untimed runs before the timed ones (caches, kernel selection)
    dtype: str = "float32"  # element type of weights and inputs: "float32" or "float64"
    threads: int = 0  # CPU threads torch may use for each operation; 0: torch's default

    def __post_init__(self) -> None:
        check_choice("device", self.device, DEVICES)
        check_choice("dtype", self.dtype, DTYPES)
        check_int("d_model", self.d_model, WIDTH_RANGE)
        check_int("hidden_size", self.hidden_size, WIDTH_RANGE)
        check_int("head_size", self.head_size, HEAD_SIZE_RANGE)
        check_int("repeats", self.repeats, REPEATS_RANGE)
        check_int("warmup", self.warmup, WARMUP_RANGE)
        check_int("threads", self.threads, THREADS_RANGE)
        if not isinstance(self.backward, bool):
            raise ConfigError("backward", f"must be true or false, got {self.backward!r}")
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
