"""The model-agnostic face of each model in a trace: its name, counted cost, measured forward
timings and reveal schedule. Views and the report loop over these records, so a new model is one
more record rather than one more special case; its own arrays stay on its part of the trace."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from engine.core.clock import RevealSchedule
from engine.core.cost import ModelCost
from engine.core.timing import TimingSummary

KEY = re.compile(r"[a-z][a-z0-9]*")
MODEL_KEYS = ("rnn", "attention")  # every trace's records, in the order views list them
CELL_NAMES = {"rnn": "Elman RNN", "lstm": "LSTM", "gru": "GRU"}


def cell_label(config) -> str:
    """"Elman RNN (tanh)", "LSTM" or "GRU": how every view names the recurrent model."""
    return CELL_NAMES[config.cell] + (f" ({config.activation})" if config.cell == "rnn" else "")


def attention_label(config, in_text: bool = False) -> str:
    """"Self-attention (1 head)", "Self-attention (4 heads)": how every view names attention
    ("self-attention (1 head)" inside running text and the report's table)."""
    heads = config.heads
    noun = "self-attention" if in_text else "Self-attention"
    return f"{noun} ({heads:,} head{'' if heads == 1 else 's'})"


@dataclass(frozen=True)
class ModelRecord:
    key: str  # "rnn", "attention": the model's part of the trace, and its colour in the gui
    name: str  # as a title: "Elman RNN (tanh)", "Self-attention (1 head)"
    name_in_text: str  # as a common noun in running text and tables: "self-attention (1 head)"
    cost: ModelCost
    schedule: RevealSchedule
    forward_timing: TimingSummary  # median and spread of the whole forward pass over the repeats
    forward_seconds: float  # the median forward pass as the trace records it
    elapsed_seconds: np.ndarray  # (forward_steps,)  measured time when each forward step is done
    input_gradient: np.ndarray  # (T,)  ||dL/dx_k|| for the loss at the last position
    connectivity: np.ndarray  # (T, T)  ||d(r.y_t)/dx_k||, row t, column k
    causal: bool  # whether output t is blind to every later word (no path from k > t)

    def __post_init__(self):
        if not KEY.fullmatch(self.key):  # it names files and export targets: "gradient-scan-..."
            raise ValueError(f"model key {self.key!r}: use lower-case letters and digits")
        if len(self.elapsed_seconds) != self.schedule.forward_steps:
            raise ValueError(f"the {self.key} record times {len(self.elapsed_seconds)} forward "
                             f"steps; its schedule has {self.schedule.forward_steps}")
        words = self.schedule.length
        if self.input_gradient.shape != (words,) or self.connectivity.shape != (words, words):
            raise ValueError(f"the {self.key} record's gradients do not cover its {words} words")

    def elapsed_at(self, steps: int) -> float:
        """Measured seconds of the first `steps` forward steps (0 before the first)."""
        return float(self.elapsed_seconds[steps - 1]) if steps else 0.0
