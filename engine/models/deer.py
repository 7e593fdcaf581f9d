"""DEER (Lim et al., ICLR 2024): the Elman RNN's whole trajectory at once, by Newton's method.

The loop solves h_t = f(h_{t-1}, x_t) = act(W h_{t-1} + p_t) one word after another. DEER guesses
every h_t at once (zeros), then repeats: linearise every step around the guess,
    h_t ~ J_t h_{t-1} + c_t,   J_t = diag(act'(.)) W,   c_t = f(g_{t-1}, x_t) - J_t g_{t-1},
and solve that linear recurrence for all t with the same parallel scan minGRU uses (dense J_t).
Quasi-DEER (Gonzalez et al., 2024) keeps only J_t's diagonal: an elementwise scan, cheaper per
iteration, more iterations. Each iteration makes at least one more leading state exact, so in
exact arithmetic either form ends within T iterations; when the dynamics contract the iterations
converge in a handful, when they are chaotic (lambda1 * gamma well above 1) they take about T, no
better than the loop, and the products of many J_t can overflow. So the solver stops on
convergence, on a non-finite iterate (diverged), or at max_iterations, and says which.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from engine.models.cells import ElmanCell
from engine.models.scan import parallel_scan

JACOBIANS = ("full", "diagonal")  # DEER, quasi-DEER
STATUSES = ("converged", "max_iterations", "diverged")


@dataclass(frozen=True)
class DeerResult:
    hidden: torch.Tensor  # (T, H)  the last iterate (the answer only when converged)
    residuals: np.ndarray  # (I+1,)  max_t |h_t - f(h_{t-1}, x_t)| of the guess and of each iterate
    iterations: int  # I: Newton steps taken (linear recurrences solved by the scan)
    status: str  # one of STATUSES
    jacobian: str  # "full" (DEER) or "diagonal" (quasi-DEER)
    tolerance: float

    @property
    def converged(self) -> bool:
        return self.status == "converged"

    @property
    def message(self) -> str:
        """One line for a user: what happened, in how many iterations."""
        steps = f"{self.iterations} iteration{'' if self.iterations == 1 else 's'}"
        last = self.residuals[-1]
        if self.status == "converged":
            return f"converged in {steps}: every step's residual is at most {last:.1e}"
        if self.status == "diverged":
            return (f"diverged after {steps}: the linearised trajectory overflowed to a "
                    "non-finite value (the dynamics expand; the loop is the way to compute them)")
        return (f"did not converge within {steps}: the residual is still {last:.1e} "
                f"(tolerance {self.tolerance:.0e})")


def _check(cell: ElmanCell, inputs: torch.Tensor, jacobian: str, max_iterations: int) -> None:
    if not isinstance(cell, ElmanCell):
        raise ValueError("DEER here solves the Elman cell; LSTM and GRU carry more than h_t")
    if jacobian not in JACOBIANS:
        raise ValueError(f"unknown Jacobian {jacobian!r}; expected one of {JACOBIANS}")
    if max_iterations < 1:
        raise ValueError(f"DEER needs at least one iteration, not {max_iterations}")
    if inputs.dim() != 2 or inputs.shape[0] < 1:
        raise ValueError(f"DEER takes one sentence of at least one word (T, D), not {tuple(inputs.shape)}")


def deer_solve(cell: ElmanCell, inputs: torch.Tensor, *, jacobian: str = "full",
               tolerance: float = 1e-12, max_iterations: int = 64,
               on_iteration: Callable[[int, torch.Tensor], None] | None = None) -> DeerResult:
    """Newton iterations for h_1..h_T from a zero guess. inputs: (T, D).

    on_iteration(i, trajectory) sees the guess (i = 0) and every iterate (T, H); it may raise to
    cancel. Stops when the residual is at most `tolerance`, when an iterate is not finite, or after
    max_iterations Newton steps."""
    _check(cell, inputs, jacobian, max_iterations)
    projected = cell.project_inputs(inputs)  # (T, H)
    w_hh = cell.weights.w_hh  # (H, H)
    guess = torch.zeros_like(projected)  # (T, H)
    residuals, status = [], "max_iterations"
    for iteration in range(max_iterations + 1):
        if on_iteration is not None:
            on_iteration(iteration, guess)
        previous = torch.cat([guess.new_zeros(1, guess.shape[1]), guess[:-1]])  # (T, H)  g_{t-1}
        stepped = cell.activate(projected + previous @ w_hh.T)  # (T, H)  f(g_{t-1}, x_t)
        residual = float((guess - stepped).abs().max())
        residuals.append(residual)
        if not np.isfinite(residual):
            status = "diverged"
            break
        if residual <= tolerance:
            status = "converged"
            break
        if iteration == max_iterations:
            break
        guess = _newton_step(cell, stepped, previous, w_hh, jacobian)
    return DeerResult(guess, np.array(residuals), len(residuals) - 1, status, jacobian, tolerance)


def _newton_step(cell: ElmanCell, stepped, previous, w_hh, jacobian: str) -> torch.Tensor:
    """Solve the recurrence linearised around the guess: h_t = J_t h_{t-1} + c_t, by the scan."""
    slope = cell.derivative(stepped)  # (T, H)  act'(a_t), written in terms of f
    if jacobian == "full":
        jac = slope[:, :, None] * w_hh  # (T, H, H)  diag(act') W
        offset = stepped - (jac @ previous[:, :, None])[:, :, 0]  # (T, H)
    else:
        jac = slope * torch.diagonal(w_hh)  # (T, H)  the diagonal of J_t only
        offset = stepped - jac * previous
    return parallel_scan(jac, offset).hidden  # (T, H)
