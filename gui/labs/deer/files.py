"""The DEER lab's files: each plot as PNG, SVG or CSV (its numbers), through a save dialog that
remembers its folder, an atomic write, and a message box (never a lost view) when it fails."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMenu, QWidget

from gui.labs.lab_files import ask_save_path, plot_menu, write_plot

FOLDER_KEY = "deer_lab/folder"
EXPORT_PREFIX = "deer-lab-"  # a plot's export name and default file name
FILTERS = {"png": "PNG image (*.png)", "svg": "SVG vector image (*.svg)",
           "csv": "CSV table (*.csv)"}


def export_plot(parent: QWidget, plot, name: str, fmt: str, settings: QSettings | None = None,
                path: Path | None = None) -> Path | None:
    """Write the plot as 'png', 'svg' or 'csv' (its points) to `path`, asked for when None."""
    if path is None:
        path = ask_save_path(parent, settings, FOLDER_KEY, f"Export the {name} plot as "
                             f"{fmt.upper()}", EXPORT_PREFIX + name, fmt, FILTERS[fmt])
    if path is None:
        return None
    return write_plot(parent, plot, path, fmt, non_finite_as_text=True)  # a diverged iterate


def plot_export_menu(parent: QWidget, plot, name: str, settings=None) -> QMenu:
    """The right-click menu of a plot: PNG, SVG and CSV."""
    return plot_menu(parent, name, lambda fmt: export_plot(parent, plot, name, fmt, settings))
