"""The DEER lab's results as plain text, as --deer prints them: the outcome at the chosen n and
scale, then the iterations against n and against the recurrent scale, one aligned table each."""

from __future__ import annotations

import math

from engine.labs.deer.lab import COMPLETED, JACOBIANS, METHOD_NAMES, DeerLabResult

STATUS_WORDS = {"converged": "converged", "max_iterations": "NOT converged (max iterations)",
                "diverged": "DIVERGED"}


def _aligned(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.rjust(w) for cell, w in zip(row, widths)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def _paired(points: dict) -> list[tuple]:
    """(DEER point, quasi-DEER point or None) per sweep position, in sweep order."""
    full, diagonal = points.get("full", []), points.get("diagonal", [])
    return [(p, diagonal[i] if i < len(diagonal) else None) for i, p in enumerate(full)]


def _iterations(point) -> tuple[str, str]:
    if point is None:
        return "—", "not measured"
    return str(point.iterations), STATUS_WORDS[point.status]


def length_rows(result: DeerLabResult) -> list[tuple[str, ...]]:
    rows = [("n", "loop steps", "DEER", "DEER status", "DEER scan levels", "quasi-DEER",
             "quasi-DEER status")]
    for deer, quasi in _paired(result.length_points):
        levels = deer.iterations * max(1, math.ceil(math.log2(deer.length)))
        rows.append((str(deer.length), str(deer.length), *_iterations(deer), str(levels),
                     *_iterations(quasi)))
    return rows


def scale_rows(result: DeerLabResult) -> list[tuple[str, ...]]:
    rows = [("scale", "lambda1*gamma", "DEER", "DEER status", "quasi-DEER", "quasi-DEER status")]
    for deer, quasi in _paired(result.scale_points):
        rows.append((f"{deer.recurrent_scale:g}", f"{deer.lambda1_gamma:.3f}",
                     *_iterations(deer), *_iterations(quasi)))
    return rows


def format_tables(result: DeerLabResult) -> str:
    """Settings, each method's outcome at the chosen n and scale, and the two sweeps."""
    c = result.config
    lines = [f"DEER lab: tanh RNN, H = {c.hidden_size}, seed {c.seed}, tolerance "
             f"{c.tolerance:.0e} on the residual, at most {c.max_iterations} iterations", ""]
    for jacobian in JACOBIANS:
        run = result.convergence.get(jacobian)
        if run is not None:
            lines.append(f"{METHOD_NAMES[jacobian]} at n = {c.n}, scale {c.recurrent_scale:g} "
                         f"(lambda1*gamma {run.lambda1_gamma:.3f}): {run.result.message}")
    lines += ["", f"Iterations against n (scale {c.recurrent_scale:g}); the loop takes n "
                  "dependent steps, each DEER iteration is one scan of ceil(log2 n) levels:"]
    lines += _aligned(length_rows(result))
    lines += ["", f"Iterations against the recurrent scale (n = {c.n}); below lambda1*gamma = 1 "
                  "the dynamics contract:"]
    lines += _aligned(scale_rows(result))
    if result.stopped_reason != COMPLETED:
        lines += ["", f"stopped: {result.stopped_reason}"]
    return "\n".join(lines)
