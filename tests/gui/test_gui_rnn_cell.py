"""The RNN panel's cell view (h_{t−1} and x_t in, h_t out, at the clock's word) and its reach
bars on a linear axis."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QFontMetrics

from engine import SimConfig, simulate
from engine.core import clock
from gui.views.panels.rnn_cell_view import RNNCellView, cell_vectors, formula
from gui.views.panels.rnn_panel import RNNPanel, reach_shares
from gui.selection import TokenSelection
from gui.timeline import Timeline

T = 5


@pytest.fixture
def models():
    return Timeline(), TokenSelection()


@pytest.mark.parametrize("tick", [0, 1, 3, 5, 6, 8, 10])
def test_cell_view_shows_the_call_at_the_clocks_word(qtbot, models, trace5, tick):
    timeline, selection = models
    view = RNNCellView(timeline, selection)
    qtbot.addWidget(view)
    timeline.set_trace(trace5, tick)
    t = clock.current_word(tick, T)
    assert view.step == t
    if t is None:
        assert view.vectors == []
        assert "first call runs at tick 1" in view.title()
        return
    names = [vector.name for vector in view.vectors]
    assert names == ["x_t", "h_{t−1}", "h_t"]
    x, h_prev, h = view.vectors
    np.testing.assert_array_equal(x.values, trace5.embeddings[t])
    np.testing.assert_array_equal(h.values, trace5.rnn.hidden[t])
    expected_prev = trace5.rnn.hidden[t - 1] if t > 0 else np.zeros(4)  # h_{−1} = 0
    np.testing.assert_array_equal(h_prev.values, expected_prev)
    assert (x.token, h_prev.token, h.token) == (t, t - 1 if t > 0 else None, t)
    assert f"t = {t} “{trace5.tokens[t]}”" in view.title()
    assert ("going back" in view.title()) is (tick > T)
    assert view.prints_numbers()  # D = H = 4 <= 16
    assert ("initial state" in view.describe_value(h_prev, 0)) is (t == 0)


def test_cell_view_prints_numbers_only_for_short_vectors():
    wide = simulate("The cat", SimConfig(d_model=32, hidden_size=4, head_size=2))
    assert max(len(vector.values) for vector in cell_vectors(wide, 1)) == 32
    timeline, selection = Timeline(), TokenSelection()
    view = RNNCellView(timeline, selection)
    timeline.set_trace(wide, 2)
    assert not view.prints_numbers()


def test_lstm_cell_shows_its_cell_state_and_formula():
    trace = simulate("The cat sat", SimConfig(d_model=4, hidden_size=4, head_size=2, cell="lstm"))
    names = [vector.name for vector in cell_vectors(trace, 2)]
    assert names == ["x_t", "h_{t−1}", "c_{t−1}", "h_t", "c_t"]
    assert "c_t = f⊙c_{t−1} + i⊙g" in formula(trace.config)
    timeline, selection = Timeline(), TokenSelection()
    view = RNNCellView(timeline, selection)
    timeline.set_trace(trace, 3)
    view.resize(400, 300)
    assert [v.name for v in view.layout().vectors] == names  # room for the cell state
    view.resize(150, 300)
    assert [v.name for v in view.layout().vectors] == ["x_t", "h_{t−1}", "h_t"]  # narrow: h only
    assert formula(SimConfig()) == "h_t = tanh(W_ih x_t + W_hh h_{t−1} + b)"


def test_cell_view_hover_selects_the_word_and_shows_the_value(qtbot, models, trace5):
    timeline, selection = models
    panel = RNNPanel(timeline, selection)
    qtbot.addWidget(panel)
    panel.resize(900, 400)
    panel.show()
    qtbot.waitExposed(panel)
    timeline.set_trace(trace5, 3)  # t = 2
    view = panel.cell_view
    columns = view.layout().columns
    assert len(columns) == 3
    assert view.layout().numbers  # D = H = 4: the values are printed
    previous = columns[1]  # h_{t−1}
    found = view.value_at(QPointF(previous.center().x(), previous.top() + 1))
    assert found is not None
    vector, index = found
    assert (vector.name, index) == ("h_{t−1}", 0)
    with qtbot.waitSignal(selection.changed) as blocker:
        view.hovered.emit(vector.token)
    assert blocker.args == [1]
    assert view.selected_token == 1


def test_reach_bars_are_linear_shares_of_the_strongest_word(qtbot, models, trace5):
    """A word that reaches with 5 % of the strongest word's gradient gets 5 % of the bar length,
    from a baseline at 0."""
    timeline, selection = models
    panel = RNNPanel(timeline, selection)
    qtbot.addWidget(panel)
    timeline.set_trace(trace5, T)
    reach = panel.reach
    row = trace5.rnn.connectivity[T - 1, :]  # (T,) into the newest state
    np.testing.assert_allclose(reach.bar_widths(), 100 * row / row.max())
    np.testing.assert_array_equal(reach.bar_starts, np.zeros(T))
    assert not reach.plotItem.ctrl.logXCheck.isChecked()
    assert reach.getAxis("bottom").labelText == "% of max"
    assert "% of the strongest word's gradient" in reach.describe_word(0)


def test_reach_shares_handle_rows_without_gradient():
    connectivity = np.array([[0.0, 0.0], [0.5, 2.0]])
    percent, relative = reach_shares(connectivity)
    np.testing.assert_allclose(percent, [[0.0, 0.0], [25.0, 100.0]])
    np.testing.assert_allclose(relative[1], [0.25, 1.0])


@pytest.mark.parametrize("width", [150, 160, 190, 260])
@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_every_column_name_fits_its_column(qtbot, models, width, cell):
    """"h_{t−1}" (and an LSTM's "c_{t−1}") used to be cut off where the column was narrower than
    the name; the names' font now shrinks to the column."""
    timeline, selection = models
    trace = simulate("The cat sat on mat", SimConfig(d_model=4, hidden_size=4, head_size=2,
                                                     cell=cell))
    view = RNNCellView(timeline, selection)
    qtbot.addWidget(view)
    view.resize(width, 320)
    timeline.set_trace(trace, 2)
    layout = view.layout()
    assert layout.vectors and layout.label_font is not None
    metrics = QFontMetrics(layout.label_font)
    for vector, label in zip(layout.vectors, layout.labels):
        assert metrics.horizontalAdvance(vector.name) <= label.width(), (vector.name, width)
