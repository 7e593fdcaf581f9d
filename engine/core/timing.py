"""Repeated timings made trustworthy: the median and interquartile range of the repeats, a flag
when the spread is too large to trust, and the stable crossover of two implementations over n."""

from __future__ import annotations

import contextlib
import math
import statistics
from dataclasses import dataclass

# The middle half of the repeats may span at most this share of the median before a timing is
# flagged: a busy machine stretches a few runs, and an order decided inside that spread is noise.
UNSTEADY_SPREAD = 0.25
MIN_SAMPLES_FOR_SPREAD = 3  # fewer repeats say nothing about the spread


@dataclass(frozen=True)
class TimingSummary:
    median: float  # seconds, the median of the repeats
    q1: float  # first quartile (the faster quarter of repeats lies below it)
    q3: float  # third quartile
    count: int  # timed repeats behind the numbers

    @property
    def spread_known(self) -> bool:
        return self.count >= MIN_SAMPLES_FOR_SPREAD

    @property
    def relative_spread(self) -> float:
        """Interquartile range as a share of the median (NaN when the median is zero)."""
        return (self.q3 - self.q1) / self.median if self.median > 0 else math.nan

    @property
    def unsteady(self) -> bool:
        """Too few repeats to know the spread, or a spread too large to trust the median."""
        return not self.spread_known or not self.relative_spread <= UNSTEADY_SPREAD


def summarize(samples) -> TimingSummary:
    """Median and quartiles of the timed repeats (seconds); ValueError when there are none."""
    values = sorted(float(s) for s in samples)
    if not values:
        raise ValueError("no timed repeats to summarize")
    if len(values) < 2:
        return TimingSummary(values[0], values[0], values[0], 1)
    q1, _q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return TimingSummary(statistics.median(values), q1, q3, len(values))


def spread_text(summary: TimingSummary) -> str:
    """'±8%' (half the interquartile range, relative to the median), or '1 run' when unknown."""
    if not summary.spread_known:
        return f"{summary.count} run{'s' if summary.count != 1 else ''}"
    return f"±{50 * summary.relative_spread:.0f}%"


def order_is_clear(first: TimingSummary, second: TimingSummary) -> bool:
    """Whether the two interquartile ranges do not overlap, so their order is not a matter of noise."""
    return first.q3 < second.q1 or second.q3 < first.q1


@contextlib.contextmanager
def intraop_threads(count: int):
    """Run torch's operations on `count` threads of the calling thread's pool while the block
    runs (0: leave torch's setting alone), then restore the previous number.

    Split over a thread pool, small matrix products wait for a free core; when the cores are busy
    (a GUI thread beside the worker, other programs) that wait made single runs 100 to 1000 times
    slower here (0.3 ms became 170 ms on 2 cores at load 10), while on one thread they stayed
    within a few percent. OpenMP and MKL keep the setting per thread, so other threads keep theirs.
    """
    if count == 0:
        yield
        return
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


# ---- crossover over a sweep of lengths ------------------------------------------------------------

@dataclass(frozen=True)
class Crossover:
    kind: str  # "always_faster", "always_slower", "faster_from", "slower_from" or "unstable"
    n: int | None  # the first n of the final run of one order (None for "always_*")
    flips: int  # how often the order changed between neighbouring n
    faster_at_end: bool  # the candidate's order at the largest n measured
    stretch: int  # lengths in the final run of one order (all of them for "always_*")


def stable_crossover(ns, candidate_seconds, baseline_seconds) -> Crossover | None:
    """Where the candidate (attention) becomes faster or slower than the baseline (an RNN) for good.

    The order is taken from the medians at each n. One change of order makes a stable crossover at
    the first n of the final stretch: from there on the order holds at every larger n measured.
    More changes make it "unstable", and `n` names where the final stretch starts if it covers at
    least two lengths (None otherwise). A change at the largest n alone is reported with a stretch
    of 1: not yet confirmed. None when nothing was measured.
    """
    faster = [c < b for c, b in zip(candidate_seconds, baseline_seconds)]
    ns = list(ns)[:len(faster)]
    if not faster:
        return None
    flips = sum(a != b for a, b in zip(faster, faster[1:]))
    if flips == 0:
        return Crossover("always_faster" if faster[0] else "always_slower", None, 0, faster[0],
                         len(faster))
    start = len(faster) - 1
    while start > 0 and faster[start - 1] == faster[-1]:
        start -= 1
    kind, stretch = ("faster_from" if faster[-1] else "slower_from"), len(faster) - start
    if flips == 1:
        return Crossover(kind, ns[start], 1, faster[-1], stretch)
    return Crossover("unstable", ns[start] if stretch > 1 else None, flips, faster[-1], stretch)


def crossover_text(crossover: Crossover | None, candidate: str, baseline: str) -> str:
    """One sentence for the verdict: 'attend() stays slower than our step loop from n = 512 on'."""
    if crossover is None:
        return f"{candidate} vs {baseline}: nothing measured yet"
    if crossover.kind == "always_faster":
        return f"{candidate} beat {baseline} at every n measured"
    if crossover.kind == "always_slower":
        return f"{candidate} was slower than {baseline} at every n measured"
    if crossover.kind in ("faster_from", "slower_from"):
        word = "faster" if crossover.kind == "faster_from" else "slower"
        other = "slower" if word == "faster" else "faster"
        if crossover.stretch == 1:
            return (f"{candidate} was {word} than {baseline} only at the largest n, "
                    f"{crossover.n} ({other} below): measure longer n to confirm a crossover")
        return (f"{candidate} is {word} than {baseline} from n = {crossover.n} on "
                f"({other} below): a stable crossover")
    tail = (f"; from n = {crossover.n} on it stays {'faster' if crossover.faster_at_end else 'slower'}"
            if crossover.n is not None else "")
    return (f"{candidate} vs {baseline}: no stable crossover, the order flips "
            f"{crossover.flips} times{tail}")


# ---- fitted slopes ---------------------------------------------------------------------------------

STEEPER_THAN_WORK = 0.75  # a time slope this far above the counted work's slope is implausible
FLATTER_THAN_WORK = 0.5  # this far below it, fixed per-call costs still dominate


def slope_warning(time_slope: float, work_slope: float) -> str | None:
    """Why a fitted time exponent cannot be read as the algorithm's, or None when it can.

    The counted multiply-adds over the same lengths are the expectation: time should grow about
    as fast as the work. Negative is noise; much steeper is noise or memory effects; much flatter
    means fixed costs per call (Python, kernel launches) still hide the work at these lengths.
    """
    if math.isnan(time_slope):
        return None
    if time_slope < 0:
        return "negative: time fell as n grew, so noise decided it"
    if math.isnan(work_slope):
        return None
    if time_slope > work_slope + STEEPER_THAN_WORK:
        return (f"far steeper than the counted work ({work_slope:.2f}): noise or memory effects, "
                f"not the algorithm")
    if time_slope < work_slope - FLATTER_THAN_WORK:
        return (f"far flatter than the counted work ({work_slope:.2f}): fixed per-call costs "
                f"still dominate at these n")
    return None
