"""Animation encoders fed one RGB frame at a time: GIF through Pillow, MP4 through imageio's ffmpeg
when it is installed. Plain Python: the export runs it as a background job; the file appears only
when done."""

from __future__ import annotations

import contextlib
import errno
import importlib.util
import os
import tempfile
from pathlib import Path

import numpy as np

from engine.core.atomic import OutputPathError, atomic_write, track_temporary

MIN_FPS, MAX_FPS = 1, 50


def animation_formats() -> tuple[str, ...]:
    """GIF always; MP4 when imageio and its ffmpeg binary package are installed."""
    has_ffmpeg = (importlib.util.find_spec("imageio") is not None
                  and importlib.util.find_spec("imageio_ffmpeg") is not None)
    return ("gif", "mp4") if has_ffmpeg else ("gif",)


class FrameEncoder:
    """Encodes frames handed to add(), on whatever thread calls it; no Qt, no threads of its own.

    GIF frames are kept as 256-colour palette images (a quarter of RGB) until finish() writes the
    file; MP4 frames stream straight into ffmpeg, writing a temporary file that finish() renames.
    abort() drops everything and leaves no file.
    """

    def __init__(self, path: str | Path, fps: float, fmt: str = "gif"):
        self.path, self.fps, self.fmt = Path(path), float(fps), fmt
        self._palette_frames: list = []
        self._video = None  # imageio writer, MP4 only
        self._temporary: Path | None = None

    def add(self, rgb: np.ndarray) -> None:
        """rgb: (height, width, 3) uint8."""
        if self.fmt == "gif":
            from PIL import Image

            self._palette_frames.append(Image.fromarray(rgb).quantize(colors=256, dither=0))
            return
        with self._video_errors():
            if self._video is None:
                import imageio.v2 as imageio

                handle, name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".part.mp4",
                                                dir=self.path.parent)
                os.close(handle)
                self._temporary = Path(name)
                track_temporary(self._temporary)
                self._video = imageio.get_writer(name, format="FFMPEG", mode="I", fps=self.fps,
                                                 codec="libx264", macro_block_size=2)
            self._video.append_data(rgb)

    @contextlib.contextmanager
    def _video_errors(self):
        """ffmpeg's failures as OutputPathError; it reports a full disk only in its own words."""
        try:
            yield
        except (OSError, RuntimeError) as error:  # imageio-ffmpeg raises both
            full = getattr(error, "errno", None) == errno.ENOSPC or "No space left" in str(error)
            reason = "the disk is full" if full else (str(error).splitlines() or ["ffmpeg failed"])[0]
            raise OutputPathError(f"cannot write {self.path}: {reason}") from None

    def _close_video(self) -> None:
        if self._video is not None:
            video, self._video = self._video, None
            video.close()

    def finish(self, before_replace=None) -> Path:
        """Put the finished file in place; on any failure nothing is left behind. `before_replace()`
        runs just before the file takes its name: raising there (a cancel) leaves no file."""
        before_replace = before_replace or (lambda: None)
        try:
            if self.fmt == "gif":
                return self._write_gif(before_replace)
            if self._temporary is None:
                raise ValueError("no frames to write")
            with self._video_errors():
                self._close_video()
            before_replace()
            with self._video_errors():
                os.replace(self._temporary, self.path)
            track_temporary(self._temporary, pending=False)
            self._temporary = None
            return self.path
        finally:
            self.abort()

    def _write_gif(self, before_replace) -> Path:
        if not self._palette_frames:
            raise ValueError("no frames to write")
        first, *rest = self._palette_frames
        with atomic_write(self.path) as file:
            first.save(file, format="GIF", save_all=True, append_images=rest,
                       duration=max(20, round(1000.0 / self.fps)), loop=0, disposal=1)
            before_replace()
        return self.path

    def abort(self) -> None:
        """Drop every frame and any temporary file (harmless after finish())."""
        try:
            self._close_video()
        except (OSError, ValueError, RuntimeError):  # ffmpeg already gone: the file is dropped anyway
            pass
        self._palette_frames.clear()
        if self._temporary is not None:
            self._temporary.unlink(missing_ok=True)
            track_temporary(self._temporary, pending=False)
            self._temporary = None
