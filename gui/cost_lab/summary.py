"""The cost lab's sentences: how a sweep ended, what it ran with, and where attention caught up
with the RNN (Table 1's n = d, the counted crossover, and the first n measured slower)."""

from __future__ import annotations

from engine.cost_lab_report import counted_crossover_n, first_slower

PAIRS = (("rnn_stepwise", "attention", "attend()", "our step loop"),
         ("rnn_fused", "attention_sdpa", "SDPA", "torch.nn.RNN"))


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
            f"hs = {config.head_size}, {mode}, median of {config.repeats} after "
            f"{config.warmup} warm-up.")


def verdict_text(config, rows) -> str:
    """Table 1's crossover, the counted one, and what this machine measured."""
    if config is None:
        return "Run a sweep to fill the table."
    lines = [f"Table 1: attention is cheaper per layer while n < d = {config.d_model}. "
             f"Counted forward multiply-adds of attend() (one head of size {config.head_size}) "
             f"reach the RNN's at n = {counted_crossover_n(config)}."]
    if rows:
        verdicts = []
        for recurrent, attention, attention_name, recurrent_name in PAIRS:
            n = first_slower(rows, recurrent, attention)
            verdicts.append(f"{attention_name} took at least as long as {recurrent_name} from "
                            f"n = {n}" if n is not None else
                            f"{attention_name} beat {recurrent_name} at every n so far")
        lines.append("Measured: " + "; ".join(verdicts) + ".")
    return " ".join(lines)
