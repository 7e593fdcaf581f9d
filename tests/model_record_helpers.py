"""A made-up third model for tests: a parallel scan's record (ceil(log2 n) levels each way) added
to a real trace, to check that the race strip and the report follow a trace's records."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

import numpy as np

from engine.core.clock import RevealSchedule
from engine.core.cost import ModelCost
from engine.core.records import ModelRecord
from engine.core.timing import summarize
from engine.core.trace import Trace

SCAN_KEY = "linear"  # a made-up model: no colour or short name of its own
SCAN_NAME = "Linear scan (minGRU)"
SCAN_SECONDS = 3e-4  # the made-up median forward pass


@dataclasses.dataclass(frozen=True)
class ThreeModelTrace(Trace):
    """A trace whose records end with one more model's."""
    extra: ModelRecord | None = None

    @property
    def models(self):
        return MappingProxyType({**super().models, self.extra.key: self.extra})


def scan_record(length: int) -> ModelRecord:
    """A scan's record for `length` words: made-up cost and timings, one level per tick."""
    schedule = RevealSchedule.log_scan(length)
    levels = schedule.forward_steps
    return ModelRecord(
        key=SCAN_KEY, name=SCAN_NAME, name_in_text="linear scan (minGRU)",
        cost=ModelCost(sequential_operations=levels, max_path_length=2 * levels,
                       multiply_adds=1000 * levels),
        schedule=schedule,
        forward_timing=summarize([SCAN_SECONDS] * 5),
        forward_seconds=SCAN_SECONDS,
        elapsed_seconds=SCAN_SECONDS * np.arange(1, levels + 1) / levels,  # (levels,)
        input_gradient=np.linspace(0.5, 1.0, length),  # (T,)
        connectivity=np.tril(np.full((length, length), 0.25)),  # (T, T)
        causal=True,
    )


def with_scan(trace: Trace) -> ThreeModelTrace:
    """The same run with a scan's record after the RNN's and attention's."""
    values = {field.name: getattr(trace, field.name) for field in dataclasses.fields(trace)}
    return ThreeModelTrace(**values, extra=scan_record(trace.length))
