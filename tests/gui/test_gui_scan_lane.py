"""The scan lane: shown exactly for runs with minGRU's scan, its tree grows one level per tick,
its states are the scan's after that level, hidden attention sits on softmax's scale with a
difference view, and View → Scan lane runs the sentence with the lane on or off."""

import numpy as np
import pytest

from engine import SimConfig, simulate
from engine.core.scan_plan import scan_levels

from window_helpers import RUN_TIMEOUT, run_and_wait

SCAN_CONFIG = SimConfig(d_model=4, hidden_size=4, head_size=2, scan=True)
SENTENCE = "the cat sat on the mat because it was warm"  # 10 words: 4 levels


@pytest.fixture(scope="module")
def scanned():
    return simulate(SENTENCE, SCAN_CONFIG)


@pytest.fixture
def window(make_window, qtbot):
    window = make_window()
    run_and_wait(qtbot, window)
    window.transport.pause()
    return window


def test_the_lane_is_shown_only_for_runs_with_a_scan(window, scanned, trace5):
    panel = window.views.scan_panel
    assert not panel.isVisibleTo(window) and panel.plots() == {}
    window.timeline.set_trace(scanned, 0)
    assert panel.isVisibleTo(window)
    assert set(panel.plots()) == {"scan-tree", "scan-states", "scan-hidden-attention"}
    assert "scan-panel" in window.views.exportable()["panel"]
    window.timeline.set_trace(trace5, 0)
    assert not panel.isVisibleTo(window)
    assert "scan-panel" not in window.views.exportable()["panel"]


def test_each_forward_tick_adds_one_level_of_joins_and_its_states(window, scanned):
    panel, scan = window.views.scan_panel, scanned.scan
    window.timeline.set_trace(scanned, 0)
    assert scan.levels == 4
    assert panel.states_view.revealed_rows == 0 and panel.tree.levels_shown == 0
    joins = 0
    for tick, level in zip(range(1, 7), (1, 2, 3, 4, 4, 4)):
        window.timeline.set_tick(tick)
        assert panel.tree.levels_shown == level
        joins += scan_levels(10)[level - 1].applications if tick <= 4 else 0
        assert panel.tree.joins_drawn() == joins  # n - 2^j joins at level j
        np.testing.assert_array_equal(panel.states_view.matrix, scan.state_after(level))
        assert panel.counter_label.text().startswith(f"parallel level {level} of 4")
    np.testing.assert_allclose(panel.states_view.matrix, scanned.scan.hidden, atol=1e-12)
    assert "the loop" in panel.states_view.title_text()


def test_the_selected_words_span_grows_to_its_whole_prefix(window, scanned):
    panel = window.views.scan_panel
    window.timeline.set_trace(scanned, 0)
    window.selection.set_pinned(9)
    starts = []
    for tick in range(0, 5):
        window.timeline.set_tick(tick)
        starts.append(panel.tree.span_start(9))
    assert starts == [9, 8, 6, 2, 0]  # spans of 1, 2, 4, 8 words, then all ten
    assert "covers words 0–9" in panel.tree.describe_word(9)


def test_hidden_attention_shares_softmax_scale_and_has_a_difference_view(window, scanned):
    panel = window.views.scan_panel
    window.timeline.set_trace(scanned, scanned.length * 2)
    softmax = scanned.attention.weights.mean(axis=0)
    np.testing.assert_array_equal(panel.map_view.matrix, scanned.scan.hidden_attention)
    top = max(scanned.scan.hidden_attention.max(), softmax.max())
    assert panel.map_view.colour_levels == pytest.approx((0.0, top))
    panel.show_difference(True)
    difference = scanned.scan.hidden_attention - softmax
    lower = np.tril(np.ones_like(difference, dtype=bool))
    np.testing.assert_allclose(panel.map_view.matrix[lower], difference[lower])
    assert np.all(np.isnan(panel.map_view.matrix[~lower]))  # not causal: softmax alone looks ahead
    low, high = panel.map_view.colour_levels
    assert low == -high  # centred on zero
    assert "difference" in panel.difference_label.text()
    assert "only softmax attention has weight" in panel.difference_label.text()
    panel.show_difference(False)
    np.testing.assert_array_equal(panel.map_view.matrix, scanned.scan.hidden_attention)


def test_switching_the_map_keeps_it_hidden_until_the_forward_pass_is_done(window, scanned):
    panel = window.views.scan_panel
    window.timeline.set_trace(scanned, 2)  # level 2 of 4
    assert panel.map_view.revealed_rows == 0
    panel.show_difference(True)
    assert panel.map_view.revealed_rows == 0
    window.timeline.set_tick(4)
    assert panel.map_view.revealed_rows == scanned.length


def test_one_word_says_no_join_is_needed(window):
    window.timeline.set_trace(simulate("hello", SCAN_CONFIG), 2)
    assert window.views.scan_panel.counter_label.text().startswith("one word: no join needed")


def test_view_menu_runs_with_the_lane_and_without_it(window, qtbot):
    assert not window.scan_action.isChecked()
    with qtbot.waitSignal(window.runner.finished, timeout=RUN_TIMEOUT) as blocker:
        window.scan_action.trigger()
    assert blocker.args[0].scan is not None
    assert window.scan_action.isChecked() and window.parameters.config().scan
    assert window.views.scan_panel.isVisibleTo(window)
    assert "minGRU scan" in window.status_label.text()
    for name in ("scan-tree", "scan-states", "scan-hidden-attention", "scan-panel",
                 "gradient-scan-connectivity"):
        assert name in window.export_targets.widgets(), name
    assert list(window.views.race_panel.model_keys()) == ["rnn", "attention", "scan"]
    with qtbot.waitSignal(window.runner.finished, timeout=RUN_TIMEOUT) as blocker:
        window.scan_action.trigger()
    assert blocker.args[0].scan is None and not window.parameters.config().scan
    assert not window.scan_action.isChecked()
    assert not window.views.scan_panel.isVisibleTo(window)
    assert "scan-tree" not in window.export_targets.widgets()
