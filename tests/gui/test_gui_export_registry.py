"""One export path: every window registers its targets once, and the menus, the File → Export
dialogs and headless --export read them from its ExportRegistry."""

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QMenu, QWidget

from cost_lab_helpers import make_lab  # noqa: F401  (fixture)
import gui.export.controller
from gui.export import targets
from gui.export.batch import export_folder
from gui.export.registry import ExportRegistry
from gui.export.snapshot import ExportSnapshot
from gui.views.panels.heatmap import HeatmapView
from window_helpers import shown_window


@pytest.fixture(scope="module")
def window(qapp, tmp_path_factory, trace3):
    yield from shown_window(qapp, tmp_path_factory.mktemp("registry-settings") / "s.ini", trace3)


@pytest.mark.parametrize("name, kind, problem", [
    ("Attention Weights", "plot", "lower-case"), ("attention_weights", "plot", "lower-case"),
    ("", "plot", "lower-case"), ("scores", "chart", "one of plot, panel, window"),
])
def test_names_and_kinds_are_checked(qapp, name, kind, problem):
    with pytest.raises(ValueError, match=problem):
        ExportRegistry().add(name, QWidget(), kind)


def test_a_name_is_registered_once(qapp):
    registry = ExportRegistry()
    registry.add("scores", QWidget(), "plot")
    with pytest.raises(ValueError, match="twice"):
        registry.add("scores", QWidget(), "panel")


def test_the_main_window_registers_every_plot_panel_and_itself_last(window):
    registry = window.export_targets
    plots = {name: plot for panel in (window.rnn_panel, window.attention_panel,
                                      window.gradient_panel) for name, plot in panel.plots().items()}
    assert registry.widgets("plot") == plots
    assert list(registry.widgets("panel")) == ["rnn-panel", "attention-panel", "gradient-panel",
                                               "race-strip"]
    assert list(registry.widgets())[-1] == "window" and registry["window"].widget is window
    assert set(registry.matrices()) == {name for name, plot in plots.items()
                                        if isinstance(plot, HeatmapView)}
    assert targets.all_targets(window) == registry.widgets()


def test_a_target_registered_once_is_exported_headless(window, tmp_path):
    """The batch export (headless --export) takes its list from the registry, nothing else."""
    extra = window.attention_panel.views["scores"]
    window.export_targets.add("scores-again", extra, "plot")
    try:
        written = export_folder(window, tmp_path, ["svg"])
        assert tmp_path / "scores-again.svg" in written
        assert [path.stem for path in written] == list(window.export_targets.widgets())
    finally:
        window.export_targets.remove("scores-again")


def test_the_cost_lab_registers_its_plots_and_itself(make_lab):  # noqa: F811
    lab = make_lab()
    registry = lab.export_targets
    assert registry.widgets("plot") == {f"cost-lab-{name}": plot for name, plot in lab.plots.items()}
    assert registry["cost-lab"].widget is lab and registry["cost-lab"].kind == "window"
    assert registry.matrices() == {}


def test_a_map_for_one_more_model_exports_like_every_plot(qapp, tmp_path_factory, trace3, tmp_path,
                                                          monkeypatch):
    """A trace with a third model record adds its connectivity map to the window's targets: the
    headless batch writes it, and a right-click on it offers its export menu. A later run
    without that model takes the map out of the targets again."""
    from model_record_helpers import with_scan

    settings = tmp_path_factory.mktemp("third-model") / "s.ini"
    for window in shown_window(qapp, settings, trace3):
        assert "gradient-linear-connectivity" not in window.export_targets
        window.state.show(with_scan(trace3), 2 * trace3.length)
        assert "gradient-linear-connectivity" in window.export_targets
        assert window.export_targets["gradient-linear-connectivity"].kind == "plot"
        written = export_folder(window, tmp_path, ["png"])
        assert tmp_path / "gradient-linear-connectivity.png" in written
        window.state.show(trace3, 2 * trace3.length)  # a later two-model run: the map goes
        assert "gradient-linear-connectivity" not in window.export_targets
        with pytest.raises(KeyError, match="no export target 'gradient-linear-connectivity'"):
            ExportSnapshot(window, "gradient-linear-connectivity")
        assert tmp_path / "gradient-linear-connectivity.png" not in export_folder(
            window, tmp_path / "again", ["png"])
        window.state.show(with_scan(trace3), 2 * trace3.length)
        menus = []  # a shown menu would wait for a click: record its entries instead

        class RecordingMenu(QMenu):  # PySide6 ignores a patched QMenu.exec
            def exec(self, *args):
                menus.append([action.text() for action in self.actions()])

        monkeypatch.setattr(gui.export.controller, "QMenu", RecordingMenu)
        window.gradient_panel.maps["linear"].export_menu_requested.emit(QPoint(0, 0))
        assert menus and "Export Gradient linear connectivity as PNG…" in menus[0]
