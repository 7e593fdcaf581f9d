"""main.py --train: the per-model table or JSON, models saved with --save-models, and bad input as
one line with status 2."""

import json

import pytest
import torch

import cli.options
import main
from engine.core.fields import described_fields
from engine.labs.training.checkpoints import load_model
from engine.labs.training.config import TrainConfig

SMALL = ["--train", "--steps", "3", "--n", "6", "--model-width", "8", "--eval-every", "2"]


def error_lines(capsys) -> list[str]:
    return capsys.readouterr().err.strip().splitlines()


def test_train_prints_the_per_model_table(capsys):
    assert main.main([*SMALL, "--models", "rnn,lstm,transformer", "--seed", "4"]) == 0
    out = capsys.readouterr().out
    assert "n = 6, 3 steps" in out and "seed 4" in out
    for words in ("parameters", "final loss", "accuracy", "seconds", "steps/s", "Elman RNN (tanh)",
                  "LSTM", "Transformer"):
        assert words in out


def test_train_json_is_strict_and_complete(capsys):
    assert main.main([*SMALL, "--models", "gru,transformer", "--json", "--task", "parity"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["config"]["task"] == "parity" and data["config"]["steps"] == 3
    assert [m["kind"] for m in data["models"]] == ["gru", "transformer"]
    for model in data["models"]:
        assert model["parameters"] > 0 and model["steps"] == 3 and 0 <= model["accuracy"] <= 1


def test_save_models_writes_files_that_load(capsys, tmp_path):
    assert main.main([*SMALL, "--models", "rnn,transformer", "--save-models",
                      str(tmp_path / "out")]) == 0
    for kind in ("rnn", "transformer"):
        model, header = load_model(tmp_path / "out" / f"{kind}.npz")
        assert header["kind"] == kind and header["trained_on"]["n"] == 6


@pytest.mark.parametrize("flags, words", [
    (["--lr", "0"], "--lr must be above 0"),
    (["--lr", "-0.5"], "--lr must be above 0"),
    (["--lr", "nan"], "--lr must be a number, got NaN"),
    (["--steps", "0"], "--steps must be between 1"),
    (["--n", "60000"], "--n is too large for memory"),
    (["--models", "rnn,cnn"], "--models must name models"),
    (["--model-width", "9", "--heads", "2"], "--model-width must be a multiple of heads"),
])
def test_bad_settings_are_one_line_and_status_2(capsys, flags, words):
    assert main.main(["--train", *flags]) == 2
    lines = error_lines(capsys)
    assert len(lines) == 1 and words in lines[0]
    assert capsys.readouterr().out == ""


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_cuda_without_a_gpu_is_refused(capsys):
    assert main.main(["--train", "--device", "cuda"]) == 2
    lines = error_lines(capsys)
    assert len(lines) == 1 and "--device is cuda, but no CUDA GPU" in lines[0]


@pytest.mark.parametrize("argv, words", [
    (["--save-models", "dir"], "--save-models goes with --train"),
    (["--train", "--weights", "w.npz"], "--weights goes without"),
    (["--json"], "--json goes with --report, --benchmark, --train or --train-sweep"),
])
def test_flags_that_do_not_go_together_are_refused(capsys, argv, words):
    assert main.main(argv) == 2
    lines = error_lines(capsys)
    assert len(lines) == 1 and words in lines[0]


def test_every_train_config_field_has_one_option_from_its_metadata():
    parser = main.build_parser()
    for field, spec in described_fields(TrainConfig):
        options = [action for action in parser._actions if action.dest == field.name]
        assert len(options) == 1, field.name
        assert options[0].option_strings == [spec.flag]
    args = parser.parse_args(["--train"])
    assert cli.options.train_config_from_args(args) == TrainConfig()
