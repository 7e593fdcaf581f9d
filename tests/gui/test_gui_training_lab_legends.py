"""The training lab's legends never cover the curves: every plot's legend sits in a row under its
x axis, outside the data area, at a wide and a narrow size, with an entry per model."""

import pytest
from training_lab_helpers import make_lab  # noqa: F401 (fixture)

from gui.labs.training.plots import MODEL_LABELS, LabPlot

MODELS = ("rnn", "lstm", "gru", "transformer")


def _lab_plots(window) -> dict:
    plots = {**window.plots, "sweep": window.sweep_view.plot, **window.findings_view.plots}
    return {name: plot for name, plot in plots.items() if isinstance(plot, LabPlot)}


@pytest.mark.parametrize("size", [(1500, 950), (900, 700)])
def test_every_legend_lies_outside_the_data_area(qtbot, make_lab, size):
    window = make_lab()
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    plots = _lab_plots(window)
    assert {"loss", "accuracy", "gradient", "step-time", "sweep"} <= set(plots)
    for name, plot in plots.items():
        window.tabs.setCurrentWidget(next(tab for tab in (window.live_view, window.sweep_view,
                                                          window.findings_view)
                                          if tab.isAncestorOf(plot)))
        if name != "word-projection":  # its entries are the word classes
            plot.set_models(MODELS)
            assert plot.legend_row.texts() == [MODEL_LABELS[kind] for kind in MODELS], name
        qtbot.waitUntil(lambda p=plot: p.legend_row.box.size().height() > 0)
        data_area = plot.getViewBox().sceneBoundingRect()
        legend = plot.legend.mapRectToScene(plot.legend.boundingRect())
        assert legend.height() > 0, name
        assert not legend.intersects(data_area), (name, legend, data_area)
        assert legend.top() >= data_area.bottom(), name
        assert plot.sceneRect().contains(legend), name  # not cut off at the bottom
