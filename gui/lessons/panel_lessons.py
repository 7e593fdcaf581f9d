"""Which lesson explains which part of the window: every panel and plot maps to a lesson id. F1
opens the lesson for whatever is under the mouse (the Lessons dock when nothing is), and each
panel's title carries a small "?" link to its own (its tooltip names the lesson)."""

from __future__ import annotations

from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QApplication, QWidget

from gui.lessons.runner import panels_of

PANEL_LESSONS = {  # panel name (as lessons' "highlight" names them) -> lesson id
    "sentence": "one-word",
    "tokens": "one-word",
    "rnn": "rnn-loop",
    "attention": "attention-qkv",
    "scan": "scan-lane",
    "gradient": "gradient-flow",
    "race": "complexity",
    "transport": "rnn-loop",
}
PLOT_LESSONS = {  # a plot's export name -> a lesson closer to it than its panel's
    "rnn-reach": "lossy-memory",
    "attention-x": "one-word",
    "attention-scores": "sqrt-dk-scaling",
}
LINKED_PANELS = ("rnn", "attention", "scan", "gradient", "race")  # the panels whose titles link
LINK_TEXT = "?"  # small: the panels' titles and live counters need the row's width


def lesson_for_widget(window, widget: QWidget | None) -> str | None:
    """The lesson for `widget` (a plot's own, else its panel's), or None outside every panel."""
    plots = {id(plot): name for name, plot in window.views.exportable()["plot"].items()}
    panels = {id(panel): name for name, panel in panels_of(window).items()}
    while widget is not None:
        if id(widget) in plots and plots[id(widget)] in PLOT_LESSONS:
            return PLOT_LESSONS[plots[id(widget)]]
        if id(widget) in panels:
            return PANEL_LESSONS[panels[id(widget)]]
        if widget is window:
            return None
        widget = widget.parentWidget()
    return None


def widget_under_mouse() -> QWidget | None:
    return QApplication.widgetAt(QCursor.pos())


def open_lesson_under_mouse(window) -> str | None:
    """Start the lesson for the panel under the mouse; with none there, open the Lessons dock.
    Returns the lesson started, or None."""
    lesson_id = lesson_for_widget(window, widget_under_mouse())
    dock = window.lesson_dock
    if lesson_id is not None and dock.start(lesson_id):
        return lesson_id
    dock.resume()
    return None


def link_panels_to_lessons(window, dock) -> None:
    """Show each linked panel's "?" link; a click starts its lesson on `dock`."""
    panels = panels_of(window)
    for name in LINKED_PANELS:
        lesson_id = PANEL_LESSONS[name]
        lesson = dock.lesson_named(lesson_id)
        tip = f"Lesson: {lesson.title}" if lesson is not None else "Lessons"
        panels[name].show_lesson_link(LINK_TEXT, tip)
        panels[name].lesson_requested.connect(
            lambda lesson_id=lesson_id: dock.start(lesson_id))
