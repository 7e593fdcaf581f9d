"""The DEER lab's settings: the sentence length and recurrent scale of the one run shown
iteration by iteration, the width, seed, iteration budget and tolerance, and the longest n of
the length sweep; validated on construction without loading torch."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from engine.core.config import SEED_RANGE
from engine.core.fields import FloatRange, IntRange, config_field, validate_fields

LENGTH_RANGE = (2, 4096)
SCALE_RANGE = (0.05, 10.0)
HIDDEN_RANGE = (1, 64)  # full DEER keeps an H x H Jacobian per word: kept small
ITERATIONS_RANGE = (1, 10_000)
TOLERANCE_RANGE = (1e-15, 1e-2)  # float64: below about 1e-15 rounding alone stays above it
SHORTEST_SWEPT_N = 8
SWEPT_SCALES = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0)


@dataclass(frozen=True)
class DeerLabConfig:
    # n: words in the sentence of the iteration-by-iteration run and of the scale sweep
    n: int = config_field(
        64, IntRange(*LENGTH_RANGE), "--n", "words in the sentence DEER solves", metavar="N",
        label="Length n",
        tip="Words in the sentence of the first plot's run and of the scale sweep. The loop "
            "takes n dependent steps.")
    # multiplies the recurrent weights after their usual initialisation
    recurrent_scale: float = config_field(
        1.0, FloatRange(*SCALE_RANGE, step=0.25, decimals=2), "--recurrent-scale",
        "multiply the recurrent weights by S", metavar="S", label="Recurrent scale",
        tip="Multiplies the recurrent weight matrix W after its usual initialisation; "
            "λ₁γ grows with it. Below λ₁γ = 1 the dynamics contract.")
    # H: width of the hidden state (and of the word vectors)
    hidden_size: int = config_field(
        8, IntRange(*HIDDEN_RANGE), "--hidden-size", "width of the hidden state and the words",
        metavar="H", label="Hidden size H",
        tip="H: the hidden state's width (the word vectors have it too). Full DEER multiplies "
            "an H x H Jacobian per word, so H stays small.")
    # fixes the weights and the words
    seed: int = config_field(
        0, IntRange(*SEED_RANGE), "--seed", "fixes the weights and the words", label="Seed",
        tip="Fixes the weights and the random words: the same seed gives the same plots.")
    # Newton steps before DEER gives up
    max_iterations: int = config_field(
        100, IntRange(*ITERATIONS_RANGE), "--max-iterations",
        "Newton iterations before DEER gives up", metavar="K", label="Max iterations",
        tip="Newton iterations (each one parallel scan) before DEER stops without converging.")
    # converged once every step's residual max_t |h_t - f(h_{t-1}, x_t)| is at most this
    tolerance: float = config_field(
        1e-10, FloatRange(*TOLERANCE_RANGE), "--tolerance",
        "converged once every step's residual is at most this", metavar="TOL",
        label="Tolerance",
        tip="DEER has converged once every step's residual |h_t − f(h_{t−1}, x_t)| is at most "
            "this (float64 arithmetic).")
    # the length sweep runs n = 8, 16, ... up to this
    longest_n: int = config_field(
        256, IntRange(SHORTEST_SWEPT_N, LENGTH_RANGE[1]), "--max-n",
        "longest n of the length sweep (n doubles from 8)", metavar="B", label="Longest swept n",
        tip="The length sweep runs n = 8, 16, 32, … up to this.")

    def __post_init__(self) -> None:
        validate_fields(self)

    def replace(self, **changes) -> DeerLabConfig:
        """A copy with some fields changed (validated like any new config)."""
        return dataclasses.replace(self, **changes)

    @property
    def swept_lengths(self) -> tuple[int, ...]:
        """8, 16, 32, ... up to longest_n (longest_n itself added when not on the doubling)."""
        lengths = [SHORTEST_SWEPT_N]
        while lengths[-1] * 2 <= self.longest_n:
            lengths.append(lengths[-1] * 2)
        if lengths[-1] != self.longest_n:
            lengths.append(self.longest_n)
        return tuple(lengths)

    @property
    def swept_scales(self) -> tuple[float, ...]:
        return SWEPT_SCALES
