"""Shared test set-up: Qt renders offscreen (no display needed) and the repo root is importable."""

import os
import sys
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def pytest_sessionfinish(session, exitstatus):
    """Let background jobs still running (a GPU probe importing torch, a run being cancelled)
    finish before the interpreter shuts down under them."""
    jobs = sys.modules.get("gui.jobs")
    if jobs is not None and jobs._manager is not None:
        jobs._manager.shutdown(60)
