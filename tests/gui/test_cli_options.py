"""The command line: flags that cannot go together, the help text, and starting without a display."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import main
from engine import __version__

ROOT = Path(__file__).resolve().parents[2]
TINY_FLAGS = ["--d-model", "4", "--hidden-size", "4", "--head-size", "2"]


def error_lines(capsys) -> list[str]:
    return capsys.readouterr().err.strip().splitlines()


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("mode", [[], ["--report"], ["--save-trace", "x.npz"]])
def test_activation_with_a_gated_cell_is_refused_in_one_line(capsys, cell, mode):
    assert main.main(["--cell", cell, "--activation", "relu", *mode]) == 2
    lines = error_lines(capsys)
    assert len(lines) == 1
    assert "--activation applies only to --cell rnn" in lines[0]


def test_a_gated_cell_without_activation_still_runs(capsys):
    assert main.main(["--cell", "lstm", "--report", *TINY_FLAGS]) == 0
    assert "LSTM" in capsys.readouterr().out.upper()


def test_help_lists_every_headless_mode(capsys):
    with pytest.raises(SystemExit):
        main.main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    for mode in ("--report", "--save-trace", "--export", "--benchmark"):
        assert mode in text.split("options:")[0]  # in the description, before the flag list


@pytest.mark.parametrize("threads", ["-1", "257"])
def test_benchmark_threads_out_of_range_are_refused_by_their_flag_name(capsys, threads):
    assert main.main(["--benchmark", "--threads", threads, *TINY_FLAGS]) == 2
    lines = error_lines(capsys)
    assert len(lines) == 1 and "--threads" in lines[0]


def test_version_flag_prints_the_version(capsys):
    with pytest.raises(SystemExit):
        main.main(["--version"])
    assert __version__ in capsys.readouterr().out


@pytest.mark.parametrize("environ, missing", [
    ({}, True),
    ({"DISPLAY": ":0"}, False),
    ({"WAYLAND_DISPLAY": "wayland-0"}, False),
    ({"QT_QPA_PLATFORM": "offscreen"}, False),
    ({"DISPLAY": ""}, True),
])
def test_display_missing(environ, missing):
    assert main.display_missing(environ, "linux") is missing


def test_display_is_not_checked_off_linux():
    assert main.display_missing({}, "darwin") is False
    assert main.display_missing({}, "win32") is False


def test_without_a_display_the_app_says_what_to_do_in_one_line(capsys, monkeypatch):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    if not main.sys.platform.startswith("linux"):
        pytest.skip("the display check is for Linux")
    import gui.app

    monkeypatch.setattr(gui.app, "run_app", lambda *args, **kwargs: pytest.fail("tried to open a window"))
    assert main.main([]) == 2
    lines = error_lines(capsys)
    assert len(lines) == 1
    assert "xvfb-run" in lines[0] and "--report" in lines[0] and "--export" in lines[0]


@pytest.mark.skipif(not main.sys.platform.startswith("linux"), reason="the display check is for Linux")
def test_a_real_process_without_a_display_exits_2_with_one_line():
    env = {name: value for name, value in os.environ.items()
           if name not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([sys.executable, "main.py"], cwd=ROOT, env=env, text=True,
                            capture_output=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "xvfb-run" in result.stderr
    assert "libxcb" not in result.stderr and result.stdout == ""


# -- weights ------------------------------------------------------------------------------------

def test_save_weights_then_run_on_them_headless(capsys, tmp_path):
    from engine.core.trace import load_trace
    from engine.models.weights import WeightSet

    weights = tmp_path / "w.npz"
    assert main.main(["--save-weights", str(weights), "--cell", "gru", *TINY_FLAGS]) == 0
    assert f"weights written to {weights}" in capsys.readouterr().out
    saved = WeightSet.load(weights)
    assert saved.shape_fields["cell"] == "gru"
    trace_path = tmp_path / "run.npz"
    # no --cell or widths: they follow the file
    assert main.main(["--save-trace", str(trace_path), "--weights", str(weights)]) == 0
    trace = load_trace(trace_path)
    assert trace.config.cell == "gru" and trace.weight_source.digest == saved.digest()
    assert "file w.npz" in trace.weight_source.description


def test_weights_that_do_not_fit_the_flags_are_refused_in_one_line(capsys, tmp_path):
    weights = tmp_path / "w.npz"
    assert main.main(["--save-weights", str(weights), *TINY_FLAGS]) == 0
    capsys.readouterr()
    assert main.main(["--report", "--weights", str(weights), "--d-model", "6"]) == 2
    lines = error_lines(capsys)
    assert len(lines) == 1 and "w_ih" in lines[0]


def test_a_missing_weight_file_is_refused_in_one_line(capsys, tmp_path):
    assert main.main(["--report", "--weights", str(tmp_path / "none.npz"), *TINY_FLAGS]) == 2
    lines = error_lines(capsys)
    assert len(lines) == 1 and "none.npz" in lines[0]


@pytest.mark.parametrize("flags, problem", [
    (["--report", "--weights", ""], "--weights needs the name of a weight file"),
    (["--benchmark", "--weights", "w.npz"], "--weights goes without --session"),
    (["--export", "out", "--session", "s.json", "--weights", "w.npz"], "--weights goes without"),
])
def test_weights_flags_that_cannot_apply_are_refused(capsys, flags, problem):
    assert main.main(flags) == 2
    assert problem in error_lines(capsys)[0]


def test_an_activation_with_a_gated_weight_file_is_refused(capsys, tmp_path):
    weights = tmp_path / "lstm.npz"
    assert main.main(["--save-weights", str(weights), "--cell", "lstm", *TINY_FLAGS]) == 0
    capsys.readouterr()
    assert main.main(["--report", "--weights", str(weights), "--activation", "relu"]) == 2
    assert "--activation applies only to the Elman cell" in error_lines(capsys)[0]


def test_the_report_says_which_weights_it_ran(capsys, tmp_path):
    weights = tmp_path / "w.npz"
    assert main.main(["--save-weights", str(weights), *TINY_FLAGS]) == 0
    capsys.readouterr()
    assert main.main(["--report", *TINY_FLAGS]) == 0
    assert "Weights: random, seed 0" in capsys.readouterr().out
    assert main.main(["--report", "--weights", str(weights)]) == 0
    assert "Weights: file w.npz (sha256 " in capsys.readouterr().out
