"""Finds out in the background whether torch sees a CUDA GPU (importing torch takes a second or
more, so the window shows first and the device list fills in when the answer comes)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from gui.jobs import JobManager, job_manager


def cuda_status() -> tuple[bool, str]:
    """(available, the first GPU's name or why there is none)."""
    try:
        import torch
    except ImportError as error:  # pragma: no cover - torch is a dependency
        return False, f"torch cannot be imported: {error}"
    if not torch.cuda.is_available():
        return False, "torch sees no CUDA GPU (a CPU-only build, or no driver)"
    return True, torch.cuda.get_device_name(0)


class CudaProbe(QObject):
    """start() asks once; `answered(available, detail)` arrives on the GUI thread."""

    answered = Signal(bool, str)

    def __init__(self, parent: QObject | None = None, jobs: JobManager | None = None):
        super().__init__(parent)
        self._jobs = jobs if jobs is not None else job_manager()
        self.started = False

    def start(self) -> None:
        if not self.started:
            self.started = True
            self._jobs.submit(lambda context: cuda_status(), name="cuda-probe", owner=self,
                              on_result=self._on_job_result, on_error=self._on_job_error)

    def _on_job_result(self, answer: tuple[bool, str]) -> None:
        self.answered.emit(*answer)

    def _on_job_error(self, error: BaseException) -> None:
        self.answered.emit(False, f"the GPU check failed: {type(error).__name__}: {error}")
