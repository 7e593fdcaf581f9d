"""Colour checks shared by the theme tests: WCAG contrast, and the system theme put back after
each test (import `system_theme_afterwards` into a test module to use it there)."""

import pytest
from PySide6.QtGui import QColor

from gui import style


@pytest.fixture(autouse=True)
def system_theme_afterwards(qapp):
    yield
    style.apply_theme("system")


def contrast(first: QColor, second: QColor) -> float:
    """WCAG contrast ratio of two colours (1 = none, 21 = black on white)."""
    def luminance(colour: QColor) -> float:
        channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
                    for c in colour.getRgbF()[:3]]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)
