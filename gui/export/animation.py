"""The animation of every tick: the GUI thread moves the shared timeline and renders each frame,
a background thread encodes. Runs a few frames per event-loop turn, so the window stays responsive
and a progress dialog can cancel it."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from engine.errors import EngineInputError
from gui.export.encoders import MAX_FPS, MIN_FPS, FrameEncoder, animation_formats
from gui.export.images import ExportError, render_png

DEFAULT_FPS = 4
DEFAULT_WIDTH = 960  # pixels: readable, and a 2,000-frame GIF still fits in memory


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


class AnimationExport(QObject):
    """Exports ticks 0..last of `timeline` as seen in `widget`; restores the tick afterwards."""

    progress = Signal(int, int)  # frames done, frames in all
    finished = Signal(str)  # path written
    failed = Signal(str)  # message
    cancelled = Signal()

    FRAMES_PER_TURN = 2

    def __init__(self, widget: QWidget, timeline, path: str | Path, fps: float = DEFAULT_FPS,
                 width: int = DEFAULT_WIDTH, parent: QObject | None = None):
        super().__init__(parent)
        self._widget, self._timeline = widget, timeline
        self.path = Path(path)
        self.fmt = self.path.suffix.lower().lstrip(".") or "gif"
        check_animation(self.path, fps, self.fmt)
        self._fps, self._width = fps, width
        self._ticks = list(range(timeline.last_tick + 1))
        self._next = 0
        self._start_tick = timeline.tick
        self._encoder: FrameEncoder | None = None
        self._stopped = False

    @property
    def frame_count(self) -> int:
        return len(self._ticks)

    def start(self) -> None:
        """Render a few frames per event-loop turn. A new trace arriving meanwhile (a run the user
        started) would mix two runs in one file, so it stops the export instead."""
        self._encoder = FrameEncoder(self.path, self._fps, self.fmt)
        self._timeline.trace_changed.connect(self._on_timeline_trace_changed)
        QTimer.singleShot(0, self._render_some)

    def _on_timeline_trace_changed(self, _trace) -> None:
        if not self._stopped:
            self._stop()
            self.failed.emit("a new run replaced the picture while exporting; the animation was "
                             "stopped and nothing was written")

    def run_blocking(self, progress=None) -> Path:
        """The same export without an event loop (headless use); returns the path."""
        self._encoder = FrameEncoder(self.path, self._fps, self.fmt)
        try:
            for index in range(self.frame_count):
                self._render_frame(index)
                if progress is not None:
                    progress(index + 1, self.frame_count)
            return self._encoder.finish()
        finally:
            self._encoder.abort()
            self._timeline.set_tick(self._start_tick)

    def cancel(self) -> None:
        if not self._stopped:
            self._stop()
            self.cancelled.emit()

    def _render_frame(self, index: int) -> None:
        self._timeline.set_tick(self._ticks[index])
        standalone = getattr(self._widget, "standalone", contextlib.nullcontext)
        with standalone():  # the same labels as the plot's PNG and SVG
            image = render_png(self._widget, width=self._width)
        self._encoder.add(image_to_rgb(image))

    def _render_some(self) -> None:
        if self._stopped:
            return
        try:
            for _ in range(self.FRAMES_PER_TURN):
                if self._next >= self.frame_count:
                    self.progress.emit(self._next, self.frame_count)
                    self._finish_in_background()
                    return
                self._render_frame(self._next)
                self._next += 1
            self.progress.emit(self._next, self.frame_count)
            QTimer.singleShot(0, self._render_some)
        except (EngineInputError, OSError, ValueError, MemoryError) as error:
            self._stop()
            self.failed.emit(str(error))

    def _finish_in_background(self) -> None:
        """Writing a long GIF takes a while: do it on a thread; signals come back queued."""
        encoder = self._encoder
        self._stopped = True
        self._disconnect()
        self._timeline.set_tick(self._start_tick)

        def write() -> None:
            try:
                path = encoder.finish()
            except (OSError, ValueError, EngineInputError, MemoryError) as error:
                self.failed.emit(str(error))
            else:
                self.finished.emit(str(path))

        threading.Thread(target=write, name="animation-writer", daemon=True).start()

    def _stop(self) -> None:
        self._stopped = True
        self._disconnect()
        if self._encoder is not None:
            self._encoder.abort()
        self._timeline.set_tick(self._start_tick)

    def _disconnect(self) -> None:
        try:
            self._timeline.trace_changed.disconnect(self._on_timeline_trace_changed)
        except (RuntimeError, TypeError):  # never connected (headless) or already disconnected
            pass
