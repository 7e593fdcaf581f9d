"""One selection reaches every panel: token strip chips, heatmap rows/columns, curves and bars."""

import re

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from gui import style

SQUARE = ("scores", "weights")


@pytest.fixture
def window(make_window, qtbot, trace5):
    window = make_window(show=True, size=(1600, 1000))
    window.timeline.set_trace(trace5, 10)  # everything revealed
    return window


def scene_point(view, x, y):
    return view.plotItem.vb.mapViewToScene(QPointF(x, y))


def viewport_point(view, x, y):
    return view.mapFromScene(scene_point(view, x, y))


def assert_tooltip(text, words, row, col, value_name, value):
    """The tooltip names the word(s), both indices and the value to six significant digits."""
    for word in words:
        assert word in text
    numbers = re.findall(r"(?<![\w.-])\d+(?![\w.])", text.split("\n")[0])
    assert str(row) in numbers and str(col) in numbers, text
    assert text.endswith(f"{value_name} = {value:.6g}"), text


def assert_heatmap_selected(view, index, rows_are_tokens=True, cols_are_tokens=False, name=""):
    rows, cols = view.matrix.shape
    row_shown, col_shown = rows_are_tokens and index >= 0, cols_are_tokens and index >= 0
    assert view.selected_row == (index if row_shown else None), name
    assert view.selected_row_rect == ((0, index, cols, 1) if row_shown else None), name
    assert view.selected_column == (index if col_shown else None), name
    assert view.selected_column_rect == ((index, 0, 1, rows) if col_shown else None), name


def assert_everywhere(window, index):
    """Every panel shows `index` as the selected token (-1: none anywhere)."""
    assert window.selection.current == index
    assert window.token_strip.chips.selected == index
    assert_heatmap_selected(window.rnn_panel.hidden_view, index, name="hidden")
    selected_bar = window.rnn_panel.reach.selected_bar_centres
    assert list(selected_bar) == ([index + 0.5] if index >= 0 else [])
    for key, view in window.attention_panel.views.items():
        assert_heatmap_selected(view, index, cols_are_tokens=key in SQUARE, name=key)
    gradient = window.gradient_panel
    assert_heatmap_selected(gradient.rnn_map, index, cols_are_tokens=True, name="rnn_map")
    assert_heatmap_selected(gradient.attention_map, index, cols_are_tokens=True, name="attn_map")
    assert gradient.curves.selected_line.isVisible() is (index >= 0)
    if index >= 0:
        assert gradient.curves.selected_line.value() == index


def test_nothing_selected_at_first(window):
    assert_everywhere(window, -1)


@pytest.mark.parametrize("index", [0, 2, 4])
def test_selection_model_reaches_every_panel(window, index):
    window.selection.set_hovered(index)
    assert_everywhere(window, index)
    window.selection.set_hovered(None)
    assert_everywhere(window, -1)


def test_hovering_a_chip_selects_it_everywhere(qtbot, window):
    chips = window.token_strip.chips
    assert chips.tokens == ["The", "cat", "sat", "on", "mat"]
    with qtbot.waitSignal(window.selection.changed) as blocker:
        QTest.mouseMove(chips, chips.rects[3].center())
    assert blocker.args == [3]
    assert_everywhere(window, 3)
    with qtbot.waitSignal(window.selection.changed) as blocker:
        QTest.mouseMove(chips, chips.rects[1].center())
    assert blocker.args == [1]
    assert_everywhere(window, 1)


def test_clicking_a_chip_pins_it(qtbot, window):
    chips = window.token_strip.chips
    QTest.mouseClick(chips, Qt.MouseButton.LeftButton, pos=chips.rects[2].center())
    assert window.selection.pinned == 2
    window.selection.set_hovered(None)  # the pointer leaves: the pin stays
    assert_everywhere(window, 2)
    QTest.mouseClick(chips, Qt.MouseButton.LeftButton, pos=chips.rects[2].center())
    window.selection.set_hovered(None)
    assert window.selection.pinned == -1
    assert_everywhere(window, -1)


