"""Keyboard shortcuts on a shown main window: arrows step, Home/End jump, Space plays and pauses."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

# ms: ten ticks at 60 per second take 0.2 s; a loaded CI machine may repaint far slower, and a
# wait ends as soon as its condition holds, so a generous limit costs nothing when all is well
PLAYBACK_TIMEOUT = 60_000


@pytest.fixture
def window(make_window, qtbot, trace5):
    window = make_window(show=True)
    window.timeline.set_trace(trace5, 0)
    window.rnn_panel.setFocus()  # not the sentence editor, which keeps its keys for typing
    qtbot.waitUntil(lambda: window.focusWidget() is window.rnn_panel)
    window.transport.set_speed(0.25)  # playback never advances on its own during these tests
    return window


def key(window, name):
    QTest.keyClick(window.focusWidget() or window, name)


def test_right_and_left_step(window):
    key(window, Qt.Key.Key_Right)
    key(window, Qt.Key.Key_Right)
    assert window.timeline.tick == 2
    key(window, Qt.Key.Key_Left)
    assert window.timeline.tick == 1
    key(window, Qt.Key.Key_Left)
    key(window, Qt.Key.Key_Left)  # clamped at 0
    assert window.timeline.tick == 0
    assert window.transport.tick_label.text() == "tick 0 of 10, start"


def test_home_and_end(window):
    key(window, Qt.Key.Key_End)
    assert window.timeline.tick == 10
    assert window.transport.scrubber.value() == 10
    key(window, Qt.Key.Key_Right)  # clamped at 2T
    assert window.timeline.tick == 10
    key(window, Qt.Key.Key_Home)
    assert window.timeline.tick == 0


def test_space_toggles_play(qtbot, window):
    with qtbot.waitSignal(window.transport.playing_changed) as blocker:
        key(window, Qt.Key.Key_Space)
    assert blocker.args == [True]
    assert window.transport.playing is True
    with qtbot.waitSignal(window.transport.playing_changed) as blocker:
        key(window, Qt.Key.Key_Space)
    assert blocker.args == [False]
    assert window.transport.playing is False


def test_space_plays_to_the_end(qtbot, window):
    window.transport.set_speed(60)
    key(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.timeline.tick == 10 and not window.transport.playing, timeout=PLAYBACK_TIMEOUT)
    assert window.transport.tick_label.text() == "tick 10 of 10, backward phase"


def test_keys_typed_in_the_sentence_editor_stay_there(qtbot, window):
    line = window.sentence_bar.editor.lineEdit()
    line.setFocus()
    qtbot.waitUntil(line.hasFocus)
    line.setText("ab")
    line.setCursorPosition(2)
    QTest.keyClick(line, Qt.Key.Key_Left)
    QTest.keyClick(line, Qt.Key.Key_Space)
    assert line.text() == "a b"
    assert window.timeline.tick == 0
    assert window.transport.playing is False


def test_actions_carry_the_documented_shortcuts(window):
    shortcuts = {action.text(): action.shortcut().toString() for action in window.actions()}
    assert shortcuts["Play / pause"] == "Space"
    assert shortcuts["Step forward"] == "Right"
    assert shortcuts["Step back"] == "Left"
    assert shortcuts["Go to start"] == "Home"
    assert shortcuts["Go to end"] == "End"
    assert shortcuts["&Run"] == "Ctrl+R"
