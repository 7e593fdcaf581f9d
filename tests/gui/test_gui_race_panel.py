"""The race strip shows the median forward time with its spread, flags timings it cannot trust,
and says which model was faster only when the spreads allow it (fabricated timings, no clocks)."""

import dataclasses

import numpy as np
import pytest
from PySide6.QtGui import QColor

from engine.analysis.report import SMALL_N_ON_CPU, SMALL_N_ON_CPU_SHORT
from gui import style
from gui.views.panels.race_panel import RacePanel
from gui.timeline import Timeline
from model_record_helpers import SCAN_KEY, SCAN_NAME, with_scan


def _timed(trace, rnn_repeats, attention_repeats):
    """trace5 with chosen repeats: each RNN step takes a fifth of the pass, no projection."""
    T = trace.length
    rnn_repeats = None if rnn_repeats is None else np.array(rnn_repeats)
    attention_repeats = None if attention_repeats is None else np.array(attention_repeats)
    median = np.median(rnn_repeats if rnn_repeats is not None else [1e-3])
    rnn = dataclasses.replace(trace.rnn, forward_repeat_seconds=rnn_repeats,
                              projection_seconds=0.0, step_seconds=np.full(T, median / T))
    attention = dataclasses.replace(
        trace.attention, repeat_seconds=attention_repeats,
        seconds=float(np.median(attention_repeats if attention_repeats is not None else [2e-4])))
    return dataclasses.replace(trace, rnn=rnn, attention=attention)


@pytest.fixture
def show(qtbot):
    timeline = Timeline()
    panel = RacePanel(timeline)
    qtbot.addWidget(panel)

    def show_trace(trace, tick=None):
        timeline.set_trace(trace, trace.length if tick is None else tick)
        return panel

    return show_trace


def _time_cells(panel):
    return [panel.counters(key)[3] for key in ("rnn", "attention")]


def test_median_and_spread_are_shown_and_a_clear_order_is_stated(show, trace5):
    trace = _timed(trace5, [1.00e-3, 1.01e-3, 1.02e-3, 1.03e-3, 1.04e-3],
                   [2.00e-4, 2.02e-4, 2.04e-4, 2.06e-4, 2.08e-4])
    panel = show(trace)
    assert _time_cells(panel) == ["1.02 ms ±1%", "204 µs ±1%"]
    note = panel.timing_note.text()
    assert note == ("Measured forward passes on one CPU thread, median of 5 timed runs each: "
                    "attention was 5.0× faster, beyond the spread.")
    assert panel.timing_note.styleSheet() == ""


def test_the_rnn_time_grows_step_by_step_to_its_median(show, trace5):
    trace = _timed(trace5, [1e-3, 1e-3, 1e-3], [2e-4, 2e-4, 2e-4])
    panel = show(trace, tick=2)
    assert _time_cells(panel)[0] == "400 µs ±0%"  # 2 of 5 steps of a 1 ms pass


def test_attention_slower_at_a_few_words_is_explained(show, trace5):
    trace = _timed(trace5, [1.0e-4, 1.0e-4, 1.0e-4], [3.0e-4, 3.0e-4, 3.0e-4])
    note = show(trace).timing_note.text()
    assert "the RNN was 3.0× faster, beyond the spread." in note
    assert SMALL_N_ON_CPU_SHORT in note and "fixed-cost" in note
    assert SMALL_N_ON_CPU in show(trace).timing_note.toolTip()  # the whole reason, on hover


def test_unsteady_timings_are_flagged_not_ranked(show, trace5):
    trace = _timed(trace5, [1e-3, 1e-3, 3e-3, 4e-3, 4e-3], [2e-4, 2e-4, 2e-4])
    panel = show(trace)
    rnn_cell, attention_cell = _time_cells(panel)
    assert rnn_cell.endswith("⚠") and not attention_cell.endswith("⚠")
    note = panel.timing_note.text()
    assert "attention was 15.0× faster in the median, but the timings are unsteady" in note
    assert "beyond the spread" not in note
    assert "color" in panel.timing_note.styleSheet()


def test_overlapping_spreads_are_too_close_to_call(show, trace5):
    trace = _timed(trace5, [1.00e-3, 1.05e-3, 1.10e-3], [0.98e-3, 1.03e-3, 1.08e-3])
    assert "too close to call" in show(trace).timing_note.text()


def test_a_trace_saved_before_repeats_shows_its_single_measurement(show, trace5):
    panel = show(_timed(trace5, None, None))
    assert _time_cells(panel) == ["1.00 ms 1 run ⚠", "200 µs 1 run ⚠"]
    assert panel.timing_note.text().startswith("Measured forward passes, one measurement each (a "
                                                "trace saved before repeats were timed): ")


def test_path_lengths_are_counted_in_the_right_number(show, trace3):
    assert [show(trace3).counters(key)[1] for key in ("rnn", "attention")] == ["2 hops", "1 hop"]
    one_hop = dataclasses.replace(trace3.rnn.cost, max_path_length=1)  # as for a two-word sentence
    panel = show(dataclasses.replace(trace3, rnn=dataclasses.replace(trace3.rnn, cost=one_hop)))
    assert panel.counters("rnn")[1] == "1 hop"


def test_a_third_record_gets_a_row_with_its_own_counts(show, trace5):
    """Rows follow the trace's records: a made-up scan of ceil(log2 5) = 3 levels gets its own
    row, counted from its schedule, and the RNN's and attention's rows are as without it."""
    three = with_scan(trace5)
    scan = three.models[SCAN_KEY]
    two_panel_rows = []
    for tick in range(0, 11):
        two_panel_rows.append({key: show(trace5, tick).counters(key) for key in ("rnn", "attention")})
    for tick, steps, words in zip(range(0, 11), [0, 1, 2, 3] + [3] * 7, [0] * 6 + [2, 4, 5, 5, 5]):
        panel = show(three, tick)
        assert panel.model_keys() == ("rnn", "attention", SCAN_KEY)
        assert panel.model_name(SCAN_KEY) == SCAN_NAME
        assert panel.counters(SCAN_KEY) == (
            f"{steps} of 3", "6 hops", f"{1000 * steps:,}",
            f"{scan.elapsed_at(steps) * 1e6:.0f} µs ±0%", f"{words} of 5")
        assert panel.progress(SCAN_KEY) == pytest.approx(steps / 3)
        assert {key: panel.counters(key) for key in ("rnn", "attention")} == two_panel_rows[tick]
    assert QColor(style.OTHER_MODEL_COLOR).name() in panel.model_name_style(SCAN_KEY)
    assert show(trace5).model_keys() == ("rnn", "attention")  # a two-model run drops the row


def test_rows_stand_blank_before_a_trace_and_stay_when_it_goes(qtbot, trace5):
    timeline = Timeline()
    panel = RacePanel(timeline)
    qtbot.addWidget(panel)
    assert panel.model_keys() == ("rnn", "attention")  # every trace's models, as yet unnamed
    assert panel.model_name("rnn") == "" and panel.counters("attention") == ("–",) * 5
    assert QColor(style.ATTENTION_COLOR).name() in panel.model_name_style("attention")
    timeline.set_trace(trace5, 3)
    timeline.set_trace(None)
    assert panel.model_keys() == ("rnn", "attention")
    assert panel.counters("rnn")[0] == "3 of 5"
