"""How a headless command ends: one error line and status 2, or Ctrl-C's status 130 and what
was kept; Ctrl-C as a cancel request while a command runs; output names that cannot be printed."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading


def fail(message: str) -> int:
    print(f"rnn-vs-transformer: error: {message}", file=sys.stderr)
    return 2


INTERRUPTED = 130  # the shell's status for a command ended by Ctrl-C (128 + SIGINT)


def interrupted(outcome: str = "nothing was written") -> int:
    print(f"rnn-vs-transformer: interrupted; {outcome}", file=sys.stderr)
    return INTERRUPTED


@contextlib.contextmanager
def ctrl_c_cancels(cancel):
    """While the block runs, Ctrl-C sets `cancel` (checked between steps, frames and files) instead
    of raising KeyboardInterrupt wherever Python is: inside a Qt paint call, PySide would print
    that exception and carry on."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda *_: cancel.cancel())
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def output_name_error(path: str | None) -> str | None:
    """Why an output name cannot be used, or None: undecodable bytes (lone surrogates in Python)
    could be written, but the name could not be printed back (as gui.export.images refuses)."""
    if path is None:
        return None
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        from gui.export.images import shown_name  # only now: it loads Qt

        return f"cannot write {shown_name(path)}: its name is not valid UTF-8 text; choose another name"
    return None
