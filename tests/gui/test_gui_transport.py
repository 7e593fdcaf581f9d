"""The transport bar: QTimer playback over the Timeline, pause, restart at the end, scrubber, readout."""

import pytest

from gui.timeline import Timeline
from gui.views.transport import DEFAULT_SPEED, TransportBar

# ms: ten ticks at 60 per second take 0.2 s; a loaded CI machine may repaint far slower, and a
# wait ends as soon as its condition holds, so a generous limit costs nothing when all is well
PLAYBACK_TIMEOUT = 60_000


@pytest.fixture
def bar(qtbot, trace5):
    timeline = Timeline()
    transport = TransportBar(timeline)
    qtbot.addWidget(transport)
    timeline.set_trace(trace5, 0)
    yield transport, timeline
    transport.pause()


def test_disabled_without_a_trace(qtbot):
    timeline = Timeline()
    transport = TransportBar(timeline)
    qtbot.addWidget(transport)
    assert transport.play_button.isEnabled() is False
    assert transport.scrubber.isEnabled() is False
    assert transport.tick_label.text() == "tick 0 of 0, start"
    transport.play()
    assert transport.playing is False


def test_trace_sets_the_scrubber_range_and_label(bar):
    transport, timeline = bar
    assert (transport.scrubber.minimum(), transport.scrubber.maximum()) == (0, 10)
    assert transport.play_button.isEnabled() is True
    assert transport.tick_label.text() == "tick 0 of 10, start"
    assert transport.speed_box.value() == DEFAULT_SPEED


def test_play_runs_to_the_end_and_stops(qtbot, bar):
    transport, timeline = bar
    transport.set_speed(60)
    seen = []
    timeline.step_changed.connect(seen.append)
    with qtbot.waitSignal(transport.playing_changed) as started:
        transport.play()
    assert started.args == [True]
    assert transport.playing is True
    assert transport.tick_interval_ms == 17  # 1000 / 60 ticks per second
    with qtbot.waitSignal(transport.playing_changed, timeout=PLAYBACK_TIMEOUT) as stopped:
        pass
    assert stopped.args == [False]
    qtbot.waitUntil(lambda: timeline.tick == 10 and not transport.playing, timeout=PLAYBACK_TIMEOUT)
    assert seen == list(range(1, 11))  # every tick, one at a time, none skipped
    assert transport.tick_label.text() == "tick 10 of 10, backward phase"


def test_pause_stops_the_timer(qtbot, bar):
    transport, timeline = bar
    transport.set_speed(60)
    transport.play()
    qtbot.waitUntil(lambda: timeline.tick >= 2, timeout=PLAYBACK_TIMEOUT)
    with qtbot.waitSignal(transport.playing_changed) as blocker:
        transport.pause()
    assert blocker.args == [False]
    stopped_at = timeline.tick
    assert transport.playing is False
    with qtbot.assertNotEmitted(timeline.step_changed, wait=100):
        pass
    assert timeline.tick == stopped_at < 10


def test_toggle_play(qtbot, bar):
    transport, timeline = bar
    transport.toggle_play()
    assert transport.playing is True
    transport.toggle_play()
    assert transport.playing is False


def test_play_at_the_end_restarts_from_zero(qtbot, bar):
    transport, timeline = bar
    timeline.go_end()
    transport.set_speed(0.25)  # slow: the first timer tick is 4 s away
    with qtbot.waitSignal(timeline.step_changed) as blocker:
        transport.play()
    assert blocker.args == [0]
    assert (timeline.tick, transport.playing) == (0, True)


def test_play_button_click_starts_playback(qtbot, bar):
    from PySide6.QtCore import Qt

    transport, timeline = bar
    transport.set_speed(0.25)
    qtbot.mouseClick(transport.play_button, Qt.MouseButton.LeftButton)
    assert transport.playing is True
    qtbot.mouseClick(transport.forward_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(transport.forward_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(transport.back_button, Qt.MouseButton.LeftButton)
    assert timeline.tick == 1
    qtbot.mouseClick(transport.end_button, Qt.MouseButton.LeftButton)
    assert timeline.tick == 10
    qtbot.mouseClick(transport.reset_button, Qt.MouseButton.LeftButton)
    assert timeline.tick == 0


def test_changing_speed_while_playing_changes_the_interval(bar):
    transport, _timeline = bar
    transport.set_speed(0.5)
    transport.play()
    assert transport.tick_interval_ms == 2000
    transport.set_speed(4)
    assert transport.tick_interval_ms == 250


def test_scrubber_moves_the_timeline(qtbot, bar):
    transport, timeline = bar
    with qtbot.waitSignal(timeline.step_changed) as blocker:
        transport.scrubber.setValue(7)
    assert blocker.args == [7]
    assert timeline.tick == 7
    assert transport.tick_label.text() == "tick 7 of 10, backward phase"


def test_scrubber_follows_the_timeline(qtbot, bar):
    transport, timeline = bar
    timeline.set_tick(3)
    assert transport.scrubber.value() == 3
    assert transport.tick_label.text() == "tick 3 of 10, forward phase"
    timeline.go_end()
    assert transport.scrubber.value() == 10
    timeline.step_back()
    assert transport.scrubber.value() == 9


def test_scrubber_echo_does_not_loop_back(qtbot, bar):
    transport, timeline = bar
    timeline.set_tick(4)
    with qtbot.assertNotEmitted(transport.scrubber.valueChanged):
        timeline.set_tick(5)
    assert transport.scrubber.value() == 5


def test_new_shorter_trace_shrinks_the_scrubber(qtbot, bar, trace3):
    transport, timeline = bar
    timeline.set_tick(9)
    timeline.set_trace(trace3)
    assert transport.scrubber.maximum() == 6
    assert transport.scrubber.value() == 6
    assert transport.tick_label.text() == "tick 6 of 6, backward phase"


def test_clearing_the_trace_stops_playback(qtbot, bar):
    transport, timeline = bar
    transport.set_speed(0.25)
    transport.play()
    timeline.set_trace(None)
    assert transport.playing is False
    assert transport.play_button.isEnabled() is False
