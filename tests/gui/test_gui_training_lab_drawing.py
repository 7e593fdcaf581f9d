"""The training lab's live plots stay cheap to repaint as curves grow: their axes are drawn from a
pixmap on screen (and as vectors in an SVG export), and while a run goes on the x range grows in
doublings, so the ticks change a few times a run; once it stops, the range fits the last point.
Every point is still drawn. A new run's worker waits while the window draws the emptied plots,
and the status line keeps its height from message to message, so the plots keep their size."""

import re

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication, QGraphicsItem
from training_lab_helpers import TINY, make_lab, wait_idle  # noqa: F401 (fixture)

from engine.labs.training.train import EvalRecord, StepRecord, TrainUpdate
from gui.export.images import svg_bytes
from gui.labs.training.curves import LiveCurves
from gui.labs.training.plots import LIVE_PLOTS, CachedAxis, LivePlot, doubling_bound
from gui.labs.training.runner import Built, Starting, TrainingRunner

MODELS = ("rnn", "transformer")


def _curves_up_to(last_step: int, seconds_per_step: float = 0.01) -> LiveCurves:
    curves = LiveCurves(MODELS)
    for step in range(1, last_step + 1):
        records = tuple(StepRecord(kind, step, step * seconds_per_step, 4.0 / step, 0.5, 1e-3,
                                   seconds_per_step) for kind in MODELS)
        evaluations = tuple(EvalRecord(kind, step, step * seconds_per_step, 1.0, 0.5)
                            for kind in MODELS) if step % 4 == 0 else ()
        curves.add(TrainUpdate(step, records, evaluations))
    return curves


def _x_range(plot: LivePlot) -> list[float]:
    view = plot.getViewBox()
    view.updateAutoRange()
    return view.viewRange()[0]


@pytest.fixture
def loss_plot(qtbot):
    plot = LivePlot("loss")
    qtbot.addWidget(plot)
    plot.resize(600, 400)
    plot.set_models(MODELS)
    return plot


@pytest.mark.parametrize("largest, bound", [(1, 1), (2, 2), (3, 4), (300, 512), (512, 512),
                                            (513, 1024), (0.3, 0.5), (0, None), (-1, None),
                                            (float("nan"), None)])
def test_the_bound_is_the_next_power_of_two(largest, bound):
    assert doubling_bound(largest) == bound


def test_while_growing_the_x_range_spans_zero_to_the_next_power_of_two(loss_plot):
    loss_plot.show_curves(_curves_up_to(300), growing=True)
    low, high = _x_range(loss_plot)
    assert low <= 0 < 512 <= high < 1.1 * 512
    before = _x_range(loss_plot)
    loss_plot.show_curves(_curves_up_to(500), growing=True)
    assert _x_range(loss_plot) == before  # same power of two: the axis is left as it was
    loss_plot.show_curves(_curves_up_to(513), growing=True)
    assert 1024 <= _x_range(loss_plot)[1] < 1.1 * 1024


def test_once_stopped_the_x_range_fits_the_last_point(loss_plot):
    loss_plot.show_curves(_curves_up_to(300), growing=True)
    loss_plot.show_curves(_curves_up_to(300))
    low, high = _x_range(loss_plot)
    assert low <= 0 and 300 <= high < 1.1 * 300


def test_against_seconds_the_range_doubles_in_seconds(loss_plot):
    loss_plot.set_x_field("seconds")
    loss_plot.show_curves(_curves_up_to(300, seconds_per_step=0.01), growing=True)  # 3 s
    assert 4 <= _x_range(loss_plot)[1] < 1.1 * 4


def test_a_new_run_forgets_the_old_range(loss_plot):
    loss_plot.show_curves(_curves_up_to(300), growing=True)
    loss_plot.set_models(MODELS)
    loss_plot.show_curves(_curves_up_to(10), growing=True)
    assert 16 <= _x_range(loss_plot)[1] < 1.1 * 16


def test_the_y_range_still_fits_the_data(loss_plot):
    loss_plot.show_curves(_curves_up_to(300), growing=True)
    view = loss_plot.getViewBox()
    view.updateAutoRange()
    low, high = view.viewRange()[1]
    assert low <= 4.0 / 300 and 4.0 <= high < 4.5


def test_every_point_is_drawn_while_growing(loss_plot):
    loss_plot.show_curves(_curves_up_to(300), growing=True)
    assert loss_plot.point_counts() == {"rnn": 300, "transformer": 300}
    xs, ys = loss_plot.curve_data("rnn")
    np.testing.assert_array_equal(xs, np.arange(1, 301))
    np.testing.assert_allclose(ys, 4.0 / np.arange(1, 301))


