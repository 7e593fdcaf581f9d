"""Saving a sweep as CSV or JSON, opening a saved JSON sweep, and exporting a plot as PNG or SVG:
a file dialog that remembers its folder, an atomic write, and a message box (never a lost view)
when reading or writing fails."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from engine.core.atomic import write_text
from engine.core.errors import EngineInputError
from engine.labs.cost.report import ResultFileError, load_result, result_to_csv, result_to_json
from gui.export.images import export_widget
from gui.labs.lab_files import ask_save_path, remember_folder, remembered_folder

FOLDER_KEY = "cost_lab/folder"
EXPORT_PREFIX = "cost-lab-"  # a plot's export name and default file name: cost-lab-time.svg
FILTERS = {"csv": "CSV table (*.csv)", "json": "JSON (*.json)", "png": "PNG image (*.png)",
           "svg": "SVG vector image (*.svg)"}
WRITERS = {"csv": result_to_csv, "json": result_to_json}


def _ask_path(parent: QWidget, settings: QSettings | None, caption: str, name: str,
              fmt: str) -> Path | None:
    return ask_save_path(parent, settings, FOLDER_KEY, caption, name, fmt, FILTERS[fmt])


def save_result(parent: QWidget, result, fmt: str,
                settings: QSettings | None = None) -> Path | None:
    """Ask where, then write the LabResult as 'csv' or 'json'. Returns the path written, or None."""
    path = _ask_path(parent, settings, f"Save cost lab results as {fmt.upper()}", "cost-lab", fmt)
    if path is None:
        return None
    try:
        return write_text(path, WRITERS[fmt](result))
    except (EngineInputError, ValueError) as error:
        QMessageBox.warning(parent, "Could not save the results", str(error))
        return None


def open_result(parent: QWidget, settings: QSettings | None = None):
    """Ask for a JSON file saved by this lab and read it. Returns the LabResult, or None when the
    user cancelled or the file was refused (a message box says why)."""
    path, _chosen = QFileDialog.getOpenFileName(parent, "Open cost lab results",
                                                remembered_folder(settings, FOLDER_KEY),
                                                FILTERS["json"])
    if not path:
        return None
    remember_folder(settings, FOLDER_KEY, Path(path).parent)
    try:
        return load_result(path)
    except ResultFileError as error:
        QMessageBox.warning(parent, "Could not open the results", str(error))
        return None


def export_plot(parent: QWidget, plot: QWidget, name: str, fmt: str,
                settings: QSettings | None = None) -> Path | None:
    """Ask where, then write the plot as 'png' or 'svg' through gui.export.images.export_widget."""
    path = _ask_path(parent, settings, f"Export the {name} plot as {fmt.upper()}",
                     EXPORT_PREFIX + name, fmt)
    if path is None:
        return None
    try:
        return export_widget(plot, path, fmt)
    except EngineInputError as error:
        QMessageBox.warning(parent, "Could not export the plot", str(error))
        return None


def plot_export_menu(parent: QWidget, plot: QWidget, name: str,
                     settings: QSettings | None = None) -> QMenu:
    """The right-click menu of a plot: PNG and SVG."""
    menu = QMenu(parent)
    menu.addAction(f"Export {name} plot as PNG…", lambda: export_plot(parent, plot, name, "png",
                                                                       settings))
    menu.addAction(f"Export {name} plot as SVG…", lambda: export_plot(parent, plot, name, "svg",
                                                                       settings))
    return menu
