"""Training several models side by side: every step draws one batch, and every model takes its
Adam step on that same batch. Each step reports one record per model (loss, accuracy, the norm of
the gradient reaching the first word, seconds) through a callback a window can plot live.

Deterministic for a seed: weights and batches come from engine.core.seeding's streams, and the
CPU runs on one thread, so the same config gives the same curves (times aside). A model whose loss
turns NaN or infinite, or explodes (divergence()), stops there with the reason; the others go on,
and every curve is kept.
A Trainer can run in pieces (pause is a cancel, resume is another run) with the same curves as
one run in one piece.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from engine.core.errors import ConfigError
from engine.core.progress import CancelToken, ProgressCallback
from engine.core.seeding import generator
from engine.core.timing import intraop_threads
from engine.labs.training.config import TrainConfig, memory_refusal
from engine.labs.training.mingru_model import recurrent_model
from engine.labs.training.models import (LABELS, Model, TransformerModel,
                                         matched_hidden_size, parameter_count,
                                         transformer_parameters)
from engine.labs.training.tasks import TASKS, VOCABULARY

HELD_OUT_SIZE = 512  # examples in the held-out batch no model trains on
COMPLETED = "completed"
# A loss this many times a uniform guess's ln V means the weights have blown up: Adam's
# normalised steps rarely reach NaN, but logits hundreds of units apart are no training.
DIVERGED_FACTOR = 100


@dataclass(frozen=True)
class StepRecord:
    """One model's training step."""
    model: str  # "rnn", "lstm", "gru" or "transformer"
    step: int  # 1, 2, ...
    seconds: float  # this model's training time so far (its own steps only)
    loss: float  # cross-entropy on the step's batch, before the update
    accuracy: float  # share of the batch predicted right, before the update
    first_gradient: float  # ||dL/dx_0||: the loss gradient reaching the first word's input
    step_seconds: float  # wall time of this step: forward, backward and Adam


@dataclass(frozen=True)
class EvalRecord:
    """A model measured on the held-out batch (no update)."""
    model: str
    step: int
    seconds: float
    loss: float
    accuracy: float


@dataclass(frozen=True)
class TrainUpdate:
    """What one step produced, for live plots: a record per model still training, and the
    held-out measurements taken after it (often none)."""
    step: int
    records: tuple[StepRecord, ...]
    evaluations: tuple[EvalRecord, ...] = ()


UpdateCallback = Callable[[TrainUpdate], None]

CURVE_FIELDS = ("step", "seconds", "loss", "accuracy", "first_gradient", "step_seconds")


@dataclass(frozen=True)
class Curves:
    """One model's step records as read-only arrays, one entry per step taken."""
    step: np.ndarray  # (S,) int
    seconds: np.ndarray  # (S,)
    loss: np.ndarray  # (S,)
    accuracy: np.ndarray  # (S,)
    first_gradient: np.ndarray  # (S,)  plot on a log scale
    step_seconds: np.ndarray  # (S,)

    @classmethod
    def of(cls, records: list[StepRecord]) -> Curves:
        arrays = {}
        for name in CURVE_FIELDS:
            array = np.array([getattr(r, name) for r in records],
                             dtype=np.int64 if name == "step" else np.float64)
            array.flags.writeable = False
            arrays[name] = array
        return cls(**arrays)


@dataclass(frozen=True)
class ModelSummary:
    """One model's line of the table."""
    kind: str
    label: str
    parameters: int
    hidden_size: int  # the RNN's H, or the Transformer's width D
    steps: int  # steps taken
    seconds: float  # training time (its own steps)
    final_loss: float  # on the held-out batch at step evaluated_at (NaN: never, or diverged)
    accuracy: float  # on the held-out batch at step evaluated_at (NaN: never, or diverged)
    evaluated_at: int  # the step of the last held-out measurement (0: none yet)
    stopped_reason: str  # "completed", "cancelled at step k" or why it diverged

    @property
    def steps_per_second(self) -> float:
        return self.steps / self.seconds if self.seconds > 0 else float("nan")


@dataclass(frozen=True)
class TrainResult:
    config: TrainConfig
    summaries: tuple[ModelSummary, ...]
    curves: dict[str, Curves]
    evaluations: dict[str, tuple[EvalRecord, ...]]
    stopped_reason: str  # "completed", or what stopped a model or the run
    held_out_size: int = HELD_OUT_SIZE

    def summary(self, kind: str) -> ModelSummary:
        return next(s for s in self.summaries if s.kind == kind)


def hidden_sizes(config: TrainConfig) -> dict[str, int]:
    """Each RNN's hidden size: matched to the Transformer's parameter count (by default) or D."""
    target = transformer_parameters(len(VOCABULARY), config.model_width, config.layers,
                                    config.sequence_length)
    return {kind: (matched_hidden_size(kind, target, len(VOCABULARY), config.model_width)
                   if config.match_parameters else config.model_width)
            for kind in config.models if kind != "transformer"}


