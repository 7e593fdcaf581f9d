"""How DEER's Newton iterations approach the loop's exact trajectory: the error per iteration, and
the iterations it takes against the sentence length n and against the recurrent scale, beside
Pascanu's lambda1 * gamma (below 1 the dynamics contract and DEER needs a handful of iterations;
well above 1 it needs about n, or overflows)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from engine.core.config import SimConfig
from engine.core.seeding import generator
from engine.models.cells import ElmanCell
from engine.models.deer import DeerResult, deer_solve
from engine.models.rnn import RNNStepper, build_cell, derivative_bound, largest_singular_value

INPUT_PURPOSE = "deer-inputs"  # the seed's stream for the sweeps' word vectors


@dataclass(frozen=True)
class DeerConvergence:
    result: DeerResult
    loop_hidden: np.ndarray  # (T, H)  the step loop's trajectory, the exact answer
    errors: np.ndarray  # (I+1,)  max_t |h_t - loop h_t| of the zero guess and of each iterate
    iterates: tuple[np.ndarray, ...]  # (T, H) each: the guess and every iterate (when recorded)
    lambda1_gamma: float  # Pascanu's rate: largest singular value of W_hh times sup |act'|


def deer_convergence(cell: ElmanCell, inputs: torch.Tensor, *, jacobian: str = "full",
                     tolerance: float = 1e-12, max_iterations: int = 64,
                     record: bool = False) -> DeerConvergence:
    """Run the loop and DEER on the same words and measure every iterate against the loop."""
    loop = RNNStepper(cell, inputs).run().detach()  # (T, H)
    errors, iterates = [], []

    def measure(_iteration: int, trajectory: torch.Tensor) -> None:
        errors.append(float((trajectory - loop).abs().max()))
        if record:
            iterates.append(_frozen(trajectory))

    result = deer_solve(cell, inputs, jacobian=jacobian, tolerance=tolerance,
                        max_iterations=max_iterations, on_iteration=measure)
    rate = largest_singular_value(cell) * derivative_bound(cell)
    return DeerConvergence(result, _frozen(loop), np.array(errors), tuple(iterates), rate)


@dataclass(frozen=True)
class SweepPoint:
    length: int  # n, words
    recurrent_scale: float
    lambda1_gamma: float
    iterations: int  # Newton steps DEER took
    status: str  # "converged", "max_iterations" or "diverged"
    final_error: float  # max |h - loop h| of the last iterate (NaN or inf when it diverged)


@dataclass(frozen=True)
class SweepSettings:
    d_model: int = 8
    hidden_size: int = 8
    seed: int = 0
    activation: str = "tanh"
    jacobian: str = "full"
    tolerance: float = 1e-12
    max_iterations: int = 64


def sweep_point(length: int, scale: float, settings: SweepSettings = SweepSettings()) -> SweepPoint:
    """DEER on n seeded random words (N(0, 1), the same first words for every n) at one scale."""
    config = SimConfig(d_model=settings.d_model, hidden_size=settings.hidden_size, cell="rnn",
                       activation=settings.activation, recurrent_scale=scale, seed=settings.seed)
    rng = generator(settings.seed, INPUT_PURPOSE)
    words = torch.from_numpy(rng.standard_normal((length, settings.d_model)))  # (T, D)
    run = deer_convergence(build_cell(config), words, jacobian=settings.jacobian,
                           tolerance=settings.tolerance, max_iterations=settings.max_iterations)
    return SweepPoint(length, scale, run.lambda1_gamma, run.result.iterations, run.result.status,
                      float(run.errors[-1]))


def iterations_against_length(lengths, scale: float, settings: SweepSettings = SweepSettings(),
                              on_point: Callable[[int], None] | None = None) -> tuple[SweepPoint, ...]:
    """One point per n at a fixed recurrent scale; on_point(done) after each (it may raise to cancel)."""
    return _sweep([(n, scale) for n in lengths], settings, on_point)


def iterations_against_scale(scales, length: int, settings: SweepSettings = SweepSettings(),
                             on_point: Callable[[int], None] | None = None) -> tuple[SweepPoint, ...]:
    """One point per recurrent scale at a fixed n; on_point(done) after each."""
    return _sweep([(length, s) for s in scales], settings, on_point)


def _sweep(cases, settings, on_point) -> tuple[SweepPoint, ...]:
    points = []
    for length, scale in cases:
        points.append(sweep_point(length, scale, settings))
        if on_point is not None:
            on_point(len(points))
    return tuple(points)


def _frozen(tensor: torch.Tensor) -> np.ndarray:
    array = tensor.detach().cpu().numpy().copy()
    array.setflags(write=False)
    return array
