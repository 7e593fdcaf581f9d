"""The gradient panel tells one story: empty means no path, a floor colour means a path whose
gradient vanished below the scale, one name for the quantity, an honest bound and a legend that
covers no curve."""

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import Qt

from engine import SimConfig, simulate
from gui import style
from gui.views.panels.gradient_panel import CAPTION, GRADIENT_NAME, GradientCurves, GradientPanel
from gui.selection import TokenSelection
from gui.timeline import Timeline

T = 5


def points(curve) -> np.ndarray:
    x, _y = curve.getData()
    return np.zeros(0) if x is None else np.asarray(x)


@pytest.fixture
def panel(qtbot):
    timeline, selection = Timeline(), TokenSelection()
    view = GradientPanel(timeline, selection)
    qtbot.addWidget(view)
    view.timeline = timeline  # the test drives the clock through it
    return view


def with_rnn_connectivity(trace, change):
    """The trace with some cells of the RNN's connectivity map replaced: {(t, k): value}."""
    connectivity = np.array(trace.rnn.connectivity)
    for (t, k), value in change.items():
        connectivity[t, k] = value
    return dataclasses.replace(trace, rnn=dataclasses.replace(trace.rnn, connectivity=connectivity))


def test_rnn_map_prints_nothing_where_no_path_exists(panel, trace5):
    panel.timeline.set_trace(trace5, 2 * T)
    texts = np.array(panel.rnn_map.cell_numbers).reshape(T, T)
    later = np.triu(np.ones((T, T), dtype=bool), 1)  # k > t: an RNN cannot look ahead
    assert all(text == "" for text in texts[later])  # empty, as the caption says; no "0"
    assert all(text != "" for text in texts[~later])
    assert "no path" in panel.rnn_map.describe_cell(0, 3)


def test_underflow_gets_the_floor_colour_not_the_empty_cell(panel, trace5):
    """An exact 0 below the diagonal is float64 underflow: a path exists. It and values below
    1e-30 get the floor colour; only later words (no path) stay empty."""
    trace = with_rnn_connectivity(trace5, {(4, 0): 0.0, (3, 1): 1e-40})
    panel.timeline.set_trace(trace, 2 * T)
    view = panel.rnn_map
    overlay = view.floor_overlay
    assert overlay.isVisible()
    marked = np.argwhere(np.isfinite(overlay.image))
    assert sorted(map(tuple, marked)) == [(3, 1), (4, 0)]
    assert np.isfinite(view.coloured_matrix[4, 0])  # coloured (at the floor), not empty
    assert np.isnan(view.coloured_matrix[0, 4])  # no path: empty
    assert overlay.getColorMap().map([1.0], mode="qcolor")[0].name() == style.FLOOR_COLOR
    assert "underflowed" in view.describe_cell(4, 0)
    assert "below the 10⁻³⁰ floor" in view.describe_cell(3, 1)
    assert "light blue" in CAPTION and "underflowed" in CAPTION
    assert not panel.attention_map.floor_overlay.isVisible()  # nothing at the floor there


def test_floor_cells_are_revealed_with_their_column(panel, trace5):
    """The floor overlay lies under the column cover, so it appears when its column does."""
    trace = with_rnn_connectivity(trace5, {(4, 0): 0.0})
    panel.timeline.set_trace(trace, T + 1)
    view = panel.rnn_map
    assert view.floor_overlay.zValue() < view.covers_z_value
    assert view.column_cover_rect[2] == T - 1  # its width: column 0 is still covered


def test_curves_mark_points_clamped_at_the_floor(panel, trace5):
    trace = with_rnn_connectivity(trace5, {(4, 0): 0.0, (4, 1): 1e-35})
    panel.timeline.set_trace(trace, T + 1)  # the RNN's gradient has reached word 4 only
    curves = panel.curves
    assert len(points(curves.floor_points)) == 0
    assert not any("below 10⁻³⁰" in text for text in curves.legend_texts())
    panel.timeline.set_tick(2 * T)
    np.testing.assert_array_equal(curves.floor_points.xData, [0.0, 1.0])
    np.testing.assert_allclose(curves.floor_points.yData, [style.LOG_FLOOR] * 2)
    assert "below 10⁻³⁰, drawn at it" in curves.legend_texts()
    assert "RNN: 0 (drawn at the 10⁻³⁰ floor)" in curves.describe_word(0)  # the true value
    panel.timeline.set_tick(T + 2)  # scrubbing back hides them again
    assert len(points(curves.floor_points)) == 0


