"""Trained weights for the lesson steps that talk about meaning ("weights": "trained").

They come from the training lab: its last run in this window when it trained an RNN, LSTM or GRU
beside a Transformer, else the newest pair of models it kept for the simulator (the
trained-models folder beside the settings file, see TrainingLabWindow.checkpoint_folder). The
attention shown is the Transformer's last layer, the one whose last row feeds the readout. When
nothing was trained, there are none, and the lesson says "random weights" plainly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CELL_FILES = ("rnn.npz", "lstm.npz", "gru.npz")  # the recurrent model the simulator can show
TRANSFORMER_FILE = "transformer.npz"
MODEL_NAMES = {"rnn": "an Elman RNN", "lstm": "an LSTM", "gru": "a GRU"}
NONE_TRAINED = ("Random weights: nothing has been trained in the training lab yet, so these maps "
                "show what random weights do. Train an RNN beside the Transformer there (lesson "
                "14), then come back to this step.")
STILL_TRAINING = ("Random weights for now: the training lab is still training. Come back to this "
                  "step when it stops.")


@dataclass(frozen=True)
class TrainedModels:
    """Trained weights for the main window, a sentence of their task, and what they are."""

    weights: object  # engine.models.weights.WeightSet, its last attention layer shown
    sentence: str
    description: str  # "an LSTM and a 2-layer Transformer trained on ..."


def describe(recurrent: str, layers: int, trained_on: dict) -> str:
    """For the dock: which models, on what task, for how long."""
    from engine.labs.training.tasks import TASKS

    task = TASKS[trained_on["task"]].title if trained_on.get("task") in TASKS else "a task"
    steps = trained_on.get("steps")
    length = f"n = {trained_on.get('n')}, " if trained_on.get("n") else ""
    return (f"{MODEL_NAMES.get(recurrent, 'an RNN')} and a {layers}-layer Transformer trained "
            f"in the training lab on \"{task}\" ({length}"
            f"{f'{steps:,} steps' if isinstance(steps, int) else 'steps unknown'})")


def kept_pairs(folder: Path) -> list[tuple[Path, Path]]:
    """(recurrent file, Transformer file) of each pair kept in `folder`, newest first. Only
    real folders holding a Transformer and exactly one RNN, LSTM or GRU file count."""
    pairs = []
    try:
        children = [child for child in Path(folder).iterdir()
                    if child.is_dir() and not child.is_symlink()]
    except OSError:  # no folder yet, or one that cannot be read: nothing kept
        return []
    for child in children:
        transformer = child / TRANSFORMER_FILE
        cells = [child / name for name in CELL_FILES if (child / name).is_file()]
        if len(cells) == 1 and transformer.is_file() and not transformer.is_symlink() \
                and not cells[0].is_symlink():
            try:
                pairs.append((transformer.stat().st_mtime, cells[0], transformer))
            except OSError:
                continue
    pairs.sort(key=lambda pair: pair[0], reverse=True)
    return [(recurrent, transformer) for _, recurrent, transformer in pairs]


def load_pair(recurrent: Path, transformer: Path) -> TrainedModels:
    """Read a kept pair (imports torch: run it on a worker thread). CheckpointError or
    WeightsError say why it cannot be shown."""
    from engine.labs.training.checkpoints import (read_checkpoint_header,
                                                  weight_set_from_checkpoints)
    from engine.labs.training.tasks import TASKS

    header = read_checkpoint_header(transformer)
    layers = header["layers"]
    weights = weight_set_from_checkpoints(recurrent, transformer, layer=layers)
    trained_on = header["trained_on"]
    words, _target = TASKS[trained_on["task"]].example(trained_on.get("seed", 0),
                                                       trained_on.get("n", 8))
    kind = read_checkpoint_header(recurrent)["kind"]
    return TrainedModels(weights, " ".join(words), describe(kind, layers, trained_on))


def from_lab(lab) -> TrainedModels | None:
    """The lab's last run, written as checkpoints as "Show in the simulator" writes them; None
    when it has no RNN beside a Transformer. ValueError says why they cannot be shown."""
    if lab is None or lab.session.last_trainer is None:
        return None
    models = lab.session.last_trainer.models
    if "transformer" not in models or not any(kind in models for kind in ("rnn", "lstm", "gru")):
        return None
    weights, sentence, recurrent = lab.session.simulator_weights(lab.checkpoint_folder())
    layers = weights.layers
    return TrainedModels(weights.with_layer(layers), sentence,
                         describe(recurrent, layers, lab.session.last_trainer.trained_on()))


def kept_folder(settings) -> Path:
    """Where the training lab keeps the models it showed in the simulator."""
    from gui.labs.training.window import CHECKPOINT_FOLDER

    return Path(settings.fileName()).absolute().parent / CHECKPOINT_FOLDER