def test_reach_bar_of_the_selected_word_is_green(window, trace5):
    reach = window.rnn_panel.reach
    window.selection.set_pinned(1)
    assert reach.selected_bar_colour == style.SELECTION_COLOR == "#19b34c"
    assert reach.bar_colour == style.RNN_COLOR
    row = reach.shares[4]  # tick 10: the bars show the reach into h_4
    np.testing.assert_allclose(reach.selected_bar_widths, [row[1]])
    window.timeline.set_tick(1)  # only word 0 has reached h_0: no bar for word 1
    assert list(reach.selected_bar_centres) == []
    assert len(reach.bar_centres) == 1


def test_hovering_a_heatmap_cell_selects_its_token(qtbot, window, trace5):
    view = window.rnn_panel.hidden_view
    point = scene_point(view, 1.5, 2.5)  # column 1, row 2
    assert view.cell_at(point) == (2, 1)
    assert_tooltip(view.describe_cell(2, 1), ["sat"], 2, 1, "h", trace5.rnn.hidden[2, 1])
    with qtbot.waitSignal(view.hovered) as blocker:
        QTest.mouseMove(view.viewport(), view.mapFromScene(point))
    assert blocker.args == [2]
    assert_everywhere(window, 2)
    assert not view.plotItem.vb.sceneBoundingRect().contains(view.mapToScene(QPoint(1, 1)))
    with qtbot.waitSignal(view.hovered) as blocker:
        QTest.mouseMove(view.viewport(), QPoint(1, 1))  # off the map, still over the plot
    assert blocker.args == [None]
    assert_everywhere(window, -1)


def test_square_map_tooltip_names_both_words(window, trace5):
    view = window.attention_panel.views["weights"]
    point = scene_point(view, 3.5, 0.5)
    assert view.cell_at(point) == (0, 3)
    assert_tooltip(view.describe_cell(0, 3), ["The", "on"], 0, 3, "weight",
                   trace5.attention.weights[0, 0, 3])
    assert_tooltip(window.gradient_panel.rnn_map.describe_cell(4, 1), ["mat", "cat"], 4, 1,
                   "‖∂(r·y_t)/∂x_k‖", trace5.rnn.connectivity[4, 1])


def test_real_mouse_move_over_a_heatmap(qtbot, window):
    view = window.attention_panel.views["q"]
    with qtbot.waitSignal(window.selection.changed) as blocker:
        QTest.mouseMove(view.viewport(), viewport_point(view, 0.5, 3.5))
    assert blocker.args == [3]
    assert_everywhere(window, 3)


def test_real_click_on_a_heatmap_pins_the_token(qtbot, window):
    view = window.gradient_panel.attention_map
    with qtbot.waitSignal(view.clicked) as blocker:
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                         pos=viewport_point(view, 2.5, 1.5))
    assert blocker.args == [1]  # rows are tokens: the row's word is pinned
    assert window.selection.pinned == 1


def test_hidden_rows_cannot_be_hovered(qtbot, window):
    window.timeline.set_tick(2)  # h_0 and h_1 exist
    view = window.rnn_panel.hidden_view
    assert view.cell_at(scene_point(view, 0.5, 1.5)) == (1, 0)
    assert view.cell_at(scene_point(view, 0.5, 3.5)) is None
    window.timeline.set_tick(0)
    attention = window.attention_panel.views["scores"]
    assert attention.cell_at(scene_point(attention, 0.5, 0.5)) is None


def test_hovering_the_gradient_curves_selects_a_word(qtbot, window):
    curves = window.gradient_panel.curves
    middle = curves.plotItem.vb.viewRect().center().y()
    with qtbot.waitSignal(curves.hovered) as blocker:
        QTest.mouseMove(curves.viewport(), viewport_point(curves, 2.1, middle))
    assert blocker.args == [2]
    assert_everywhere(window, 2)


def test_a_new_sentence_clears_the_pin(qtbot, window):
    window.selection.set_pinned(4)
    with qtbot.waitSignal(window.runner.finished, timeout=10_000):
        assert window.run("The cat sat") is True
    assert window.timeline.trace.tokens == ("The", "cat", "sat")
    assert_everywhere(window, -1)
