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


class _ProbeTask(QRunnable):
    def __init__(self, probe: CudaProbe):
        super().__init__()
        self._signal = probe.answered

    def run(self) -> None:  # worker thread
        try:
            available, detail = cuda_status()
            self._signal.emit(available, detail)
        except Exception:  # the app is quitting, or the window went away before the answer
            pass


class CudaProbe(QObject):
    """start() asks once; `answered(available, detail)` arrives on the GUI thread."""

    answered = Signal(bool, str)

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None):
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self.started = False

    def start(self) -> None:
        if not self.started:
            self.started = True
            self._pool.start(_ProbeTask(self))
