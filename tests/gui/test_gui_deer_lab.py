"""DEER lab window: opens from the View menu, a tiny real run goes through the job mechanism and
fills all three plots and the outcome, Cancel stops between measurements and keeps what is drawn,
failures are marked, each plot exports as PNG, SVG and CSV, and the settings are remembered."""

import csv
import threading

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QSettings

from engine.analysis.deer_convergence import SweepPoint
from engine.core.errors import ConfigError
from gui.jobs import job_manager
from gui.labs.deer.files import export_plot

TINY = dict(n=6, hidden_size=3, longest_n=16, seed=1, recurrent_scale=1.0)
RUN_TIMEOUT_MS = 60_000


@pytest.fixture
def make_lab(qtbot, tmp_path):
    """Build DeerLabWindows on a settings file in tmp_path; their jobs end at teardown."""
    from gui.labs.deer import DeerLabWindow

    windows = []

    def make(values=None, settings_name="lab.ini"):
        settings = QSettings(str(tmp_path / settings_name), QSettings.Format.IniFormat)
        window = DeerLabWindow(settings=settings)
        qtbot.addWidget(window)
        windows.append(window)
        window.controls.set_values(TINY if values is None else values)
        return window

    yield make
    for window in windows:
        window.cancel_run()
        if window.runner.busy:
            qtbot.waitUntil(lambda w=window: not w.runner.busy, timeout=RUN_TIMEOUT_MS)
    assert job_manager().join(RUN_TIMEOUT_MS / 1000)
    job_manager().drain()


def wait_idle(qtbot, window) -> None:
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=RUN_TIMEOUT_MS)


def run_tiny(qtbot, window) -> None:
    assert window.start_run()
    assert not window.run_button.isEnabled() and window.cancel_button.isEnabled()
    wait_idle(qtbot, window)


def test_the_window_opens_from_the_view_menu(qtbot, make_window):
    window = make_window()
    action = next(a for a in window.actions() if a.text() == "&DEER lab…")
    assert window.deer_lab is None
    action.trigger()
    lab = window.deer_lab
    assert lab is not None and lab.isVisible() and lab.windowTitle().startswith("DEER lab")
    window.show_deer_lab()
    assert window.deer_lab is lab  # one instance, brought forward
    window.close()
    assert not lab.isVisible()


def test_a_tiny_run_fills_all_three_plots_and_says_how_it_ended(qtbot, make_lab):
    window = make_lab()
    run_tiny(qtbot, window)
    result = window.result
    assert result.completed and window.status_text.startswith("Done")
    error = window.plots["error"]
    for jacobian in ("full", "diagonal"):
        run = result.convergence[jacobian]
        xs, ys = error.curves[jacobian].xData, error.curves[jacobian].yData
        assert list(xs) == list(range(len(run.errors)))
        np.testing.assert_allclose(ys, np.maximum(run.errors, 1e-17))
    assert window.plots["length"].point_counts() == {"full": 2, "diagonal": 2}  # n = 8, 16
    assert window.plots["scale"].point_counts() == {"full": 10, "diagonal": 10}
    lengths = window.plots["length"]
    assert list(lengths.loop_line.xData) == [8, 16] == list(lengths.loop_line.yData)
    outcome = window.outcome_label.text()
    assert "DEER</b></span>: converged in" in outcome and "quasi-DEER" in outcome
    assert "λ₁γ = " in window.rate_label.text()
    deer = result.convergence["full"].result.iterations
    assert f"DEER (full Jacobian): converged in {deer} iterations" in error.legend_texts()
    assert window.run_button.isEnabled() and not window.cancel_button.isEnabled()


def test_cancel_stops_between_measurements_and_keeps_what_is_drawn(qtbot, make_lab):
    window = make_lab()
    release = threading.Event()
    from engine.labs.deer.lab import run_lab

    def work(on_part, progress, cancel):
        def on_part_then_wait(part):  # the first part drawn, then wait for Cancel
            on_part(part)
            release.wait(20)
        return run_lab(window.controls.config(), on_part_then_wait, progress, cancel)

    assert window.start_run(work)
    qtbot.waitUntil(lambda: window.result is not None and len(window.result.convergence) == 1,
                    timeout=RUN_TIMEOUT_MS)
    window.cancel_button.click()
    assert window.runner.cancelling and not window.cancel_button.isEnabled()
    release.set()
    wait_idle(qtbot, window)
    assert not window.result.completed
    assert window.status_text.startswith("Cancelled; 1 measurement kept")
    assert window.plots["error"].point_counts()["full"] > 0
    assert window.plots["length"].point_counts() == {"full": 0, "diagonal": 0}
    assert window.run_button.isEnabled()


