"""The side-by-side comparison of one trace as a dictionary and as a plain-text table."""

from __future__ import annotations

import math
import textwrap

from engine.core.records import ModelRecord
from engine.core.timing import TimingSummary, order_is_clear, spread_text
from engine.core.trace import Trace


def comparison(trace: Trace) -> dict:
    """Every number the report prints, in plain Python types (ready for JSON), one entry per model."""
    data = {"sentence": trace.sentence, "tokens": list(trace.tokens), "config": trace.config.to_dict(),
            "weights": {"source": trace.weight_source.description,
                        "sha256": trace.weight_source.digest}}
    if trace.known_words is not None:
        data["words_not_in_glove"] = [token for token, known in zip(trace.tokens, trace.known_words)
                                      if not known]
    for key, record in trace.models.items():
        first, last = _model_details(trace, record)
        data[key] = {**first, **_shared_numbers(record), **last}
    return data


def _shared_numbers(record: ModelRecord) -> dict:
    """What every model's record gives the report."""
    return {
        "sequential_operations": record.cost.sequential_operations,
        "max_path_length": record.cost.max_path_length,
        "multiply_adds": record.cost.multiply_adds,
        "forward_seconds": record.forward_seconds,
        "forward_timing": timing_dict(record.forward_timing),
        "gradient_to_first_word": float(record.input_gradient[0]),
        "gradient_to_last_word": float(record.input_gradient[-1]),
    }


def _model_details(trace: Trace, record: ModelRecord) -> tuple[dict, dict]:
    """What only one model has, placed before and after the shared numbers (the --json output
    keeps its order); another model is named by its record."""
    if record.key == "rnn":
        return {"cell": record.name}, {"lambda1": trace.rnn.lambda1, "gamma": trace.rnn.gamma}
    if record.key == "attention":
        return {"heads": trace.config.heads, "head_size": trace.config.head_size}, {}
    if record.key == "scan" and trace.scan is not None:
        scan = trace.scan
        return ({"name": record.name, "levels": scan.levels},
                {"loop_sequential_operations": scan.loop_cost.sequential_operations,
                 "loop_multiply_adds": scan.loop_cost.multiply_adds,
                 "loop_forward_timing": timing_dict(scan.loop_timing),
                 "scan_max_difference_from_loop": scan.scan_difference,
                 "log_space_max_difference_from_loop": scan.log_space_difference})
    return {"name": record.name}, {}


def timing_dict(timing: TimingSummary) -> dict:
    """Median, quartiles, repeats and the trust flag, in plain JSON types."""
    return {"median_seconds": timing.median, "q1_seconds": timing.q1, "q3_seconds": timing.q3,
            "repeats": timing.count, "unsteady": timing.unsteady}


def timing_verdict(rnn: TimingSummary, attention: TimingSummary,
                   names: tuple[str, str] = ("the RNN", "attention")) -> str:
    """Which forward pass was faster in the median, and whether the spreads let that be trusted
    (`names`: how to call the two, the RNN and attention unless said)."""
    faster, slower, name = ((attention, rnn, names[1]) if attention.median < rnn.median
                            else (rnn, attention, names[0]))
    ratio = slower.median / faster.median if faster.median > 0 else math.inf
    order = f"{name} was {ratio:.{2 if ratio < 1.1 else 1}f}× faster"
    if rnn.unsteady or attention.unsteady:
        return (f"{order} in the median, but the timings are unsteady (the machine was busy): "
                f"the order may be noise")
    if not order_is_clear(rnn, attention):
        return "too close to call: the middle halves of the repeats overlap"
    return f"{order}, beyond the spread"


def word_vectors_line(trace: Trace) -> str:
    """Where the word vectors came from, and for GloVe the words it lacked."""
    if trace.word_fallback is not None:
        missing = [token for token, lacked in zip(trace.tokens, trace.word_fallback) if lacked]
        return ("Word vectors: the weights' own word table" +
                (f"; not in it (seeded stand-ins): {', '.join(missing)}" if missing else ""))
    if trace.known_words is None:
        return f"Word vectors: random, seed {trace.config.seed}"
    missing = [token for token, known in zip(trace.tokens, trace.known_words) if not known]
    lacked = (f"; not in GloVe (seeded stand-ins): {', '.join(missing)}" if missing
              else "; GloVe knows every word")
    return "Word vectors: GloVe 6B, 50-d" + lacked


