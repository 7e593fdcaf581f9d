"""Shared test set-up: Qt renders offscreen (no display needed) and the repo root is importable."""

import os
import sys
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def pytest_sessionfinish(session, exitstatus):
    """Let background jobs still on Qt's global thread pool (a GPU probe importing torch, a run
    being cancelled) finish before the interpreter shuts down under them."""
    qtcore = sys.modules.get("PySide6.QtCore")
    if qtcore is not None:
        qtcore.QThreadPool.globalInstance().waitForDone(60_000)
