"""Headless batch export: every plot and panel as images, optionally the animation and the data,
into one folder with self-explanatory names. Used by `python main.py --export DIR`; a missing
folder is created (and removed again if the export fails).

Everything is first written into a hidden folder inside the destination and moved into place only
once all of it has been written, so a full disk or a cancel leaves the folder as it was."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from engine.core.atomic import OutputPathError, check_folder
from engine.core.errors import EngineInputError
from engine.core.progress import CancelToken
from engine.core.untrusted import printable
from gui.export import targets
from gui.export.animation import AnimationExport, readable_width, width_within_memory
from gui.export.data import write_matrix_csv
from gui.export.encoders import MAX_FPS, MIN_FPS
from gui.export.images import (MAX_SCALE, MAX_WIDTH, MIN_SCALE, MIN_WIDTH, ExportError, check_format,
                               check_path_text, export_widget)
from gui.export.snapshot import ExportSnapshot

STAGING_PREFIX = ".rnn-vs-transformer-export-"


def parse_formats(text: str) -> list[str]:
    formats = [check_format(part.strip()) for part in text.split(",") if part.strip()]
    if not formats:
        raise ExportError("no image format given: use png, svg or png,svg")
    return list(dict.fromkeys(formats))


def check_options(folder: str | Path, width: int | None, scale: float | None = None,
                  fps: float | None = None) -> Path:
    """Validate the destination, size and animation speed before anything is computed or drawn."""
    folder = check_path_text(folder)
    if _exists(folder):
        try:
            folder = check_folder(folder)
        except OutputPathError as error:
            raise ExportError(str(error)) from None
    else:  # export_folder creates it
        _check_creatable(folder)
    if width is not None and not MIN_WIDTH <= width <= MAX_WIDTH:
        raise ExportError(f"width must be between {MIN_WIDTH} and {MAX_WIDTH:,} pixels, got {width}")
    if scale is not None and not MIN_SCALE <= scale <= MAX_SCALE:
        raise ExportError(f"scale must be between {MIN_SCALE:g} and {MAX_SCALE:g}, got {scale:g}")
    if fps is not None and not MIN_FPS <= fps <= MAX_FPS:
        raise ExportError(f"frames per second must be between {MIN_FPS} and {MAX_FPS}, got {fps:g}")
    return folder


def export_folder(window, folder: str | Path, formats: list[str], width: int | None = None,
                  scale: float | None = None, gif: bool = False, fps: float = 4,
                  data: bool = False, report: Callable[[Path], None] | None = None,
                  progress: Callable[[str], None] | None = None,
                  cancel: CancelToken | None = None) -> list[Path]:
    """Write every target into `folder` (created if missing), all or nothing: ExportError (a full
    disk, say) or RunCancelled (`cancel` set) leave no file and no folder made for it. progress(name) comes before each file is drawn,
    report(path) once it is in place. Returns the paths."""
    folder = check_options(folder, width, scale, fps if gif else None)
    created = _make_missing_folders(folder)
    try:
        return _export_into(window, folder, formats, width, scale, gif, fps, data, report,
                            progress, cancel)
    except BaseException:  # all or nothing: a folder made for this export goes too
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)
        raise


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):  # a name too long, or holding a NUL character
        return False


def _check_creatable(folder: Path) -> None:
    """A missing folder can be made if its nearest existing parent is a folder we may write in."""
    parent = next((path for path in folder.parents if _exists(path)), None)
    if parent is None or not parent.is_dir():
        raise ExportError(f"cannot create folder {printable(folder)}: "
                          f"{printable(parent or folder)} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ExportError(f"cannot create folder {printable(folder)}: permission denied")


def _make_missing_folders(folder: Path) -> Path | None:
    """Create `folder` and any missing parents; return the outermost one created, or None."""
    missing = [path for path in (folder, *folder.parents) if not _exists(path)]
    if not missing:
        return None
    try:
        folder.mkdir(parents=True)
    except OSError as error:
        raise ExportError(f"cannot create folder {printable(folder)}: {_reason(error)}") from None
    return missing[-1]


def _export_into(window, folder: Path, formats, width, scale, gif, fps, data, report, progress,
                 cancel) -> list[Path]:
    try:
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder))
    except OSError as error:
        raise ExportError(f"cannot write in {folder}: {_reason(error)}") from None
    try:
        staged = _write_all(window, staging, formats, width, scale, gif, fps, data,
                            progress or (lambda _name: None), cancel or CancelToken())
        written = []
        for path in staged:  # renames within one file system need no space
            try:
                os.replace(path, folder / path.name)
            except OSError as error:  # a folder of that name, say
                raise ExportError(f"cannot write {folder / path.name}: {_reason(error)}") from None
            written.append(folder / path.name)
            if report is not None:
                report(written[-1])
        return written
    except EngineInputError as error:  # name the destination, not the hidden folder
        raise ExportError(str(error).replace(str(staging), str(folder))) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _reason(error: OSError) -> str:
    return "the disk is full" if error.errno == errno.ENOSPC else (error.strerror or str(error))


def _write_all(window, staging: Path, formats, width, scale, gif, fps, data, progress,
               cancel: CancelToken) -> list[Path]:
    written: list[Path] = []

    def next_file(name: str) -> None:
        cancel.raise_if_cancelled()
        progress(name)

    def next_frame(done: int, total: int) -> None:
        next_file(f"animation.gif, frame {done} of {total}")

    for name, widget in targets.all_targets(window).items():
        for fmt in formats:
            next_file(f"{name}.{fmt}")
            written.append(export_widget(widget, staging / f"{name}.{fmt}", fmt, width, scale))
    if gif:
        next_file("animation.gif")
        snapshot = ExportSnapshot(window, "window")
        frames, views = snapshot.last_tick + 1, snapshot.widget
        width = width_within_memory(readable_width(views.width()), views.height(), frames)
        animation = AnimationExport(snapshot, staging / "animation.gif", fps, width)
        written.append(animation.run_blocking(next_frame))
    if data:
        next_file("trace.npz")
        written.append(window.timeline.trace.save(staging / "trace.npz"))
        for name, view in targets.heatmaps(window).items():
            next_file(f"{name}.csv")
            written.append(write_matrix_csv(staging / f"{name}.csv", *view.shown_matrix()))
    return written
