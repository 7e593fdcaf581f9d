"""Lessons on a real (offscreen) window: every step of every packaged lesson applies, Back puts the
view back as it was, Leave keeps it, and the highlight outlines the panel a step names."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QKeySequence

from gui.lessons.dock import LAST_STEP_SETTING, OPEN_KEY, LessonDock
from gui.lessons.files import PANELS
from gui.lessons.runner import panels_of

SETTLE_TIMEOUT = 60_000  # ms: a lesson's preset may run D = 512 on a busy machine


@pytest.fixture
def window(make_window):
    return make_window(show=True, size=(1600, 1000))


@pytest.fixture
def dock(qtbot, window):
    """The window's Lessons dock, shown: the highlight shows only beside the lesson's text."""
    dock = window.lesson_dock
    dock.show()
    dock.raise_()  # in front of the Parameters tab it shares
    qtbot.waitUntil(lambda: not dock.widget().visibleRegion().isEmpty())
    return dock


def settle(qtbot, dock, failures=None):
    """Wait until the step's run (if any) has arrived and its tick and pin are applied."""
    qtbot.waitUntil(lambda: not dock.runner.waiting, timeout=SETTLE_TIMEOUT)


def view_of(window):
    state = window.state
    return (state.sentence, state.config, state.timeline.tick, state.selection.pinned,
            window.lesson_dock.runner.highlight.panel)


def test_every_step_applies_and_back_restores_the_view_before_it(qtbot, window, dock):
    failures = []
    dock.runner.failed.connect(failures.append)
    for lesson in dock.lessons:
        assert dock.start(lesson.id)
        settle(qtbot, dock)
        for number in range(1, len(lesson.steps)):
            before = view_of(window)
            assert dock.runner.next()
            settle(qtbot, dock)
            after = view_of(window)
            assert dock.runner.back()
            settle(qtbot, dock)
            assert view_of(window) == before, f"{lesson.id}, Back from step {number + 1}"
            assert dock.runner.next()
            settle(qtbot, dock)
            assert view_of(window) == after, f"{lesson.id}, step {number + 1} again"
    assert failures == []


def test_a_step_shows_its_tick_and_pin_once_its_run_arrives(qtbot, window, dock):
    dock.start("lossy-memory", 1)
    assert dock.runner.waiting  # the sentence runs on the worker
    settle(qtbot, dock)
    assert window.state.sentence == "The cat that the dog chased ran up the tree."
    assert window.timeline.tick == 11 and window.selection.pinned == 0
    assert not window.transport.playing  # the window plays a new sentence; a lesson holds still
    assert window.state.config.d_model == 8  # the Readable preset


def test_final_tick_means_the_last_tick(qtbot, window, dock):
    dock.start("gradient-flow", 1)  # its second step goes to the final tick
    settle(qtbot, dock)
    assert window.timeline.tick == window.timeline.last_tick == 2 * window.timeline.length


def test_steps_taken_faster_than_their_runs_land_on_the_last_step(qtbot, window, dock):
    dock.start("gradient-flow")
    dock.runner.next()
    dock.runner.next()  # supersedes the runs still on their way
    settle(qtbot, dock)
    assert window.state.sentence.startswith("The old man who lived by the sea")
    assert window.timeline.tick == window.timeline.last_tick
    assert window.selection.pinned == 0
    assert dock.counter.text() == "step 3 of 3"


def test_leaving_keeps_the_view_and_removes_the_highlight(qtbot, window, dock):
    dock.start("memory-access", 1)
    settle(qtbot, dock)
    sentence, config, tick, pinned, _ = view_of(window)
    assert dock.runner.highlight.isVisible()
    dock.leave_button.click()
    assert view_of(window) == (sentence, config, tick, pinned, None)
    assert not dock.runner.highlight.isVisible()
    assert not dock.leave_button.isEnabled() and not dock.next_button.isEnabled()


def test_the_dock_counts_steps_and_enables_its_buttons(qtbot, window, dock):
    dock.start("rnn-loop")
    settle(qtbot, dock)
    assert dock.counter.text() == "step 1 of 4"
    assert not dock.back_button.isEnabled() and dock.next_button.isEnabled()
    dock.next_button.click()
    assert dock.counter.text() == "step 2 of 4"
    assert "Tick 2" in dock.text.text()
    assert dock.back_button.isEnabled()
    dock.back_button.click()
    assert dock.counter.text() == "step 1 of 4"


@pytest.mark.parametrize("name", PANELS)
def test_the_highlight_covers_the_named_panel(qtbot, window, dock, name):
    if name == "scan":  # the scan lane's panel shows for runs with a scan
        from engine import SimConfig, simulate

        window.timeline.set_trace(simulate("the cat sat", SimConfig(d_model=4, hidden_size=4,
                                                                    head_size=2, scan=True)), 0)
        qtbot.waitUntil(lambda: panels_of(window)["scan"].height() > 0)
    overlay = dock.runner.highlight
    overlay.show_panel(name)
    panel = panels_of(window)[name]
    assert overlay.isVisible() and overlay.geometry() == window.views.rect()
    expected = QRect(panel.mapTo(window.views, QPoint(0, 0)), panel.size())
    assert overlay.target_rect() == expected.intersected(window.views.rect())
    assert not overlay.target_rect().isEmpty()


