"""Starts the desktop app: the window paints first, then the first run (and torch) loads in a worker."""

from __future__ import annotations

import signal
import sys

OFFSCREEN_NOTICES = ("propagateSizeHints", "does not support raise()")
QUIT_WAIT_S = 1.0  # seconds background jobs get to stop when the window closes


def _on_qt_message(mode, context, message: str) -> None:
    # The offscreen platform (tests, headless export) notes on every window that it cannot
    # propagate size hints or raise windows; that is expected there and only noise for the user.
    if not any(notice in message for notice in OFFSCREEN_NOTICES):
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
    from gui import style

    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True,
                        foreground=style.plot_colours(app.palette())[1])  # the theme's, once chosen
    return app, MainWindow(overrides, sentence, settings=settings)


def run_app(overrides: dict, sentence: str | None, argv: list[str] | None = None,
            weights: str | None = None) -> int:
    """Open the window with remembered settings, `overrides` (config fields) and `sentence` winning;
    `weights`: a weight file to run on instead of random weights."""
    from PySide6.QtCore import QTimer

    app, window = create_window(overrides, sentence, argv=argv)
    window.show()
    from gui.welcome import offer_welcome

    offer_welcome(window)  # once, on the first launch: the tour or Skip, never modal
    # After the first paint: the worker loads torch (and the weight file, which then runs).
    QTimer.singleShot(0, (lambda: window.weight_actions.open(weights)) if weights
                      else window.run_current)
    # Ctrl-C in the terminal closes the window as File > Quit does. Python runs signal handlers
    # only between bytecodes, so a timer makes sure some Python runs regularly.
    signal.signal(signal.SIGINT, lambda *_: QTimer.singleShot(0, window.close))
    heartbeat = QTimer()
    heartbeat.timeout.connect(_on_heartbeat_timeout)
    heartbeat.start(200)
    status = app.exec()
    window.settings.sync()
    return stop_background_work(status)


def _on_heartbeat_timeout() -> None:
    pass


def stop_background_work(status: int) -> int:
    """Cancel every job and give it QUIT_WAIT_S to stop. Engine work stops within a timestep; what
    cannot be interrupted (torch still importing, a GIF being written) would keep running while
    Python shuts down under it, so then the process ends at once, leaving no partial file."""
    import os

    from engine.core.atomic import remove_pending_temporaries
    from gui.jobs import job_manager

    if job_manager().shutdown(QUIT_WAIT_S):
        return status
    remove_pending_temporaries()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
