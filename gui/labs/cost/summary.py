"""The cost lab's sentences: how a sweep ended, what it ran with, where attention caught up with
the RNN (Table 1's n = d, the counted crossover, the stable measured crossover), how minGRU's scan
fared against its step loop, and why a measurement should not be trusted."""

from __future__ import annotations

from engine.labs.cost.report import (SMALL_N_NOTE, attention_slower_at_smallest_n,
                                    counted_crossover_n, crossover_sentences, fit_slope,
                                    scan_sentences, slope_warnings, threads_text, unsteady_text)

NAMES = {"rnn_stepwise": "our step loop", "rnn_fused": "torch.nn.RNN", "attention": "attend()",
         "attention_sdpa": "SDPA", "mingru_loop": "minGRU's step loop",
         "mingru_scan": "minGRU's scan"}


def _lengths(count: int) -> str:
    return f"{count} length{'' if count == 1 else 's'}"


def outcome_text(reason: str, count: int) -> str:
    """'Completed: 7 lengths measured.', 'Cancelled: …', or the refusal with the rows kept."""
    if reason == "completed":
        return f"Completed: {_lengths(count)} measured."
    if reason == "cancelled":
        return f"Cancelled: kept the {_lengths(count)} measured before it stopped."
    return f"Stopped: {reason}. Kept the {_lengths(count)} measured before it."


def settings_text(config) -> str:
    mode = "forward + backward" if config.backward else "forward only"
    return (f"{config.device}, {config.dtype}, D = {config.d_model}, H = {config.hidden_size}, "
            f"hs = {config.head_size}, {mode}, {threads_text(config.threads)}, median of "
            f"{config.repeats} after {config.warmup} warm-up.")


def verdict_text(config, rows) -> str:
    """Table 1's crossover, the counted one, and what this machine measured."""
    if config is None:
        return "Run a sweep to fill the table."
    lines = [f"Table 1: attention is cheaper per layer while n < d = {config.d_model}. "
             f"Counted forward multiply-adds of attend() (one head of size {config.head_size}) "
             f"reach the RNN's at n = {counted_crossover_n(config)}."]
    if rows:
        lines.append("Measured (medians): " + "; ".join(crossover_sentences(rows, NAMES)) + ".")
        if attention_slower_at_smallest_n(rows):
            lines.append(SMALL_N_NOTE)
        scan = scan_sentences(rows, NAMES, config.device)
        if scan:
            lines.append("Linear recurrence: " + "; ".join(scan[:-1] if config.device == "cpu"
                                                          else scan) + ".")
            if config.device == "cpu":
                lines.append(scan[-1] + ".")
    return " ".join(lines)


def warning_text(rows, config=None) -> str:
    """Why the measured order or the fitted time slopes should not be trusted ("" when nothing)."""
    warnings = []
    unsteady = unsteady_text(rows, config.threads if config is not None else 0)
    if unsteady:
        warnings.append(f"⚠ {unsteady[0].upper()}{unsteady[1:]}.")
    ns = [row.n for row in rows]
    for name, warning in slope_warnings(rows).items():
        slope = fit_slope(ns, [row[name].median_seconds for row in rows])
        warnings.append(f"⚠ The time slope of {NAMES[name]}, {slope:.2f}, is {warning}.")
    return " ".join(warnings)
