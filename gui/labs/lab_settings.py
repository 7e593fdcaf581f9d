"""Remembered lab settings, read defensively: a QSettings group holding a lab's control values and
its window geometry. A settings file can hold anything, so a value of the wrong kind is forgotten
(removed from the file) and named, and the lab starts from its defaults for it."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QByteArray, QSettings

from gui.window_geometry import restore_fitted


def stored(settings: QSettings, name: str):
    """The stored value, or None for one PySide cannot convert."""
    try:
        return settings.value(name)
    except (TypeError, ValueError, OverflowError, RuntimeError):
        return None


def restore_lab(settings: QSettings | None, group: str, fields, parse: Callable, controls,
                window) -> list[str]:
    """Show the remembered values (parse(name, value) gives a field's value or None when it is
    not one) and geometry (fitted to the screen it opens on); return the damaged keys as
    "group/name" (removed from the file)."""
    if settings is None:
        return []
    damaged = []
    settings.beginGroup(group)
    try:
        values = {}
        for name in fields:
            if settings.contains(name):
                parsed = parse(name, stored(settings, name))
                if parsed is None:
                    damaged.append(name)
                else:
                    values[name] = parsed
        damaged += controls.set_values(values)
        if settings.contains("geometry"):
            geometry = stored(settings, "geometry")
            if not (isinstance(geometry, QByteArray) and restore_fitted(window, geometry)):
                damaged.append("geometry")
        for name in damaged:
            settings.remove(name)
    finally:
        settings.endGroup()
    return [f"{group}/{name}" for name in damaged]


def save_lab(settings: QSettings | None, group: str, values: dict, window) -> None:
    """Remember `values` (already in the form the file keeps) and the window's geometry."""
    if settings is None:
        return
    settings.beginGroup(group)
    for name, value in values.items():
        settings.setValue(name, value)
    settings.setValue("geometry", window.saveGeometry())
    settings.endGroup()
    settings.sync()
