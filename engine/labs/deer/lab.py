"""The DEER lab's measurements: DEER and quasi-DEER at the chosen n and scale, iterate by iterate
against the loop (engine.analysis.deer_convergence), then the iterations each needs against n and
against the recurrent scale. Each finished piece is handed out as it arrives; Cancel stops between
pieces and keeps the pieces so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from engine.core.progress import CancelToken
from engine.labs.deer.config import DeerLabConfig

JACOBIANS = ("full", "diagonal")  # DEER, quasi-DEER (engine.models.deer.JACOBIANS)
METHOD_NAMES = {"full": "DEER", "diagonal": "quasi-DEER"}
COMPLETED, CANCELLED = "completed", "cancelled"


@dataclass(frozen=True)
class LabPart:
    """One finished measurement: kind "convergence" (value: DeerConvergence) or "length" /
    "scale" (value: SweepPoint), for one Jacobian ("full" or "diagonal")."""
    kind: str
    jacobian: str
    value: object


@dataclass
class DeerLabResult:
    config: DeerLabConfig
    convergence: dict = field(default_factory=dict)  # jacobian -> DeerConvergence
    length_points: dict = field(default_factory=dict)  # jacobian -> list[SweepPoint], by n
    scale_points: dict = field(default_factory=dict)  # jacobian -> list[SweepPoint], by scale
    stopped_reason: str = COMPLETED

    @property
    def completed(self) -> bool:
        return self.stopped_reason == COMPLETED

    def add(self, part: LabPart) -> None:
        if part.kind == "convergence":
            self.convergence[part.jacobian] = part.value
        else:
            points = self.length_points if part.kind == "length" else self.scale_points
            points.setdefault(part.jacobian, []).append(part.value)


def sweep_settings(config: DeerLabConfig, jacobian: str):
    """The analysis module's SweepSettings for this lab config (word width = hidden size)."""
    from engine.analysis.deer_convergence import SweepSettings

    return SweepSettings(d_model=config.hidden_size, hidden_size=config.hidden_size,
                         seed=config.seed, jacobian=jacobian, tolerance=config.tolerance,
                         max_iterations=config.max_iterations)


def lab_inputs(config: DeerLabConfig, length: int, scale: float):
    """(cell, words) exactly as the sweeps build them: the seeded Elman cell at `scale` and
    `length` seeded N(0, 1) words (T, D), the same first words for every n."""
    import torch

    from engine.analysis.deer_convergence import INPUT_PURPOSE
    from engine.core.config import SimConfig
    from engine.core.seeding import generator
    from engine.models.rnn import build_cell

    sim = SimConfig(d_model=config.hidden_size, hidden_size=config.hidden_size, cell="rnn",
                    activation="tanh", recurrent_scale=scale, seed=config.seed)
    rng = generator(config.seed, INPUT_PURPOSE)
    words = torch.from_numpy(rng.standard_normal((length, config.hidden_size)))  # (T, D)
    return build_cell(sim), words


def _plan(config: DeerLabConfig) -> list[tuple[str, str, int, float]]:
    """Every measurement, in the order run: (kind, jacobian, n, scale); DEER and quasi-DEER
    alternate so both curves grow together."""
    plan = [("convergence", j, config.n, config.recurrent_scale) for j in JACOBIANS]
    plan += [("length", j, n, config.recurrent_scale) for n in config.swept_lengths
             for j in JACOBIANS]
    plan += [("scale", j, config.n, s) for s in config.swept_scales for j in JACOBIANS]
    return plan


def _measure(config: DeerLabConfig, kind: str, jacobian: str, length: int, scale: float):
    from engine.analysis.deer_convergence import deer_convergence, sweep_point

    if kind == "convergence":
        cell, words = lab_inputs(config, length, scale)
        return deer_convergence(cell, words, jacobian=jacobian, tolerance=config.tolerance,
                                max_iterations=config.max_iterations)
    return sweep_point(length, scale, sweep_settings(config, jacobian))


def _label(kind: str, jacobian: str, length: int, scale: float) -> str:
    what = {"convergence": "iterating", "length": "sweeping n", "scale": "sweeping the scale"}
    return f"{METHOD_NAMES[jacobian]}: {what[kind]}, n = {length}, scale {scale:g}"


def run_lab(config: DeerLabConfig, on_part: Callable[[LabPart], None] | None = None,
            progress: Callable[[float, str], None] | None = None,
            cancel: CancelToken | None = None) -> DeerLabResult:
    """All three measurements of `config`; on_part(part) after each, progress(fraction, label)
    before each (weighted by n), and a cancel token read between them."""
    result = DeerLabResult(config)
    plan = _plan(config)
    total = sum(length for _kind, _jac, length, _scale in plan)
    done = 0
    for kind, jacobian, length, scale in plan:
        if cancel is not None and cancel.cancelled:
            result.stopped_reason = CANCELLED
            return result
        if progress is not None:
            progress(done / total, _label(kind, jacobian, length, scale))
        part = LabPart(kind, jacobian, _measure(config, kind, jacobian, length, scale))
        result.add(part)
        if on_part is not None:
            on_part(part)
        done += length
    if progress is not None:
        progress(1.0, "done")
    return result
