"""The training lab's files: a plot as PNG, SVG or CSV (its curves' numbers), and the trained
models as checkpoints (engine/labs/training/checkpoints.py, read without pickle). A dialog that
remembers its folder, an atomic write, and a message box (never a lost view) when it fails."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from engine.core.atomic import write_text
from engine.core.errors import EngineInputError
from gui.export.images import export_widget
from gui.labs.lab_files import ask_save_path, remember_folder, remembered_folder

FOLDER_KEY = "training_lab/folder"
EXPORT_PREFIX = "training-lab-"  # a plot's export name and default file name
FILTERS = {"png": "PNG image (*.png)", "svg": "SVG vector image (*.svg)",
           "csv": "CSV table (*.csv)", "npz": "Trained model (*.npz)"}


def _folder(settings: QSettings | None) -> str:
    return remembered_folder(settings, FOLDER_KEY)


def _remember(settings: QSettings | None, folder: Path) -> None:
    remember_folder(settings, FOLDER_KEY, folder)


def _ask_path(parent: QWidget, settings, caption: str, name: str, fmt: str) -> Path | None:
    return ask_save_path(parent, settings, FOLDER_KEY, caption, name, fmt, FILTERS[fmt])


def columns_csv(columns: dict[str, np.ndarray]) -> str:
    """Columns of different lengths side by side; shorter ones end in empty cells."""
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
    if isinstance(values[row], str):  # a word
        return values[row]
    return repr(float(values[row])) if math.isfinite(float(values[row])) else ""


def export_plot(parent: QWidget, plot, name: str, fmt: str, settings=None) -> Path | None:
    """Ask where, then write the plot as 'png', 'svg' or 'csv' (its curves' points)."""
    path = _ask_path(parent, settings, f"Export the {name} plot as {fmt.upper()}",
                     EXPORT_PREFIX + name, fmt)
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


def save_models(parent: QWidget, trainer, settings=None) -> list[Path]:
    """Ask for a folder and write each trained model there as KIND.npz."""
    from engine.labs.training.checkpoints import CheckpointError, save_models as write_models

    folder = QFileDialog.getExistingDirectory(parent, "Save the trained models into",
                                              _folder(settings))
    if not folder:
        return []
    _remember(settings, Path(folder))
    try:
        return write_models(trainer.models, folder, trainer.trained_on())
    except CheckpointError as error:
        QMessageBox.warning(parent, "Could not save the models", str(error))
        return []


def open_model(parent: QWidget, settings=None, path: str | None = None):
    """Ask for a trained-model file (unless `path` is given) and read it: (model, header), or
    None when cancelled or refused (a message box says why)."""
    from engine.labs.training.checkpoints import CheckpointError, load_model

    if path is None:
        path, _chosen = QFileDialog.getOpenFileName(parent, "Open a trained model",
                                                    _folder(settings), FILTERS["npz"])
        if not path:
            return None
    _remember(settings, Path(path).parent)
    try:
        return load_model(path)
    except CheckpointError as error:
        QMessageBox.warning(parent, "Could not open the model", str(error))
        return None
