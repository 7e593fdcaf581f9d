"""Colours, fonts and pens shared by every panel, so the two models look alike everywhere."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QLabel

PLOT_BACKGROUND = "#ffffff"
TITLE_SIZE = "10pt"
DIVERGING = "CET-D1A"  # blue-white-red for signed values (activations, vectors, scores)
SEQUENTIAL = "viridis"  # for probabilities (softmax weights)
GRADIENT = "inferno"  # for log10 gradient norms
RNN_COLOR = "#d95f02"  # orange: the recurrent model, everywhere
ATTENTION_COLOR = "#1b73b3"  # blue: self-attention, everywhere
BOUND_COLOR = "#555555"
SELECTION_COLOR = "#19b34c"
MARKER_COLOR = "#000000"
LOG_FLOOR = 1e-30  # gradient norms below this are drawn at the floor
ERROR_COLOR = "#c0392b"


def error_label() -> QLabel:
    """A hidden red label that shows the engine's message beside the field it rejected."""
    label = QLabel("")
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {ERROR_COLOR};")
    label.setVisible(False)
    return label


def selection_pen() -> QPen:
    pen = QPen(QColor(SELECTION_COLOR))
    pen.setWidthF(2.5)
    pen.setCosmetic(True)
    return pen


def marker_pen() -> QPen:
    pen = QPen(QColor(MARKER_COLOR))
    pen.setWidthF(2.0)
    pen.setCosmetic(True)
    return pen


def cell_text_color(dark_cell: bool) -> QColor:
    """White numbers on dark cells, black on light ones."""
    return QColor("#ffffff") if dark_cell else QColor("#111111")


def symmetric_levels(values: np.ndarray) -> tuple[float, float]:
    """Colour levels centred on zero, so white means 0 on a diverging map."""
    finite = values[np.isfinite(values)]
    bound = float(np.max(np.abs(finite))) if finite.size else 1.0
    bound = bound if bound > 0 else 1.0
    return -bound, bound


def log_levels(values: np.ndarray, floor: float = LOG_FLOOR) -> tuple[float, float]:
    """log10 levels covering the positive values, never below the floor."""
    with np.errstate(invalid="ignore"):
        usable = np.isfinite(values) & (values > 0)  # reduce in place: no copy of a T x T map
    if not usable.any():
        return np.log10(floor), 0.0
    low = max(float(np.min(values, where=usable, initial=np.inf)), floor)
    high = float(np.max(values, where=usable, initial=-np.inf))
    low_log, high_log = np.log10(low), np.log10(high)
    return (low_log, high_log) if high_log > low_log else (low_log - 1.0, high_log + 1.0)


def safe_log10(values: np.ndarray, floor: float = LOG_FLOOR) -> np.ndarray:
    """log10 for colouring, in float32: colours resolve far less than float32 does, and a
    T x T map at T = 1024 takes two thirds of the time of float64 on the GUI thread."""
    return np.log10(np.maximum(values, floor, dtype=np.float32))
