"""The shared Timeline cursor: clamping, emitting only on change, set_trace order, start/end."""

from gui.timeline import Timeline


def test_empty_timeline_has_one_tick(qtbot):
    timeline = Timeline()
    assert (timeline.trace, timeline.tick, timeline.length, timeline.last_tick) == (None, 0, 0, 0)
    assert timeline.at_end is True
    with qtbot.assertNotEmitted(timeline.step_changed):
        timeline.set_tick(4)
        timeline.step_forward()
    assert timeline.tick == 0


def test_last_tick_is_2t(qtbot, trace5, trace3):
    timeline = Timeline()
    timeline.set_trace(trace5, 0)
    assert (timeline.length, timeline.last_tick) == (5, 10)
    timeline.set_trace(trace3, 0)
    assert (timeline.length, timeline.last_tick) == (3, 6)


def test_set_tick_clamps_below_zero_and_above_the_end(qtbot, trace5):
    timeline = Timeline()
    timeline.set_trace(trace5, 4)
    with qtbot.waitSignal(timeline.step_changed) as blocker:
        timeline.set_tick(-7)
    assert blocker.args == [0]
    assert timeline.tick == 0
    with qtbot.waitSignal(timeline.step_changed) as blocker:
        timeline.set_tick(500)
    assert blocker.args == [10]
    assert timeline.tick == 10
    timeline.set_tick(3.9)  # whole ticks only
    assert timeline.tick == 3


def test_step_changed_only_on_a_real_change(qtbot, trace5):
    timeline = Timeline()
    timeline.set_trace(trace5, 10)
    with qtbot.assertNotEmitted(timeline.step_changed):
        timeline.set_tick(10)
        timeline.set_tick(11)
        timeline.step_forward()
        timeline.go_end()
    timeline.go_start()
    with qtbot.assertNotEmitted(timeline.step_changed):
        timeline.step_back()
        timeline.set_tick(-1)
    ticks = []
    timeline.step_changed.connect(ticks.append)
    timeline.step_forward()
    timeline.step_forward()
    timeline.set_tick(2)
    timeline.step_back()
    assert ticks == [1, 2, 1]


def test_set_trace_emits_trace_changed_then_step_changed(qtbot, trace5, trace3):
    timeline = Timeline()
    events = []
    timeline.trace_changed.connect(lambda trace: events.append(("trace", trace.length, timeline.tick)))
    timeline.step_changed.connect(lambda tick: events.append(("step", tick)))
    with qtbot.waitSignals([timeline.trace_changed, timeline.step_changed], order="strict"):
        timeline.set_trace(trace5, 7)
    assert events == [("trace", 5, 0), ("step", 7)]
    events.clear()
    timeline.set_trace(trace5)  # same tick is kept, and still redrawn
    assert events == [("trace", 5, 7), ("step", 7)]
    events.clear()
    timeline.set_trace(trace3)  # kept where it fits: 7 is past 2T = 6
    assert events == [("trace", 3, 7), ("step", 6)]
    assert timeline.tick == 6
    assert timeline.trace is trace3


def test_set_trace_with_a_tick_clamps_it(qtbot, trace3):
    timeline = Timeline()
    with qtbot.waitSignal(timeline.step_changed) as blocker:
        timeline.set_trace(trace3, 100)
    assert blocker.args == [6]
    timeline.set_trace(trace3, -4)
    assert timeline.tick == 0


def test_go_start_go_end_and_at_end(qtbot, trace5):
    timeline = Timeline()
    timeline.set_trace(trace5, 3)
    assert timeline.at_end is False
    with qtbot.waitSignal(timeline.step_changed) as blocker:
        timeline.go_end()
    assert blocker.args == [10]
    assert timeline.at_end is True
    with qtbot.waitSignal(timeline.step_changed) as blocker:
        timeline.go_start()
    assert blocker.args == [0]
    assert (timeline.tick, timeline.at_end) == (0, False)


def test_set_trace_none_empties_the_cursor(qtbot, trace5):
    timeline = Timeline()
    timeline.set_trace(trace5, 6)
    events = []
    timeline.trace_changed.connect(lambda trace: events.append(("trace", trace)))
    timeline.step_changed.connect(lambda tick: events.append(("step", tick)))
    timeline.set_trace(None)
    assert events == [("trace", None), ("step", 0)]
    assert (timeline.trace, timeline.tick, timeline.last_tick) == (None, 0, 0)
