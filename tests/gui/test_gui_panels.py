"""Every panel shows exactly what the clock has revealed at each tick: rows, curves, counters."""

import re

import numpy as np
import pytest

from engine import simulate
from engine.core import clock
from gui.views.panels.attention_panel import AttentionPanel
from gui.views.panels.gradient_panel import GradientPanel
from gui.views.panels.race_panel import RacePanel
from gui.views.panels.rnn_panel import RNNPanel
from gui.selection import TokenSelection
from gui.timeline import Timeline
from gui.views.token_strip import TokenStrip

T = 5
TICKS = [0, 1, 3, 5, 6, 8, 10]


@pytest.fixture
def models():
    return Timeline(), TokenSelection()


def covered_rows(view) -> int:
    """Rows hidden under the cover rectangle, checked against its geometry."""
    rows, cols = view.matrix.shape
    rect = view.row_cover_rect
    if rect is None:
        return 0
    x, y, width, height = rect
    assert (x, width, y + height) == (0, cols, rows)
    return int(height)


def points(curve) -> np.ndarray:
    x, _y = curve.getData()
    return np.zeros(0) if x is None else np.asarray(x)


@pytest.mark.parametrize("tick", TICKS)
def test_rnn_hidden_rows_follow_the_clock(qtbot, models, trace5, tick):
    timeline, selection = models
    panel = RNNPanel(timeline, selection)
    qtbot.addWidget(panel)
    timeline.set_trace(trace5, tick)
    view = panel.hidden_view
    expected = clock.rnn_rows_revealed(tick, T)
    assert view.matrix.shape == (T, 4)
    np.testing.assert_array_equal(view.matrix, trace5.rnn.hidden)
    assert view.revealed_rows == expected
    assert covered_rows(view) == T - expected
    if expected < T:
        assert view.row_cover_rect == (0, expected, 4, T - expected)
    assert panel.counter_label.text() == f"sequential step {expected} of {T}"
    forward = 1 <= tick <= T
    assert (view.marker_rect is not None) is forward  # the newest row is outlined going forward
    assert view.marker_row == (tick - 1 if forward else None)
    if forward:
        assert view.marker_rect == (0, tick - 1, 4, 1)
    assert len(panel.reach.bar_centres) == expected  # one bar per word that reaches the newest state


def test_rnn_rows_shrink_when_scrubbing_back(qtbot, models, trace5):
    timeline, selection = models
    panel = RNNPanel(timeline, selection)
    qtbot.addWidget(panel)
    timeline.set_trace(trace5, 10)
    assert covered_rows(panel.hidden_view) == 0
    timeline.set_tick(2)
    assert panel.hidden_view.revealed_rows == 2
    assert panel.hidden_view.row_cover_rect == (0, 2, 4, 3)
    assert panel.counter_label.text() == "sequential step 2 of 5"
    timeline.set_tick(0)
    assert panel.hidden_view.row_cover_rect == (0, 0, 4, 5)


@pytest.mark.parametrize("tick", TICKS)
def test_attention_is_all_there_from_tick_one(qtbot, models, trace5, tick):
    timeline, selection = models
    panel = AttentionPanel(timeline, selection)
    qtbot.addWidget(panel)
    timeline.set_trace(trace5, tick)
    shown = T if tick >= 1 else 0
    assert set(panel.views) == {"x", "q", "k", "v", "scores", "weights", "output"}
    for key, view in panel.views.items():
        assert view.revealed_rows == shown, key
        assert covered_rows(view) == T - shown, key
    counter = panel.counter_label.text()
    if tick >= 1:  # "sequential step 1 of 1 — all 5 words at once" or a shorter wording
        assert re.fullmatch(r"sequential step 1 of 1\W+all 5 words( at once)?", counter), counter
    else:
        assert counter == "sequential step 0 of 1"


def test_attention_maps_hold_the_trace_numbers(qtbot, models, trace5):
    timeline, selection = models
    panel = AttentionPanel(timeline, selection)
    qtbot.addWidget(panel)
    timeline.set_trace(trace5, 1)
    attn = trace5.attention
    np.testing.assert_array_equal(panel.views["scores"].matrix, attn.scores[0])
    np.testing.assert_array_equal(panel.views["weights"].matrix, attn.weights[0])
    np.testing.assert_array_equal(panel.views["q"].matrix, attn.q[0])
    assert panel.views["weights"].matrix.shape == (T, T)
    np.testing.assert_allclose(panel.views["weights"].matrix.sum(axis=1), np.ones(T))
    assert panel.head_box.isHidden() is True  # one head: no head chooser


