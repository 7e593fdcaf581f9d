"""Trained weights for the lesson steps that talk about meaning ("weights": "trained").

They come from the training lab: its last run in this window when it trained an RNN, LSTM or GRU
beside a Transformer (kept as checkpoint files, as "Show in the simulator" keeps them, so a session
can name them: two small files written on the GUI thread), else the newest pair of models it kept
(the trained-models folder beside the settings file, see TrainingLabWindow.checkpoint_folder), read
on a worker. The attention shown is the Transformer's last layer, the one whose last row feeds the
readout. When nothing was trained, there are none, and the lesson says "random weights" plainly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
    n, steps = _whole(trained_on.get("n"), 0, 2**31), _whole(trained_on.get("steps"), 0, 2**31)
    return (f"{MODEL_NAMES.get(recurrent, 'an RNN')} and a {layers}-layer Transformer trained "
            f"in the training lab on \"{task}\" ({f'n = {n}, ' if n else ''}"
            f"{f'{steps:,} steps' if steps else 'steps unknown'})")


def kept_pairs(folder: Path) -> list[tuple[Path, Path]]:
    """(recurrent file, Transformer file) of each pair "Show in the simulator" kept in `folder`,
    newest first: the folders it writes and prunes (checkpoint_folders.newest_first)."""
    from gui.labs.training.checkpoint_folders import TRANSFORMER_FILE, newest_first

    try:
        kept = newest_first(folder)
    except OSError:  # no folder yet, or one that cannot be read: nothing kept
        return []
    pairs = []
    for _folder, files in kept:
        transformer = next(path for path in files if path.name == TRANSFORMER_FILE)
        recurrent = next(path for path in files if path.name != TRANSFORMER_FILE)
        pairs.append((recurrent, transformer))
    return pairs


def load_pair(recurrent: Path, transformer: Path, lab_busy: bool = False) -> TrainedModels:
    """Read a kept pair (imports torch: run it on a worker thread), showing the Transformer's last
    layer on an example of its task. CheckpointError or WeightsError say why it cannot be shown;
    `lab_busy` adds that the lab is training something newer."""
    from engine.labs.training.checkpoints import (read_checkpoint_header,
                                                  weight_set_from_checkpoints)
    from engine.labs.training.tasks import TASKS
    from engine.models.transformer_input import MAX_LAYERS

    header = read_checkpoint_header(transformer)
    layers = header.get("layers")
    if not isinstance(layers, int) or isinstance(layers, bool) or not 1 <= layers <= MAX_LAYERS:
        layers = 1  # weight_set_from_checkpoints checks it against the file itself
    weights = weight_set_from_checkpoints(recurrent, transformer, layer=layers)
    trained_on = header["trained_on"]
    words, _target = TASKS[trained_on["task"]].example(_whole(trained_on.get("seed"), 0, 2**31),
                                                       _example_length(trained_on, weights))
    description = describe(recurrent.stem, weights.layers, trained_on)
    if lab_busy:
        description += ", kept from an earlier run while the lab trains"
    return TrainedModels(weights, " ".join(words), description)


def _example_length(trained_on: dict, weights) -> int:
    """The n the models were trained on, within the positions the Transformer learned."""
    longest = weights.transformer_input.max_length - 1  # n words and the cue
    return _whole(trained_on.get("n"), longest, longest + 1)


def _whole(value, default: int, limit: int) -> int:
    """`value` when it is a whole number in [1, limit), else `default`."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value < limit:
        return value
    return default


def from_lab(lab) -> TrainedModels | None:
    """The lab's last run, written as checkpoints as "Show in the simulator" writes them; None
    when it has no RNN beside a Transformer. ValueError says why they cannot be shown."""
    if lab is None or lab.session.last_trainer is None:
        return None
    models = lab.session.last_trainer.models
    if "transformer" not in models or not any(kind in models for kind in ("rnn", "lstm", "gru")):
        return None
    kept = ""
    try:
        weights, sentence, recurrent = lab.session.simulator_weights(lab.checkpoint_folder())
    except ValueError as error:  # they could not be kept on disk: shown all the same, from memory
        weights, sentence, recurrent = lab.session.simulator_weights()
        kept = f" (not kept on disk, so a session saved now cannot name them: {error})"
    layers = weights.layers
    return TrainedModels(weights.with_layer(layers), sentence,
                         describe(recurrent, layers, lab.session.last_trainer.trained_on()) + kept)


def kept_folder(settings) -> Path:
    """Where the training lab keeps the models it showed in the simulator (imported here, not at
    start-up: the lab's package brings its window)."""
    from gui.labs.training.checkpoint_folders import root_folder

    return root_folder(settings)
