"""Names for everything that can be exported: each plot, each panel and the whole window. The
names become file names (`attention-weights.svg`, `rnn-hidden.png`, ...)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from gui.panels.heatmap import HeatmapView


def panels(window) -> dict[str, QWidget]:
    return {"rnn-panel": window.rnn_panel, "attention-panel": window.attention_panel,
            "gradient-panel": window.gradient_panel, "race-strip": window.race_panel}


def plots(window) -> dict[str, QWidget]:
    out: dict[str, QWidget] = {}
    for panel in (window.rnn_panel, window.attention_panel, window.gradient_panel):
        out.update(panel.plots())
    return out


def heatmaps(window) -> dict[str, HeatmapView]:
    return {name: plot for name, plot in plots(window).items() if isinstance(plot, HeatmapView)}


def all_targets(window) -> dict[str, QWidget]:
    """Every exportable widget by name, the window last."""
    return {**plots(window), **panels(window), "window": window}


def describe(name: str) -> str:
    """'attention-weights' -> 'Attention weights', for menus."""
    return name.replace("-", " ").capitalize()