def scan_summary(trace: Trace) -> str:
    """minGRU's scan against its own loop: levels, agreement, the measured order, the path."""
    scan, T = trace.scan, trace.length
    verdict = timing_verdict(scan.loop_timing, scan.timing, ("its loop", "the scan"))
    return (f"minGRU: the parallel scan took {scan.levels} level{'' if scan.levels == 1 else 's'} "
            f"where its step loop takes {T} step{'' if T == 1 else 's'}, and agrees with the loop "
            f"to {scan.scan_difference:.1e} (the log-space scan to "
            f"{scan.log_space_difference:.1e}). Timed against each other on one CPU thread: "
            f"{verdict}. The scan shortens the wait, not the path: word 1 still reaches word {T} "
            f"through {max(T - 1, 0)} decays.")


UNSTEADY_MEANS = ("A timing is unsteady when it had fewer than 3 timed runs, or when the middle half "
                  "of its runs spans more than 25% of their median.")
SMALL_N_ON_CPU_SHORT = ("At a few words attention's fixed-cost tensor operations can outweigh the "
                        "RNN's few short steps.")
SMALL_N_ON_CPU = (
    "At a few words on a CPU attention can be the slower one: its single call runs about a dozen "
    "tensor operations, each with a fixed cost of microseconds, while the RNN runs only a few short "
    "steps. The RNN's steps must wait for each other and grow with n; attention's call does not.")


def format_seconds(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


# Each per-model row of the report's table: its label, and its cell from a model's numbers and record.
_REPORT_ROWS = (
    ("sequential operations", lambda numbers, _record: f"{numbers['sequential_operations']:,}"),
    ("longest path between two words", lambda numbers, _record: f"{numbers['max_path_length']:,}"),
    ("multiply-adds", lambda numbers, _record: f"{numbers['multiply_adds']:,}"),
    ("measured forward time (median)",
     lambda numbers, _record: format_seconds(numbers["forward_seconds"])),
    ("spread (half the interquartile range)",
     lambda _numbers, record: spread_text(record.forward_timing)),
    ("gradient reaching the first word",
     lambda numbers, _record: f"{numbers['gradient_to_first_word']:.3e}"),
    ("gradient reaching the last word",
     lambda numbers, _record: f"{numbers['gradient_to_last_word']:.3e}"),
)


def format_report(trace: Trace) -> str:
    """A table a person can read in a terminal."""
    data = comparison(trace)
    records = list(trace.models.values())
    rows = [("", *(record.name_in_text for record in records))]
    for label, cell in _REPORT_ROWS:
        rows.append((label, *(cell(data[record.key], record) for record in records)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [f"Sentence: {trace.sentence}",
             f"Tokens ({trace.length}): " + " | ".join(trace.tokens),
             f"Weights: {trace.weight_source.description}", word_vectors_line(trace), ""]
    for label, *cells in rows:
        lines.append(f"{label:<{widths[0]}}" + "".join(f"   {text:>{width}}"
                                                        for text, width in zip(cells, widths[1:])))
    rnn = data["rnn"]
    rate = rnn["lambda1"] * rnn["gamma"]
    if trace.config.cell == "rnn":
        verdict = ("< 1: gradients through time must vanish (Pascanu et al. 2013)" if rate < 1
                   else "≥ 1: vanishing is not guaranteed; gradients may also explode")
        lines += ["", f"RNN recurrent matrix: largest singular value λ₁ = {rnn['lambda1']:.4f}, "
                      f"activation bound γ = {rnn['gamma']:g}, λ₁γ = {rate:.4f}",
                  f"  λ₁γ {verdict}"]
    else:
        lines += ["", "The Pascanu bound (λ₁γ) is stated for Elman cells; gated cells are not "
                      "bound by it."]
    rnn_timing, attention_timing = trace.rnn.forward_timing, trace.attention.timing
    timing = (f"Forward passes timed {rnn_timing.count} times each on one CPU thread after a "
              f"warm-up: {timing_verdict(rnn_timing, attention_timing)}.")
    if attention_timing.median >= rnn_timing.median:
        timing += " " + SMALL_N_ON_CPU
    lines += ["", *textwrap.wrap(timing, width=100)]
    if trace.scan is not None:
        lines += ["", *textwrap.wrap(scan_summary(trace), width=100)]
    lines.append("Gradients are ||d(r·y_last)/d x_word|| in float64; timings measured on this machine.")
    return "\n".join(lines)
