"""benchmarks/training.py runs end to end on a tiny case and prints its tables: a row of steps per
second per model, the main thread's stall, the lab window's stall with its redraws, and the
default run's table (timings are printed, never checked)."""

import importlib.util
import sys
from pathlib import Path

from engine.labs.training.models import LABELS, MODEL_KINDS

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "training.py"


def test_the_benchmark_prints_every_table(monkeypatch, capsys):
    spec = importlib.util.spec_from_file_location("training_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(sys, "argv", [str(SCRIPT), "--steps", "2", "--rounds", "1", "--n", "4",
                                      "--stall-steps", "2", "--window-steps", "3",
                                      "--default-steps", "2"])
    module.main()
    lines = capsys.readouterr().out.splitlines()
    for kind in MODEL_KINDS:
        row = next(line for line in lines if line.startswith(LABELS[kind]))
        numbers = row.removeprefix(LABELS[kind]).split()
        assert len(numbers) == 6, row  # lab, lab steps, plain, two ratios, fused (or a dash)
        assert all(float(value) > 0 for value in numbers[:5]), row
    assert any(line.startswith("Main-thread stall") for line in lines)
    window = next(line for line in lines if line.startswith("GUI-thread stall in the lab window"))
    assert "99th percentile" in window and "redraws" in window
    assert any(line.startswith("Default run (rnn, lstm, transformer; n = 32; 2 steps)")
               for line in lines)
