"""The DEER lab's files: each plot as PNG, SVG or CSV (its numbers), through a save dialog that
remembers its folder, an atomic write, and a message box (never a lost view) when it fails."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from engine.core.atomic import write_text
from engine.core.errors import EngineInputError
from gui.export.images import export_widget
from gui.labs.lab_files import ask_save_path

FOLDER_KEY = "deer_lab/folder"
EXPORT_PREFIX = "deer-lab-"  # a plot's export name and default file name
FILTERS = {"png": "PNG image (*.png)", "svg": "SVG vector image (*.svg)",
           "csv": "CSV table (*.csv)"}


def columns_csv(columns: dict[str, np.ndarray]) -> str:
    """Columns of different lengths side by side; shorter ones end in empty cells. A number that
    is not finite (a diverged iterate) is written as inf or nan, never left out."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    rows = max((len(values) for values in columns.values()), default=0)
    for row in range(rows):
        writer.writerow(_cell(values, row) for values in columns.values())
    return out.getvalue()


def _cell(values: np.ndarray, row: int) -> str:
    if row >= len(values):
        return ""
    value = values[row]
    if isinstance(value, str):
        return value
    value = float(value)
    return repr(value) if math.isfinite(value) else str(value)


def export_plot(parent: QWidget, plot, name: str, fmt: str, settings: QSettings | None = None,
                path: Path | None = None) -> Path | None:
    """Write the plot as 'png', 'svg' or 'csv' (its points) to `path`, asked for when None."""
    if path is None:
        path = ask_save_path(parent, settings, FOLDER_KEY, f"Export the {name} plot as "
                             f"{fmt.upper()}", EXPORT_PREFIX + name, fmt, FILTERS[fmt])
    if path is None:
        return None
    try:
        if fmt == "csv":
            return write_text(path, columns_csv(plot.csv_columns()))
        return export_widget(plot, path, fmt)
    except EngineInputError as error:
        QMessageBox.warning(parent, "Could not export the plot", str(error))
        return None


def plot_export_menu(parent: QWidget, plot, name: str, settings=None) -> QMenu:
    """The right-click menu of a plot: PNG, SVG and CSV."""
    menu = QMenu(parent)
    for fmt, what in (("png", "PNG"), ("svg", "SVG"), ("csv", "CSV (its numbers)")):
        menu.addAction(f"Export {name} plot as {what}…",
                       lambda fmt=fmt: export_plot(parent, plot, name, fmt, settings))
    return menu
