"""The clock the user sees, as pure functions of (tick, sentence length T); no Qt here.

Tick 0 shows nothing. Forward phase, ticks 1..T: tick t reveals h_t (one RNN cell call per tick)
while attention finishes the whole sentence at tick 1. Backward phase, ticks T+1..2T: the RNN's
gradient moves back one word per tick, attention's reaches every word at tick T+1. Gradients exist
only in the backward phase: no gradient map or curve shows anything before tick T+1.
"""

from __future__ import annotations


def tick_count(length: int) -> int:
    """Number of ticks on the scrubber, 0..2T inclusive."""
    return 2 * length + 1


def phase(tick: int, length: int) -> str:
    if tick <= 0:
        return "start"
    return "forward" if tick <= length else "backward"


def rnn_rows_revealed(tick: int, length: int) -> int:
    """How many hidden states h_0..h_{k-1} exist at this tick."""
    return max(0, min(tick, length))


def attention_done(tick: int) -> bool:
    return tick >= 1


def rnn_words_reached(tick: int, length: int) -> int:
    """How many words (counted from the last) the RNN's gradient has reached going back."""
    return max(0, min(tick - length, length))


def attention_words_reached(tick: int, length: int) -> int:
    return length if tick > length else 0


def rnn_gradient_columns(tick: int, length: int) -> range:
    """Columns k of the RNN's connectivity map known at this tick: backprop through time step j
    computes column j (every output t >= j at once), from the last word back to the first."""
    return range(length - rnn_words_reached(tick, length), length)


def attention_gradient_shown(tick: int, length: int) -> bool:
    """Attention's whole connectivity map comes from one backward pass, at the first backward tick."""
    return attention_words_reached(tick, length) == length > 0


def current_word(tick: int, length: int) -> int | None:
    """The word the clock is on: the RNN's newest word going forward, the gradient's going back."""
    if tick <= 0:
        return None
    if tick <= length:
        return tick - 1
    return length - rnn_words_reached(tick, length)


def describe(tick: int, length: int) -> str:
    """"tick i of N, forward phase" for the transport bar."""
    last = tick_count(length) - 1
    name = {"start": "start", "forward": "forward phase", "backward": "backward phase"}[phase(tick, length)]
    return f"tick {tick} of {last}, {name}"