def build_model(kind: str, config: TrainConfig, hidden: dict[str, int],
                dtype=torch.float32) -> Model:
    """A model with its initial weights from the config's seed."""
    if kind == "transformer":
        return TransformerModel(len(VOCABULARY), config.model_width, config.heads, config.layers,
                                config.sequence_length, config.seed, dtype,
                                config.embedding_scale)
    return recurrent_model(kind, len(VOCABULARY), config.model_width, hidden[kind], config.seed,
                           dtype, config.embedding_scale)


def check_fits(config: TrainConfig, available: int | None = None) -> None:
    """ConfigError naming n when one training step would not fit in memory (estimated first)."""
    from engine.labs.cost.sweep import available_memory_bytes

    if available is None:
        available = available_memory_bytes(config.device)
    refusal = memory_refusal(config, hidden_sizes(config), available)
    if refusal is not None:
        raise ConfigError("n", refusal)


def require_device(config: TrainConfig) -> None:
    if config.device == "cuda" and not torch.cuda.is_available():
        raise ConfigError("device", "is cuda, but no CUDA GPU is visible to torch; use cpu")


@dataclass
class _ModelRun:
    """One model's mutable training state."""
    kind: str
    model: Model
    optimiser: torch.optim.Optimizer
    records: list[StepRecord] = field(default_factory=list)
    evaluations: list[EvalRecord] = field(default_factory=list)
    seconds: float = 0.0
    stopped_reason: str = COMPLETED

    @property
    def training(self) -> bool:
        return self.stopped_reason == COMPLETED


