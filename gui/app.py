"""Starts the desktop app: the window paints first, then the first run (and torch) loads in a worker."""

from __future__ import annotations

import sys


def _on_qt_message(mode, context, message: str) -> None:
    # The offscreen platform (tests, headless export) notes on every window that it cannot
    # propagate size hints; that is expected there and only noise for the user.
    if "propagateSizeHints" not in message:
        sys.stderr.write(message + "\n")


def create_window(overrides: dict | None = None, sentence: str | None = None, settings=None,
                  argv: list[str] | None = None):
    """The QApplication and the main window, configured as the app runs them (not yet shown)."""
    import pyqtgraph as pg
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from gui.main_window import APP_TITLE, MainWindow

    qInstallMessageHandler(_on_qt_message)
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName("rnn-vs-transformer")
    app.setApplicationName("rnn-vs-transformer")
    app.setApplicationDisplayName(APP_TITLE)
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True, foreground="#222222")
    return app, MainWindow(overrides, sentence, settings=settings)


def run_app(overrides: dict, sentence: str | None, argv: list[str] | None = None) -> int:
    """Open the window with remembered settings, `overrides` (config fields) and `sentence` winning."""
    from PySide6.QtCore import QThreadPool, QTimer

    app, window = create_window(overrides, sentence, argv=argv)
    window.show()
    QTimer.singleShot(0, window.run_current)  # after the first paint: loads torch in the worker
    status = app.exec()
    # Closing the window cancelled every job; let them stop before Python shuts down under them.
    QThreadPool.globalInstance().waitForDone(10_000)
    return status
