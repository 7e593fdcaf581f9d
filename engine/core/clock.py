"""The clock the user sees, as pure functions of (tick, sentence length T); no Qt here.

Tick 0 shows nothing. Forward phase, ticks 1..T: tick t reveals h_t (one RNN cell call per tick)
while attention finishes the whole sentence at tick 1. Backward phase, ticks T+1..2T: the RNN's
gradient moves back one word per tick, attention's reaches every word at tick T+1. Gradients exist
only in the backward phase: no gradient map or curve shows anything before tick T+1.

Every model describes its pace with a `RevealSchedule`: how many sequential steps its forward pass
takes (T for the loop, 1 for attention, ceil(log2 T) levels for a parallel scan) and how many words
its gradient has reached after each backward step. One tick is the time of one sequential step, the
same for every model, so a model with k <= T forward steps runs step i at tick i and is done at
tick k; its backward step j runs at tick T + j. A model with fewer steps than T therefore finishes
early and then waits for the phase to end: attention's one step lands at tick 1 going forward and
at tick T+1 going back, and a scan's levels at ticks 1..ceil(log2 T).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from engine.core.scan_plan import scan_level_count


@dataclass(frozen=True)
class RevealSchedule:
    """How one model's work unfolds over the clock's ticks, for a sentence of `length` words."""
    length: int  # words in the sentence, T
    forward_steps: int  # sequential steps of the forward pass, at most T (1 when T is 0)
    backward_reach: tuple[int, ...]  # words reached going back after each backward step, rising to T

    def __post_init__(self):
        most = max(self.length, 1)
        if self.length < 0:
            raise ValueError(f"a schedule needs a length of 0 or more words, not {self.length}")
        if not 0 <= self.forward_steps <= most:
            raise ValueError(f"{self.forward_steps} forward steps do not fit the forward phase "
                             f"of {self.length} ticks")
        if len(self.backward_reach) > most:
            raise ValueError(f"{len(self.backward_reach)} backward steps do not fit the backward "
                             f"phase of {self.length} ticks")
        reach = (0, *self.backward_reach)
        if any(later < earlier for earlier, later in zip(reach, reach[1:])) \
                or reach[-1] > self.length:
            raise ValueError(f"words reached going back must rise from 0 to at most "
                             f"{self.length}: {self.backward_reach}")

    @property
    def backward_steps(self) -> int:
        return len(self.backward_reach)

    @staticmethod
    @functools.lru_cache(maxsize=32)
    def loop(length: int) -> RevealSchedule:
        """A recurrent loop: one step per word each way (backprop through time goes word by word)."""
        return RevealSchedule(length, length, tuple(range(1, length + 1)))

    @staticmethod
    @functools.lru_cache(maxsize=32)
    def one_shot(length: int) -> RevealSchedule:
        """All words at once: one forward step, and one backward step that reaches every word."""
        return RevealSchedule(length, 1, (length,))

    @staticmethod
    @functools.lru_cache(maxsize=32)
    def log_scan(length: int) -> RevealSchedule:
        """A parallel scan of a linear recurrence: ceil(log2 T) levels each way (at least one),
        level j combining spans of 2^j words, so the gradient reaches 2^j words after j levels."""
        levels = max(1, scan_level_count(length))  # integers: log2 rounds at some lengths
        return RevealSchedule(length, levels,
                              tuple(min(length, 2 ** level) for level in range(1, levels + 1)))


def tick_count(length: int) -> int:
    """Number of ticks on the scrubber, 0..2T inclusive."""
    return 2 * length + 1


def phase(tick: int, length: int) -> str:
    if tick <= 0:
        return "start"
    return "forward" if tick <= length else "backward"


def forward_steps_revealed(tick: int, schedule: RevealSchedule) -> int:
    """How many of a model's forward steps are done at this tick (step i runs at tick i)."""
    return max(0, min(tick, schedule.forward_steps))


def forward_done(tick: int, schedule: RevealSchedule) -> bool:
    """Whether a model's whole forward pass is done at this tick."""
    return forward_steps_revealed(tick, schedule) == schedule.forward_steps


def backward_steps_revealed(tick: int, schedule: RevealSchedule) -> int:
    """How many of a model's backward steps are done at this tick (step j runs at tick T + j)."""
    return max(0, min(tick - schedule.length, schedule.backward_steps))


def words_reached(tick: int, schedule: RevealSchedule) -> int:
    """How many words (counted from the last) a model's gradient has reached going back."""
    steps = backward_steps_revealed(tick, schedule)
    return schedule.backward_reach[steps - 1] if steps else 0


def rnn_rows_revealed(tick: int, length: int) -> int:
    """How many hidden states h_0..h_{k-1} exist at this tick."""
    return forward_steps_revealed(tick, RevealSchedule.loop(length))


def attention_done(tick: int) -> bool:
    # attention's single step lands at tick 1 whatever the length: any length gives the same answer
    return forward_done(tick, RevealSchedule.one_shot(1))


def rnn_words_reached(tick: int, length: int) -> int:
    """How many words (counted from the last) the RNN's gradient has reached going back."""
    return words_reached(tick, RevealSchedule.loop(length))


def attention_words_reached(tick: int, length: int) -> int:
    return words_reached(tick, RevealSchedule.one_shot(length))


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
