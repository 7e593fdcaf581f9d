"""Trained models in the simulator: through the weight seam, the main window's run reads the
trained word vectors and the Transformer's exact layer input, so its attention maps are the
trained Transformer's own (each layer) and its hidden states the trained RNN's; tokens outside
the trained vocabulary fall back to the seed's vectors and the trace says which; weight files
with these pieces save and load back, and files and traces without them are unchanged."""

import copy

import numpy as np
import pytest
import torch

from engine import SimConfig, simulate
from engine.core.errors import WeightsError
from engine.core.trace import load_trace
from engine.core.word_vectors import WordVectors
from engine.labs.training.checkpoints import save_model, to_weight_set, weight_set_from_checkpoints
from engine.labs.training.config import TrainConfig
from engine.labs.training.tasks import TASKS, ids
from engine.labs.training.train import train
from engine.models.weights import WeightSet

TRAINED_ON = {"task": "first-word", "n": 6, "steps": 4, "seed": 0}


@pytest.fixture(scope="module")
def trained():
    config = TrainConfig(n=6, steps=4, model_width=8, heads=2, models="gru,transformer")
    _, trainer = train(config)
    return trainer.models["gru"], trainer.models["transformer"]


def _task_words() -> list[str]:
    words, _target = TASKS["first-word"].example(0, 6)
    return words


def _run(weights: WeightSet, sentence: str):
    return simulate(sentence, SimConfig(**weights.config_fields), weights=weights)


def test_the_attention_maps_are_the_trained_transformers_own_for_each_layer(trained):
    rnn, transformer = trained
    assert transformer.layers == 2
    words = _task_words()
    reference = copy.deepcopy(transformer).double()
    with torch.no_grad():
        _, maps = reference.hidden(reference.embed(torch.from_numpy(ids(words))[None]),
                                   keep_weights=True)  # each (1, nh, T, T)
    for layer in (1, 2):
        trace = _run(to_weight_set(rnn, transformer, layer=layer), " ".join(words))
        assert trace.tokens == tuple(words)
        np.testing.assert_allclose(trace.attention.weights, maps[layer - 1][0].numpy(),
                                   atol=1e-6, rtol=0)
        assert not trace.word_fallback.any()


def test_the_hidden_states_are_the_trained_rnns_own(trained):
    rnn, transformer = trained
    words = _task_words()
    reference = copy.deepcopy(rnn).double()
    with torch.no_grad():
        states = reference.states(reference.embed(torch.from_numpy(ids(words))[None]))[0]  # (T, H)
    trace = _run(to_weight_set(rnn, transformer), " ".join(words))
    np.testing.assert_allclose(trace.rnn.hidden, states.numpy(), atol=1e-6, rtol=0)
    np.testing.assert_array_equal(trace.embeddings,
                                  rnn.embedding.detach().double().numpy()[ids(words)])


def test_words_outside_the_table_fall_back_to_the_seeds_vectors_and_are_marked(trained):
    weights = to_weight_set(*trained)
    trace = _run(weights, "The cat zebra sat")
    assert trace.word_fallback.tolist() == [False, False, True, False]
    seeded = simulate("The cat zebra sat", SimConfig(**weights.shape_fields))
    np.testing.assert_array_equal(trace.embeddings[2], seeded.embeddings[2])
    again = _run(weights, "The cat zebra sat")
    assert again.digest() == trace.digest()  # deterministic


def test_a_table_lookup_is_case_folded_and_refuses_bad_tables():
    table = WordVectors(["cat", "sat"], np.eye(2), "test")
    vectors, fallback = table.embed(["CAT", "sat", "dog"], seed=0)
    assert fallback.tolist() == [False, False, True]
    np.testing.assert_array_equal(vectors[:2], np.eye(2))
    for words, vectors, words_in_message in ((["cat", "Cat"], np.eye(2), "twice"),
                                             (["cat", ""], np.eye(2), "not a usable word"),
                                             (["cat"], np.eye(2), "shape"),
                                             (["cat"], np.array([[np.nan, 0.0]]), "NaN")):
        with pytest.raises(WeightsError, match=words_in_message):
            WordVectors(words, vectors, "bad")


