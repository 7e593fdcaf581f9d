"""Shared steps for main-window tests: run the sentence on screen and wait for its trace, or keep
one shown window drawing a given trace for a whole test module."""

RUN_TIMEOUT = 20_000  # ms; a tiny-width run takes milliseconds, the first one also loads torch


def run_and_wait(qtbot, window, sentence=None):
    """Run `sentence` (or the one shown) through the worker and return the finished Trace."""
    if sentence is not None:
        window.sentence_bar.set_sentence(sentence)
    with qtbot.waitSignal(window.runner.finished, timeout=RUN_TIMEOUT) as blocker:
        assert window.run_current() is True
    return blocker.args[0]


def shown_window(qapp, settings_path, trace):
    """Yield a shown 1600 x 1000 main window (larger than the offscreen screen, which the window
    would otherwise fit) on throwaway settings with tiny widths, drawing `trace` at its last tick;
    closed and deleted afterwards. For module-scoped fixtures: `yield from shown_window(...)`."""
    from PySide6.QtCore import QSettings

    from gui.main_window import MainWindow

    window = MainWindow(overrides=dict(d_model=4, hidden_size=4, head_size=2),
                        settings=QSettings(str(settings_path), QSettings.Format.IniFormat))
    window.resize(1600, 1000)
    window.show()
    window.timeline.set_trace(trace, trace.length * 2)
    qapp.processEvents()
    yield window
    window.close()
    window.deleteLater()
    qapp.processEvents()
