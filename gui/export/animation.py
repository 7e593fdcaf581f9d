"""The animation of every tick: the GUI thread draws each frame on a private copy of the views
(gui/export/snapshot.py), a background job encodes and writes the file. The user's own view keeps
its tick and may go on playing, and a progress dialog can cancel the export at any point."""

from __future__ import annotations

import contextlib
import queue
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from gui.export.encoders import MAX_FPS, MIN_FPS, FrameEncoder, animation_formats
from gui.export.images import ExportError, render_png
from gui.export.snapshot import ExportSnapshot
from gui.jobs import JobManager, job_manager

DEFAULT_FPS = 4
DEFAULT_WIDTH = 960  # pixels, for a widget not on screen: a 2,000-frame GIF still fits in memory
MAX_ANIMATION_WIDTH = 3840
# A panel, not the whole window: at the width it has on screen its numbers stay readable, while
# the window squeezed into a GIF's width shrinks every label below reading size.
DEFAULT_TARGET = "rnn-panel"


GIF_MEMORY_BYTES = 1_200_000_000  # GIF frames wait in memory (a byte a pixel) until the file is written


def readable_width(on_screen: int) -> int:
    """The frame width that draws a widget at its on-screen size (text as readable as on screen)."""
    if on_screen <= 0:
        return DEFAULT_WIDTH
    return min(on_screen, MAX_ANIMATION_WIDTH)


def width_within_memory(width: int, height: int, frames: int) -> int:
    """`width`, or less where `frames` GIF frames of width x height would not fit GIF_MEMORY_BYTES
    (a sentence of a thousand words has two thousand frames)."""
    pixels = max(1, width * height * frames)
    if pixels <= GIF_MEMORY_BYTES:
        return width
    return max(1, int(width * (GIF_MEMORY_BYTES / pixels) ** 0.5))
_END = object()  # put on the frame queue after the last frame


def check_animation(path: Path, fps: float, fmt: str) -> None:
    if fmt not in animation_formats():
        hint = " (install imageio and imageio-ffmpeg for MP4)" if fmt == "mp4" else ""
        raise ExportError(f"cannot write {fmt.upper()} animations here{hint}")
    if not MIN_FPS <= fps <= MAX_FPS:
        raise ExportError(f"frames per second must be between {MIN_FPS} and {MAX_FPS}, got {fps:g}")
    if not path.parent.is_dir():
        raise ExportError(f"cannot write {path}: folder {path.parent} does not exist")


