"""Several words at once: Ctrl+click in the word strip gathers a group, the attention panel shows
their softmax rows summed, and a plain click, a new pin or clear ends the group."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from gui.state.selection import NONE, SelectionState
from gui.views.panels.attention_panel import summed_attention


def test_ctrl_click_gathers_a_group_from_the_pinned_word():
    state, heard = SelectionState(), []
    state.group_changed.connect(heard.append)
    state.set_pinned(1)
    state.toggle_grouped(3)
    assert state.group == (1, 3) and heard == [(1, 3)]
    state.toggle_grouped(0)
    assert state.group == (0, 1, 3)
    state.toggle_grouped(1)
    state.toggle_grouped(3)  # one word left: no group, that word pinned
    assert state.group == () and state.pinned == 0
    state.toggle_grouped(0)
    assert state.group == () and state.pinned == NONE


def test_a_plain_pin_or_clear_ends_the_group():
    state = SelectionState()
    state.toggle_grouped(2)
    assert state.group == () and state.pinned == 2  # a group starts with one word pinned
    state.toggle_grouped(4)
    state.toggle_pinned(1)
    assert state.group == () and state.pinned == 1
    state.toggle_grouped(2)
    state.clear()
    assert state.group == () and state.pinned == NONE


def test_summed_attention_adds_the_rows():
    weights = np.array([[0.5, 0.5, 0.0], [0.1, 0.2, 0.7], [0.3, 0.3, 0.4]])  # (3, 3)
    np.testing.assert_allclose(summed_attention(weights, [0, 2]), [0.8, 0.8, 0.4])


def test_ctrl_click_in_the_word_strip_shows_the_summed_attention(qtbot, make_window):
    window = make_window(show=True, size=(1600, 1000))
    with qtbot.waitSignal(window.runner.finished, timeout=30_000):
        window.run_current()
    chips = window.token_strip.chips
    qtbot.mouseClick(chips, Qt.MouseButton.LeftButton, pos=chips.rects[1].center())
    qtbot.mouseClick(chips, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     chips.rects[2].center())
    assert window.selection.group == (1, 2) and chips.group == (1, 2)
    label = window.attention_panel.group_label
    assert label.isVisible()
    trace = window.timeline.trace
    summed = trace.attention.weights[0, 1] + trace.attention.weights[0, 2]  # (T,)
    tokens = trace.tokens
    assert f"“{tokens[1]}” + “{tokens[2]}”" in label.text()
    assert f"{tokens[0]} {summed[0]:.2f}" in label.text()
    qtbot.mouseClick(chips, Qt.MouseButton.LeftButton, pos=chips.rects[3].center())
    assert window.selection.group == () and not label.isVisible()
    assert window.selection.pinned == 3
