"""The file dialogs every lab shares: each lab remembers, under its own settings key, the folder
it last read from or wrote to, and a save dialog adds the format's suffix when it is missing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QWidget


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
