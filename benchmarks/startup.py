"""Start-up time: from process start to the first painted window, and to the first trace shown.

    .venv/bin/python benchmarks/startup.py [--runs 5]

Each run is a fresh process that builds the window exactly as `python main.py` does (with empty
settings), offscreen unless DISPLAY is set. Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child(settings_path: str) -> None:
    """Runs in the measured process: report time.time() at the first paint and first trace paint."""
    sys.path.insert(0, str(ROOT))
    import main  # noqa: F401  (the same imports `python main.py` pays for)
    from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
    from gui.app import create_window

    marks: dict[str, float] = {}
    settings = QSettings(settings_path, QSettings.Format.IniFormat)
    app, window = create_window({}, "The cat sat on mat", settings=settings)

    class PaintWatcher(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                marks.setdefault("window", time.time())
                if "trace_set" in marks:
                    marks.setdefault("trace", time.time())
                    QTimer.singleShot(0, app.quit)
            return False

    watcher = PaintWatcher()
    window.rnn_panel.hidden_view.viewport().installEventFilter(watcher)
    window.installEventFilter(watcher)
    window.timeline.trace_changed.connect(lambda _trace: marks.setdefault("trace_set", time.time()))
    window.show()
    QTimer.singleShot(0, window.run_current)
    QTimer.singleShot(60_000, app.quit)
    app.exec()
    print(json.dumps(marks))


def measure_once() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ)
        if not env.get("DISPLAY"):
            env["QT_QPA_PLATFORM"] = "offscreen"
        start = time.time()
        out = subprocess.run([sys.executable, __file__, "--child", str(Path(folder) / "s.ini")],
                             capture_output=True, text=True, env=env, check=True).stdout
    marks = json.loads(out.strip().splitlines()[-1])
    return {key: marks[key] - start for key in ("window", "trace") if key in marks}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", metavar="SETTINGS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    platform = "xcb (DISPLAY set)" if os.environ.get("DISPLAY") else "offscreen"
    print(f"start-up of `python main.py`, {args.runs} fresh processes, Qt platform {platform}")
    results = [measure_once() for _ in range(args.runs)]
    print(f"{'milestone':<26} {'median':>8} {'min':>8} {'max':>8}")
    for key, label in (("window", "first painted window"), ("trace", "first trace shown")):
        values = [r[key] for r in results if key in r]
        if values:
            print(f"{label:<26} {statistics.median(values):>7.2f}s {min(values):>7.2f}s "
                  f"{max(values):>7.2f}s")


if __name__ == "__main__":
    main()