def test_the_highlight_follows_a_resize(qtbot, window, dock):
    overlay = dock.runner.highlight
    overlay.show_panel("gradient")
    window.resize(1280, 800)
    panel = window.gradient_panel
    qtbot.waitUntil(lambda: overlay.geometry() == window.views.rect())
    expected = QRect(panel.mapTo(window.views, QPoint(0, 0)), panel.size())
    assert overlay.target_rect() == expected.intersected(overlay._visible_area(panel))
    overlay.show_panel(None)
    assert not overlay.isVisible() and overlay.panel is None


def test_help_lessons_opens_the_dock_on_the_remembered_step(qtbot, window, dock):
    dock.close()
    window.settings.setValue(LAST_STEP_SETTING, "rnn-loop 2")
    action = next(a for a in window.actions() if a.shortcut() == QKeySequence(OPEN_KEY))
    action.trigger()
    settle(qtbot, dock)
    assert dock.isVisible()
    assert dock.counter.text() == "step 3 of 4" and window.timeline.tick == 3


def test_a_damaged_remembered_step_opens_the_list(qtbot, window, dock):
    dock.close()
    window.settings.setValue(LAST_STEP_SETTING, "no-such-lesson 99")
    dock.resume()
    assert dock.isVisible() and dock.runner.lesson is None
    assert dock.counter.text() == ""


def test_walking_remembers_the_lesson_and_step(qtbot, window, dock):
    dock.start("one-word")
    dock.runner.next()
    assert window.settings.value(LAST_STEP_SETTING) == "one-word 1"


def test_no_two_window_actions_share_a_shortcut(window):
    keys = [action.shortcut().toString() for action in window.actions()
            if not action.shortcut().isEmpty()]
    assert len(keys) == len(set(keys)), sorted(keys)


def test_a_broken_lesson_is_named_in_the_dock_and_the_others_load(qtbot, window, tmp_path):
    (tmp_path / "a.json").write_text(
        '{"id": "a", "title": "Fine", "steps": [{"text": "x", "actions": [{"tick": 1}]}]}',
        encoding="utf-8")
    (tmp_path / "b.json").write_text(
        '{"id": "b", "title": "Broken", "steps": [{"text": "x", "actions": [{"jump": 1}]}]}',
        encoding="utf-8")
    other = LessonDock(window, window.settings, folder=tmp_path)
    assert [lesson.id for lesson in other.lessons] == ["a"]
    assert other.lesson_list.count() == 1
    assert "b.json" in other.problem_label.text() and "step 1" in other.problem_label.text()
    assert not other.problem_label.isHidden()


def test_closing_the_dock_hides_the_highlight_until_it_shows_again(qtbot, window, dock):
    dock.start("rnn-loop")
    settle(qtbot, dock)
    overlay = dock.runner.highlight
    assert dock.isVisible() and overlay.isVisible()
    dock.close()
    qtbot.waitUntil(lambda: not overlay.isVisible())
    assert overlay.panel == "rnn" and dock.runner.lesson is not None
    dock.show()
    qtbot.waitUntil(overlay.isVisible)
    assert overlay.panel == "rnn"


def test_alt_arrows_walk_the_lesson_and_plain_arrows_still_step_the_clock(qtbot, window, dock):
    from PySide6.QtCore import Qt

    dock.start("rnn-loop")
    settle(qtbot, dock)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert dock.runner.index == 1 and window.timeline.tick == 2
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert dock.runner.index == 1 and window.timeline.tick == 3
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert dock.runner.index == 0 and window.timeline.tick == 1
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert dock.runner.lesson is None and window.timeline.tick == 1


def test_a_run_of_the_users_own_replaces_the_steps_and_keeps_its_view(qtbot, window, dock):
    failures = []
    dock.runner.failed.connect(failures.append)
    dock.start("lossy-memory")
    assert dock.runner.waiting
    with qtbot.waitSignal(window.runner.finished, timeout=SETTLE_TIMEOUT):
        window.run("Dogs chase red cats")
    assert not dock.runner.waiting
    assert window.state.sentence == "Dogs chase red cats"
    assert window.selection.pinned == -1  # the step's pin was not forced onto this run
    assert failures and "replaced" in failures[0]


def test_a_step_opens_a_lab_and_back_closes_it(qtbot, window, dock):
    lesson = dock.lesson_named("scan-lane")
    last = len(lesson.steps) - 1
    assert dock.start("scan-lane", last - 1)
    settle(qtbot, dock)
    assert window.deer_lab is None or not window.deer_lab.isVisible()
    assert dock.runner.next()
    settle(qtbot, dock)
    assert window.deer_lab.isVisible()
    assert dock.runner.back()
    settle(qtbot, dock)
    assert not window.deer_lab.isVisible()


def test_the_similarity_step_shows_the_cosine_table_of_the_run_on_screen(qtbot, window, dock):
    assert dock.start("one-word", 2)
    settle(qtbot, dock)
    assert dock.similarity.isVisible()
    text = dock.similarity.text()
    assert "random, seed" in text and text.count("cat") == 2  # a row and a column
    assert dock.runner.back()
    settle(qtbot, dock)
    assert not dock.similarity.isVisible()
