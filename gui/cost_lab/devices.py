"""Finds out, off the GUI thread, whether torch sees a CUDA GPU (importing torch takes a second or
more, so the window shows first and the device list fills in when the answer comes)."""

from __future__ import annotations

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


def cuda_status() -> tuple[bool, str]:
    """(available, the first GPU's name or why there is none)."""
    try:
        import torch
    except ImportError as error:  # pragma: no cover - torch is a dependency
        return False, f"torch cannot be imported: {error}"
    if not torch.cuda.is_available():
        return False, "torch sees no CUDA GPU (a CPU-only build, or no driver)"
    return True, torch.cuda.get_device_name(0)


class _ProbeSignals(QObject):
    answered = Signal(bool, str)


class _ProbeTask(QRunnable):
    def __init__(self, signals: _ProbeSignals):
        super().__init__()
        self._signals = signals  # keeps the (parentless) signal object alive while running

    def run(self) -> None:  # worker thread
        try:
            available, detail = cuda_status()
            self._signals.answered.emit(available, detail)
        except Exception:  # the app is quitting
            pass


class CudaProbe(QObject):
    """start() asks once; `answered(available, detail)` arrives on the GUI thread."""

    answered = Signal(bool, str)

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None):
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self.started = False
        # The task emits on its own parentless object, never on this one: if the window (and
        # this probe) is gone before torch answers, Qt just drops the connection.
        self._signals = _ProbeSignals()
        self._signals.answered.connect(self.answered)

    def start(self) -> None:
        if not self.started:
            self.started = True
            self._pool.start(_ProbeTask(self._signals))
