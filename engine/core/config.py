"""The simulation's configuration: one frozen dataclass, validated on construction."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from engine.core.errors import ConfigError
from engine.core.fields import (Choice, Flag, FloatRange, IntRange, config_field, default_of,
                                described_fields, validate_fields)
from engine.core.untrusted import parse_json, printable

CELLS = ("rnn", "lstm", "gru")
ACTIVATIONS = ("tanh", "sigmoid", "relu", "identity")
POSITIONALS = ("none", "sinusoidal")
WORD_VECTORS = ("random", "glove")
GLOVE_WIDTH = 50  # GloVe 6B's vectors have 50 dimensions (engine.core.glove)

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
    # D: width of every word vector (the reference text's 512)
    d_model: int = config_field(
        512, IntRange(*D_MODEL_RANGE), "--d-model", "width of every word vector", metavar="D",
        tip="D: width of every word vector. The reference text uses 512; 8 is small enough to "
            "read every number.")
    # where the word vectors come from: drawn from the seed, or pretrained GloVe (D = 50)
    word_vectors: str = config_field(
        "random", Choice(WORD_VECTORS), "--word-vectors",
        "word vectors: random from the seed (any D) or pretrained GloVe (D = 50)",
        added_later=True,
        tip="random: one seeded random vector per word, any D, so similar words are not close. "
            "glove: pretrained GloVe 6B vectors (D = 50), in which “cat” is near “dog”; words "
            "GloVe lacks fall back to a seeded vector and are marked.")
    # H: width of the RNN's hidden state
    hidden_size: int = config_field(
        512, IntRange(*HIDDEN_SIZE_RANGE), "--hidden-size", "width of the RNN's hidden state",
        metavar="H", tip="H: width of the RNN's hidden state, its only memory of the words so far.")
    # recurrent cell: "rnn" (Elman), "lstm" or "gru"
    cell: str = config_field(
        "rnn", Choice(CELLS), "--cell", "recurrent cell: rnn (Elman), lstm or gru",
        tip="The recurrent cell: rnn (Elman: h_t = act(W h_{t−1} + U x_t + b)), lstm or gru.")
    # Elman cell's activation: tanh, sigmoid, relu or identity
    activation: str = config_field(
        "tanh", Choice(ACTIVATIONS), "--activation",
        "activation of the Elman cell, only with --cell rnn",
        tip="The Elman cell's activation. Its derivative bound γ (1 for tanh, ¼ for sigmoid) sets "
            "how fast gradients can shrink.")
    # multiplies the recurrent weight matrix after its usual init
    recurrent_scale: float = config_field(
        1.0, FloatRange(*RECURRENT_SCALE_RANGE, step=0.05, decimals=3), "--recurrent-scale",
        "multiply the recurrent weights by S", metavar="S",
        tip="Multiplies the recurrent weight matrix after the usual initialisation. Below about "
            "1/(λ₁γ) gradients vanish; above they may explode.")
    # number of attention heads
    heads: int = config_field(1, IntRange(*HEADS_RANGE), "--heads", "attention heads",
                              tip="Attention heads: each has its own Q, K and V.")
    # d_k: width of each head's queries, keys and values
    head_size: int = config_field(
        64, IntRange(*HEAD_SIZE_RANGE), "--head-size",
        "d_k, width of each head's queries, keys and values", metavar="DK",
        tip="d_k: width of each head's queries, keys and values (64 in the reference text).")
    # mask out attention to later words (as a decoder does)
    causal: bool = config_field(
        False, Flag(), "--causal", "mask attention to later words, as a decoder does",
        tip="Mask attention to later words, as a decoder does: every weight above the diagonal "
            "becomes exactly 0.")
    # divide scores by sqrt(d_k); off shows why it exists
    scaling: bool = config_field(
        True, Flag(), "--no-scaling", "do not divide attention scores by sqrt(d_k)",
        tip="Do not divide scores by √d_k. Unscaled scores have variance d_k, so softmax rows "
            "collapse onto one word.")
    # "sinusoidal" adds position vectors before attention
    positional: str = config_field(
        "none", Choice(POSITIONALS), "--positional",
        "add sinusoidal position vectors before attention",
        tip="Add sinusoidal position vectors to the words before attention. Without them "
            "attention cannot tell word order.")
    # also run minGRU, a recurrence linear in its state, by a parallel scan: the third lane
    scan: bool = config_field(
        False, Flag(), "--scan", "also run minGRU, a linear recurrence, by a parallel scan",
        added_later=True,
        tip="Also run minGRU, an RNN whose state update is linear, so a parallel scan computes "
            "it in ⌈log₂ n⌉ sequential levels instead of n steps: the third lane.")
    # one seed fixes every weight, word vector and readout
    seed: int = config_field(
        0, IntRange(*SEED_RANGE), "--seed", "fixes every weight and word vector",
        tip="Fixes every weight, word vector and readout: the same seed gives the same run.")

    def __post_init__(self) -> None:
        validate_fields(self)
        if self.word_vectors == "glove" and self.d_model != GLOVE_WIDTH:
            raise ConfigError("d_model", f"must be {GLOVE_WIDTH} for GloVe word vectors (they have "
                                         f"{GLOVE_WIDTH} dimensions), got {self.d_model}")
        if self.positional == "sinusoidal" and self.d_model % 2:
            raise ConfigError("d_model", f"must be even for sinusoidal positions, got {self.d_model}")

    def replace(self, **changes) -> SimConfig:
        """A copy with some fields changed (validated like any new config)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """Every field, but those added later while they hold their default (FieldSpec)."""
        values = dataclasses.asdict(self)
        for field, spec in described_fields(self):
            if spec.added_later and values[field.name] == default_of(field):
                del values[field.name]
        return values

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

