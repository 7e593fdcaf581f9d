"""Trained-model files: a saved model loads back identical, a file that is not ours is refused in
one line (never unpickled, never built from sizes a header merely claims), and a trained RNN and
Transformer reach the simulator through its weight seam."""

import json

import numpy as np
import pytest
import torch

from engine import SimConfig, simulate
from engine.core.errors import WeightsError
from engine.labs.training.checkpoints import (CheckpointError, load_model, read_checkpoint_header,
                                              save_model, save_models,
                                              to_weight_set)
from engine.labs.training.config import TrainConfig
from engine.labs.training.train import train
from engine.labs.training.tasks import VOCABULARY
from engine.models.weights import WeightSet

V = len(VOCABULARY)
TRAINED_ON = {"task": "first-word", "n": 6, "steps": 3, "seed": 0}


@pytest.fixture(scope="module")
def trained():
    config = TrainConfig(n=6, steps=3, model_width=8, heads=2, models="rnn,lstm,gru,transformer")
    _, trainer = train(config)
    return trainer


def assert_one_line(error: Exception) -> None:
    message = str(error)
    assert message and "\n" not in message


def _arrays(path) -> dict:
    with np.load(path, allow_pickle=False) as archive:
        return {key: archive[key] for key in archive.files}


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru", "transformer"])
def test_a_saved_model_loads_back_with_the_same_outputs(trained, tmp_path, kind):
    model = trained.models[kind]
    path = save_model(model, tmp_path / kind, TRAINED_ON)
    assert path.name == f"{kind}.npz"
    loaded, header = load_model(path)
    assert header["kind"] == kind and header["trained_on"] == TRAINED_ON
    tokens = torch.tensor([[0, 1, 2, 3, 4, 5, 60]])
    with torch.no_grad():
        assert torch.equal(loaded(tokens), model(tokens))


def test_save_models_writes_one_file_per_model(trained, tmp_path):
    paths = save_models(trained.models, tmp_path / "new" / "folder", trained.trained_on())
    assert sorted(p.name for p in paths) == ["gru.npz", "lstm.npz", "rnn.npz", "transformer.npz"]
    assert all(load_model(p)[1]["trained_on"]["steps"] == 3 for p in paths)


def test_a_weight_file_is_not_a_trained_model(tmp_path):
    path = WeightSet.random(SimConfig(d_model=4, hidden_size=4, head_size=2)).save(tmp_path / "w")
    with pytest.raises(CheckpointError, match="not a model trained by this app") as refused:
        load_model(path)
    assert_one_line(refused.value)


class _TouchOnUnpickle:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_a_pickled_array_is_refused_unread(trained, tmp_path):
    marker = tmp_path / "pickle-ran"
    path = save_model(trained.models["rnn"], tmp_path / "rnn", TRAINED_ON)
    arrays = _arrays(path)
    arrays["w_hh"] = np.array([_TouchOnUnpickle(marker)])
    np.savez(path, **arrays)
    with pytest.raises(CheckpointError, match="pickle"):
        load_model(path)
    assert not marker.exists()


def _edited(trained, tmp_path, header_changes=None, **array_changes):
    path = save_model(trained.models["transformer"], tmp_path / "t", TRAINED_ON)
    arrays = _arrays(path)
    header = json.loads(str(arrays["header"]))
    header.update(header_changes or {})
    arrays["header"] = np.array(json.dumps(header))
    arrays.update(array_changes)
    np.savez(path, **{k: v for k, v in arrays.items() if v is not None})
    return path


@pytest.mark.parametrize("header_changes, array_changes, words", [
    ({"format": "something else"}, {}, "not a model trained by this app"),
    ({"version": 99}, {}, "format version 99"),
    ({"kind": "cnn"}, {}, "no model kind"),
    ({"vocabulary": ["a", "b"]}, {}, "another vocabulary"),
    ({"trained_on": {}}, {}, "which task"),
    ({"width": 60000}, {}, "parameters"),  # a claimed size is checked before anything is built
    ({"width": -3}, {}, "valid width"),
    ({"layers": True}, {}, "valid layers"),
    ({}, {"w_out": None}, "parameters"),
    ({}, {"blocks.0.w_q": np.zeros((2, 4, 8), np.float32)}, "shape"),
    ({}, {"b_out": np.full(V, np.nan, np.float32)}, "NaN"),
    ({}, {"b_out": np.zeros(V, np.int32)}, "not floats"),
])
def test_files_that_are_not_ours_are_refused_in_one_line(trained, tmp_path, header_changes,
                                                         array_changes, words):
    path = _edited(trained, tmp_path, header_changes, **array_changes)
    with pytest.raises(CheckpointError, match=words) as refused:
        load_model(path)
    assert_one_line(refused.value)


def test_the_header_reads_alone_and_is_checked_as_load_model_checks_it(trained, tmp_path):
    path = save_model(trained.models["transformer"], tmp_path / "transformer", TRAINED_ON)
    header = read_checkpoint_header(path)
    layers = trained.models["transformer"].layers
    assert header == load_model(path)[1] and header["layers"] == layers
    with pytest.raises(CheckpointError, match="another vocabulary"):
        read_checkpoint_header(_edited(trained, tmp_path, {"vocabulary": ["a", "b"]}))
    text = tmp_path / "notes.npz"
    text.write_text("hello")
    with pytest.raises(CheckpointError):
        read_checkpoint_header(text)


def test_text_and_missing_files_are_refused(tmp_path):
    text = tmp_path / "notes.npz"
    text.write_text("hello")
    for path in (text, tmp_path / "missing.npz"):
        with pytest.raises(CheckpointError) as refused:
            load_model(path)
        assert_one_line(refused.value)


def test_trained_models_reach_the_simulator_through_the_weight_seam(trained):
    rnn, transformer = trained.models["gru"], trained.models["transformer"]
    for block in (0, 1):
        weights = to_weight_set(rnn, transformer, layer=block + 1)
        fields = weights.shape_fields
        assert fields["cell"] == "gru" and fields["d_model"] == 8 and fields["heads"] == 2
        assert np.array_equal(weights["w_q"],
                              transformer.blocks[block].w_q.detach().double().numpy())
        assert np.array_equal(weights["w_hh"], rnn.w_hh.detach().double().numpy())
        trace = simulate("the cat sat on the mat", SimConfig(**weights.config_fields),
                         weights=weights)
        assert trace.weight_source.digest == weights.digest()
    with pytest.raises(WeightsError, match="no layer 3"):
        to_weight_set(rnn, transformer, layer=3)


def test_a_weight_set_needs_one_width(trained):
    other = TrainConfig(n=6, steps=1, model_width=4, models="rnn")
    _, small = train(other)
    with pytest.raises(WeightsError, match="one width"):
        to_weight_set(small.models["rnn"], trained.models["transformer"])