def test_a_run_that_does_not_converge_says_so_in_the_legend_and_beside_it(qtbot, make_lab):
    window = make_lab(dict(TINY, n=16, max_iterations=2, recurrent_scale=3.0, longest_n=8))
    run_tiny(qtbot, window)
    assert window.result.convergence["diagonal"].result.status == "max_iterations"
    assert ("quasi-DEER (diagonal): did not converge in 2 iterations"
            in window.plots["error"].legend_texts())
    assert "did not converge within 2 iterations" in window.outcome_label.text()
    assert len(window.plots["length"].marks["max_iterations"].xData) >= 1


def test_failed_sweep_points_are_marked_in_red_and_named_in_the_legend(qtbot, make_lab):
    window = make_lab()
    points = [SweepPoint(8, 1.0, 0.9, 4, "converged", 1e-15),
              SweepPoint(16, 1.0, 0.9, 100, "max_iterations", 0.1),
              SweepPoint(32, 1.0, 0.9, 7, "diverged", float("nan"))]
    plot = window.plots["length"]
    plot.show_points({"full": points})
    assert plot.point_counts()["full"] == 3  # none left out
    assert list(plot.marks["max_iterations"].xData) == [16.0]
    assert list(plot.marks["diverged"].xData) == [32.0]
    names = [label.text for _item, label in plot.legend.items]
    assert "did not converge (max iterations)" in names and "diverged (non-finite iterate)" in names
    plot.show_points({"full": points[:1]})
    names = [label.text for _item, label in plot.legend.items]
    assert "did not converge (max iterations)" not in names


def test_a_setting_the_engine_refuses_is_shown_beside_its_field(qtbot, make_lab):
    window = make_lab()

    def work(_on_part, _progress, _cancel):
        raise ConfigError("hidden_size", "must be between 1 and 64, got 99")

    assert window.start_run(work)
    wait_idle(qtbot, window)
    assert window.controls.shown_errors() == {
        "hidden_size": "Hidden size H must be between 1 and 64, got 99"}
    assert window.status_text.startswith("Not started: Hidden size H")


def test_each_plot_exports_png_svg_and_csv(qtbot, make_lab, tmp_path):
    window = make_lab()
    run_tiny(qtbot, window)
    assert set(window.export_targets.widgets("plot")) == {
        "deer-lab-error", "deer-lab-length", "deer-lab-scale"}
    for name, plot in window.plots.items():
        for fmt in ("png", "svg", "csv"):
            path = export_plot(window, plot, name, fmt, path=tmp_path / f"{name}.{fmt}")
            assert path is not None and path.stat().st_size > 0
    with open(tmp_path / "scale.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert "DEER (full Jacobian) lambda1 gamma" in rows[0] and len(rows) == 1 + 10
    with open(tmp_path / "error.csv", newline="") as handle:
        header = next(csv.reader(handle))
    assert "quasi-DEER (diagonal) error against the loop" in header
    menu = window.export_menu("iterations against n", window.plots["length"])
    assert [a.text() for a in menu.actions()] == [
        f"Export iterations-against-n plot as {what}…" for what in ("PNG", "SVG",
                                                                     "CSV (its numbers)")]


def test_settings_are_remembered_and_damaged_ones_named(qtbot, make_lab, tmp_path):
    window = make_lab(dict(TINY, tolerance=1e-8, max_iterations=40))
    window.close()
    again = make_lab(values={})
    assert again.controls.values() == dict(TINY, tolerance=1e-8, max_iterations=40)
    settings = QSettings(str(tmp_path / "lab.ini"), QSettings.Format.IniFormat)
    settings.setValue("deer_lab/n", "many")
    settings.setValue("deer_lab/tolerance", "0.5")  # no such choice
    settings.sync()
    damaged = make_lab(values={})
    message = damaged.statusBar().currentMessage()
    assert "deer_lab/n" in message and "deer_lab/tolerance" in message
    assert damaged.controls.values()["n"] == 64  # the default


def test_no_legend_covers_a_point(qtbot, make_lab):
    """Every point lies below the legend's lower edge (each plot keeps a band for its legend)."""
    window = make_lab(dict(TINY, n=16, max_iterations=3, recurrent_scale=3.0))
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    run_tiny(qtbot, window)
    for name, plot in window.plots.items():
        qtbot.waitUntil(lambda p=plot: p.getViewBox().height() > 50)
        plot._refit()
        view = plot.getViewBox()
        legend_bottom = plot.legend.mapRectToScene(plot.legend.boundingRect()).bottom()
        legend_bottom_y = view.mapSceneToView(QPointF(0, legend_bottom)).y()  # decades
        shown = [y for item in plot.getPlotItem().listDataItems() if item.yData is not None
                 for y in np.log10(np.asarray(item.yData, dtype=float)[item.yData > 0])]
        assert shown, name
        assert max(shown) < legend_bottom_y, name
