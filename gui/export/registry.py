"""What a window can export, by name. Every window (the main window, each lab) fills one
ExportRegistry with its plots, its panels and itself; the export menus, the File → Export dialogs
and headless --export all read the targets from there and render them with gui.export.images, so
a new plot or a new lab is exportable by registering it once."""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

KINDS = ("plot", "panel", "window")
NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")  # becomes a file name: attention-weights.svg


@dataclass(frozen=True)
class ExportTarget:
    name: str  # the file name without its suffix
    widget: QWidget
    kind: str  # "plot", "panel" or "window"

    @property
    def has_matrix(self) -> bool:
        """Whether the target can also be written as a CSV matrix (heatmaps can)."""
        return callable(getattr(self.widget, "shown_matrix", None))


class ExportRegistry:
    """Export targets in the order they were added (the window itself last, by convention)."""

    def __init__(self):
        self._targets: dict[str, ExportTarget] = {}

    def add(self, name: str, widget: QWidget, kind: str) -> None:
        if not NAME.fullmatch(name):
            raise ValueError(f"export name {name!r}: use lower-case words joined by '-'")
        if kind not in KINDS:
            raise ValueError(f"export kind {kind!r}: one of {', '.join(KINDS)}")
        if name in self._targets:
            raise ValueError(f"export name {name!r} is registered twice")
        self._targets[name] = ExportTarget(name, widget, kind)

    def remove(self, name: str) -> None:
        """Forget a target (a plot a window no longer shows)."""
        del self._targets[name]

    def add_all(self, widgets: dict[str, QWidget], kind: str) -> None:
        for name, widget in widgets.items():
            self.add(name, widget, kind)

    def widgets(self, *kinds: str) -> dict[str, QWidget]:
        """Name -> widget of the given kinds (all kinds when none is given)."""
        return {name: target.widget for name, target in self._targets.items()
                if not kinds or target.kind in kinds}

    def matrices(self) -> dict[str, QWidget]:
        """Name -> widget of every target that can be written as a CSV matrix."""
        return {name: target.widget for name, target in self._targets.items() if target.has_matrix}

    def __contains__(self, name: str) -> bool:
        return name in self._targets

    def __getitem__(self, name: str) -> ExportTarget:
        return self._targets[name]
