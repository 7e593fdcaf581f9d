"""The main window's export targets, read from its ExportRegistry (gui/export/registry.py): each
plot, each panel and the whole window. The names become file names (`attention-weights.svg`,
`rnn-hidden.png`, ...)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from gui.export.registry import ExportRegistry


def register_views(views, whole: QWidget) -> ExportRegistry:
    """Targets of a MainViews (gui/views/main_views.py): every panel's plots, the panels, then
    `whole`, exported as "window"."""
    registry = ExportRegistry()
    for kind, widgets in views.exportable().items():
        registry.add_all(widgets, kind)
    registry.add("window", whole, "window")
    return registry


def register_main_window(window) -> ExportRegistry:
    """The main window's targets: every panel's plots, the panels, then the window itself."""
    return register_views(window.views, window)


def panels(window) -> dict[str, QWidget]:
    return window.export_targets.widgets("panel")


def plots(window) -> dict[str, QWidget]:
    return window.export_targets.widgets("plot")


def heatmaps(window) -> dict[str, QWidget]:
    """The targets that can also be written as a CSV matrix."""
    return window.export_targets.matrices()


def all_targets(window) -> dict[str, QWidget]:
    """Every exportable widget by name, the window last."""
    return window.export_targets.widgets()


def describe(name: str) -> str:
    """'attention-weights' -> 'Attention weights', for menus."""
    return name.replace("-", " ").capitalize()
