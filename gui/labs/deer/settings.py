"""The DEER lab's remembered settings (QSettings group "deer_lab"), read defensively: a settings
file can hold anything, so a value of the wrong kind is forgotten and named."""

from __future__ import annotations

import math

from PySide6.QtCore import QByteArray, QSettings

from gui.labs.deer.controls import DEFAULTS, FIELDS

GROUP = "deer_lab"
MAX_TEXT = 40


def _stored(settings: QSettings, name: str):
    try:
        return settings.value(name)
    except (TypeError, ValueError, OverflowError, RuntimeError):  # a value PySide cannot convert
        return None


def _parsed(name: str, value):
    """A stored value (text in INI files) as its field's type, or None when it is not one."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)) \
            or isinstance(value, str) and len(value) > MAX_TEXT:
        return None
    try:
        if isinstance(DEFAULTS[name], int):
            return int(value)
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def restore(settings: QSettings | None, controls, window) -> list[str]:
    """Show the remembered values and geometry; return the damaged keys (removed from the file)."""
    if settings is None:
        return []
    damaged = []
    settings.beginGroup(GROUP)
    try:
        values = {}
        for name in FIELDS:
            if settings.contains(name):
                parsed = _parsed(name, _stored(settings, name))
                if parsed is None:
                    damaged.append(name)
                else:
                    values[name] = parsed
        damaged += controls.set_values(values)
        if settings.contains("geometry"):
            geometry = _stored(settings, "geometry")
            if not (isinstance(geometry, QByteArray) and window.restoreGeometry(geometry)):
                damaged.append("geometry")
        for name in damaged:
            settings.remove(name)
    finally:
        settings.endGroup()
    return [f"{GROUP}/{name}" for name in damaged]


def save(settings: QSettings | None, controls, window) -> None:
    if settings is None:
        return
    settings.beginGroup(GROUP)
    for name, value in controls.values().items():
        settings.setValue(name, value)
    settings.setValue("geometry", window.saveGeometry())
    settings.endGroup()
    settings.sync()
