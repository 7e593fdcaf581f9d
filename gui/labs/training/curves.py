"""What the window has received of a training run, in plain Python (no Qt, no torch): every
model's per-step records and held-out measurements, appended as updates arrive from the worker,
read out as arrays for the plots and as CSV columns."""

from __future__ import annotations

import numpy as np

# The per-step fields a StepRecord carries (engine/labs/training/train.py's CURVE_FIELDS).
STEP_FIELDS = ("step", "seconds", "loss", "accuracy", "first_gradient", "step_seconds")
EVAL_FIELDS = ("step", "seconds", "loss", "accuracy")


class LiveCurves:
    """Per model: one row per training step taken, and one per held-out measurement."""

    def __init__(self, models: tuple[str, ...] = ()):
        self.models = tuple(models)
        self._steps = {kind: {name: [] for name in STEP_FIELDS} for kind in self.models}
        self._evals = {kind: {name: [] for name in EVAL_FIELDS} for kind in self.models}

    def add(self, update) -> None:
        """Append one TrainUpdate (its step records and evaluations)."""
        for record in update.records:
            columns = self._steps.get(record.model)
            if columns is not None:
                for name in STEP_FIELDS:
                    columns[name].append(getattr(record, name))
        for record in update.evaluations:
            columns = self._evals.get(record.model)
            if columns is not None:
                for name in EVAL_FIELDS:
                    columns[name].append(getattr(record, name))

    def steps(self, kind: str, name: str) -> np.ndarray:
        """One per-step field of one model, (S,)."""
        return np.asarray(self._steps[kind][name], dtype=float)

    def evaluations(self, kind: str, name: str) -> np.ndarray:
        """One held-out field of one model, (E,)."""
        return np.asarray(self._evals[kind][name], dtype=float)

    def largest_step_value(self, name: str) -> float:
        """The largest last value of a per-step field over the models ("step" or "seconds",
        which only grow); 0 before any step."""
        return max((float(self._steps[kind][name][-1]) for kind in self.models
                    if self._steps[kind][name]), default=0.0)

    def step_count(self, kind: str) -> int:
        return len(self._steps[kind]["step"])

    def last_step(self) -> int:
        return max((self.step_count(kind) and int(self._steps[kind]["step"][-1])
                    for kind in self.models), default=0)

    @property
    def empty(self) -> bool:
        return all(self.step_count(kind) == 0 for kind in self.models)
