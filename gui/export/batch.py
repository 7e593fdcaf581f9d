"""Headless batch export: every plot and panel as images, optionally the animation and the data,
into one folder with self-explanatory names. Used by `python main.py --export DIR`."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from engine.atomic import OutputPathError, check_folder
from gui.export import targets
from gui.export.animation import AnimationExport
from gui.export.data import write_matrix_csv
from gui.export.encoders import MAX_FPS, MIN_FPS
from gui.export.images import (MAX_SCALE, MAX_WIDTH, MIN_SCALE, MIN_WIDTH, ExportError, check_format,
                               export_widget)


def parse_formats(text: str) -> list[str]:
    formats = [check_format(part.strip()) for part in text.split(",") if part.strip()]
    if not formats:
        raise ExportError("no image format given: use png, svg or png,svg")
    return list(dict.fromkeys(formats))


def check_options(folder: str | Path, width: int | None, scale: float | None = None,
                  fps: float | None = None) -> Path:
    """Validate the destination, size and animation speed before anything is computed or drawn."""
    try:
        folder = check_folder(folder)
    except OutputPathError as error:
        raise ExportError(str(error)) from None
    if width is not None and not MIN_WIDTH <= width <= MAX_WIDTH:
        raise ExportError(f"width must be between {MIN_WIDTH} and {MAX_WIDTH:,} pixels, got {width}")
    if scale is not None and not MIN_SCALE <= scale <= MAX_SCALE:
        raise ExportError(f"scale must be between {MIN_SCALE:g} and {MAX_SCALE:g}, got {scale:g}")
    if fps is not None and not MIN_FPS <= fps <= MAX_FPS:
        raise ExportError(f"frames per second must be between {MIN_FPS} and {MAX_FPS}, got {fps:g}")
    return folder


def export_folder(window, folder: str | Path, formats: list[str], width: int | None = None,
                  scale: float | None = None, gif: bool = False, fps: float = 4,
                  data: bool = False, report: Callable[[Path], None] | None = None) -> list[Path]:
    """Write every target into `folder`; report(path) after each file. Returns the paths."""
    folder = check_options(folder, width, scale, fps if gif else None)
    written: list[Path] = []

    def done(path: Path) -> None:
        written.append(path)
        if report is not None:
            report(path)

    for name, widget in targets.all_targets(window).items():
        for fmt in formats:
            done(export_widget(widget, folder / f"{name}.{fmt}", fmt, width, scale))
    if gif:
        done(AnimationExport(window, window.timeline, folder / "animation.gif", fps).run_blocking())
    if data:
        done(window.timeline.trace.save(folder / "trace.npz"))
        for name, view in targets.heatmaps(window).items():
            done(write_matrix_csv(folder / f"{name}.csv", *view.shown_matrix()))
    return written