def test_pascanu_bound_says_when_it_promises_nothing(qtbot, panel, trace5):
    panel.timeline.set_trace(trace5, 2 * T)
    rate = trace5.rnn.lambda1 * trace5.rnn.gamma
    assert rate < 1
    assert f"Pascanu bound, λ₁γ = {rate:.3g} < 1" in panel.curves.legend_texts()
    assert panel.curves.bound_curve.opts["pen"].style() == Qt.PenStyle.DashLine
    exploding = simulate("The cat sat on mat", SimConfig(d_model=4, hidden_size=4, head_size=2,
                                                         recurrent_scale=8.0))
    rate = exploding.rnn.lambda1 * exploding.rnn.gamma
    assert rate >= 1
    panel.timeline.set_trace(exploding, 2 * T)
    texts = panel.curves.legend_texts()
    assert f"Pascanu bound (λ₁γ = {rate:.3g} ≥ 1: promises nothing)" in texts
    assert panel.curves.bound_curve.opts["pen"].style() == Qt.PenStyle.DotLine
    assert "it promises nothing" in panel.curves.describe_word(0)


@pytest.mark.parametrize("cell", ["rnn", "gru"])  # the gated cells' bound text is the longest
@pytest.mark.parametrize("width", [360, 400, 420, 450, 900])
def test_legend_covers_no_curve(qtbot, width, cell):
    trace = simulate("The cat sat on mat", SimConfig(cell=cell, d_model=4, hidden_size=4,
                                                     head_size=2))
    curves = GradientCurves()  # on its own, at exactly this width
    qtbot.addWidget(curves)
    curves.set_trace(trace)
    curves.show_reached({"rnn": T, "attention": T})
    curves.resize(width, 300)
    curves.show()
    qtbot.waitExposed(curves)
    qtbot.waitUntil(lambda: curves.plotItem.vb.sceneBoundingRect().width() > 0)
    # laid out for this width: whole and unclipped (a one-row legend too wide for it never is)
    qtbot.waitUntil(lambda: 0 <= curves.legend_rect.left()
                    and curves.legend_rect.right() <= curves.width())
    legend = curves.legend_rect
    plot_area = curves.plotItem.vb.sceneBoundingRect()
    assert legend.height() > 0
    assert not legend.intersects(plot_area)
    assert legend.top() >= plot_area.bottom()
    assert 0 <= legend.left() and legend.right() <= curves.width()  # whole, unclipped


def test_one_name_for_the_gradient_and_r_is_defined(panel, trace5):
    panel.timeline.set_trace(trace5, 2 * T)
    assert GRADIENT_NAME == "‖∂(r·y_t)/∂x_k‖"
    assert panel.curves.getAxis("left").labelText == GRADIENT_NAME
    assert GRADIENT_NAME in panel.attention_map.colorbar.getAxis("left").labelText
    assert panel.rnn_map.value_name == panel.attention_map.value_name == GRADIENT_NAME
    assert GRADIENT_NAME in panel.curves.describe_word(2)
    assert "r is a fixed random unit vector" in CAPTION
    shown = [CAPTION, panel.curves.describe_word(2), panel.rnn_map.describe_cell(3, 1),
             panel.curves.plotItem.titleLabel.text]
    assert not any("∂L" in text for text in shown)  # the old second name is gone


def test_floor_cells_export_to_svg_as_vector_cells(qtbot, panel, trace5, tmp_path):
    import xml.etree.ElementTree as ET

    from gui.export.images import export_widget

    panel.resize(1000, 360)
    panel.show()
    qtbot.waitExposed(panel)
    panel.timeline.set_trace(with_rnn_connectivity(trace5, {(4, 0): 0.0}), 2 * T)
    path = export_widget(panel.rnn_map, tmp_path / "rnn-map.svg", "svg")
    root = ET.parse(path).getroot()
    svg = "{http://www.w3.org/2000/svg}"
    assert list(root.iter(f"{svg}image")) == []  # no bitmap: cells and floor are shapes
    fills = {element.get("fill") for element in root.iter() if element.get("fill")}
    assert style.FLOOR_COLOR in fills
