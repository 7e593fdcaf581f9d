"""The DEER lab's engine: its measurements are deer_convergence's and the sweeps' own on the same
inputs, bad settings are refused with a message naming the field, Cancel keeps the parts so far,
and --deer prints both sweeps with every failure spelled out."""

import math

import numpy as np
import pytest

import main
from engine.analysis.deer_convergence import (deer_convergence, iterations_against_length,
                                              iterations_against_scale, sweep_point)
from engine.core.errors import ConfigError
from engine.core.progress import CancelToken
from engine.labs.deer.config import SWEPT_SCALES, DeerLabConfig
from engine.labs.deer.lab import CANCELLED, COMPLETED, lab_inputs, run_lab, sweep_settings
from engine.labs.deer.report import format_tables

TINY = DeerLabConfig(n=6, hidden_size=3, longest_n=16, seed=5, recurrent_scale=1.5)


@pytest.fixture(scope="module")
def tiny_result():
    return run_lab(TINY)


def test_the_iterates_are_deer_convergences_own(tiny_result):
    for jacobian in ("full", "diagonal"):
        cell, words = lab_inputs(TINY, TINY.n, TINY.recurrent_scale)
        expected = deer_convergence(cell, words, jacobian=jacobian, tolerance=TINY.tolerance,
                                    max_iterations=TINY.max_iterations)
        got = tiny_result.convergence[jacobian]
        np.testing.assert_array_equal(got.errors, expected.errors)
        np.testing.assert_array_equal(got.loop_hidden, expected.loop_hidden)
        assert got.result.iterations == expected.result.iterations
        assert got.result.status == expected.result.status
        assert got.lambda1_gamma == expected.lambda1_gamma


def test_the_shown_run_uses_the_sweeps_words_and_weights(tiny_result):
    """The first plot's run is the sweep point at the same n and scale."""
    for jacobian in ("full", "diagonal"):
        point = sweep_point(TINY.n, TINY.recurrent_scale, sweep_settings(TINY, jacobian))
        run = tiny_result.convergence[jacobian]
        assert (run.result.iterations, run.result.status) == (point.iterations, point.status)
        assert float(run.errors[-1]) == point.final_error


def test_the_sweeps_are_the_analysis_modules_own(tiny_result):
    for jacobian in ("full", "diagonal"):
        settings = sweep_settings(TINY, jacobian)
        assert tuple(tiny_result.length_points[jacobian]) == iterations_against_length(
            TINY.swept_lengths, TINY.recurrent_scale, settings)
        assert tuple(tiny_result.scale_points[jacobian]) == iterations_against_scale(
            SWEPT_SCALES, TINY.n, settings)


def test_a_completed_run_reports_progress_to_the_end_and_every_part():
    parts, fractions = [], []
    result = run_lab(TINY, on_part=parts.append, progress=lambda f, _label: fractions.append(f))
    assert result.stopped_reason == COMPLETED and result.completed
    assert len(parts) == 2 + 2 * len(TINY.swept_lengths) + 2 * len(SWEPT_SCALES)
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert [p.kind for p in parts[:2]] == ["convergence", "convergence"]


def test_cancel_stops_between_parts_and_keeps_those_so_far():
    cancel = CancelToken()
    parts = []

    def on_part(part):
        parts.append(part)
        if len(parts) == 3:
            cancel.cancel()

    result = run_lab(TINY, on_part=on_part, cancel=cancel)
    assert result.stopped_reason == CANCELLED and not result.completed
    assert len(parts) == 3
    assert set(result.convergence) == {"full", "diagonal"}
    assert [p.length for p in result.length_points["full"]] == [8]
    assert "diagonal" not in result.length_points and not result.scale_points


def test_swept_lengths_double_from_8_and_end_at_the_longest():
    assert DeerLabConfig(longest_n=64).swept_lengths == (8, 16, 32, 64)
    assert DeerLabConfig(longest_n=100).swept_lengths == (8, 16, 32, 64, 100)
    assert DeerLabConfig(longest_n=8).swept_lengths == (8,)


