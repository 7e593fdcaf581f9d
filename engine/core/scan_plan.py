"""The shape of a Hillis-Steele parallel scan over n words, from n alone: which positions each level
combines, which span of words every position covers afterwards, and the exact counts.

Level j (j = 0, 1, ...) combines every position t >= 2^j with position t - 2^j, all at once, so
after level j position t covers the words max(0, t - 2^(j+1) + 1) .. t. After ceil(log2 n) levels
every position covers the whole prefix 0..t and holds its finished state. One word needs no
level at all (its state is its own input term), so n = 1 has 0 levels; the clock still gives a
scan one tick to show it (RevealSchedule.log_scan counts max(1, levels) forward steps).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ScanLevel:
    index: int  # j: levels are done in order 0, 1, ..., each after the one before
    offset: int  # 2^j: how far back each position reaches at this level
    targets: np.ndarray  # (n - offset,)  positions t that the operator updates at this level
    sources: np.ndarray  # (n - offset,)  the earlier position t - offset joined onto each target
    span_start: np.ndarray  # (n,)  first word each position covers once the level is done

    @property
    def applications(self) -> int:
        """Operator applications at this level, all independent of one another."""
        return len(self.targets)


def _read_only(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


def scan_level_count(length: int) -> int:
    """ceil(log2 n): the sequential levels of the scan over n words (0 for n <= 1).

    Computed on integers ((n - 1).bit_length()), exact for every n, where math.log2 rounds."""
    if length < 0:
        raise ValueError(f"a scan needs 0 or more words, not {length}")
    return (length - 1).bit_length() if length > 1 else 0


@functools.lru_cache(maxsize=64)  # read-only arrays, safe to share
def scan_levels(length: int) -> tuple[ScanLevel, ...]:
    """Every level of the Hillis-Steele scan over `length` words, in the order they run."""
    levels = []
    for j in range(scan_level_count(length)):
        offset = 1 << j
        targets = np.arange(offset, length)  # (n - offset,)
        span_start = np.maximum(np.arange(length) - (2 * offset - 1), 0)  # (n,)
        levels.append(ScanLevel(j, offset, _read_only(targets), _read_only(targets - offset),
                                _read_only(span_start)))
    return tuple(levels)


def scan_operator_applications(length: int) -> int:
    """Operator applications of the whole Hillis-Steele scan: sum over levels of (n - 2^j),
    which is n * L - (2^L - 1) for L = ceil(log2 n) levels: O(n log n), where the step loop
    makes n steps. (Blelloch's work-efficient scan needs about 2n, in twice as many levels.)"""
    levels = scan_level_count(length)
    return length * levels - ((1 << levels) - 1)

