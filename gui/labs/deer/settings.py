"""The DEER lab's remembered settings (QSettings group "deer_lab"), read defensively: a settings
file can hold anything, so a value of the wrong kind is forgotten and named."""

from __future__ import annotations

import math

from PySide6.QtCore import QSettings

from gui.labs.deer.controls import DEFAULTS, FIELDS
from gui.labs.lab_settings import restore_lab, save_lab

GROUP = "deer_lab"
MAX_TEXT = 40


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
    return restore_lab(settings, GROUP, FIELDS, _parsed, controls, window)


def save(settings: QSettings | None, controls, window) -> None:
    save_lab(settings, GROUP, controls.values(), window)
