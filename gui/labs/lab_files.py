"""The file dialogs and plot exports every lab shares: each lab remembers, under its own settings
key, the folder it last read from or wrote to, and a save dialog adds the format's suffix when it
is missing. A plot is written as PNG, SVG or CSV (its columns) atomically, and a failure is said in
a message box, never a lost view."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Callable

import numpy as np
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from engine.core.atomic import write_text
from engine.core.errors import EngineInputError
from gui.export.images import export_widget

PLOT_FORMATS = (("png", "PNG"), ("svg", "SVG"), ("csv", "CSV (its numbers)"))


def remembered_folder(settings: QSettings | None, key: str) -> str:
    """The folder remembered under `key`, or "" (also for a damaged value)."""
    value = settings.value(key, "") if settings is not None else ""
    return value if isinstance(value, str) and "\0" not in value else ""


def remember_folder(settings: QSettings | None, key: str, folder: Path) -> None:
    if settings is not None:
        settings.setValue(key, str(folder))


def ask_save_path(parent: QWidget, settings: QSettings | None, key: str, caption: str,
                  name: str, fmt: str, file_filter: str) -> Path | None:
    """A save dialog in the folder remembered under `key`, suggesting NAME.FMT; the chosen path
    with the suffix added when missing, or None when the user cancelled."""
    folder = remembered_folder(settings, key)
    start = str(Path(folder) / f"{name}.{fmt}") if folder else f"{name}.{fmt}"
    path, _chosen = QFileDialog.getSaveFileName(parent, caption, start, file_filter)
    if not path:
        return None
    path = Path(path)
    if path.suffix.lower() != f".{fmt}":
        path = path.with_name(path.name + f".{fmt}")
    remember_folder(settings, key, path.parent)
    return path


def columns_csv(columns: dict[str, np.ndarray], non_finite_as_text: bool = False) -> str:
    """Columns of different lengths side by side; shorter ones end in empty cells. A number that
    is not finite is left empty, or written as inf or nan with `non_finite_as_text`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    rows = max((len(values) for values in columns.values()), default=0)
    for row in range(rows):
        writer.writerow(_cell(values, row, non_finite_as_text) for values in columns.values())
    return out.getvalue()


def _cell(values: np.ndarray, row: int, non_finite_as_text: bool) -> str:
    if row >= len(values):
        return ""
    value = values[row]
    if isinstance(value, str):  # a word
        return value
    value = float(value)
    if math.isfinite(value):
        return repr(value)
    return str(value) if non_finite_as_text else ""


def write_plot(parent: QWidget, plot, path: Path, fmt: str,
               non_finite_as_text: bool = False) -> Path | None:
    """Write a lab plot to `path` as 'png', 'svg' or 'csv' (plot.csv_columns()); a failure is
    said in a message box and gives None."""
    try:
        if fmt == "csv":
            return write_text(path, columns_csv(plot.csv_columns(), non_finite_as_text))
        return export_widget(plot, path, fmt)
    except EngineInputError as error:
        QMessageBox.warning(parent, "Could not export the plot", str(error))
        return None


def plot_menu(parent: QWidget, name: str, export: Callable[[str], object]) -> QMenu:
    """The right-click menu of a lab plot: PNG, SVG and CSV, each calling export(fmt)."""
    menu = QMenu(parent)
    for fmt, what in PLOT_FORMATS:
        menu.addAction(f"Export {name} plot as {what}…", lambda fmt=fmt: export(fmt))
    return menu