def test_attention_head_chooser_switches_head_and_keeps_reveal(qtbot, models, trace4_two_heads):
    timeline, selection = models
    panel = AttentionPanel(timeline, selection)
    qtbot.addWidget(panel)
    timeline.set_trace(trace4_two_heads, 0)
    assert panel.head_box.count() == 2
    assert panel.head_box.itemText(1) == "2 of 2"
    assert panel.head_box.isHidden() is False
    panel.head_box.setCurrentIndex(1)
    assert panel.head == 1
    np.testing.assert_array_equal(panel.views["k"].matrix, trace4_two_heads.attention.k[1])
    assert panel.views["k"].revealed_rows == 0  # still tick 0: nothing shown after the switch
    assert covered_rows(panel.views["scores"]) == 4


@pytest.mark.parametrize("tick", TICKS)
def test_gradient_curves_grow_backwards(qtbot, models, trace5, tick):
    timeline, selection = models
    panel = GradientPanel(timeline, selection)
    qtbot.addWidget(panel)
    timeline.set_trace(trace5, tick)
    curves = panel.curves
    reached = clock.rnn_words_reached(tick, T)
    rnn_x = points(curves.rnn_curve)
    np.testing.assert_array_equal(rnn_x, np.arange(T - reached, T))  # the LAST words
    if reached:
        np.testing.assert_allclose(curves.rnn_curve.yData,
                                   trace5.rnn.input_gradient[T - reached:])
    attention_x = points(curves.attention_curve)
    assert len(attention_x) == (T if tick > T else 0)
    if tick > T:
        np.testing.assert_allclose(curves.attention_curve.yData, trace5.attention.input_gradient)
    assert len(points(curves.bound_curve)) == (T if reached else 0)  # Elman cell: bound shown
    if tick > T:
        assert panel.counter_label.text() == (f"backward: RNN {reached} of 5 words reached · "
                                              "attention 5 of 5 in 1 hop")
    else:
        assert panel.counter_label.text() == "the backward pass starts at tick 6"


def covered_columns(view) -> int:
    """Leading columns hidden under the column cover, checked against its geometry."""
    rows, _cols = view.matrix.shape
    rect = view.column_cover_rect
    if rect is None:
        return 0
    x, y, width, height = rect
    assert (x, y, height) == (0, 0, rows)
    return int(width)


@pytest.mark.parametrize("tick", TICKS)
def test_gradient_maps_appear_only_going_back(qtbot, models, trace5, tick):
    """No gradient before the backward phase; then the RNN's map grows one column per tick from
    the last word back (the column backprop computes at that step), attention's appears whole."""
    timeline, selection = models
    panel = GradientPanel(timeline, selection)
    qtbot.addWidget(panel)
    timeline.set_trace(trace5, tick)
    reached = clock.rnn_words_reached(tick, T)
    assert covered_columns(panel.rnn_map) == T - reached
    assert covered_columns(panel.attention_map) == (0 if tick > T else T)
    for view in (panel.rnn_map, panel.attention_map):
        assert covered_rows(view) == 0  # rows are all "computed"; columns are what is revealed
        shown = list(view.cell_numbers_visible)  # cell numbers only where revealed
        first = view.first_revealed_column
        assert shown == [index % T >= first for index in range(T * T)]


def test_gradient_map_columns_shrink_when_scrubbing_back(qtbot, models, trace5):
    timeline, selection = models
    panel = GradientPanel(timeline, selection)
    qtbot.addWidget(panel)
    timeline.set_trace(trace5, 2 * T)
    assert covered_columns(panel.rnn_map) == 0
    timeline.set_tick(T + 2)
    assert panel.rnn_map.column_cover_rect == (0, 0, 3, T)
    timeline.set_tick(T)
    assert covered_columns(panel.rnn_map) == T
    assert covered_columns(panel.attention_map) == T


def test_gradient_maps_share_one_log_scale(qtbot, models, trace5):
    timeline, selection = models
    panel = GradientPanel(timeline, selection)
    qtbot.addWidget(panel)
    timeline.set_trace(trace5, 10)
    np.testing.assert_array_equal(panel.rnn_map.matrix, trace5.rnn.connectivity)
    np.testing.assert_array_equal(panel.attention_map.matrix, trace5.attention.connectivity)
    assert panel.rnn_map.colour_levels is not None
    np.testing.assert_allclose(panel.rnn_map.colour_levels, panel.attention_map.colour_levels)


