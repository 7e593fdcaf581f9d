"""The training lab's remembered settings (QSettings group "training_lab"), read defensively: a
settings file can hold anything, so a value of the wrong kind is forgotten and named."""

from __future__ import annotations

import math

from PySide6.QtCore import QByteArray, QSettings

from gui.labs.training.controls import DEFAULTS, FIELDS

GROUP = "training_lab"
MAX_TEXT = 200


def _stored(settings: QSettings, name: str):
    try:
        return settings.value(name)
    except (TypeError, ValueError, OverflowError, RuntimeError):  # a value PySide cannot convert
        return None


def _parsed(name: str, value):
    """A stored value (text in INI files) as its field's type, or None when it is not one."""
    default = DEFAULTS[name]
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return None
    if name == "models":
        parts = value if isinstance(value, list) else str(value).split(",")
        return tuple(str(p).strip() for p in parts) if isinstance(value, (str, list)) else None
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        return {"true": True, "false": False}.get(value.lower()) if isinstance(value, str) else None
    if isinstance(default, int):
        try:
            return int(value) if isinstance(value, (str, int)) and not isinstance(value, bool) \
                else None
        except ValueError:
            return None
    if isinstance(default, float):
        try:
            number = float(value) if isinstance(value, (str, int, float)) else None
        except ValueError:
            return None
        return number if number is not None and math.isfinite(number) else None
    return value if isinstance(value, str) else None


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
        settings.setValue(name, ",".join(value) if name == "models" else value)
    settings.setValue("geometry", window.saveGeometry())
    settings.endGroup()
    settings.sync()
