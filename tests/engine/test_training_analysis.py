"""What trained models hold: generation token by token matches the full forward pass (the
key-value cache is exact) while the RNN holds a fixed state and the cache grows; the linear
probe; and trained word vectors in which same-class words cluster (measured on a real run)."""

import numpy as np
import pytest
import torch

from engine.labs.training.analysis import (generation_profile, memory_probe,
                                           ridge_probe_accuracy, word_map)
from engine.labs.training.config import TrainConfig
from engine.labs.training.models import RecurrentModel, TransformerModel
from engine.labs.training.tasks import VOCABULARY, WORD_CLASSES
from engine.labs.training.train import build_model, train

V = len(VOCABULARY)
ATOL = 1e-10


def _models(dtype=torch.float64):
    for kind in ("rnn", "lstm", "gru"):
        yield RecurrentModel(kind, V, 8, 6, seed=1, dtype=dtype)
    yield TransformerModel(V, 8, 2, 2, max_length=9, seed=1, dtype=dtype)


@pytest.mark.parametrize("model", list(_models()), ids=lambda m: m.kind)
def test_token_by_token_generation_matches_the_full_forward_pass(model, monkeypatch):
    logits_seen = []
    original = model.readout
    monkeypatch.setattr(model, "readout", lambda x: logits_seen.append(original(x)) or
                        logits_seen[-1])
    prompt = [3, 1, 4, 1, 5, 9, 2, 6, 5]
    profile = generation_profile(model, model.kind, prompt, len(prompt), repeats=1)
    assert profile.tokens == tuple(prompt)
    monkeypatch.setattr(model, "readout", original)
    with torch.no_grad():
        for t in range(1, len(prompt) + 1):
            full = model(torch.tensor([prompt[:t]]))  # (1, V)
            assert torch.allclose(logits_seen[t - 1], full, atol=ATOL), t


def test_the_rnn_holds_a_fixed_state_and_the_cache_grows():
    rnn = RecurrentModel("lstm", V, 8, 6, seed=0)
    transformer = TransformerModel(V, 8, 2, 2, max_length=12, seed=0)
    fixed = generation_profile(rnn, "lstm", [0], 12, repeats=1)
    growing = generation_profile(transformer, "transformer", [0], 40, repeats=1)
    assert set(fixed.memory_bytes) == {2 * 6 * 4}  # h and c, float32
    assert len(growing.positions) == 12  # capped at the positions it learned
    assert list(growing.memory_bytes) == [2 * 2 * t * 8 * 4 for t in range(1, 13)]
    assert np.all(fixed.seconds > 0) and np.all(growing.seconds > 0)


def test_the_ridge_probe_reads_what_is_there_and_not_what_is_not():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 5, 600)
    encoded = np.eye(5)[labels] + 0.01 * rng.standard_normal((600, 5))
    assert ridge_probe_accuracy(encoded[:400], labels[:400], encoded[400:], labels[400:], 5) == 1.0
    noise = rng.standard_normal((600, 5))
    assert ridge_probe_accuracy(noise[:400], labels[:400], noise[400:], labels[400:], 5) < 0.4


def test_memory_probe_gives_one_accuracy_per_distance():
    config = TrainConfig(n=5, model_width=8, models="gru")
    curve = memory_probe(build_model("gru", config, {"gru": 8}), "gru", 5, seed=0,
                         train_size=256, test_size=64)
    assert list(curve.distances) == [1, 2, 3, 4, 5]
    assert curve.accuracy.shape == (5,) and np.all((0 <= curve.accuracy) & (curve.accuracy <= 1))


def test_the_word_map_of_class_shaped_vectors():
    model = RecurrentModel("rnn", V, 4, 4, seed=0, dtype=torch.float64)
    with torch.no_grad():
        for index, (name, words) in enumerate(WORD_CLASSES.items()):
            for word in words:
                model.embedding[VOCABULARY.index(word)] = torch.eye(4)[index]
    words = word_map(model)
    assert words.class_gap() == pytest.approx(1.0)
    assert words.nearest("cat") in WORD_CLASSES["animal"]
    assert words.projection.shape == (len(words.words), 2)
    assert 0 < words.explained[1] <= words.explained[0] <= 1


def test_training_on_word_classes_makes_cat_and_dog_neighbours():
    # Measured (seed 0, n = 8, 100 steps): held-out accuracy 100 %; the class gap of the
    # Transformer's word vectors went from about 0 to 0.62; "cat" -> "cow", "dog" -> "fish".
    config = TrainConfig(task="word-classes", n=8, steps=100, models="transformer", seed=0)
    before = word_map(build_model("transformer", config, {})).class_gap()
    result, trainer = train(config)
    after = word_map(trainer.models["transformer"])
    assert result.summary("transformer").accuracy >= 0.95
    assert abs(before) < 0.1 and after.class_gap() >= 0.4
    assert after.nearest("cat") in WORD_CLASSES["animal"]
    assert after.nearest("dog") in WORD_CLASSES["animal"]
