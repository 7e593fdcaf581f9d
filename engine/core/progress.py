"""Progress reporting and cooperative cancelling for long engine runs."""

from __future__ import annotations

import threading
from typing import Callable

from engine.core.errors import RunCancelled

ProgressCallback = Callable[[float, str], None]  # (fraction done in [0, 1], what is running)


class CancelToken:
    """Set from any thread; the engine checks it between timesteps and raises RunCancelled."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise RunCancelled("the run was cancelled")


class PhaseProgress:
    """Maps progress inside named phases onto one overall fraction, weighted by expected cost."""

    def __init__(self, weights: dict[str, float], callback: ProgressCallback | None,
                 cancel: CancelToken | None, min_interval: float = 0.005):
        total = sum(weights.values()) or 1.0
        self._starts: dict[str, float] = {}
        self._spans: dict[str, float] = {}
        done = 0.0
        for name, weight in weights.items():
            self._starts[name] = done / total
            self._spans[name] = weight / total
            done += weight
        self._callback = callback
        self._cancel = cancel
        self._min_interval = min_interval
        self._last_fraction = -1.0

    def update(self, phase: str, within: float, label: str) -> None:
        """Report `within` (0..1) of `phase` done; raise RunCancelled if the token was set."""
        if self._cancel is not None:
            self._cancel.raise_if_cancelled()
        if self._callback is None:
            return
        fraction = self._starts[phase] + self._spans[phase] * min(max(within, 0.0), 1.0)
        if within >= 1.0 or fraction - self._last_fraction >= self._min_interval:
            self._last_fraction = fraction
            self._callback(fraction, label)
