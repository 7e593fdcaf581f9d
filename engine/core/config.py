"""The simulation's configuration: one frozen dataclass, validated on construction."""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass

from engine.core.errors import ConfigError
from engine.core.untrusted import parse_json, printable
from engine.core.validation import check_bool, check_choice, check_int

CELLS = ("rnn", "lstm", "gru")
ACTIVATIONS = ("tanh", "sigmoid", "relu", "identity")
POSITIONALS = ("none", "sinusoidal")

# Inclusive ranges; the GUI's widgets and the command line use the same numbers.
D_MODEL_RANGE = (2, 2048)
HIDDEN_SIZE_RANGE = (2, 2048)
HEADS_RANGE = (1, 16)
HEAD_SIZE_RANGE = (1, 512)
RECURRENT_SCALE_RANGE = (0.0, 10.0)
SEED_RANGE = (0, 2**32 - 1)
MAX_TOKENS = 1024  # longest sentence, in tokens (words and punctuation marks)
MAX_SENTENCE_CHARS = 20_000
DEFAULT_SENTENCE = "The cat sat on mat"  # the reference text's example


@dataclass(frozen=True)
class SimConfig:
    d_model: int = 512  # D: width of every word vector (the reference text's 512)
    hidden_size: int = 512  # H: width of the RNN's hidden state
    cell: str = "rnn"  # recurrent cell: "rnn" (Elman), "lstm" or "gru"
    activation: str = "tanh"  # Elman cell's activation: tanh, sigmoid, relu or identity
    recurrent_scale: float = 1.0  # multiplies the recurrent weight matrix after its usual init
    heads: int = 1  # number of attention heads
    head_size: int = 64  # d_k: width of each head's queries, keys and values
    causal: bool = False  # mask out attention to later words (as a decoder does)
    scaling: bool = True  # divide scores by sqrt(d_k); off shows why it exists
    positional: str = "none"  # "sinusoidal" adds position vectors before attention
    seed: int = 0  # one seed fixes every weight, word vector and readout

    def __post_init__(self) -> None:
        check_int("d_model", self.d_model, D_MODEL_RANGE)
        check_int("hidden_size", self.hidden_size, HIDDEN_SIZE_RANGE)
        check_int("heads", self.heads, HEADS_RANGE)
        check_int("head_size", self.head_size, HEAD_SIZE_RANGE)
        check_int("seed", self.seed, SEED_RANGE)
        check_choice("cell", self.cell, CELLS)
        check_choice("activation", self.activation, ACTIVATIONS)
        check_choice("positional", self.positional, POSITIONALS)
        check_bool("causal", self.causal)
        check_bool("scaling", self.scaling)
        scale = self.recurrent_scale
        low, high = RECURRENT_SCALE_RANGE
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) \
                or isinstance(scale, float) and not math.isfinite(scale):
            raise ConfigError("recurrent_scale", f"must be a number, got {scale!r}")
        if not low <= scale <= high:  # compared before float(): a huge int would overflow it
            raise ConfigError("recurrent_scale", f"must be between {low:g} and {high:g}, "
                                                 f"got {printable(scale, 40)}")
        object.__setattr__(self, "recurrent_scale", float(scale))
        if self.positional == "sinusoidal" and self.d_model % 2:
            raise ConfigError("d_model", f"must be even for sinusoidal positions, got {self.d_model}")

    def replace(self, **changes) -> SimConfig:
        """A copy with some fields changed (validated like any new config)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, values: dict) -> SimConfig:
        """A config from JSON-like values; ConfigError for any key, type or value it cannot take."""
        if not isinstance(values, dict):
            raise ConfigError("config", f"must be a JSON object, got {_describe(values)}")
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(printable(key, 40) or '""' for key in values if key not in fields)
        if unknown:
            raise ConfigError(unknown[0], printable(
                f"is not a configuration key (unknown: {', '.join(unknown)})"))
        for name, value in values.items():
            _check_type(name, value, type(fields[name].default))
        try:
            return cls(**values)
        except ConfigError as error:  # shortened: a value of 4,000 digits makes a long message
            raise ConfigError(error.field, printable(error.problem, 120)) from None

    @classmethod
    def from_json(cls, text: str) -> SimConfig:
        values = parse_json(text, lambda problem: ConfigError("config", problem))
        if not isinstance(values, dict):
            raise ConfigError("config", "must be a JSON object")
        return cls.from_dict(values)


_KINDS = {int: "a whole number", float: "a number", bool: "true or false", str: "text"}


def _check_type(name: str, value, kind: type) -> None:
    """Types first, so that a list or null never reaches the range checks (or their messages)."""
    if kind is float:
        fits = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif kind is int:
        fits = isinstance(value, int) and not isinstance(value, bool)
    else:
        fits = isinstance(value, kind)
    if not fits:
        raise ConfigError(name, f"must be {_KINDS[kind]}, got {_describe(value)}")


def _describe(value) -> str:
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if value is None:
        return "null"
    return printable(repr(value), 40)