def image_to_rgb(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height = image.width(), image.height()
    data = np.frombuffer(image.constBits(), dtype=np.uint8)  # rows padded to bytesPerLine
    return data.reshape(height, image.bytesPerLine())[:, : width * 3].reshape(height, width, 3).copy()


def _encoding_work(encoder: FrameEncoder, frames: queue.Queue):
    """The background half of an export: encode frames as the GUI renders them, then write the
    file. Cancelling at any point, the final write included, leaves no file."""
    def work(context) -> str:  # worker thread: numpy, Pillow and ffmpeg only
        try:
            while True:
                try:
                    frame = frames.get(timeout=0.05)
                except queue.Empty:
                    context.cancel.raise_if_cancelled()
                    continue
                context.cancel.raise_if_cancelled()
                if frame is _END:
                    return str(encoder.finish(before_replace=context.cancel.raise_if_cancelled))
                encoder.add(frame)
        finally:
            encoder.abort()
    return work


class AnimationExport(QObject):
    """Exports ticks 0..last of a snapshot's trace as its export target shows them.

    The GUI thread renders a few frames per event-loop turn (widgets can only be drawn there), so
    the window stays responsive; a background job encodes them and writes the file."""

    progress = Signal(int, int)  # frames done, frames in all
    finished = Signal(str)  # path written
    failed = Signal(str)  # message
    cancelled = Signal()

    FRAMES_PER_TURN = 2
    QUEUED_FRAMES = 8  # frames rendered ahead of the encoder; rendering pauses beyond that

    def __init__(self, snapshot: ExportSnapshot, path: str | Path,
                 fps: float = DEFAULT_FPS, width: int = DEFAULT_WIDTH,
                 parent: QObject | None = None):
        """Takes `snapshot` over: it is closed once the export has ended."""
        super().__init__(parent)
        self.path = Path(path)
        self.fmt = self.path.suffix.lower().lstrip(".") or "gif"
        self._snapshot = snapshot
        try:
            check_animation(self.path, fps, self.fmt)
        except BaseException:
            self._close_snapshot()
            raise
        self._widget = snapshot.widget
        self._fps, self._width = fps, width
        self._ticks = list(range(snapshot.last_tick + 1))
        self._next = 0
        self._frames: queue.Queue = queue.Queue(maxsize=self.QUEUED_FRAMES)
        self._job = None
        self._rendering = False
        self._failure: str | None = None  # why the export was stopped, reported once it has ended

    @property
    def frame_count(self) -> int:
        return len(self._ticks)

    @property
    def running(self) -> bool:
        return self._job is not None

    def start(self, jobs: JobManager | None = None) -> None:
        """Render a few frames per event-loop turn."""
        encoder = FrameEncoder(self.path, self._fps, self.fmt)
        self._job = (jobs or job_manager()).submit(
            _encoding_work(encoder, self._frames), name="animation-export", owner=self,
            on_result=self._on_job_result, on_error=self._on_job_error,
            on_cancelled=self._on_job_cancelled)
        self._rendering = True
        QTimer.singleShot(0, self._render_some)

    def run_blocking(self, progress=None) -> Path:
        """The same export without an event loop or a worker (headless use); returns the path."""
        encoder = FrameEncoder(self.path, self._fps, self.fmt)
        try:
            for index in range(self.frame_count):
                encoder.add(self._render_frame(index))
                if progress is not None:
                    progress(index + 1, self.frame_count)
            return encoder.finish()
        finally:
            encoder.abort()
            self._close_snapshot()

    def cancel(self) -> None:
        """Stop; `cancelled` is emitted once the encoder has cleaned up (no file is left)."""
        self._stop(None)

    def _render_frame(self, index: int) -> np.ndarray:
        self._snapshot.show_tick(self._ticks[index])
        standalone = getattr(self._widget, "standalone", contextlib.nullcontext)
        with standalone():  # the same labels as the plot's PNG and SVG
            image = render_png(self._widget, width=self._width)
        return image_to_rgb(image)

    def _render_some(self) -> None:
        if not self._rendering:
            return
        try:
            for _ in range(self.FRAMES_PER_TURN):
                if self._frames.full():  # the encoder is behind (or dead): never block on it
                    QTimer.singleShot(10, self._render_some)
                    return
                if self._next >= self.frame_count:
                    self._end_rendering()
                    self._frames.put_nowait(_END)  # the encoder takes it after the queued frames
                    self.progress.emit(self._next, self.frame_count)
                    return
                self._frames.put_nowait(self._render_frame(self._next))
                self._next += 1
            self.progress.emit(self._next, self.frame_count)
            QTimer.singleShot(0, self._render_some)
        except Exception as error:  # whatever went wrong, stop: never leave the encoder waiting
            self._stop(str(error) or type(error).__name__)

    def _stop(self, failure: str | None) -> None:
        if self._job is None or self._job.cancel_token.cancelled:
            return
        self._failure = failure
        self._end_rendering()
        self._job.cancel()

    def _end_rendering(self) -> None:
        if self._rendering:
            self._rendering = False
            self._close_snapshot()

    def _close_snapshot(self) -> None:
        if self._snapshot is not None:
            self._snapshot.close()
            self._snapshot = None

    def _on_job_result(self, path: str) -> None:
        self._job = None
        self.finished.emit(path)

    def _on_job_error(self, error: BaseException) -> None:
        self._job = None
        self._end_rendering()
        self.failed.emit(str(error) or type(error).__name__)

    def _on_job_cancelled(self) -> None:
        self._job = None
        if self._failure is not None:
            self.failed.emit(self._failure)
        else:
            self.cancelled.emit()
