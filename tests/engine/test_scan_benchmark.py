"""benchmarks/scan.py runs end to end on a tiny case and prints one table row per n, with the
scan and the log-space scan agreeing with the loop (timings are printed, never checked)."""

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "scan.py"


def _run(monkeypatch, capsys, *args):
    spec = importlib.util.spec_from_file_location("scan_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(sys, "argv", [str(SCRIPT), *args])
    module.main()
    return capsys.readouterr()


def test_benchmark_prints_a_row_per_length(monkeypatch, capsys):
    out = _run(monkeypatch, capsys, "--lengths", "5", "16", "--d-model", "4", "--repeats", "1",
               "--devices", "cpu", "--dtype", "float64", "--threads", "1").out
    rows = [line.split() for line in out.splitlines() if line.strip()[:2] in ("5 ", "16")]
    assert [row[:2] for row in rows] == [["5", "3"], ["16", "4"]]  # n and ceil(log2 n) levels
    for row in rows:
        assert float(row[-1]) < 1e-12 and float(row[-2]) < 1e-12  # log-space and scan vs the loop


def test_benchmark_refuses_bad_options(monkeypatch, capsys):
    with pytest.raises(SystemExit) as exit_info:
        _run(monkeypatch, capsys, "--lengths", "0", "--devices", "cpu")
    assert exit_info.value.code == 2 and "at least 1" in capsys.readouterr().err
