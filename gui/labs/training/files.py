"""The training lab's files: a plot as PNG, SVG or CSV (its curves' numbers), and the trained
models as checkpoints (engine/labs/training/checkpoints.py, read without pickle). A dialog that
remembers its folder, an atomic write, and a message box (never a lost view) when it fails."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from gui.labs.lab_files import (ask_save_path, plot_menu, remember_folder, remembered_folder,
                                write_plot)

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


def export_plot(parent: QWidget, plot, name: str, fmt: str, settings=None) -> Path | None:
    """Ask where, then write the plot as 'png', 'svg' or 'csv' (its curves' points)."""
    path = _ask_path(parent, settings, f"Export the {name} plot as {fmt.upper()}",
                     EXPORT_PREFIX + name, fmt)
    if path is None:
        return None
    return write_plot(parent, plot, path, fmt)


def plot_export_menu(parent: QWidget, plot, name: str, settings=None) -> QMenu:
    """The right-click menu of a plot: PNG, SVG and CSV."""
    return plot_menu(parent, name, lambda fmt: export_plot(parent, plot, name, fmt, settings))


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
