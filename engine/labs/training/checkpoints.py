"""Trained models as files, and as the main window's weights.

A checkpoint is one .npz: a JSON header (format, version, kind, sizes, vocabulary, what it was
trained on) plus one float32 array per parameter. It is read with engine/core/npz_files.py's
guards (sizes checked before unpacking, pickles refused) and checked name by name, shape by shape,
so a file that is not ours gets one clear CheckpointError. to_weight_set() hands a trained RNN
(cell and word vectors) and a Transformer layer's attention (with its exact input) to the main
window's weight seam.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import torch

from engine.core.config import SimConfig
from engine.core.errors import ConfigError, EngineInputError, WeightsError
from engine.core.npz_files import NpzLimits, read_npz_arrays, write_npz
from engine.core.untrusted import parse_json, printable
from engine.labs.training.mingru_model import recurrent_model
from engine.labs.training.models import (MODEL_KINDS, RECURRENT_KINDS, Model, RecurrentModel,
                                         TransformerModel, recurrent_parameters,
                                         transformer_parameters)
from engine.labs.training.tasks import TASK_NAMES, VOCABULARY
from engine.core.word_vectors import WordVectors
from engine.models.transformer_input import BLOCK_NAMES, TransformerInput
from engine.models.weights import WeightSet

FORMAT_NAME = "rnn-vs-transformer trained model"
FORMAT_VERSION = 1
HEADER_KEY = "header"
MAX_HEADER_CHARS = 8192
MAX_CHECKPOINT_BYTES = 2**30
CHECKPOINT_LIMITS = NpzLimits("a trained-model file", MAX_CHECKPOINT_BYTES, 64,
                              max_directory_bytes=65536)
SIZE_LIMIT = 1 << 16  # any width, hidden size, length or count in a header


class CheckpointError(EngineInputError):
    """A trained-model file that cannot be written, or read as one of ours."""


def checkpoint_header(model: Model, trained_on: dict) -> dict:
    """What rebuilds the model (its kind and sizes) and what it was trained on (task, n, steps,
    seed: shown, not needed to rebuild)."""
    sizes = ({"embed_width": model.embed_width, "hidden_size": model.hidden_size}
             if isinstance(model, RecurrentModel) else
             {"width": model.width, "heads": model.heads, "layers": model.layers,
              "max_length": model.max_length})
    return {"format": FORMAT_NAME, "version": FORMAT_VERSION, "kind": model.kind,
            "vocabulary": list(VOCABULARY), **sizes, "trained_on": trained_on}


def save_model(model: Model, path: str | os.PathLike, trained_on: dict) -> Path:
    """Write the model's parameters and header to one .npz, atomically; return the path."""
    header = json.dumps(checkpoint_header(model, trained_on), sort_keys=True)
    arrays = {name: value.detach().cpu().to(torch.float32).numpy()
              for name, value in model.named_parameters()}
    return write_npz(path, {HEADER_KEY: np.array(header), **arrays}, CheckpointError)


def load_model(path: str | os.PathLike) -> tuple[Model, dict]:
    """The model a file saved by save_model holds (float32), and its header; CheckpointError,
    naming the file, for anything else."""
    shown = printable(path)
    arrays = read_npz_arrays(Path(path), CHECKPOINT_LIMITS, CheckpointError)
    header = _header_of(arrays, shown)  # taken out of arrays
    declared = _declared_parameters(header, shown)
    held = sum(array.size for array in arrays.values())
    if declared != held:  # checked before building: a header could declare any size
        raise CheckpointError(f"{shown}: its header's sizes make {declared:,} parameters, but it "
                              f"holds {held:,} numbers")
    model = _empty_model(header, shown)
    expected = dict(model.named_parameters())
    missing = sorted(set(expected) - set(arrays))
    extra = sorted(printable(name, 40) for name in set(arrays) - set(expected))
    if missing or extra:
        raise CheckpointError(f"{shown}: its arrays do not fit a {header['kind']} model "
                              f"({'missing ' + missing[0] if missing else 'extra ' + extra[0]})")
    with torch.no_grad():
        for name, parameter in expected.items():
            parameter.copy_(torch.from_numpy(_checked_array(arrays[name], name, parameter, shown)))
    return model, header


