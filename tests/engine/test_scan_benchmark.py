"""benchmarks/scan.py runs end to end on a tiny case and prints one table row per n, with the
scan and the log-space scan agreeing with the loop (timings are printed, never checked)."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _run(*args):
    return subprocess.run([sys.executable, str(REPO / "benchmarks" / "scan.py"), *args],
                          capture_output=True, text=True, timeout=120, cwd=REPO)


def test_benchmark_prints_a_row_per_length():
    done = _run("--lengths", "5", "16", "--d-model", "4", "--repeats", "1", "--devices", "cpu",
                "--dtype", "float64")
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines() if line.strip()[:2] in ("5 ", "16")]
    assert [row[:2] for row in rows] == [["5", "3"], ["16", "4"]]  # n and ceil(log2 n) levels
    for row in rows:
        assert float(row[-1]) < 1e-12 and float(row[-2]) < 1e-12  # log-space and scan vs the loop


def test_benchmark_refuses_bad_options():
    done = _run("--lengths", "0", "--devices", "cpu")
    assert done.returncode == 2 and "at least 1" in done.stderr
