"""The headline sweep: accuracy after a fixed budget of steps against the length n (8 ... 128,
doubling). Each (n, model) is trained on its own, from the same seed and on the same batches it
would see beside the others, and reported the moment it is done, so a window can plot each point
as it arrives. A cancelled or refused sweep keeps the points so far."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from engine.core.errors import ConfigError
from engine.core.progress import CancelToken, ProgressCallback
from engine.labs.training.config import LENGTH_RANGE, TrainConfig
from engine.labs.training.train import COMPLETED, Trainer

DEFAULT_LENGTHS = (8, 16, 32, 64, 128)


@dataclass(frozen=True)
class SweepPoint:
    n: int
    model: str
    accuracy: float  # held-out, after config.steps steps (NaN when it diverged)
    final_loss: float
    seconds: float  # its training time
    stopped_reason: str  # "completed" or why it stopped


@dataclass(frozen=True)
class SweepResult:
    config: TrainConfig  # its n is ignored: lengths says which were run
    lengths: tuple[int, ...]
    points: tuple[SweepPoint, ...]
    stopped_reason: str  # "completed", "cancelled at n = ..." or why an n was refused

    def accuracy(self, model: str, n: int) -> float | None:
        return next((p.accuracy for p in self.points if p.model == model and p.n == n), None)


def parse_lengths(text: str) -> tuple[int, ...]:
    """"8,16,32" -> (8, 16, 32); ConfigError naming "lengths" for anything else."""
    try:
        lengths = tuple(int(part) for part in str(text).split(","))
    except ValueError:
        raise ConfigError("lengths", f"must be whole numbers separated by commas, got "
                                     f"{str(text)[:60]!r}") from None
    low, high = LENGTH_RANGE
    if any(not low <= n <= high for n in lengths):
        raise ConfigError("lengths", f"must each be between {low} and {high}, got {text}")
    if any(b <= a for a, b in zip(lengths, lengths[1:])):
        raise ConfigError("lengths", f"must be increasing with no repeats, got {text}")
    return lengths


def train_sweep(config: TrainConfig, lengths: tuple[int, ...] = DEFAULT_LENGTHS, *,
                on_point: Callable[[SweepPoint], None] | None = None,
                progress: ProgressCallback | None = None, cancel: CancelToken | None = None,
                available_memory: int | None = None) -> SweepResult:
    """Train every model of the config for config.steps steps at every n of `lengths`, shortest
    first; stop early (keeping the points) when cancelled or when an n does not fit in memory."""
    points: list[SweepPoint] = []
    runs = [(n, kind) for n in lengths for kind in config.models]
    for index, (n, kind) in enumerate(runs):
        try:
            trainer = Trainer(config.replace(n=n, models=(kind,)),
                              available_memory=available_memory)
        except ConfigError as refused:
            return SweepResult(config, lengths, tuple(points), f"n = {n} {refused.problem}")

        def within(fraction: float, label: str, index=index, n=n, kind=kind) -> None:
            if progress is not None:
                progress((index + fraction) / len(runs), f"n = {n}, {kind}: {label}")

        result = trainer.run(progress=within, cancel=cancel)
        if cancel is not None and cancel.cancelled:
            return SweepResult(config, lengths, tuple(points),
                               f"cancelled at n = {n} ({kind}); its point is left out")
        summary = result.summary(kind)
        point = SweepPoint(n, kind, summary.accuracy, summary.final_loss, summary.seconds,
                           summary.stopped_reason)
        points.append(point)
        if on_point is not None:
            on_point(point)
    return SweepResult(config, lengths, tuple(points), COMPLETED)
