"""The training lab's remembered settings (QSettings group "training_lab"), read defensively: a
settings file can hold anything, so a value of the wrong kind is forgotten and named."""

from __future__ import annotations

import math

from PySide6.QtCore import QSettings

from gui.labs.training.controls import DEFAULTS, FIELDS
from gui.labs.lab_settings import restore_lab, save_lab

GROUP = "training_lab"
MAX_TEXT = 200


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
    return restore_lab(settings, GROUP, FIELDS, _parsed, controls, window)


def save(settings: QSettings | None, controls, window) -> None:
    values = {name: ",".join(value) if name == "models" else value
              for name, value in controls.values().items()}
    save_lab(settings, GROUP, values, window)
