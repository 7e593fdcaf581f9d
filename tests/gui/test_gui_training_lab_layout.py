"""The training lab lays out cleanly at a wide and a laptop size: legends wrap instead of running
past a plot's edge, the word-vectors box shows a whole model name, the chance labels stay inside
the view and off the points, every word of the projection is inside its view, and the live
table shows every model's row."""

import math
from types import SimpleNamespace

import numpy as np
import pytest
from training_lab_helpers import TINY, make_lab, wait_idle  # noqa: F401 (fixture)

from PySide6.QtWidgets import QVBoxLayout, QWidget

from engine.labs.training.sweep import SweepPoint
from gui.labs.training.findings_plots import ProjectionPlot, range_holding
from gui.labs.training.plots import MODEL_LABELS, LabPlot, SweepPlot

SIZES = [(1500, 950), (1280, 800)]
THREE = ("rnn", "lstm", "transformer")
FIVE = ("rnn", "lstm", "gru", "mingru", "transformer")


def _legend_rect(plot):
    return plot.legend.mapRectToScene(plot.legend.boundingRect())


def _show(qtbot, widget, width, height):
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)


class _Holder(QWidget):
    """A window around one plot, resized in its place: closing a lone PlotWidget clears its
    scene under its legend (as no window of the app does), so tests close the holder."""

    def __init__(self, plot):
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(plot)


def _show_plot(qtbot, plot, width, height):
    holder = _Holder(plot)
    _show(qtbot, holder, width, height)
    qtbot.waitUntil(lambda: plot.width() == width)
    return holder


@pytest.mark.parametrize("models", [THREE, FIVE])
@pytest.mark.parametrize("width", [240, 300, 380, 420, 600, 1000])
def test_a_legend_wraps_instead_of_running_past_the_plot(qtbot, models, width):
    plot = LabPlot("title", "x", "y")
    holder = _show_plot(qtbot, plot, width, 320)
    plot.set_models(models)
    columns = plot.legend_row.columns()
    assert _legend_rect(plot).right() <= plot.width(), (columns, _legend_rect(plot))
    rows = math.ceil(len(models) / columns)
    assert plot.legend.layout.rowCount() == rows
    if columns < len(models):  # wrapped because all in one row would not fit
        plot.legend_row.legend.setColumnCount(columns + 1)
        assert plot.legend.width() > plot.width() - 12


def test_a_legend_uses_more_columns_again_when_the_plot_widens(qtbot):
    plot = LabPlot("title", "x", "y")
    holder = _show_plot(qtbot, plot, 260, 320)
    plot.set_models(FIVE)
    narrow_columns, narrow_height = plot.legend_row.columns(), plot.legend.height()
    holder.resize(1200, 320)
    qtbot.waitUntil(lambda: plot.legend_row.columns() == len(FIVE))
    assert narrow_columns < len(FIVE) and plot.legend.height() < narrow_height
    assert _legend_rect(plot).right() <= plot.width()


@pytest.mark.parametrize("size", SIZES)
def test_every_lab_legend_lies_inside_its_plot_with_three_or_five_models(qtbot, make_lab, size):
    window = make_lab()
    _show(qtbot, window, *size)
    tabs = (window.live_view, window.sweep_view, window.findings_view)
    for models in (THREE, FIVE):
        for plot in [*window.plots.values(), window.sweep_view.plot,
                     *window.findings_view.plots.values()]:
            if not isinstance(plot, LabPlot) or plot is window.findings_view.plots[
                    "word-projection"]:
                continue
            window.tabs.setCurrentWidget(next(tab for tab in tabs if tab.isAncestorOf(plot)))
            plot.set_models(models)
            assert plot.legend_row.texts() == [MODEL_LABELS[kind] for kind in models]
            legend = _legend_rect(plot)
            assert 0 <= legend.left() and legend.right() <= plot.width(), (plot, models, legend)
            # the plot's layout makes room for a taller legend row on its next pass
            qtbot.waitUntil(lambda p=plot: p.sceneRect().contains(_legend_rect(p)))


@pytest.fixture
def measured_lab(qtbot, make_lab):
    """A lab whose findings tab was on show, its model box still empty, before measuring."""
    window = make_lab(dict(TINY, models=("rnn", "transformer")))
    _show(qtbot, window, *SIZES[0])
    window.tabs.setCurrentWidget(window.findings_view)
    qtbot.waitExposed(window.findings_view.model_box)
    assert window.start_training()
    wait_idle(qtbot, window)
    assert window.measure_findings()
    wait_idle(qtbot, window)
    return window


def test_the_word_vectors_box_shows_the_whole_model_name(qtbot, measured_lab):
    box = measured_lab.findings_view.model_box
    for size in SIZES:
        measured_lab.resize(*size)
        qtbot.waitUntil(lambda s=size: measured_lab.width() == s[0])
        for index in range(box.count()):
            box.setCurrentIndex(index)
            text = box.fontMetrics().horizontalAdvance(box.currentText())
            assert box.width() >= text + 20, (size, box.currentText(), box.width(), text)


def _view_rect(plot):
    (left, right), (bottom, top) = plot.getViewBox().viewRange()
    return left, right, bottom, top


def _assert_label_inside_and_clear(plot, chance):
    rect = chance.label_rect()
    left, right, bottom, top = _view_rect(plot)
    assert left <= rect.left() and rect.right() <= right, (rect, left, right)
    assert bottom <= rect.top() and rect.bottom() <= top, (rect, bottom, top)
    for curve in plot.curves.values():
        xs, ys = curve.getData()
        for x, y in zip(xs, ys):
            assert not rect.contains(x, y), (x, y, rect)