class Trainer:
    """Models, optimisers and curves of one training run; run() takes steps, result() reads out.

    Construction refuses (ConfigError) a device this machine lacks and a run that would not fit
    in memory. Not thread-safe: one thread runs it at a time."""

    def __init__(self, config: TrainConfig, *, available_memory: int | None = None):
        require_device(config)
        check_fits(config, available_memory)
        self.config = config
        self.task = TASKS[config.task]
        self.hidden_sizes = hidden_sizes(config)
        self.device = torch.device(config.device)
        self.step = 0
        self.runs = {kind: self._model_run(kind) for kind in config.models}
        held_tokens, held_targets = self.task.batch(config.seed, "held-out", config.n,
                                                    HELD_OUT_SIZE)
        self._held_out = (self._tensor(held_tokens), self._tensor(held_targets))
        self._cancelled_at: int | None = None

    def _model_run(self, kind: str) -> _ModelRun:
        model = build_model(kind, self.config, self.hidden_sizes).to(self.device)
        # foreach: one call per update for all the model's tensors, not a dozen per tensor; the
        # same numbers as the per-tensor loop (fused=True would round differently)
        return _ModelRun(kind, model, torch.optim.Adam(model.parameters(),
                                                       lr=self.config.learning_rate,
                                                       foreach=True))

    def _tensor(self, array: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(array).to(self.device)

    @property
    def models(self) -> dict[str, Model]:
        return {kind: run.model for kind, run in self.runs.items()}

    def run(self, steps: int | None = None, *, progress: ProgressCallback | None = None,
            on_update: UpdateCallback | None = None,
            cancel: CancelToken | None = None) -> TrainResult:
        """Take `steps` more steps (all that remain of config.steps when None, and never past
        them), stopping early when cancelled or when every model has stopped; return the result
        so far."""
        total = self.config.steps
        until = total if steps is None else min(total, self.step + steps)
        self._cancelled_at = None
        with intraop_threads(1 if self.device.type == "cpu" else 0):
            while self.step < until and any(run.training for run in self.runs.values()):
                if cancel is not None and cancel.cancelled:
                    self._cancelled_at = self.step
                    break
                update = self._one_step()
                if on_update is not None:
                    on_update(update)
                if progress is not None:
                    progress(self.step / total, f"step {self.step} of {total}")
        return self.result()

    def _one_step(self) -> TrainUpdate:
        self.step += 1
        tokens, targets = self.task.batch(self.config.seed, f"step-{self.step}",
                                          batch_length(self.config, self.step),
                                          self.config.batch_size)
        tokens, targets = self._tensor(tokens), self._tensor(targets)
        records = tuple(self._train_step(run, tokens, targets)
                        for run in self.runs.values() if run.training)
        evaluations = ()
        # Measured at fixed steps, never where a run happens to pause, so the curves of a run
        # in pieces are those of one run.
        if self.step % self.config.eval_every == 0 or self.step == self.config.steps:
            evaluations = tuple(self._evaluate(run) for run in self.runs.values() if run.training)
        return TrainUpdate(self.step, tuple(r for r in records if r is not None), evaluations)

    def _train_step(self, run: _ModelRun, tokens: torch.Tensor,
                    targets: torch.Tensor) -> StepRecord | None:
        start = time.perf_counter()
        model = run.model
        inputs = model.embed(tokens)  # (B, T, D)
        inputs.retain_grad()
        logits = model.forward_from_inputs(inputs)  # (B, V)
        loss = F.cross_entropy(logits, targets)
        loss_value = loss.item()
        problem = divergence(loss_value)
        if problem is not None:
            run.stopped_reason = (f"diverged at step {self.step}: {problem}; learning rate "
                                  f"{self.config.learning_rate:g} is too large for it")
            return None
        run.optimiser.zero_grad(set_to_none=True)
        loss.backward()
        first_gradient = inputs.grad[:, 0].norm().item()
        run.optimiser.step()
        accuracy = (logits.detach().argmax(dim=1) == targets).float().mean().item()
        elapsed = time.perf_counter() - start
        run.seconds += elapsed
        record = StepRecord(run.kind, self.step, run.seconds, loss_value, accuracy,
                            first_gradient, elapsed)
        run.records.append(record)
        return record

    def _evaluate(self, run: _ModelRun) -> EvalRecord:
        loss, accuracy = evaluate(run.model, *self._held_out)
        record = EvalRecord(run.kind, self.step, run.seconds, loss, accuracy)
        run.evaluations.append(record)
        return record

    def result(self) -> TrainResult:
        """An immutable snapshot of everything so far."""
        summaries = tuple(self._summary(run) for run in self.runs.values())
        reasons = [f"{LABELS[s.kind]} {s.stopped_reason}" for s in summaries
                   if s.stopped_reason != COMPLETED]
        if self._cancelled_at is not None:
            reasons.insert(0, f"cancelled at step {self._cancelled_at} of {self.config.steps}")
        return TrainResult(self.config, summaries,
                           {kind: Curves.of(run.records) for kind, run in self.runs.items()},
                           {kind: tuple(run.evaluations) for kind, run in self.runs.items()},
                           "; ".join(reasons) or COMPLETED)

    def _summary(self, run: _ModelRun) -> ModelSummary:
        last = run.evaluations[-1] if run.evaluations and run.training else None
        size = (run.model.width if isinstance(run.model, TransformerModel)
                else run.model.hidden_size)
        return ModelSummary(run.kind, LABELS[run.kind], parameter_count(run.model), size,
                            len(run.records), run.seconds,
                            last.loss if last else float("nan"),
                            last.accuracy if last else float("nan"),
                            last.step if last else 0, run.stopped_reason)

    def trained_on(self) -> dict:
        """What a saved checkpoint records about its training."""
        c = self.config
        return {"task": c.task, "n": c.n, "steps": self.step, "seed": c.seed,
                "learning_rate": c.learning_rate, "batch_size": c.batch_size}


def batch_length(config: TrainConfig, step: int) -> int:
    """The length n of the training batch at `step`: config.n, or with mixed_lengths one drawn
    evenly from 2 to n for that step alone (the same for every model, and in a resumed run)."""
    if not config.mixed_lengths:
        return config.n
    return int(generator(config.seed, f"length-{step}").integers(2, config.n + 1))


def divergence(loss: float) -> str | None:
    """What says a training loss has diverged, or None: NaN or infinite, or over
    DIVERGED_FACTOR times the loss of a uniform guess over the vocabulary."""
    if not np.isfinite(loss):
        return f"the loss became {loss}"
    uniform = np.log(len(VOCABULARY))
    if loss > DIVERGED_FACTOR * uniform:
        return (f"the loss reached {loss:.3g} (over {DIVERGED_FACTOR} times a uniform guess's "
                f"{uniform:.2f})")
    return None


def evaluate(model: Model, tokens: torch.Tensor, targets: torch.Tensor,
             chunk: int = 128) -> tuple[float, float]:
    """Mean loss and accuracy over a batch, without gradients, a chunk of rows at a time."""
    total_loss, right = 0.0, 0
    with torch.inference_mode():
        for start in range(0, tokens.shape[0], chunk):
            logits = model(tokens[start:start + chunk])  # (b, V)
            rows = targets[start:start + chunk]
            total_loss += F.cross_entropy(logits, rows, reduction="sum").item()
            right += int((logits.argmax(dim=1) == rows).sum())
    return total_loss / tokens.shape[0], right / tokens.shape[0]


def train(config: TrainConfig, *, progress: ProgressCallback | None = None,
          on_update: UpdateCallback | None = None, cancel: CancelToken | None = None,
          available_memory: int | None = None) -> tuple[TrainResult, Trainer]:
    """Train every model of the config on the same batches; return the result and the trainer
    (its models, for saving or probing)."""
    trainer = Trainer(config, available_memory=available_memory)
    return trainer.run(progress=progress, on_update=on_update, cancel=cancel), trainer


def parameter_spread(summaries) -> float:
    """The largest relative gap of a model's parameter count from the Transformer's (or from
    the first model's, without one)."""
    counts = {s.kind: s.parameters for s in summaries}
    reference = counts.get("transformer", next(iter(counts.values())))
    return max(abs(count - reference) / reference for count in counts.values())

