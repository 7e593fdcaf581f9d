"""Sessions on trained checkpoints (Qt-free): the session names both checkpoint files, the layer
shown and the weights' digest; it reruns bit for bit, finds files named relative to it, and says
clearly when a checkpoint is missing, changed or unusable, or the entry is malformed."""

import json

import pytest

from engine import SimConfig, simulate
from engine.labs.training.checkpoints import save_model, weight_set_from_checkpoints
from engine.labs.training.config import TrainConfig
from engine.labs.training.train import train
from gui.session import FORMAT_VERSION, Session, SessionError, load_session, save_session

SENTENCE = "the cat sat on the mat"


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    config = TrainConfig(n=6, steps=2, model_width=8, heads=2, layers=2, models="lstm,transformer")
    _, trainer = train(config)
    models, trained_on = trainer.models, trainer.trained_on()
    return [save_model(models[kind], folder / f"{kind}.npz", trained_on)
            for kind in ("lstm", "transformer")]


def _saved(tmp_path, checkpoints, layer=2):
    weights = weight_set_from_checkpoints(*checkpoints, layer=layer)
    config = SimConfig(**weights.config_fields)
    trace = simulate(SENTENCE, config, weights=weights)
    session = Session(SENTENCE, config, tick=2, trace_digest=trace.digest()).with_weights(weights)
    return save_session(tmp_path / "s.json", session), session, trace


def test_a_checkpoint_session_round_trips_and_reruns_exactly(tmp_path, checkpoints):
    path, session, trace = _saved(tmp_path, checkpoints)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == FORMAT_VERSION == 3  # older apps refuse it
    assert data["weights"] == {"source": "checkpoints", "recurrent": str(checkpoints[0]),
                               "transformer": str(checkpoints[1]), "layer": 2,
                               "sha256": trace.weight_source.digest}
    loaded = load_session(path)
    assert loaded == session and loaded.weights.layer == 2
    again = simulate(loaded.sentence, loaded.config, weights=loaded.weights)
    assert again.digest() == trace.digest()


def test_checkpoints_named_relative_to_the_session_are_found_beside_it(tmp_path, checkpoints):
    _path, session, trace = _saved(tmp_path, checkpoints)
    for name, source in zip(("lstm.npz", "transformer.npz"), checkpoints):
        (tmp_path / name).write_bytes(source.read_bytes())
    relative = save_session(tmp_path / "relative.json", Session(
        SENTENCE, session.config, tick=0, weights_checkpoints=("lstm.npz", "transformer.npz"),
        weights_layer=2, weights_digest=session.weights_digest))
    assert load_session(relative).weights.digest() == trace.weight_source.digest


def test_a_changed_or_damaged_checkpoint_is_a_clear_error(tmp_path, checkpoints):
    copies = [tmp_path / "lstm.npz", tmp_path / "transformer.npz"]
    for copy, source in zip(copies, checkpoints):
        copy.write_bytes(source.read_bytes())
    path, session, _trace = _saved(tmp_path, copies, layer=1)
    layer_two = save_session(tmp_path / "two.json", Session(
        SENTENCE, session.config, tick=0, weights_checkpoints=session.weights_checkpoints,
        weights_layer=2, weights_digest=session.weights_digest))
    with pytest.raises(SessionError, match="which have changed since the session was saved"):
        load_session(layer_two)  # the same files, another layer: other weights
    copies[0].write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(SessionError, match="runs on trained checkpoints that cannot be used"):
        load_session(path)
    copies[0].unlink()
    with pytest.raises(SessionError, match="trained recurrent checkpoint .* which is missing"):
        load_session(path)


@pytest.mark.parametrize("change, words", [
    ({"layer": 0}, "no valid Transformer layer"),
    ({"layer": "2"}, "no valid Transformer layer"),
    ({"transformer": ""}, "its transformer checkpoint has no usable path"),
    ({"recurrent": None}, "its recurrent checkpoint has no usable path"),
    ({"sha256": "abc"}, "not 64 hexadecimal digits"),
    ({"source": "somewhere"}, "random, from a file or from checkpoints"),
])
def test_malformed_checkpoint_entries_are_refused(tmp_path, checkpoints, change, words):
    path, _session, _trace = _saved(tmp_path, checkpoints)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["weights"].update(change)
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SessionError, match=words):
        load_session(path)
