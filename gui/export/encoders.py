"""Animation encoders fed one RGB frame at a time: GIF through Pillow, MP4 through imageio's ffmpeg
when it is installed. Frames are encoded on a background thread; the file appears only when done."""

from __future__ import annotations

import importlib.util
import queue
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

    finish() waits for the worker and writes the file atomically; abort() drops everything.
    """

    def __init__(self, path: str | Path, fps: float, fmt: str = "gif"):
        self.path, self.fps, self.fmt = Path(path), float(fps), fmt
        self._frames: queue.Queue = queue.Queue(maxsize=8)  # bounded: the GUI waits if we lag
        self._encoded: list = []
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
        from PIL import Image

        while True:
            frame = self._frames.get()
            if frame is _DONE or self._aborted.is_set():
                return
            try:
                if self.fmt == "gif":  # 256-colour palette per frame, converted here off the GUI
                    self._encoded.append(Image.fromarray(frame).quantize(colors=256, dither=0))
                else:
                    self._encoded.append(frame)
            except BaseException as error:  # surfaced to the GUI thread by add()/finish()
                self._error = error
                return

    def finish(self) -> Path:
        self._frames.put(_DONE)
        self._thread.join()
        if self._error is not None:
            raise self._error
        if not self._encoded:
            raise ValueError("no frames to write")
        with atomic_write(self.path) as file:
            if self.fmt == "gif":
                first, *rest = self._encoded
                first.save(file, format="GIF", save_all=True, append_images=rest,
                           duration=max(20, round(1000.0 / self.fps)), loop=0, disposal=1)
            else:
                import imageio.v2 as imageio

                with imageio.get_writer(file, format="FFMPEG", mode="I", fps=self.fps,
                                        codec="libx264", macro_block_size=2) as writer:
                    for frame in self._encoded:
                        writer.append_data(frame)
        return self.path

    def abort(self) -> None:
        self._aborted.set()
        try:
            self._frames.put_nowait(_DONE)
        except queue.Full:
            pass
        self._encoded.clear()