def test_the_axes_are_cached_on_screen_and_vectors_in_an_svg(loss_plot):
    loss_plot.show_curves(_curves_up_to(300))
    for name in ("bottom", "left"):
        axis = loss_plot.getAxis(name)
        assert isinstance(axis, CachedAxis)
        assert axis.cacheMode() == QGraphicsItem.CacheMode.DeviceCoordinateCache
    loss_plot.getViewBox().updateAutoRange()
    svg = svg_bytes(loss_plot).decode()
    assert "<image" not in svg  # no axis drawn as a bitmap
    texts = [text.strip() for text in re.findall(r">([^<>]*)</text>", svg)]
    assert {"0", "100", "200", "300", "training step"} <= set(texts), texts
    assert loss_plot.getAxis("bottom").cacheMode() == \
        QGraphicsItem.CacheMode.DeviceCoordinateCache  # cached again after the export


def test_a_window_run_grows_in_doublings_and_ends_fitted(qtbot, make_lab):
    window = make_lab(dict(TINY, steps=40, eval_every=8))
    seen = []
    redraw = window.live_view.redraw

    def record(session, growing=False):
        redraw(session, growing)
        seen.append((growing, session.curves.largest_step_value("step"),
                     window.plots["loss"].x_extent.high))
    window.live_view.redraw = record
    window.start_training()
    wait_idle(qtbot, window)
    assert seen[-1] == (False, 40, 40)  # the last redraw, once finished, fits the last step
    for growing, largest, high in seen[:-1]:
        assert growing and high == doubling_bound(largest)
    for name in LIVE_PLOTS:  # all four plots share the x range
        assert window.plots[name].x_extent.high == 40


def test_a_new_run_waits_while_the_window_draws_its_emptied_plots(qtbot, make_lab):
    window = make_lab()
    kinds = []
    on_message = window.runner._on_job_message

    def record(payload, release):
        kinds.append(type(payload))
        on_message(payload, release)
    window.runner._on_job_message = record
    window.start_training(steps=4)
    wait_idle(qtbot, window)
    assert kinds[:2] == [Starting, Built]  # Starting before the models are built
    kinds.clear()
    window.resume_training()
    wait_idle(qtbot, window)
    assert Starting not in kinds and kinds[0] is Built  # resuming builds nothing


def test_the_runner_holds_the_worker_after_starting_then_lets_it_go(qtbot):
    runner = TrainingRunner()
    released = []
    runner._on_job_message(Starting(), lambda: released.append(True))
    assert released == []  # the window paints first
    qtbot.waitUntil(lambda: released == [True], timeout=2000)


def test_the_status_bar_keeps_its_height_whatever_one_line_it_shows(qtbot, make_lab):
    window = make_lab()
    window.resize(1500, 950)
    window.show()
    qtbot.waitExposed(window)
    plot = window.plots["loss"]

    def heights(message):
        window._set_status(message)
        QApplication.processEvents()  # the layout requests
        return window.statusBar().height(), plot.height()
    short = heights("Step 1 of 12…")
    for message in ("Choose the settings and press Start.",
                    "Building the models (n = 32, width 32)…",
                    "Completed: 2000 steps for every model. Held-out accuracy: Elman RNN (tanh) "
                    "12%, LSTM 1%, Transformer 100%."):
        assert heights(message) == short, message  # the plots above keep their size
    window._set_status("word " * 400)  # far too long for one line: the bar grows to show it
    qtbot.waitUntil(lambda: window.statusBar().height() > short[0])
    label = window.status_label
    assert label.height() >= label.heightForWidth(label.width())


class _Session:
    """What LiveView.redraw reads of a training session."""

    def __init__(self, curves: LiveCurves):
        self.curves = curves

    def table_rows(self):
        return []


def test_while_growing_the_plots_are_drawn_one_per_turn_of_the_event_loop(qtbot):
    from gui.labs.training.live_view import LiveView

    view = LiveView()
    qtbot.addWidget(view)
    view.reset(MODELS)
    first, *later = view.plots.values()
    view.redraw(_Session(_curves_up_to(40)), growing=True)
    assert first.point_counts()["rnn"] > 0  # the first now, the others on later turns
    assert all(plot.point_counts()["rnn"] == 0 for plot in later)
    newest = _Session(_curves_up_to(80))
    view.redraw(newest, growing=True)  # before the others' turn: they draw the newest curves
    qtbot.waitUntil(lambda: not view._waiting)
    def drawn(plot) -> int:  # steps, or held-out evaluations (every 4th step)
        counts = plot.point_counts()["rnn"]
        return counts if LIVE_PLOTS[plot.name][3] != "evaluations" else counts * 4

    assert [drawn(plot) for plot in view.plots.values()] == [80, 80, 80, 80]
    view.redraw(_Session(_curves_up_to(100)))  # finished: all at once, nothing left waiting
    assert not view._waiting
    assert [drawn(plot) for plot in view.plots.values()] == [100, 100, 100, 100]
