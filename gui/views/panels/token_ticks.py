"""Word ticks for plain pyqtgraph axes (the reach bars and the gradient curves): one tick per
word, thinned to every k-th word, with its index, where the words would overlap. Heatmaps use
their own TokenAxis (token_axis.py), which can also turn and shrink the words."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QFontMetrics

MAX_TOKEN_LABELS = 40  # default thinning where no pixel size is known (the reach bars)


def token_ticks(labels: list[str], step: int | None = None) -> list[tuple[float, str]]:
    """Axis ticks centred on each cell, every `step`-th one (by default thinned to at most
    MAX_TOKEN_LABELS); thinned labels carry their word index."""
    if step is None:
        step = max(1, int(np.ceil(len(labels) / MAX_TOKEN_LABELS)))
    return [(i + 0.5, label if step == 1 else f"{i}:{label}") for i, label in
            enumerate(labels) if i % step == 0]


def fitted_token_ticks(labels: list[str], pixels: float, metrics: QFontMetrics, vertical: bool,
                       offset: float = 0.5) -> list[tuple[float, str]]:
    """Token ticks thinned so that neighbouring labels do not overlap in `pixels` of axis."""
    count = len(labels)
    if count == 0:
        return []
    per_label = pixels / count
    if vertical:
        step = max(1, int(np.ceil(metrics.height() / max(per_label, 0.5))))
    else:
        widest = _widest_label(metrics, labels) + 8
        step = 1 if widest <= per_label else max(2, int(np.ceil(
            (widest + metrics.horizontalAdvance(f"{count}:")) / max(per_label, 0.5))))
    return [(position - 0.5 + offset, label) for position, label in token_ticks(labels, step)]


_WIDEST_CACHE: dict[tuple, int] = {}


def _widest_label(metrics: QFontMetrics, labels: list[str]) -> int:
    """Pixel width of the widest label; remembered, since every n x n map asks on each resize."""
    key = (metrics.height(), metrics.averageCharWidth(), tuple(labels))
    if key not in _WIDEST_CACHE:
        if len(_WIDEST_CACHE) > 64:
            _WIDEST_CACHE.clear()
        _WIDEST_CACHE[key] = max(metrics.horizontalAdvance(label) for label in labels)
    return _WIDEST_CACHE[key]


