"""The training lab's run as the window holds it, in plain Python: the config, the curves received
so far, the trainer between pieces (pause keeps it, cancel drops it), the latest summaries, and
the words that say where the run stands, and the trained weights it hands the main window."""

from __future__ import annotations

import math
from pathlib import Path

from gui.labs.training.checkpoint_folders import mark_recent, prune
from gui.labs.training.curves import LiveCurves
from gui.labs.training.table import summary_rows

COMPLETED = "completed"  # engine/labs/training/train.py's COMPLETED


class TrainingSession:
    def __init__(self):
        self.config = None
        self.trainer = None  # the engine Trainer, while a paused run can go on
        self.last_trainer = None  # the trainer of the last piece, for saving its models
        self.curves = LiveCurves()
        self.summaries: tuple = ()
        self.result = None  # the last piece's TrainResult
        self.stop_request: str | None = None  # "pause" or "cancel" while a job is asked to stop
        self.cleanup_problems: list[str] = []  # old checkpoint folders the last show left behind

    def begin(self, config) -> None:
        """A new run: nothing received yet."""
        self.config, self.trainer, self.result, self.last_trainer = config, None, None, None
        self.curves = LiveCurves(config.models)
        self.summaries, self.stop_request = (), None

    @property
    def resumable(self) -> bool:
        return (self.trainer is not None and self.result is not None
                and self.trainer.step < self.config.steps
                and any(s.stopped_reason == COMPLETED for s in self.result.summaries))

    def add_updates(self, updates) -> None:
        for update in updates:
            self.curves.add(update)

    def finish_piece(self, trainer, result) -> str:
        """Keep what a job handed back; say how the run stands now."""
        self.result, self.summaries, self.last_trainer = result, result.summaries, trainer
        self.trainer = None if self.stop_request == "cancel" else trainer
        request, self.stop_request = self.stop_request, None
        step, total = trainer.step, self.config.steps
        if request == "cancel":
            return f"Cancelled at step {step} of {total}; the curves so far stay."
        stopped = [f"{s.label} {s.stopped_reason}" for s in result.summaries
                   if s.stopped_reason != COMPLETED]
        if stopped and not self.resumable:
            return "Stopped: " + "; ".join(stopped) + ". The curves so far stay."
        if self.resumable:
            also = (" Stopped: " + "; ".join(stopped) + ".") if stopped else ""
            return f"Paused at step {step} of {total}: press Resume to go on.{also}"
        return f"Completed: {total} steps for every model." + _best(result.summaries)

    def drop_trainer(self) -> str:
        """Cancel while paused: the run cannot go on, its curves stay."""
        step = self.trainer.step if self.trainer is not None else 0
        self.trainer = None
        return f"Cancelled at step {step} of {self.config.steps}; the curves so far stay."

    def simulator_weights(self, folder: Path | None = None):
        """(WeightSet, a task sentence, the RNN's kind) for the main window: the last run's first
        recurrent model and the Transformer, showing its first layer (WeightSet.with_layer shows
        another). With a `folder`, both models are first written there as checkpoints (in a
        subfolder named by the weights' digest) and the weights are read back from those files,
        so a session can name them and reproduce the run; the oldest folders beyond the most
        recent few are then removed (cleanup_problems says which could not be). ValueError says
        why not."""
        from engine.core.errors import EngineInputError, WeightsError
        from engine.labs.training.checkpoints import to_weight_set
        from engine.labs.training.models import CELL_KINDS
        from engine.labs.training.tasks import TASKS

        self.cleanup_problems = []
        models = self.last_trainer.models if self.last_trainer is not None else {}
        recurrent = next((kind for kind in models if kind in CELL_KINDS), None)  # not minGRU:
        # the simulator's RNN is a cell, and minGRU shows in its own lane
        if recurrent is None or "transformer" not in models:
            raise ValueError("Train an RNN, LSTM or GRU beside the Transformer first: the "
                             "simulator shows one of each.")
        try:
            weights = to_weight_set(models[recurrent], models["transformer"])
            if folder is not None:
                weights, self.cleanup_problems = _as_checkpoints(
                    weights, models, recurrent, folder, self.last_trainer.trained_on())
        except WeightsError as error:
            raise ValueError(f"Cannot show them in the simulator: {error}") from None
        except EngineInputError as error:  # a checkpoint that could not be written or read
            raise ValueError(f"Cannot keep the trained models for the simulator: {error}") \
                from None
        words, _target = TASKS[self.config.task].example(self.config.seed, self.config.n)
        return weights, " ".join(words), recurrent

    def steps_per_second(self) -> dict[str, float]:
        rates = {}
        for kind in self.curves.models:
            seconds = self.curves.steps(kind, "seconds")
            rates[kind] = len(seconds) / seconds[-1] if len(seconds) and seconds[-1] > 0 \
                else math.nan
        return rates

    def table_rows(self) -> list[tuple[str, ...]]:
        total = self.config.steps if self.config is not None else 0
        return summary_rows(self.summaries, self.curves, self.steps_per_second(), total)


def _as_checkpoints(weights, models: dict, recurrent: str, folder: Path, trained_on: dict):
    """(the same weights read back from checkpoint files written under `folder`, in a subfolder
    named by their digest so equal weights share it, with the files recorded on them; messages
    for old subfolders that could not be removed)."""
    from engine.labs.training.checkpoints import (CheckpointError, save_model,
                                                  weight_set_from_checkpoints)

    target = Path(folder) / weights.digest()[:16]
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CheckpointError(f"cannot create the folder {target}: "
                              f"{error.strerror or error}") from None
    paths = {kind: target / f"{kind}.npz" for kind in (recurrent, "transformer")}
    for kind, path in paths.items():
        save_model(models[kind], path, trained_on)  # atomic: a half-written file never stays
    mark_recent(target)
    shown = weight_set_from_checkpoints(paths[recurrent], paths["transformer"])
    return shown, prune(Path(folder), in_use=target)


def _best(summaries) -> str:
    scored = [s for s in summaries if math.isfinite(s.accuracy)]
    if not scored:
        return ""
    return " Held-out accuracy: " + ", ".join(f"{s.label} {s.accuracy:.0%}" for s in scored) + "."
