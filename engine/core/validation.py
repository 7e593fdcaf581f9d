"""Checks shared by every validated config: each raises ConfigError naming the offending field."""

from __future__ import annotations

import math

from engine.core.errors import ConfigError
from engine.core.untrusted import printable


def check_int(name: str, value, bounds: tuple[int, int]) -> None:
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(name, f"must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise ConfigError(name, f"must be between {low} and {high}, got {value}")


def check_choice(name: str, value, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(name, f"must be one of {', '.join(choices)}; got {value!r}")


def check_bool(name: str, value) -> None:
    if not isinstance(value, bool):
        raise ConfigError(name, f"must be true or false, got {value!r}")


def check_number(name: str, value, bounds: tuple[float, float]) -> float:
    """A finite int or float within bounds, returned as a float."""
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(name, f"must be a number, got {value!r}")
    if not low <= value <= high:  # compared before float(): a huge int would overflow it
        raise ConfigError(name, f"must be between {low:g} and {high:g}, got {printable(value, 40)}")
    return float(value)