def read_checkpoint_header(path: str | os.PathLike) -> dict:
    """The header of a file saved by save_model (kind, sizes, "trained_on"), without building the
    model: its format, version, kind, vocabulary and task are checked as load_model checks them,
    its sizes only when a model is built from it. CheckpointError for anything else."""
    return _header_of(read_npz_arrays(Path(path), CHECKPOINT_LIMITS, CheckpointError),
                      printable(path))


def _header_of(arrays: dict, shown: str) -> dict:
    """The checked header, popped from a checkpoint's arrays."""
    if HEADER_KEY not in arrays:
        raise CheckpointError(f"{shown} is a .npz file but not a model trained by this app")
    return _read_header(arrays.pop(HEADER_KEY), shown)


def _checked_array(value: np.ndarray, name: str, parameter: torch.Tensor, shown: str) -> np.ndarray:
    if value.dtype.kind != "f":
        raise CheckpointError(f"{shown}: array {name} is {printable(value.dtype, 30)}, not floats")
    if value.shape != tuple(parameter.shape):
        raise CheckpointError(f"{shown}: array {name} has shape {value.shape}; the header's "
                              f"sizes need {tuple(parameter.shape)}")
    if not np.all(np.isfinite(value)):
        raise CheckpointError(f"{shown}: array {name} holds NaN or infinite values")
    return value.astype(np.float32)


def _read_header(value: np.ndarray, shown: str) -> dict:
    if value.dtype.kind != "U" or value.shape != () or len(str(value)) > MAX_HEADER_CHARS:
        raise CheckpointError(f"{shown}: its header is not a short line of text")
    header = parse_json(str(value),
                        lambda problem: CheckpointError(f"{shown}: its header {problem}"))
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise CheckpointError(f"{shown} is a .npz file but not a model trained by this app")
    version = header.get("version")
    if not isinstance(version, int) or isinstance(version, bool) \
            or not 1 <= version <= FORMAT_VERSION:
        raise CheckpointError(f"{shown} has trained-model format version {printable(version, 30)}; "
                              f"this version reads 1 to {FORMAT_VERSION}")
    if header.get("kind") not in MODEL_KINDS:
        raise CheckpointError(f"{shown}: its header names no model kind this app has")
    if header.get("vocabulary") != list(VOCABULARY):
        raise CheckpointError(f"{shown} was trained on another vocabulary than this version's")
    trained_on = header.get("trained_on")
    if not isinstance(trained_on, dict) or trained_on.get("task") not in TASK_NAMES:
        raise CheckpointError(f"{shown}: its header does not say which task it was trained on")
    return header


def _size(header: dict, key: str, shown: str) -> int:
    value = header.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= SIZE_LIMIT:
        raise CheckpointError(f"{shown}: its header lacks a valid {key}")
    return value


def _declared_parameters(header: dict, shown: str) -> int:
    V = len(VOCABULARY)
    if header["kind"] in RECURRENT_KINDS:
        return recurrent_parameters(header["kind"], V, _size(header, "embed_width", shown),
                                    _size(header, "hidden_size", shown))
    return transformer_parameters(V, _size(header, "width", shown), _size(header, "layers", shown),
                                  _size(header, "max_length", shown))


def _empty_model(header: dict, shown: str) -> Model:
    """A model of the header's kind and sizes, its values to be overwritten."""
    V = len(VOCABULARY)
    if header["kind"] in RECURRENT_KINDS:
        return recurrent_model(header["kind"], V, _size(header, "embed_width", shown),
                               _size(header, "hidden_size", shown), seed=0)
    width, heads = _size(header, "width", shown), _size(header, "heads", shown)
    layers = _size(header, "layers", shown)
    if width % heads or layers > 2:
        raise CheckpointError(f"{shown}: its header's width {width}, heads {heads} and layers "
                              f"{layers} make no Transformer of this lab")
    return TransformerModel(V, width, heads, layers, _size(header, "max_length", shown), seed=0)