@pytest.mark.parametrize("changes, field, words", [
    (dict(n=1), "n", "between 2 and 4096"),
    (dict(n=2.5), "n", "whole number"),
    (dict(hidden_size=0), "hidden_size", "between 1 and 64"),
    (dict(hidden_size=512), "hidden_size", "between 1 and 64"),
    (dict(recurrent_scale=-1.0), "recurrent_scale", "between 0.05 and 10"),
    (dict(recurrent_scale=math.nan), "recurrent_scale", "must be a number"),
    (dict(max_iterations=0), "max_iterations", "between 1 and 10000"),
    (dict(tolerance=0.0), "tolerance", "between 1e-15 and 0.01"),
    (dict(tolerance=math.inf), "tolerance", "must be a number"),
    (dict(longest_n=4), "longest_n", "between 8 and 4096"),
    (dict(seed=-1), "seed", "between 0 and"),
])
def test_bad_settings_are_refused_naming_the_field(changes, field, words):
    with pytest.raises(ConfigError) as caught:
        DeerLabConfig(**changes)
    assert caught.value.field == field and words in caught.value.problem


def test_tables_spell_out_a_run_that_did_not_converge():
    result = run_lab(TINY.replace(max_iterations=2, recurrent_scale=3.0))
    text = format_tables(result)
    assert result.convergence["diagonal"].result.status == "max_iterations"
    assert "did not converge within 2 iterations" in text
    assert "NOT converged (max iterations)" in text
    assert "stopped" not in text


def test_deer_prints_both_sweeps(capsys):
    assert main.main(["--deer", "--n", "6", "--max-n", "16", "--hidden-size", "3"]) == 0
    out = capsys.readouterr().out
    assert "DEER lab: tanh RNN, H = 3" in out and "at n = 6" in out
    assert "Iterations against n" in out and "Iterations against the recurrent scale" in out
    rows = [line.split() for line in out.splitlines()]
    assert [row[0] for row in rows if row and row[0] in ("8", "16")] == ["8", "16"]
    assert sum(1 for row in rows if row and row[0] in {f"{s:g}" for s in SWEPT_SCALES}) \
        == len(SWEPT_SCALES)


def test_deer_takes_its_own_defaults_for_shared_flags_not_given():
    """--hidden-size defaults to 512 for the simulator; --deer without it uses H = 8."""
    from cli.options import build_parser, deer_config_from_args

    argv = ["--deer", "--max-iterations", "7"]
    config = deer_config_from_args(build_parser().parse_args(argv), argv)
    assert config == DeerLabConfig(max_iterations=7)
    argv = ["--deer", "--hidden-size=4", "--seed", "3", "--max-n", "32"]
    config = deer_config_from_args(build_parser().parse_args(argv), argv)
    assert (config.hidden_size, config.seed, config.longest_n) == (4, 3, 32)


@pytest.mark.parametrize("flags, words", [
    (["--hidden-size", "65"], "--hidden-size must be between 1 and 64"),
    (["--tolerance", "0.5"], "--tolerance must be between 1e-15 and 0.01"),
    (["--max-n", "4"], "--max-n must be between 8 and 4096"),
    (["--max-iterations", "0"], "--max-iterations must be between 1 and 10000"),
])
def test_deer_refuses_bad_flags_in_one_line(capsys, flags, words):
    assert main.main(["--deer", *flags]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"rnn-vs-transformer: error: {words}, got")


@pytest.mark.parametrize("flags, words", [
    (["--weights", "w.npz"], "--weights goes without --deer"),
    (["--cell", "lstm"], "--deer solves the tanh Elman RNN"),
    (["--activation", "relu"], "--deer solves the tanh Elman RNN"),
])
def test_deer_refuses_flags_it_would_ignore(capsys, flags, words):
    assert main.main(["--deer", *flags]) == 2
    assert capsys.readouterr().err.startswith(f"rnn-vs-transformer: error: {words}")