def test_weight_files_keep_the_input_pieces_and_traces_keep_the_fallbacks(trained, tmp_path):
    weights = to_weight_set(*trained, layer=2)
    loaded = WeightSet.load(weights.save(tmp_path / "trained.npz"))
    assert loaded.digest() == weights.digest() and loaded.layer == 2 and loaded.layers == 2
    trace = _run(loaded, "the zebra sat")
    assert trace.digest() == _run(weights, "the zebra sat").digest()
    back = load_trace(trace.save(tmp_path / "trace.npz"))
    assert back.digest() == trace.digest()
    assert back.word_fallback.tolist() == [False, True, False]
    assert back.weight_source.digest == weights.digest()


def test_layers_switch_and_plain_weights_stay_as_they_were(trained, tmp_path):
    weights = to_weight_set(*trained)
    second = weights.with_layer(2)
    assert second.layer == 2 and second.digest() != weights.digest()
    assert second.with_layer(1).digest() == weights.digest()
    assert second.source.endswith("layer 2")
    with pytest.raises(WeightsError, match="no layer 3"):
        weights.with_layer(3)
    plain = WeightSet.random(SimConfig())
    assert not plain.has_inputs and plain.layers == 1
    with pytest.raises(WeightsError, match="one attention layer"):
        plain.with_layer(2)
    trace = simulate("the cat sat", SimConfig(), weights=plain)
    assert "word_fallback" not in trace.arrays() and "weights_inputs_sha256" not in trace.arrays()
    reloaded = WeightSet.load(plain.save(tmp_path / "plain.npz"))
    assert reloaded.digest() == plain.digest() and not reloaded.has_inputs


def test_a_sentence_longer_than_the_learned_positions_is_refused_clearly(trained):
    weights = to_weight_set(*trained)
    too_long = " ".join(["cat"] * (trained[1].max_length + 1))
    with pytest.raises(WeightsError, match="learned positions for"):
        _run(weights, too_long)


def test_checkpoint_files_rebuild_the_same_weights(trained, tmp_path):
    rnn, transformer = trained
    paths = (save_model(rnn, tmp_path / "gru.npz", TRAINED_ON),
             save_model(transformer, tmp_path / "transformer.npz", TRAINED_ON))
    rebuilt = weight_set_from_checkpoints(*paths, layer=2)
    assert rebuilt.digest() == to_weight_set(rnn, transformer, layer=2).digest()
    assert rebuilt.checkpoints == {"recurrent": paths[0].absolute(),
                                   "transformer": paths[1].absolute()}


@pytest.mark.parametrize("change, words", [
    ({"transformer_block1_w_1": np.zeros(3)}, "block 1 w_1 has shape"),
    ({"transformer_block2_b_2": None}, "block 2 lacks its b_2"),
    ({"transformer_positions": np.zeros((4, 3))}, "positions have shape"),
    ({"transformer_words": None}, "Transformer's word table needs both"),
    ({"words": np.array(["cat", "cat"])}, "word table needs both|appears twice|shape"),
    ({"transformer_block1_w_q": np.full((2, 8, 4), np.nan)}, "NaN"),
    ({"transformer_extra": np.zeros(1)}, "hold extra"),
])
def test_damaged_input_pieces_in_a_weight_file_are_refused_in_one_line(trained, tmp_path, change,
                                                                      words):
    path = to_weight_set(*trained, layer=2).save(tmp_path / "trained.npz")
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    for key, value in change.items():
        if value is None:
            del arrays[key]
        else:
            arrays[key] = value
    np.savez(path, **arrays)
    with pytest.raises(WeightsError, match=words) as refused:
        WeightSet.load(path)
    assert str(refused.value).startswith(str(path)) and "\n" not in str(refused.value)


def test_a_plain_weight_file_with_input_pieces_is_refused(trained, tmp_path):
    path = to_weight_set(*trained).save(tmp_path / "trained.npz")
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    arrays["header"] = np.array(str(arrays["header"]).replace('"version": 2', '"version": 1'))
    np.savez(path, **arrays)
    with pytest.raises(WeightsError, match="is not a weight of these models"):
        WeightSet.load(path)


def test_trained_weights_set_a_glove_config_back_to_their_own_word_vectors(trained):
    weights = to_weight_set(*trained)
    glove = SimConfig(d_model=50, word_vectors="glove")
    config = glove.replace(**weights.config_fields)  # as the window does on new weights
    assert config.word_vectors == "random" and config.d_model == 8
    trace = simulate(" ".join(_task_words()), config, weights=weights)
    assert trace.known_words is None
