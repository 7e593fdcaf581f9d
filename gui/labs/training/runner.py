"""Runs the training lab's work through gui/jobs.py: a training run (or the next piece of a paused
one), the headline sweep and the probes of trained models. Torch is imported in the worker, never
on the GUI thread.

The worker batches the per-step updates and hands them over five times a second, then waits until
the window has redrawn (at most SETTLE_TIMEOUT_S). Painting the plots is Python code that needs the
GIL, and a worker holding it between torch calls made a 30 ms repaint take 100-300 ms; waiting
costs training a few per cent of its speed and keeps the GUI thread's stalls short. A new run also
waits before it builds its models, while the window draws its emptied plots."""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import Signal

from gui.latest_job import LatestJobRunner, PacedJobRunner, throttled

SEND_INTERVAL_S = 0.2  # how often the worker hands its batch of updates over (and waits)
SETTLE_TIMEOUT_S = 1.0  # the worker goes on regardless when the GUI does not answer
REDRAW_SETTLE_MS = 40  # the worker waits this long after a batch arrives: the repaint runs alone
PROGRESS_INTERVAL_S = 0.1


@dataclass(frozen=True)
class Piece:
    """What one training job hands back: the trainer (kept for resuming) and its result so far."""
    trainer: object  # engine Trainer
    result: object  # engine TrainResult


@dataclass(frozen=True)
class Starting:
    """Sent before a new run builds its models: the worker waits while the window draws its
    emptied plots, whose axes and legends all change at once."""


@dataclass(frozen=True)
class Built:
    """Sent first: the models exist (their parameter counts are known)."""
    result: object  # TrainResult at the trainer's current step


class TrainingRunner(PacedJobRunner):
    """One training job at a time. `updates_arrived` carries a list of TrainUpdates; `built`
    carries the first result (parameter counts); `finished` carries a Piece, whether the run
    completed, was paused or was cancelled (the trainer can go on unless it completed)."""

    updates_arrived = Signal(object)  # list[TrainUpdate]
    built = Signal(object)  # TrainResult at the start of the piece

    WHO = "training"
    MEMORY_HINT = "try a smaller n, width or batch size"
    SETTLE_MS = REDRAW_SETTLE_MS

    def start(self, config=None, trainer=None, steps: int | None = None) -> int:
        """Train a new Trainer(config), or go on with `trainer`; at most `steps` more steps
        (all that remain when None)."""
        def job(context):
            from engine.labs.training.train import Trainer

            if trainer is None:
                context.send(Starting(), wait_s=SETTLE_TIMEOUT_S)
            worker_trainer = trainer if trainer is not None else Trainer(config)
            context.send(Built(worker_trainer.result()))
            pending, last = [], [time.monotonic()]

            def on_update(update) -> None:  # worker thread
                pending.append(update)
                if time.monotonic() - last[0] >= SEND_INTERVAL_S:
                    batch = list(pending)
                    pending.clear()
                    context.send(batch, wait_s=SETTLE_TIMEOUT_S)  # until the GUI has redrawn
                    last[0] = time.monotonic()

            result = worker_trainer.run(steps, progress=throttled(context.progress,
                                                                  PROGRESS_INTERVAL_S),
                                        on_update=on_update, cancel=context.cancel)
            if pending:
                context.send(list(pending))  # the queue keeps order: before the result
            return Piece(worker_trainer, result)
        return self._start(job)

    def pause(self) -> None:
        """Ask the job to stop after its current step; its Piece still arrives."""
        self.cancel()

    def _on_job_message(self, payload, release) -> None:
        self._release_worker()
        if isinstance(payload, Starting):
            self._hold_worker(release)
            return
        if isinstance(payload, Built):
            release()
            self.built.emit(payload.result)
            return
        self.updates_arrived.emit(payload)  # the window sets the curves' data here
        self._hold_worker(release)  # and the worker waits while they repaint


class SweepRunner(LatestJobRunner):
    """The headline sweep: `point_arrived` per (n, model) as each is trained; `finished` carries
    the SweepResult (completed, cancelled or refused, with the points so far)."""

    point_arrived = Signal(object)  # SweepPoint

    WHO = "sweep"
    MEMORY_HINT = "try a smaller longest n, width or batch size"

    def start(self, config, lengths: tuple[int, ...]) -> int:
        def job(context):
            from engine.labs.training.sweep import train_sweep

            return train_sweep(config, lengths, on_point=context.send,
                               progress=throttled(context.progress, PROGRESS_INTERVAL_S),
                               cancel=context.cancel)
        return self._start(job)

    def _on_job_message(self, point, release) -> None:
        release()
        self.point_arrived.emit(point)


@dataclass(frozen=True)
class Findings:
    """What the trained models hold, per model kind: probe curves, word maps, inference profiles."""
    probes: dict  # kind -> engine ProbeCurve
    word_maps: dict  # kind -> engine WordMap
    profiles: dict  # kind -> engine GenerationProfile


GENERATION_LENGTH = 64  # tokens generated one by one (a Transformer stops at its last position)


def find_out(models: dict, config, progress=None, cancel=None) -> Findings:
    """The memory probe, the word vectors and token-by-token inference of each trained model."""
    from engine.core.timing import intraop_threads
    from engine.labs.training.analysis import generation_profile, memory_probe, word_map
    from engine.labs.training.tasks import TASKS

    probes, word_maps, profiles = {}, {}, {}
    prompt = [int(t) for t in TASKS["first-word"].batch(config.seed, "prompt", config.n, 1)[0][0]]
    with intraop_threads(1):
        for index, (kind, model) in enumerate(models.items()):
            if cancel is not None:
                cancel.raise_if_cancelled()
            if progress is not None:
                progress(index / len(models), f"probing the {kind}")
            probes[kind] = memory_probe(model, kind, config.n, config.seed, device=config.device)
            word_maps[kind] = word_map(model)
            profiles[kind] = generation_profile(model, kind, prompt, GENERATION_LENGTH)
    return Findings(probes, word_maps, profiles)


class AnalysisRunner(LatestJobRunner):
    """Probes trained models in the background; `finished` carries Findings."""

    WHO = "analysis"
    MEMORY_HINT = "try a smaller n"

    def start(self, models: dict, config) -> int:
        return self._start(lambda context: find_out(models, config, context.progress,
                                                    context.cancel))
