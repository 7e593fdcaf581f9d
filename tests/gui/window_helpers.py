"""Shared steps for main-window tests: run the sentence on screen and wait for its trace."""

RUN_TIMEOUT = 20_000  # ms; a tiny-width run takes milliseconds, the first one also loads torch


def run_and_wait(qtbot, window, sentence=None):
    """Run `sentence` (or the one shown) through the worker and return the finished Trace."""
    if sentence is not None:
        window.sentence_bar.set_sentence(sentence)
    with qtbot.waitSignal(window.runner.finished, timeout=RUN_TIMEOUT) as blocker:
        assert window.run_current() is True
    return blocker.args[0]
