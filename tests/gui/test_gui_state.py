"""The app state is plain Python: it loads no Qt, behaves as the views expect (clamped ticks,
events only on change), and driving it moves every view of a window."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gui.state.app_state import AppState
from gui.state.events import Event
from gui.state.selection import NONE, SelectionState
from gui.state.timeline import TimelineState

REPO = Path(__file__).resolve().parents[2]


def test_the_state_loads_no_qt():
    probe = ("import json, sys\nimport gui.state.app_state\n"
             "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                            text=True, timeout=60, check=True)
    modules = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert "gui" in modules
    assert not modules & {"PySide6", "shiboken6", "pyqtgraph", "torch"}


def test_an_event_calls_its_callbacks_in_order_and_forgets_disconnected_ones():
    event, calls = Event(), []
    first = lambda value: calls.append(("first", value))  # noqa: E731
    event.connect(first)
    event.connect(lambda value: calls.append(("second", value)))
    event.emit(3)
    event.disconnect(first)
    event.emit(4)
    assert calls == [("first", 3), ("second", 3), ("second", 4)]
    with pytest.raises(ValueError):
        event.disconnect(first)


def test_the_timeline_clamps_and_emits_only_on_change(trace3):
    timeline, ticks, traces = TimelineState(), [], []
    timeline.step_changed.connect(ticks.append)
    timeline.trace_changed.connect(traces.append)
    timeline.set_tick(5)  # no trace: only tick 0 exists
    assert timeline.tick == 0 and ticks == []
    timeline.set_trace(trace3, 99)
    assert traces == [trace3] and timeline.tick == timeline.last_tick == 6 and ticks == [6]
    timeline.set_tick(6)
    timeline.step_forward()
    assert ticks == [6]
    timeline.step_back()
    timeline.go_start()
    assert ticks == [6, 5, 0] and not timeline.at_end
    timeline.set_trace(trace3)  # the same tick is drawn again for the new trace
    assert ticks == [6, 5, 0, 0]


def test_the_selection_prefers_the_hovered_token_and_emits_only_on_change():
    selection, seen = SelectionState(), []
    selection.changed.connect(seen.append)
    selection.toggle_pinned(2)
    selection.set_hovered(4)
    selection.set_hovered(4)
    selection.set_hovered(None)
    selection.toggle_pinned(2)
    assert seen == [2, 4, 2, NONE]


def test_driving_the_state_moves_every_view_of_a_window(qtbot, make_window, trace5):
    window = make_window(show=True)
    state: AppState = window.state
    state.show(trace5, 3)
    assert window.timeline.tick == 3 and window.transport.scrubber.value() == 3
    assert window.rnn_panel.hidden_view.axis_words("left") == list(trace5.tokens)
    state.timeline.go_end()
    assert window.timeline.at_end and window.transport.scrubber.value() == state.timeline.last_tick
    state.selection.set_pinned(1)
    assert window.selection.current == 1


def test_a_run_request_reaches_whoever_listens():
    state, asked = AppState(), []
    state.run_requested.connect(lambda sentence, config: asked.append((sentence, config)))
    state.request_run("Dogs bark", None)
    assert asked == [("Dogs bark", None)]
    assert state.sentence == "" and state.config is None  # set by the window when it runs


def test_a_script_runs_a_sentence_through_the_state(qtbot, make_window):
    from engine import SimConfig
    from window_helpers import RUN_TIMEOUT

    window = make_window(show=True)
    config = SimConfig(d_model=6, hidden_size=5, head_size=3, seed=2)
    with qtbot.waitSignal(window.runner.finished, timeout=RUN_TIMEOUT) as blocker:
        window.state.request_run("Dogs bark at night", config)
    trace = blocker.args[0]
    assert trace.sentence == "Dogs bark at night" and trace.config == config
    assert window.sentence_bar.sentence == "Dogs bark at night"
    assert window.parameters.config() == config
    assert (window.state.sentence, window.state.config) == ("Dogs bark at night", config)
    qtbot.waitUntil(lambda: window.state.timeline.trace is trace)
