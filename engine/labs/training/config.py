"""The training lab's settings: task, length, models, widths, steps, learning rate, batch and seed,
validated on construction without loading torch; plus the memory estimate a run is checked
against before it starts."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from engine.core.config import HEADS_RANGE, SEED_RANGE
from engine.core.errors import ConfigError
from engine.core.fields import Choice, Flag, FloatRange, IntRange, config_field, validate_fields
from engine.core.untrusted import printable
from engine.labs.training.tasks import TASK_NAMES

MODEL_KINDS = ("rnn", "lstm", "gru", "mingru", "transformer")  # models.MODEL_KINDS, without torch
DEVICES = ("cpu", "cuda")
LENGTH_RANGE = (2, 65536)
WIDTH_RANGE = (2, 1024)
LAYERS_RANGE = (1, 2)
STEPS_RANGE = (1, 10_000_000)
LEARNING_RATE_RANGE = (1e-6, 1e3)  # above 1e3 nothing but divergence is left to see
BATCH_RANGE = (1, 4096)
EMBEDDING_SCALE_RANGE = (0.001, 10.0)
BATCH_LENGTHS = ("fixed", "mixed")
EVAL_RANGE = (1, 10_000_000)
PARAMETER_TOLERANCE = 0.2  # matched models' counts lie within +-20 % of the Transformer's


def _models_text(models) -> str:
    return ",".join(models) if isinstance(models, tuple) else str(models)


@dataclass(frozen=True)
class TrainConfig:
    # which task every model learns (engine/labs/training/tasks.py)
    task: str = config_field(
        "first-word", Choice(TASK_NAMES), "--task", "the task every model learns",
        label="Task", tip="The task every model learns; each example is n words and a cue word.")
    # n: words per example before the cue (the distance first-word asks the models to bridge)
    n: int = config_field(
        32, IntRange(*LENGTH_RANGE), "--n", "words per example before the cue word",
        metavar="N", label="Length n",
        tip="Words per example before the cue: on first-word, how far back the answer lies.")
    # which models train, in order: "rnn,lstm,transformer" on the command line
    models: tuple[str, ...] = config_field(
        "rnn,lstm,transformer", None, "--models",
        f"models to train, comma-separated, from {', '.join(MODEL_KINDS)}",
        metavar="LIST", label="Models")
    # D: the Transformer's width, and every model's word-vector width
    model_width: int = config_field(
        32, IntRange(*WIDTH_RANGE), "--model-width",
        "the Transformer's width and every model's word-vector width", metavar="D",
        label="Width D",
        tip="The Transformer's width D; every model's word vectors have this width too.")
    # Transformer blocks (two let attention copy a neighbour, then look it up: recall)
    layers: int = config_field(
        2, IntRange(*LAYERS_RANGE), "--layers", "Transformer blocks", label="Blocks",
        tip="Transformer blocks: one looks up by position or content; two can first copy a "
            "neighbour into each word and then look that up (associative recall).")
    # attention heads per block; the same flag as the simulator's --heads
    heads: int = config_field(1, IntRange(*HEADS_RANGE), "--heads", "attention heads",
                              label="Heads", tip="Attention heads per block; they split the width.")
    # pick each RNN's hidden size so its parameter count matches the Transformer's
    match_parameters: bool = config_field(
        True, Flag(), "--no-match",
        "do not match parameter counts: give every RNN hidden size D", label="Match parameters",
        tip="Pick each RNN's hidden size so its parameter count lies within 20 % of the "
            "Transformer's; off, every hidden size is the width D.")
    # optimiser steps, each on one batch
    steps: int = config_field(
        2000, IntRange(*STEPS_RANGE), "--steps", "training steps (one batch each)", metavar="S",
        label="Steps", tip="Training steps; every model takes each step on the same batch.")
    # Adam's step size
    learning_rate: float = config_field(
        3e-3, FloatRange(*LEARNING_RATE_RANGE, step=1e-3, decimals=6), "--lr",
        "Adam's learning rate", metavar="LR", label="Learning rate",
        tip="Adam's learning rate, the same for every model.")
    # the spread of every model's word vectors (and the Transformer's positions) at the start
    embedding_scale: float = config_field(
        0.02, FloatRange(*EMBEDDING_SCALE_RANGE, step=0.1, decimals=3), "--embedding-scale",
        "the spread of the word vectors at the start", metavar="S", label="Word-vector scale",
        tip="The spread of every model's word vectors (and the Transformer's positions) before "
            "training. Small lets trained classes show as clusters; parity needs the bits "
            "\"0\" and \"1\" far apart from the start.")
    # "fixed": every training batch has length n; "mixed": each its own, from 2 to n
    batch_lengths: str = config_field(
        "fixed", Choice(BATCH_LENGTHS), "--batch-lengths",
        "fixed: every training batch has n words; mixed: each has its own length, drawn evenly "
        "from 2 to n (held-out batches keep n)", label="Batch lengths",
        tip="fixed: every training batch has n words. mixed: each gets its own length, drawn "
            "evenly from 2 to n, while the held-out batch keeps n; short strings teach what long "
            "ones need (parity's default), and the first-word gradient is then measured at each "
            "batch's length.")
    # examples per batch
    batch_size: int = config_field(
        32, IntRange(*BATCH_RANGE), "--batch-size", "examples per batch", metavar="B",
        label="Batch size")
    # steps between accuracy measurements on the held-out batch
    eval_every: int = config_field(
        100, IntRange(*EVAL_RANGE), "--eval-every",
        "steps between measurements on the held-out batch", metavar="K", label="Evaluate every",
        tip="Steps between accuracy measurements on a held-out batch the models never train on.")
    # fixes every weight and every batch; the same flag as the simulator's --seed
    seed: int = config_field(
        0, IntRange(*SEED_RANGE), "--seed", "fixes every weight and word vector", label="Seed",
        tip="Fixes every initial weight and every batch: the same seed gives the same curves.")
    # "cpu" or "cuda"; the same flag as the cost lab's --device
    device: str = config_field(
        "cpu", Choice(DEVICES), "--device", "where to measure", label="Device",
        tip="Where the models train. cuda appears when torch sees a GPU.")

    def __post_init__(self) -> None:
        _check_learning_rate(self.learning_rate)
        validate_fields(self)
        object.__setattr__(self, "models", _checked_models(self.models))
        if self.model_width % self.heads:
            raise ConfigError("model_width", f"must be a multiple of heads ({self.heads}), got "
                                       f"{self.model_width}")

    def replace(self, **changes) -> TrainConfig:
        return dataclasses.replace(self, **changes)

    @property
    def mixed_lengths(self) -> bool:
        return self.batch_lengths == "mixed"

    @property
    def sequence_length(self) -> int:
        """T: the n words and the cue."""
        return self.n + 1


# What a task needs beyond the general defaults, found by experiment (see the README's Training
# lab). Parity from scratch gives gradient descent almost nothing to follow (every bit matters at
# once, and bits that start 0.02 apart look alike), so the bits start far apart and short strings,
# mixed in, teach the flip that long ones need.
TASK_DEFAULTS = {
    "parity": {"n": 16, "steps": 1500, "batch_size": 64, "embedding_scale": 1.0,
               "batch_lengths": "mixed"},
}


def task_config(task: str, **changes) -> TrainConfig:
    """The config a task starts from: its own defaults over the general ones, then `changes`."""
    return TrainConfig(**{"task": task, **TASK_DEFAULTS.get(task, {}), **changes})


def _check_learning_rate(value) -> None:
    """Clearer words than a range for the three ways a learning rate is commonly wrong."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError("learning_rate", f"must be a number, got {printable(value, 40)}")
    if math.isnan(value):
        raise ConfigError("learning_rate", "must be a number, got NaN")
    if value <= 0:
        raise ConfigError("learning_rate", f"must be above 0 (Adam's step size; 0 would never "
                                           f"move the weights), got {value:g}")


