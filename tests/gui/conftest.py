"""GUI fixtures: tiny real-engine traces, row-major pyqtgraph, and main windows on throwaway settings."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from engine import SimConfig, simulate
from gui.jobs import JobManager, job_manager

pg.setConfigOptions(imageAxisOrder="row-major")

TINY = dict(d_model=4, hidden_size=4, head_size=2)  # small enough to run in milliseconds
SENTENCE = "The cat sat on mat"


@pytest.fixture(scope="session")
def tiny_config() -> SimConfig:
    return SimConfig(**TINY)


@pytest.fixture(scope="session")
def trace5(tiny_config):
    """T = 5: "The cat sat on mat"."""
    return simulate(SENTENCE, tiny_config)


@pytest.fixture(scope="session")
def trace3(tiny_config):
    """T = 3: "The cat sat"."""
    return simulate("The cat sat", tiny_config)


@pytest.fixture(scope="session")
def trace4_two_heads():
    """T = 4 with two attention heads."""
    return simulate("Dogs chase red cats", SimConfig(d_model=4, hidden_size=4, head_size=2, heads=2))


@pytest.fixture
def settings_path(tmp_path):
    return str(tmp_path / "s.ini")


@pytest.fixture
def make_window(qtbot, settings_path):
    """Build MainWindows that only ever see a settings file in tmp_path; waits for runs at teardown."""
    from gui.main_window import MainWindow

    windows = []

    def make(overrides=None, sentence=None, path=None, show=False, tiny=True, size=None):
        """`tiny`: without overrides, use tiny widths so any run takes milliseconds. `size`:
        (width, height) to resize to, for example the 1600 x 1000 default, which the window
        would otherwise shrink to fit the small offscreen screen."""
        if overrides is None and tiny:
            overrides = dict(TINY)
        settings = QSettings(path or settings_path, QSettings.Format.IniFormat)
        window = MainWindow(overrides=overrides, sentence=sentence, settings=settings)
        qtbot.addWidget(window)
        windows.append(window)
        if size is not None:
            window.resize(*size)
        if show:
            window.show()
            qtbot.waitExposed(window)
            window.activateWindow()  # window shortcuts need the active window
            qtbot.waitUntil(window.isActiveWindow)
        return window

    yield make
    for window in windows:
        window.transport.pause()
        if window.runner.busy:
            window.runner.cancel()
            qtbot.waitUntil(lambda w=window: not w.runner.busy, timeout=10_000)
    assert job_manager().join(10)
    job_manager().drain()


@pytest.fixture
def jobs(qtbot):
    """A job manager of the test's own; every job has ended and been delivered at teardown."""
    manager = JobManager()
    yield manager
    manager.cancel_all()
    assert manager.join(10)
    manager.drain()


@pytest.fixture
def warnings(monkeypatch):
    """QMessageBox.warning records its calls (title, text) instead of blocking on a modal dialog."""
    calls = []
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda parent, title, text, *rest: calls.append((title, text)))
    return calls