@pytest.mark.parametrize("tick, rnn_texts, attention_texts", [
    (0, ["0 of 5", "4 hops"], ["0 of 1", "1 hop"]),
    (3, ["3 of 5", "4 hops"], ["1 of 1", "1 hop"]),
    (7, ["5 of 5", "4 hops"], ["1 of 1", "1 hop"]),
])
def test_race_strip_counts(qtbot, models, trace5, tick, rnn_texts, attention_texts):
    timeline, _selection = models
    race = RacePanel(timeline)
    qtbot.addWidget(race)
    timeline.set_trace(trace5, tick)
    rnn_counters, attention_counters = race.counters("rnn"), race.counters("attention")
    assert list(rnn_counters[:2]) == rnn_texts
    assert list(attention_counters[:2]) == attention_texts
    assert race.progress("rnn") == pytest.approx(clock.rnn_rows_revealed(tick, T) / T)
    assert race.progress("attention") == (1.0 if tick >= 1 else 0.0)
    assert rnn_counters[4] == f"{clock.rnn_words_reached(tick, T)} of 5"
    assert attention_counters[4] == f"{clock.attention_words_reached(tick, T)} of 5"
    assert race.model_name("rnn") == "Elman RNN (tanh)"
    assert race.model_name("attention") == "Self-attention (1 head)"


@pytest.mark.parametrize("tick, current, processed", [(0, None, 0), (2, 1, 2), (5, 4, 5),
                                                      (7, 3, 5), (10, 0, 5)])
def test_token_strip_follows_the_clock(qtbot, models, trace5, tick, current, processed):
    timeline, selection = models
    strip = TokenStrip(timeline, selection)
    qtbot.addWidget(strip)
    timeline.set_trace(trace5, tick)
    assert strip.chips.tokens == ["The", "cat", "sat", "on", "mat"]
    assert len(strip.chips.rects) == 5
    assert (strip.chips.current, strip.chips.processed) == (current, processed)


def test_token_strip_leaves_room_for_a_scroll_bar_only_when_it_scrolls(qtbot, models, trace5,
                                                                        tiny_config):
    timeline, selection = models
    strip = TokenStrip(timeline, selection)
    qtbot.addWidget(strip)
    strip.resize(600, strip.height())
    strip.show()
    timeline.set_trace(trace5, 1)
    qtbot.waitUntil(lambda: strip.height() == strip.chips.height())  # no empty band under chips
    timeline.set_trace(simulate(" ".join(["word"] * 80), tiny_config), 1)
    scroll_bar = strip.horizontalScrollBar()
    qtbot.waitUntil(lambda: scroll_bar.isVisible())
    qtbot.waitUntil(lambda: strip.viewport().height() >= strip.chips.height())  # chips whole


def test_panels_accept_an_empty_timeline(qtbot, models, trace5):
    timeline, selection = models
    rnn, attention = RNNPanel(timeline, selection), AttentionPanel(timeline, selection)
    gradient, strip = GradientPanel(timeline, selection), TokenStrip(timeline, selection)
    for widget in (rnn, attention, gradient, strip):
        qtbot.addWidget(widget)
    timeline.set_trace(trace5, 4)
    timeline.set_trace(None)
    assert strip.chips.tokens == []
    assert rnn.counter_label.text() == "sequential step 0 of 0"
    assert timeline.tick == 0


def test_views_answer_with_values_that_cannot_change_what_they_show(qtbot, models, trace5):
    """What a view reports is read-only or a copy: writing to it raises or leaves the view as it
    was, and the caller's own matrix stays writable."""
    timeline, selection = models
    panel = RNNPanel(timeline, selection)
    qtbot.addWidget(panel)
    timeline.set_trace(trace5, T)
    given = np.arange(6.0).reshape(2, 3)  # (R, C) writable, as a caller may pass it
    view = panel.hidden_view
    view.set_matrix(given)
    for array in (view.matrix, view.coloured_matrix, panel.reach.shares):
        with pytest.raises(ValueError, match="read-only"):
            array[0, 0] = 99.0
    assert given.flags.writeable
    centres = panel.reach.bar_centres
    centres[:] = -1.0
    np.testing.assert_array_equal(panel.reach.bar_centres, np.arange(T) + 0.5)