def to_weight_set(rnn: RecurrentModel, transformer: TransformerModel, layer: int = 1,
                  source: str = "trained in the training lab") -> WeightSet:
    """The trained RNN and Transformer as the main window's WeightSet (float64), showing
    attention layer `layer` (1-based).

    The RNN's cell and its own word vectors; the shown block's attention, with what computes its
    exact input (the Transformer's word vectors, learned positions, earlier blocks and the block's
    pre-attention LayerNorm: a TransformerInput). Both read words of one width D, so the RNN's
    embedding width must equal the Transformer's width; the readouts have no place in the main
    window and are left out. WeightsError says why when the shapes do not allow it."""
    if rnn.embed_width != transformer.width:
        raise WeightsError(f"the RNN reads words of width {rnn.embed_width} and the Transformer "
                           f"of width {transformer.width}; the simulator needs one width")
    if not 1 <= layer <= transformer.layers:
        raise WeightsError(f"the Transformer has {transformer.layers} layer(s); there is no "
                           f"layer {layer}")
    blocks = tuple({name: getattr(block, name) for name in BLOCK_NAMES}
                   for block in transformer.blocks)
    shown = TransformerInput(_word_table(transformer, "the trained Transformer's word vectors"),
                             transformer.positions, blocks, layer)
    described = f"{source}, layer {layer}" if transformer.layers > 1 else source
    weights = WeightSet.from_models(
        rnn.cell_weights(), transformer.blocks[layer - 1].attention_weights(), described,
        word_vectors=_word_table(rnn, f"the trained {rnn.kind}'s word vectors"),
        transformer_input=shown)
    try:
        SimConfig(**weights.shape_fields)
    except ConfigError as error:
        raise WeightsError(f"the trained models have {error.field} "
                           f"{weights.shape_fields[error.field]}, which the simulator cannot "
                           f"run ({error.problem})", error.field) from None
    return weights


def _word_table(model: Model, name: str) -> WordVectors:
    """A model's embedding as a word-vector table over the lab's vocabulary (float64)."""
    return WordVectors(VOCABULARY, model.embedding.detach().cpu().to(torch.float64).numpy(), name)


def weight_set_from_checkpoints(recurrent_path: str | os.PathLike,
                                transformer_path: str | os.PathLike, layer: int = 1,
                                source: str = "trained in the training lab") -> WeightSet:
    """to_weight_set() on the models two checkpoint files hold, with the files recorded
    (WeightSet.checkpoints) so that a session can find them again. CheckpointError or
    WeightsError says why not."""
    recurrent, _ = load_model(recurrent_path)
    transformer, _ = load_model(transformer_path)
    if not isinstance(recurrent, RecurrentModel) or not isinstance(transformer, TransformerModel):
        raise CheckpointError(f"{printable(recurrent_path)} must hold an RNN, LSTM or GRU and "
                              f"{printable(transformer_path)} a Transformer")
    weights = to_weight_set(recurrent, transformer, layer, source)
    weights.checkpoints = {"recurrent": Path(recurrent_path).absolute(),
                           "transformer": Path(transformer_path).absolute()}
    return weights


def save_models(models: dict[str, Model], directory: str | os.PathLike,
                trained_on: dict) -> list[Path]:
    """Write each model to DIRECTORY/KIND.npz (the folder is created if missing); return the
    paths. Models holding NaN or infinite values (a diverged run) are not written."""
    folder = Path(directory)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CheckpointError(f"cannot create the folder {printable(folder)}: "
                              f"{printable(error.strerror or error, 80)}") from None
    paths = []
    for kind, model in models.items():
        if all(torch.isfinite(p).all() for p in model.parameters()):
            paths.append(save_model(model, folder / f"{kind}.npz", trained_on))
    return paths
