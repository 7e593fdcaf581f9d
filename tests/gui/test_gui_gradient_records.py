"""The gradient panel follows the trace's model records: a made-up third model (a scan of
ceil(log2 5) = 3 levels) gets its own connectivity map and curve, revealed by its own schedule,
and the RNN's and attention's are drawn as without it."""

import numpy as np
import pytest
from PySide6.QtGui import QColor

from engine.core import clock
from gui import style
from gui.selection import TokenSelection
from gui.timeline import Timeline
from gui.views.panels.gradient_panel import GradientPanel
from model_record_helpers import SCAN_KEY, with_scan

T = 5


@pytest.fixture
def show(qtbot):
    timeline = Timeline()
    panel = GradientPanel(timeline, TokenSelection())
    qtbot.addWidget(panel)

    def show_trace(trace, tick):
        timeline.set_trace(trace, tick)
        return panel
    return show_trace


def covered_columns(view) -> int:
    rect = view.column_cover_rect
    return 0 if rect is None else int(rect[2])


def curve_x(curve) -> list[int]:
    x, _y = curve.getData()
    return [] if x is None else [int(value) for value in x]


def drawn(panel, key: str) -> tuple:
    """What the panel shows of one model: its hidden columns and its curve's words."""
    return covered_columns(panel.maps[key]), curve_x(panel.curves.model_curves[key])


@pytest.mark.parametrize("tick", range(0, 2 * T + 1))
def test_a_third_record_gets_its_own_map_and_curve(show, trace5, tick):
    without = {key: drawn(show(trace5, tick), key) for key in ("rnn", "attention")}
    three = with_scan(trace5)
    panel = show(three, tick)
    scan = three.models[SCAN_KEY]
    reached = clock.words_reached(tick, scan.schedule)  # 2, 4, 5 words after levels 1, 2, 3
    assert list(panel.maps) == ["rnn", "attention", SCAN_KEY]
    assert panel.maps[SCAN_KEY].isVisibleTo(panel)
    np.testing.assert_array_equal(panel.maps[SCAN_KEY].matrix, scan.connectivity)
    assert drawn(panel, SCAN_KEY) == (T - reached, list(range(T - reached, T)))
    assert {key: drawn(panel, key) for key in ("rnn", "attention")} == without
    assert "gradient-linear-connectivity" in panel.plots()
    if tick > T:
        assert panel.counter_label.text().endswith(f" · linear scan (minGRU) {reached} of 5 reached")


def test_the_third_map_shares_the_scale_and_carries_the_colour_bar(show, trace5):
    panel = show(with_scan(trace5), 2 * T)
    levels = [panel.maps[key].colour_levels for key in panel.maps]
    for other in levels[1:]:
        np.testing.assert_allclose(other, levels[0])
    assert [panel.maps[key].colorbar_shown() for key in panel.maps] == [False, False, True]
    assert panel.curves.model_curves[SCAN_KEY].opts["pen"].color() == QColor(style.OTHER_MODEL_COLOR)
    assert "linear scan (minGRU)" in panel.curves.legend_texts()


def test_a_two_model_run_after_it_hides_the_third_map(show, trace5):
    show(with_scan(trace5), 2 * T)
    panel = show(trace5, 2 * T)
    assert not panel.maps[SCAN_KEY].isVisibleTo(panel)
    assert curve_x(panel.curves.model_curves[SCAN_KEY]) == []
    assert "linear scan (minGRU)" not in panel.curves.legend_texts()
    assert [panel.maps[key].colorbar_shown() for key in panel.maps] == [False, True, False]
    assert panel.counter_label.text() == ("backward: RNN 5 of 5 words reached · "
                                          "attention 5 of 5 in 1 hop")
