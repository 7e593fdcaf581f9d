"""Parity, the training lab's counterpoint: its own defaults (config.TASK_DEFAULTS) from the
command line, training batches of mixed lengths, and the measured result that a recurrent model
learns parity where the Transformer stays near chance."""

import json

import numpy as np

import main
from engine.labs.training.config import TASK_DEFAULTS, TrainConfig, task_config
from engine.labs.training.train import Trainer, batch_length, train


def test_fixed_batches_have_n_words_and_mixed_ones_every_length_from_2_to_n():
    fixed = TrainConfig(n=9)
    assert {batch_length(fixed, step) for step in range(1, 50)} == {9}
    mixed = fixed.replace(batch_lengths="mixed")
    lengths = [batch_length(mixed, step) for step in range(1, 400)]
    assert set(lengths) == set(range(2, 10))
    assert lengths == [batch_length(mixed, step) for step in range(1, 400)]  # the same again
    assert lengths != [batch_length(mixed.replace(seed=1), step) for step in range(1, 400)]


def test_a_mixed_length_run_trains_on_those_lengths_and_resumes_like_one_run():
    config = TrainConfig(task="parity", n=6, models="lstm,transformer", model_width=8,
                         layers=1, batch_size=4, steps=10, eval_every=5, batch_lengths="mixed")
    whole, _ = train(config)
    trainer = Trainer(config)
    trainer.run(4)
    pieces = trainer.run()
    for kind in whole.curves:
        assert np.array_equal(whole.curves[kind].loss, pieces.curves[kind].loss)
    assert [e.accuracy for e in whole.evaluations["lstm"]] == \
           [e.accuracy for e in pieces.evaluations["lstm"]]


def test_parity_brings_its_own_defaults_and_given_flags_win(capsys):
    small = ["--train", "--json", "--task", "parity", "--steps", "2", "--model-width", "8",
             "--models", "lstm"]
    assert main.main(small) == 0
    config = json.loads(capsys.readouterr().out)["config"]
    for name, value in TASK_DEFAULTS["parity"].items():
        if name != "steps":
            assert config[name] == value, name
    assert main.main([*small, "--n", "6", "--batch-lengths", "fixed", "--embedding-scale",
                      "0.5"]) == 0
    config = json.loads(capsys.readouterr().out)["config"]
    assert (config["n"], config["batch_lengths"], config["embedding_scale"]) == (6, "fixed", 0.5)
    assert config["batch_size"] == TASK_DEFAULTS["parity"]["batch_size"]
    assert task_config("parity", steps=5).steps == 5
    assert task_config("first-word") == TrainConfig()


def test_a_recurrent_model_learns_parity_where_the_transformer_stays_near_chance():
    # Measured with seed 0 at n = 8, parity's defaults otherwise (batches of mixed lengths 2 to 8,
    # word vectors at scale 1, batch 64, lr 0.003), held-out accuracy at steps 100, 200, 300,
    # 400: the LSTM 51 %, 52 %, 100 %, 100 %; the Transformer 53 %, 50 %, 50 %, 49 % (chance 50 %).
    config = task_config("parity", n=8, steps=400, eval_every=400, models="lstm,transformer",
                         seed=0)
    result, _ = train(config)
    assert result.summary("lstm").accuracy >= 0.95
    assert result.summary("transformer").accuracy <= 0.65
