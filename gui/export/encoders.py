"""Animation encoders fed one RGB frame at a time: GIF through Pillow, MP4 through imageio's ffmpeg
when it is installed. Frames are encoded on a background thread; the file appears only when done."""

from __future__ import annotations

import importlib.util
import os
import queue
import tempfile
import threading
from pathlib import Path

import numpy as np

from engine.atomic import atomic_write

MIN_FPS, MAX_FPS = 1, 50
_DONE = object()


def animation_formats() -> tuple[str, ...]:
    """GIF always; MP4 when imageio and its ffmpeg binary package are installed."""
    has_ffmpeg = (importlib.util.find_spec("imageio") is not None
                  and importlib.util.find_spec("imageio_ffmpeg") is not None)
    return ("gif", "mp4") if has_ffmpeg else ("gif",)


class FrameEncoder:
    """Accepts frames with add() from the GUI thread; a worker thread converts and encodes them.

    GIF frames are kept as 256-colour palette images (a quarter of RGB) until finish() writes the
    file; MP4 frames stream straight into ffmpeg, writing a temporary file that finish() renames.
    abort() drops everything and leaves no file.
    """

    def __init__(self, path: str | Path, fps: float, fmt: str = "gif"):
        self.path, self.fps, self.fmt = Path(path), float(fps), fmt
        self._frames: queue.Queue = queue.Queue(maxsize=8)  # bounded: the GUI waits if we lag
        self._palette_frames: list = []
        self._video = None  # imageio writer, MP4 only
        self._temporary: Path | None = None
        self._error: BaseException | None = None
        self._aborted = threading.Event()
        self._thread = threading.Thread(target=self._work, name="frame-encoder", daemon=True)
        self._thread.start()

    def add(self, rgb: np.ndarray) -> None:
        """rgb: (height, width, 3) uint8."""
        if self._error is not None:
            raise self._error
        self._frames.put(rgb)

    def _work(self) -> None:
        while True:
            frame = self._frames.get()
            if frame is _DONE or self._aborted.is_set():
                self._close_video()
                return
            try:
                self._encode(frame)
            except BaseException as error:  # surfaced to the GUI thread by add()/finish()
                self._error = error
                self._close_video()
                return

    def _encode(self, frame: np.ndarray) -> None:
        if self.fmt == "gif":
            from PIL import Image

            self._palette_frames.append(Image.fromarray(frame).quantize(colors=256, dither=0))
            return
        if self._video is None:
            import imageio.v2 as imageio

            handle, name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".part.mp4",
                                            dir=self.path.parent)
            os.close(handle)
            self._temporary = Path(name)
            self._video = imageio.get_writer(name, format="FFMPEG", mode="I", fps=self.fps,
                                             codec="libx264", macro_block_size=2)
        self._video.append_data(frame)

    def _close_video(self) -> None:
        if self._video is not None:
            self._video.close()
            self._video = None

    def finish(self) -> Path:
        """Wait for the encoder, then put the finished file in place."""
        self._frames.put(_DONE)
        self._thread.join()
        try:
            if self._error is not None:
                raise self._error
            if self.fmt == "gif":
                return self._write_gif()
            if self._temporary is None:
                raise ValueError("no frames to write")
            os.replace(self._temporary, self.path)
            self._temporary = None
            return self.path
        finally:
            self._remove_temporary()

    def _write_gif(self) -> Path:
        if not self._palette_frames:
            raise ValueError("no frames to write")
        first, *rest = self._palette_frames
        with atomic_write(self.path) as file:
            first.save(file, format="GIF", save_all=True, append_images=rest,
                       duration=max(20, round(1000.0 / self.fps)), loop=0, disposal=1)
        return self.path

    def _remove_temporary(self) -> None:
        if self._temporary is not None:
            self._temporary.unlink(missing_ok=True)
            self._temporary = None

    def abort(self) -> None:
        self._aborted.set()
        try:
            self._frames.put_nowait(_DONE)
        except queue.Full:
            pass
        self._thread.join(timeout=10)
        self._palette_frames.clear()
        self._remove_temporary()


