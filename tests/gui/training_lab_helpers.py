"""Shared set-up of the training lab GUI tests: tiny settings and windows on throwaway settings."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from gui.jobs import job_manager

# Small enough that a real training step takes a few milliseconds.
TINY = dict(task="first-word", n=4, models=("rnn", "transformer"), model_width=8, layers=1,
            heads=1, batch_size=4, steps=12, eval_every=4, seed=0)
RUN_TIMEOUT_MS = 30_000


@pytest.fixture
def make_lab(qtbot, tmp_path):
    """Build TrainingLabWindows on a settings file in tmp_path; their jobs end at teardown."""
    from gui.labs.training import TrainingLabWindow

    windows = []

    def make(values=None, settings_name="lab.ini"):
        settings = QSettings(str(tmp_path / settings_name), QSettings.Format.IniFormat)
        window = TrainingLabWindow(settings=settings)
        qtbot.addWidget(window)
        windows.append(window)
        window.controls.set_values(TINY if values is None else values)
        return window

    yield make
    for window in windows:
        window.cancel_training()
        window.cancel_sweep()
        if window.busy:
            qtbot.waitUntil(lambda w=window: not w.busy, timeout=RUN_TIMEOUT_MS)
    assert job_manager().join(RUN_TIMEOUT_MS / 1000)
    job_manager().drain()


def wait_idle(qtbot, window) -> None:
    qtbot.waitUntil(lambda: not window.busy, timeout=RUN_TIMEOUT_MS)


def loss_curves(window) -> dict:
    return {kind: window.plots["loss"].curve_data(kind)[1].tolist()
            for kind in window.plots["loss"].curves}