def _checked_models(models) -> tuple[str, ...]:
    names = models.split(",") if isinstance(models, str) else models
    try:
        names = tuple(name.strip() for name in names)
    except (TypeError, AttributeError):
        raise ConfigError("models", f"must be a list of model names, got "
                                    f"{printable(models, 60)}") from None
    if not names or names == ("",):
        raise ConfigError("models", f"must name at least one of {', '.join(MODEL_KINDS)}")
    for name in names:
        if name not in MODEL_KINDS:
            raise ConfigError("models", f"must name models from {', '.join(MODEL_KINDS)}; got "
                                        f"{printable(name, 40)!r}")
    if len(set(names)) != len(names):
        raise ConfigError("models", f"names a model twice: {_models_text(names)}")
    return names


# ---- memory --------------------------------------------------------------------------------------

BYTES_PER_FLOAT = 4
# n x n tensors autograd keeps per head and block: scores, masked, exp, weights, their grads
ATTENTION_COPIES = 6
RECURRENT_COPIES = 8  # (B, G*H) tensors kept per step: pre-activations, gates, states, grads
SCAN_COPIES = 4  # (B, T, H) tensors minGRU's scan keeps per level: a, b and their gradients


def memory_needed_bytes(config: TrainConfig, hidden_sizes: dict[str, int]) -> int:
    """Peak bytes of one training step of the largest model (they train one after another)."""
    B, T, D = config.batch_size, config.sequence_length, config.model_width
    gates = {"rnn": 1, "gru": 3, "lstm": 4}
    peaks = [0]
    for kind in config.models:
        if kind == "transformer":
            matrices = ATTENTION_COPIES * config.heads * T * T * config.layers
            vectors = 20 * T * D * config.layers  # stream, LayerNorms, q, k, v, MLP (4D) and grads
            peaks.append(B * (matrices + vectors))
        elif kind == "mingru":  # the scan keeps its (a, b) at each of its ceil(log2 T) levels
            levels = max(1, (T - 1).bit_length())
            peaks.append(B * T * (SCAN_COPIES * (levels + 1) * hidden_sizes[kind] + 2 * D))
        else:
            peaks.append(B * T * (RECURRENT_COPIES * gates[kind] * hidden_sizes[kind] + 2 * D))
    return BYTES_PER_FLOAT * max(peaks)


def memory_refusal(config: TrainConfig, hidden_sizes: dict[str, int], available: int) -> str | None:
    """Why this run would not fit in `available` bytes (the problem with n, giving the
    estimate), or None."""
    from engine.labs.cost.sweep import bytes_text

    needed = memory_needed_bytes(config, hidden_sizes)
    if needed <= available // 2:  # leave room for everything else on the machine
        return None
    return (f"is too large for memory: one training step at n = {config.n} and batch size "
            f"{config.batch_size} needs about {bytes_text(needed)}; {bytes_text(available)} is "
            f"available and at most half of it is used: choose a smaller n or batch size")
