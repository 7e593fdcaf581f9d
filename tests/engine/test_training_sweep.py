"""The headline sweep: one point per (n, model) reported as it arrives, the same numbers as
training the models together, and partial results kept when cancelled or out of memory."""

import json

import pytest

import main
from engine.core.errors import ConfigError
from engine.core.progress import CancelToken
from engine.labs.training.config import TrainConfig
from engine.labs.training.report import format_sweep_table, sweep_to_json
from engine.labs.training.sweep import parse_lengths, train_sweep
from engine.labs.training.train import COMPLETED, train

CONFIG = TrainConfig(steps=4, eval_every=2, model_width=8, batch_size=8, models="rnn,transformer")


def test_points_arrive_in_order_and_match_training_side_by_side():
    arrived, fractions = [], []
    result = train_sweep(CONFIG, (3, 6), on_point=arrived.append,
                         progress=lambda fraction, label: fractions.append(fraction))
    assert [(p.n, p.model) for p in arrived] == [(3, "rnn"), (3, "transformer"), (6, "rnn"),
                                                 (6, "transformer")]
    assert result.points == tuple(arrived) and result.stopped_reason == COMPLETED
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    together, _ = train(CONFIG.replace(n=6))
    for kind in CONFIG.models:
        assert result.accuracy(kind, 6) == together.summary(kind).accuracy
    table = format_sweep_table(result)
    assert "Elman RNN (tanh)" in table and "Transformer" in table
    assert json.loads(sweep_to_json(result))["lengths"] == [3, 6]


def test_a_cancelled_sweep_keeps_its_points():
    cancel = CancelToken()
    result = train_sweep(CONFIG, (3, 6), on_point=lambda point: cancel.cancel()
                         if point.n == 3 and point.model == "transformer" else None, cancel=cancel)
    assert len(result.points) == 2 and result.stopped_reason.startswith("cancelled at n = 6")


def test_a_length_that_does_not_fit_stops_the_sweep_with_the_estimate():
    result = train_sweep(CONFIG.replace(batch_size=256), (4, 4096), available_memory=4 * 10**9)
    assert [p.n for p in result.points] == [4, 4]
    assert result.stopped_reason.startswith("n = 4096 is too large for memory")
    assert "stopped: n = 4096" in format_sweep_table(result)


@pytest.mark.parametrize("text, words", [("8,x", "whole numbers"), ("8,4", "increasing"),
                                         ("1,8", "between 2")])
def test_bad_lengths_are_refused(text, words):
    with pytest.raises(ConfigError, match=words):
        parse_lengths(text)
    assert parse_lengths("8,16") == (8, 16)


def test_train_sweep_from_the_command_line(capsys):
    assert main.main(["--train-sweep", "--lengths", "3,5", "--steps", "2", "--model-width", "8",
                      "--models", "gru", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(p["n"], p["model"]) for p in data["points"]] == [(3, "gru"), (5, "gru")]
    assert main.main(["--train-sweep", "--lengths", "5,3"]) == 2
    assert "--lengths must be increasing" in capsys.readouterr().err
