"""Run by test_gui_quit.py in a fresh process: start one kind of background work in the real app,
close the window while it runs, and exit exactly as `python main.py` does after its event loop."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, QTimer  # noqa: E402

from engine.core.config import SimConfig  # noqa: E402
from gui.app import create_window, stop_background_work  # noqa: E402

LONG = " ".join(f"w{i % 97}" for i in range(600))  # seconds of work at D = H = 512
BIG = dict(d_model=512, hidden_size=512)
TINY = dict(d_model=4, hidden_size=4, head_size=2)


def close_soon(window, ms: int = 150) -> None:
    def close() -> None:
        print("closing", flush=True)
        window.close()
    QTimer.singleShot(ms, close)


def main(scenario: str, folder: Path) -> int:
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    app, window = create_window(TINY, "The cat sat on the mat", settings=settings)
    window.show()
    if scenario == "first-run":  # torch is still importing in the worker
        QTimer.singleShot(0, window.run_current)
        close_soon(window, 50)
    elif scenario == "run":
        def start() -> None:
            window.run(LONG, SimConfig(**BIG))
            close_soon(window)
        window.runner.finished.connect(lambda trace: QTimer.singleShot(0, start)
                                       if trace.length < 100 else None)
        window.run_current()
    elif scenario == "sweep":
        def start() -> None:
            window.show_cost_lab()
            window.cost_lab.controls.set_values(dict(max_n=4096, repeats=5))
            window.cost_lab.start_sweep()
            close_soon(window, 400)
        QTimer.singleShot(0, start)
    elif scenario == "export":
        from gui.export.animation import AnimationExport
        from gui.export.snapshot import ExportSnapshot

        def start(trace) -> None:
            job = AnimationExport(ExportSnapshot(window, "window"), folder / "movie.gif", width=1600)
            window.exports.run_animation(job)
            close_soon(window, 300)
        window.runner.finished.connect(start)
        window.run_current()
    status = app.exec()
    window.settings.sync()
    return stop_background_work(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2])))
