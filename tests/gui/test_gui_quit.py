"""Closing the window in the middle of work: a run, the very first run (torch importing), a sweep
and an animation export. Each exits with status 0, prints no traceback and leaves no partial file.
(How long the exit takes is printed by benchmarks/soak.py; tests never fail on timings.)"""

import subprocess
import sys
from pathlib import Path

import pytest

CHILD = Path(__file__).with_name("quit_midwork_child.py")


@pytest.mark.parametrize("scenario", ["first-run", "run", "sweep", "export"])
def test_closing_mid_work_exits_cleanly(tmp_path, scenario):
    done = subprocess.run([sys.executable, str(CHILD), scenario, str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "closing" in done.stdout
    assert "Traceback" not in done.stderr and "Fatal" not in done.stderr, done.stderr
    leftovers = sorted(path.name for path in tmp_path.iterdir())
    assert leftovers == ["settings.ini"], leftovers  # no GIF, no .part file
