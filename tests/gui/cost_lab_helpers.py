"""Shared set-up of the cost lab GUI tests: tiny sweep settings, windows on throwaway settings."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from gui.jobs import job_manager

from engine.labs.cost.config import LabConfig
from engine.labs.cost.sweep import sweep

# Widths and lengths small enough that a real sweep takes a fraction of a second.
TINY = dict(d_model=16, hidden_size=16, head_size=8, min_n=4, max_n=16, repeats=1, warmup=0)
SWEEP_TIMEOUT_MS = 20_000


def lab_settings(tmp_path, settings_name="lab.ini") -> QSettings:
    """The settings file make_lab's windows (on the same tmp_path) remember their values in,
    opened afresh: what the lab wrote there, as the next window will read it."""
    return QSettings(str(tmp_path / settings_name), QSettings.Format.IniFormat)


@pytest.fixture(scope="session")
def tiny_rows():
    """Real LabRows for n = 4 and 8 (d = 16), for sweeps faked through runner.run_work."""
    config = LabConfig(d_model=16, hidden_size=16, head_size=8, lengths=(4, 8), repeats=1,
                       warmup=0)
    return sweep(config).rows


@pytest.fixture
def make_lab(qtbot, tmp_path):
    """Build CostLabWindows on a settings file in tmp_path; waits for their sweeps at teardown."""
    from gui.labs.cost import CostLabWindow

    windows = []

    def make(values=None, show=False, settings_name="lab.ini"):
        settings = QSettings(str(tmp_path / settings_name), QSettings.Format.IniFormat)
        window = CostLabWindow(settings=settings)
        qtbot.addWidget(window)
        windows.append(window)
        window.controls.set_values(TINY if values is None else values)
        if show:
            window.show()
            qtbot.waitExposed(window)
        return window

    yield make
    for window in windows:
        window.runner.cancel()
        if window.runner.busy:
            qtbot.waitUntil(lambda w=window: not w.runner.busy, timeout=SWEEP_TIMEOUT_MS)
    assert job_manager().join(SWEEP_TIMEOUT_MS / 1000)
    job_manager().drain()


def run_sweep(qtbot, window):
    """Press Run and wait for the sweep's LabResult."""
    with qtbot.waitSignal(window.runner.finished, timeout=SWEEP_TIMEOUT_MS) as blocker:
        assert window.start_sweep() is True
    return blocker.args[0]
