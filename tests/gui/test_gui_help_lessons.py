"""F1 opens the lesson for the panel under the mouse, every panel title links to its lesson, and
Help → Keyboard shortcuts lists every shortcut the window's actions define."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu

from gui.lessons import panel_lessons
from gui.lessons.dock import PANEL_LESSON_KEY
from gui.lessons.files import PANELS
from gui.lessons.panel_lessons import (LINK_TEXT, LINKED_PANELS, PANEL_LESSONS, PLOT_LESSONS,
                                       lesson_for_widget)
from gui.lessons.runner import panels_of
from gui.shortcut_list import keys_text, plain, shortcut_rows, show_shortcuts

SETTLE_TIMEOUT = 60_000  # ms


@pytest.fixture
def window(make_window):
    return make_window(show=True, size=(1600, 1000))


def test_every_panel_and_plot_maps_to_a_packaged_lesson(window):
    ids = {lesson.id for lesson in window.lesson_dock.lessons}
    assert set(PANEL_LESSONS) == set(PANELS) == set(panels_of(window))
    assert set(PANEL_LESSONS.values()) <= ids and set(PLOT_LESSONS.values()) <= ids
    assert set(PLOT_LESSONS) <= set(window.views.exportable()["plot"])
    for name, plot in window.views.exportable()["plot"].items():
        assert lesson_for_widget(window, plot) in ids, name


def test_a_widget_inside_a_panel_maps_to_its_panels_lesson(window):
    rnn_plot = window.views.exportable()["plot"]["rnn-hidden"]
    assert lesson_for_widget(window, rnn_plot.viewport()) == "rnn-loop"
    scores = window.views.exportable()["plot"]["attention-scores"]
    assert lesson_for_widget(window, scores) == "sqrt-dk-scaling"
    assert lesson_for_widget(window, window.race_panel) == "complexity"
    assert lesson_for_widget(window, window.parameters) is None
    assert lesson_for_widget(window, None) is None


def f1_action(window):
    return next(a for a in window.actions() if a.shortcut() == QKeySequence(PANEL_LESSON_KEY))


def test_f1_opens_the_lesson_under_the_mouse(qtbot, window, monkeypatch):
    monkeypatch.setattr(panel_lessons, "widget_under_mouse", lambda: window.gradient_panel)
    f1_action(window).trigger()
    dock = window.lesson_dock
    assert dock.isVisible() and dock.runner.lesson.id == "gradient-flow"
    qtbot.waitUntil(lambda: not dock.runner.waiting, timeout=SETTLE_TIMEOUT)


def test_f1_without_a_panel_under_the_mouse_opens_the_dock(qtbot, window, monkeypatch):
    monkeypatch.setattr(panel_lessons, "widget_under_mouse", lambda: None)
    f1_action(window).trigger()
    assert window.lesson_dock.isVisible() and window.lesson_dock.runner.lesson is None


@pytest.mark.parametrize("name", LINKED_PANELS)
def test_each_panel_title_links_to_its_lesson(qtbot, window, name):
    panel = panels_of(window)[name]
    if name == "scan":  # the scan lane's panel shows for runs with a scan
        from engine import SimConfig, simulate

        window.timeline.set_trace(simulate("the cat sat", SimConfig(d_model=4, hidden_size=4,
                                                                    head_size=2, scan=True)), 0)
    assert panel.lesson_link.isVisible() and LINK_TEXT in panel.lesson_link.text()
    panel.lesson_link.linkActivated.emit("lesson")
    assert window.lesson_dock.runner.lesson.id == PANEL_LESSONS[name]
    qtbot.waitUntil(lambda: not window.lesson_dock.runner.waiting, timeout=SETTLE_TIMEOUT)


def test_every_panel_of_the_window_links_to_a_lesson(window):
    """Every panel the window exports (a new panel included) shows a link to its lesson."""
    panels = window.views.exportable()["panel"]
    assert len(panels) >= 4
    for name, panel in panels.items():
        link = getattr(panel, "lesson_link", None)
        assert link is not None and link.isVisible(), name
        assert link.toolTip().startswith("Lesson: "), name


def test_the_shortcut_list_holds_every_action_with_a_shortcut(qtbot, window):
    listed = {(name, keys) for _menu, name, keys in shortcut_rows(window)}
    actions = [action for action in window.findChildren(QAction) if action.shortcuts()]
    assert len(actions) >= 15
    for action in actions:
        assert (plain(action.text()), keys_text(action)) in listed, action.text()
    dialog = show_shortcuts(window)
    assert not dialog.isModal() and QApplication.activeModalWidget() is None
    rows = dialog.rows()
    assert ("Help", "Lesson for the panel under the mouse", "F1") in rows
    assert any(row[1] == "Next" and row[0] == "Window" for row in rows)
    assert len(rows) == len(listed)


def test_the_shortcut_list_follows_a_new_action(qtbot, window):
    menu = next(menu for menu in window.menuBar().findChildren(QMenu)
                if plain(menu.title()) == "File")
    action = QAction("Brand new", window)
    action.setShortcut(QKeySequence("Ctrl+Shift+F12"))
    menu.addAction(action)
    assert ("File", "Brand new", QKeySequence("Ctrl+Shift+F12").toString(
        QKeySequence.SequenceFormat.NativeText)) in show_shortcuts(window).rows()
