"""Training lab results read out: the per-model table (parameters, final loss, held-out accuracy,
seconds, steps per second) and the sweep's accuracy against n, as plain text or JSON."""

from __future__ import annotations

import json
import math

from engine.labs.training.config import PARAMETER_TOLERANCE
from engine.labs.training.models import EMBEDDING_SCALE, LABELS
from engine.labs.training.sweep import SweepResult
from engine.labs.training.tasks import TASKS, chance_accuracy
from engine.labs.training.train import COMPLETED, TrainResult, parameter_spread

COLUMNS = ("model", "parameters", "width", "final loss", "accuracy", "seconds", "steps/s")


def _number(value: float, digits: int) -> str:
    return "—" if not math.isfinite(value) else f"{value:.{digits}f}"


def summary_rows(result: TrainResult) -> list[tuple[str, ...]]:
    """The table's cells, one row per model, as text."""
    rows = []
    for s in result.summaries:
        width = f"D={s.hidden_size}" if s.kind == "transformer" else f"H={s.hidden_size}"
        accuracy = "—" if not math.isfinite(s.accuracy) else f"{s.accuracy:.1%}"
        if math.isfinite(s.accuracy) and s.evaluated_at != s.steps:
            accuracy += f" (step {s.evaluated_at})"
        rows.append((s.label, f"{s.parameters:,}", width, _number(s.final_loss, 4), accuracy,
                     _number(s.seconds, 1), _number(s.steps_per_second, 1)))
    return rows


def _training_extras(config) -> str:
    """What sets this run apart from the general defaults' way of training, for the header."""
    extras = []
    if config.embedding_scale != EMBEDDING_SCALE:
        extras.append(f"word vectors start at scale {config.embedding_scale:g}")
    if config.mixed_lengths:
        extras.append(f"training batches of mixed lengths 2 to {config.n}")
    return "".join(f"; {extra}" for extra in extras)


def format_table(result: TrainResult) -> str:
    """The header lines, the aligned table and any stopping reason, as printed by --train."""
    c = result.config
    spread = parameter_spread(result.summaries)
    lines = [f"Training lab: {TASKS[c.task].title} ({c.task}), n = {c.n}, {c.steps} steps, "
             f"batch {c.batch_size}, Adam lr {c.learning_rate:g}, seed {c.seed}"
             + _training_extras(c),
             f"accuracy on {result.held_out_size} held-out examples (chance "
             f"{chance_accuracy(c.task):.1%}); parameter counts within {spread:.1%} of "
             + ("the Transformer's" if "transformer" in c.models else "the first model's") + ("" if spread <= PARAMETER_TOLERANCE or not c.match_parameters
                                 else f" (more than the {PARAMETER_TOLERANCE:.0%} aimed at)"),
             ""]
    rows = [COLUMNS, *summary_rows(result)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [cell.rjust(w) for cell, w in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    if result.stopped_reason != COMPLETED:
        lines += ["", f"stopped: {result.stopped_reason}"]
    return "\n".join(lines)


def _finite_or_none(value: float):
    return value if math.isfinite(value) else None


def result_to_dict(result: TrainResult) -> dict:
    c = result.config
    return {
        "config": {"task": c.task, "n": c.n, "models": list(c.models), "model_width": c.model_width,
                   "layers": c.layers, "heads": c.heads, "match_parameters": c.match_parameters,
                   "steps": c.steps, "learning_rate": c.learning_rate,
                   "embedding_scale": c.embedding_scale, "batch_lengths": c.batch_lengths,
                   "batch_size": c.batch_size, "seed": c.seed, "device": c.device},
        "held_out_size": result.held_out_size,
        "chance_accuracy": chance_accuracy(c.task),
        "stopped_reason": result.stopped_reason,
        "models": [{"kind": s.kind, "label": s.label, "parameters": s.parameters,
                    "hidden_size": s.hidden_size, "steps": s.steps,
                    "seconds": s.seconds, "steps_per_second": _finite_or_none(s.steps_per_second),
                    "final_loss": _finite_or_none(s.final_loss),
                    "accuracy": _finite_or_none(s.accuracy), "evaluated_at": s.evaluated_at,
                    "stopped_reason": s.stopped_reason}
                   for s in result.summaries],
    }


def result_to_json(result: TrainResult) -> str:
    """Strict JSON (no NaN: a value that is not finite is null)."""
    return json.dumps(result_to_dict(result), indent=2, allow_nan=False)


# ---- the sweep -----------------------------------------------------------------------------------

def format_sweep_table(result: SweepResult) -> str:
    """Held-out accuracy after the budget, one row per n and one column per model."""
    c = result.config
    lines = [f"Training lab sweep: {TASKS[c.task].title} ({c.task}), {c.steps} steps per model "
             f"and n, batch {c.batch_size}, Adam lr {c.learning_rate:g}, seed {c.seed}",
             f"held-out accuracy (chance {chance_accuracy(c.task):.1%}); — where a model "
             f"diverged",
             ""]
    labels = [LABELS[kind] for kind in c.models]
    rows = [("n", *labels)]
    for n in result.lengths:
        cells = []
        for kind in c.models:
            accuracy = result.accuracy(kind, n)
            cells.append("" if accuracy is None else
                         "—" if not math.isfinite(accuracy) else f"{accuracy:.1%}")
        if any(cells):
            rows.append((str(n), *cells))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.rjust(w) for cell, w in zip(row, widths)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    if result.stopped_reason != COMPLETED:
        lines += ["", f"stopped: {result.stopped_reason}"]
    return "\n".join(lines)


def sweep_to_json(result: SweepResult) -> str:
    c = result.config
    return json.dumps({
        "config": {"task": c.task, "models": list(c.models), "model_width": c.model_width,
                   "layers": c.layers, "heads": c.heads, "steps": c.steps,
                   "learning_rate": c.learning_rate, "embedding_scale": c.embedding_scale,
                   "batch_lengths": c.batch_lengths, "batch_size": c.batch_size,
                   "seed": c.seed, "device": c.device},
        "lengths": list(result.lengths),
        "chance_accuracy": chance_accuracy(c.task),
        "stopped_reason": result.stopped_reason,
        "points": [{"n": p.n, "model": p.model, "accuracy": _finite_or_none(p.accuracy),
                    "final_loss": _finite_or_none(p.final_loss), "seconds": p.seconds,
                    "stopped_reason": p.stopped_reason} for p in result.points],
    }, indent=2, allow_nan=False)