def test_the_probe_chance_label_lies_inside_the_view_and_off_the_points(qtbot, measured_lab):
    probe = measured_lab.findings_view.plots["probe"]
    for size in SIZES:
        measured_lab.resize(*size)
        qtbot.waitUntil(lambda s=size: measured_lab.width() == s[0])
        _assert_label_inside_and_clear(probe, probe.chance)


def _sweep_points():
    """The README's default sweep: the RNNs end just above chance at n = 128."""
    accuracy = {"rnn": (0.83, 0.11, 0.125, 0.05, 0.035),
                "lstm": (0.52, 0.026, 0.015, 0.018, 0.022),
                "transformer": (1.0,) * 5}
    return [SweepPoint(n=n, model=kind, accuracy=share, final_loss=1.0, seconds=1.0,
                       stopped_reason="completed")
            for kind, shares in accuracy.items() for n, share in zip((8, 16, 32, 64, 128), shares)]


@pytest.mark.parametrize("width", [500, 1040])
def test_the_sweep_chance_label_lies_inside_the_view_and_off_the_points(qtbot, width):
    plot = SweepPlot()
    holder = _show_plot(qtbot, plot, width, 640)
    plot.reset(THREE, (8, 16, 32, 64, 128), chance=1 / 64)
    plot.show_points(_sweep_points())
    _assert_label_inside_and_clear(plot, plot.chance_line)


def test_range_holding_fits_each_value_with_its_pixels_either_side():
    values = np.array([0.0, 1.0, 0.5])
    before, after = np.array([4.0, 4.0, 4.0]), np.array([40.0, 60.0, 10.0])
    low, high = range_holding(values, before, after, pixels=200)
    per_pixel = (high - low) / 200
    assert np.all(values - before * per_pixel >= low - 1e-12)
    assert np.all(values + after * per_pixel <= high + 1e-12)


@pytest.mark.parametrize("size", [(420, 320), (700, 500)])
def test_every_word_of_the_projection_lies_inside_its_view(qtbot, size):
    plot = ProjectionPlot()
    holder = _show_plot(qtbot, plot, *size)
    rng = np.random.default_rng(0)
    words = ("chair", "elephant", "forest", "jumped", "wolf", "sock", "mountain", "played")
    projection = rng.normal(size=(len(words), 2))  # (w, 2)
    projection[0] = projection.max(axis=0) + 0.1  # "chair" at the top right corner
    word_map = SimpleNamespace(words=words, projection=projection, explained=(0.3, 0.2),
                               classes=("object", "animal", "place", "verb") * 2)
    plot.show_map(word_map, "rnn")
    qtbot.waitUntil(lambda: _words_outside(plot) == [])  # once the view has its new range
    width = plot.getViewBox().width()
    holder.resize(size[0] - 120, size[1] - 80)  # narrower: the words still fit
    qtbot.waitUntil(lambda: plot.getViewBox().width() < width - 60)
    qtbot.waitUntil(lambda: _words_outside(plot) == [])


def _words_outside(plot) -> list[str]:
    view = plot.getViewBox().sceneBoundingRect()
    return [label.toPlainText() for label in plot.labels
            if not view.contains(label.mapRectToScene(label.boundingRect()))]


@pytest.mark.parametrize("size", SIZES)
def test_the_live_table_shows_every_models_row(qtbot, make_lab, size):
    window = make_lab(dict(TINY, models=FIVE))
    _show(qtbot, window, *size)
    table = window.live_view.table
    table.show_rows([(kind, "31,000", "H = 64", "4.1", "2.0%", "50", "done") for kind in FIVE])
    qtbot.waitUntil(lambda: table.height() >= table.minimumHeight())
    last = table.rowCount() - 1
    assert table.rowViewportPosition(last) + table.rowHeight(last) <= table.viewport().height()
    assert not table.verticalScrollBar().isVisible()


def _texts_cut(plot) -> list[str]:
    """The title and the vertical axis label, where longer than the room they have."""
    title = plot.plotItem.titleLabel.item.boundingRect().width()
    axis = plot.getAxis("left")
    label = axis.label.boundingRect().width()  # drawn turned a quarter: its width runs up
    cut = [plot.plotItem.titleLabel.text] if title > plot.width() else []
    return cut + ([axis.labelText] if label > axis.height() else [])


def test_the_findings_titles_and_axis_labels_fit_on_a_laptop_screen(qtbot, measured_lab):
    measured_lab.resize(*SIZES[1])
    plots = measured_lab.findings_view.plots
    qtbot.waitUntil(lambda: plots["probe"].width() < 400)
    for name in ("probe", "inference-time", "inference-memory"):
        qtbot.waitUntil(lambda p=plots[name]: _texts_cut(p) == [])


def test_the_class_boundaries_cross_the_cosine_map_only(measured_lab):
    cosine = measured_lab.findings_view.plots["word-cosine"]
    assert cosine.boundaries
    for line in cosine.boundaries:
        xs, ys = line.getData()
        assert np.all((0 <= xs) & (xs <= len(cosine.words)))
        assert np.all((0 <= ys) & (ys <= len(cosine.words)))


def test_range_holding_one_value_gives_a_unit_span_around_it():
    low, high = range_holding(np.array([2.0]), np.array([4.0]), np.array([30.0]), pixels=100)
    assert low < 2.0 < high and high - low == pytest.approx(1.0)
