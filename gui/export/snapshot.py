"""Private views for exports that draw more than the tick on screen (animations): a copy of the
main window's views on an AppState of their own, showing one trace at any tick.

The user's timeline, selection and playback never move while an animation is drawn, and a run the
user starts meanwhile cannot mix into the file: the copy keeps the trace it was given."""

from __future__ import annotations

from PySide6.QtCore import Qt

from gui.export.registry import ExportRegistry
from gui.export.targets import register_views
from gui.selection import TokenSelection
from gui.state.app_state import AppState
from gui.timeline import Timeline
from gui.views.main_views import MainViews


class ExportSnapshot:
    """A private copy of the window's export target `name`, as it looks now, for `trace` (the
    run on screen unless given), drawn at any tick with show_tick().

    The copy is a whole MainViews on its own AppState, so every view follows the private tick
    and selection as the window's do. A plot or panel target is then lifted out of its layout
    and given the size it has on screen; "window" is the copy of the window's views (sentence,
    words, panels, race strip and transport) at their size on screen."""

    def __init__(self, window, name: str, trace=None):
        self.trace = trace if trace is not None else window.state.timeline.trace
        if self.trace is None:
            raise ValueError("nothing to export: no run is shown")
        self.state = AppState()
        self._timeline = Timeline(None, self.state.timeline)
        self._selection = TokenSelection(None, self.state.selection)
        self.views = MainViews(self._timeline, self._selection, window.sentence_bar.sentence)
        self.state.show(self.trace, window.state.timeline.tick)
        self.state.selection.set_pinned(_pinned_within(window.state.selection.pinned, self.trace))
        self.views.copy_view_of(window.views)
        registry: ExportRegistry = register_views(self.views, self.views)
        if name not in registry or name not in window.export_targets:
            raise KeyError(f"the window has no export target {name!r}")
        self.widget = registry[name].widget
        on_screen = window.views if name == "window" else window.export_targets[name].widget
        if self.widget is not self.views:
            self.widget.setParent(None)  # out of the layout, so it keeps the size given here
        # Laid out and drawable like a shown widget, but never on a screen.
        self.widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        self.widget.resize(on_screen.size())
        self.widget.show()
        if self.widget is self.views:
            self.views.copy_scroll_of(window.views)

    @property
    def last_tick(self) -> int:
        return self.state.timeline.last_tick

    def show_tick(self, tick: int) -> None:
        self.state.timeline.set_tick(tick)

    def close(self) -> None:
        for widget in {self.widget, self.views}:  # hidden, not closed: a closed pyqtgraph plot
            widget.hide()                         # drops its plot item before it is deleted
            widget.deleteLater()
        for adapter in (self._timeline, self._selection):
            adapter.deleteLater()


def _pinned_within(pinned: int, trace) -> int | None:
    return pinned if 0 <= pinned < trace.length else None
