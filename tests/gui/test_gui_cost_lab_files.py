"""Cost lab files: results saved as CSV and JSON that parse back, failures in a message box, and
every plot exported as PNG or SVG from its right-click menu."""

import csv
import json

import pytest
from cost_lab_helpers import lab_settings, make_lab, run_sweep  # noqa: F401 (make_lab: a fixture)
from PySide6.QtCore import QPoint
from PySide6.QtGui import QContextMenuEvent, QImage
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from engine.labs.cost.report import csv_columns
from engine.labs.cost.sweep import IMPLEMENTATIONS
from gui.labs.cost import files


@pytest.fixture
def save_as(monkeypatch):
    """Answer every save dialog with the path set in `chosen` (and note the folder it opened in)."""
    chosen, asked = {}, []

    def answer(parent, caption, start, filters):
        asked.append((caption, start, filters))
        return str(chosen["path"]), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(answer))
    return chosen, asked


@pytest.fixture
def warnings(monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning",
                        staticmethod(lambda parent, title, text: shown.append((title, text))))
    return shown


def test_save_csv_writes_one_line_per_n(qtbot, make_lab, save_as, tmp_path):
    chosen, asked = save_as
    window = make_lab()
    result = run_sweep(qtbot, window)
    chosen["path"] = tmp_path / "lab"  # the suffix is added
    written = window.save("csv")
    assert written == tmp_path / "lab.csv"
    with open(written, newline="", encoding="utf-8") as file:
        lines = list(csv.reader(file))
    assert lines[0] == csv_columns()
    assert [int(line[0]) for line in lines[1:]] == [4, 8, 16]
    column = lines[0].index("attention_macs")
    assert [int(line[column]) for line in lines[1:]] == [row["attention"].macs
                                                          for row in result.rows]
    assert asked[0][0] == "Save cost lab results as CSV" and asked[0][2] == "CSV table (*.csv)"
    assert lab_settings(tmp_path).value(files.FOLDER_KEY) == str(tmp_path)


def test_save_json_from_the_file_menu_parses_back(qtbot, make_lab, save_as, tmp_path):
    chosen, asked = save_as
    window = make_lab()
    run_sweep(qtbot, window)
    chosen["path"] = tmp_path / "lab.json"
    assert window.save_json_action.isEnabled()
    window.save_json_action.trigger()
    data = json.loads((tmp_path / "lab.json").read_text(encoding="utf-8"))
    assert data["stopped_reason"] == "completed"
    assert data["config"]["d_model"] == 16 and data["config"]["lengths"] == [4, 8, 16]
    assert [row["n"] for row in data["rows"]] == [4, 8, 16]
    assert set(data["rows"][0]["measurements"]) == set(IMPLEMENTATIONS)
    assert data["slopes"]["rnn_stepwise"]["macs"] == pytest.approx(1.0)
    window.save("csv")  # the dialog now opens in the folder used last
    assert asked[1][1] == str(tmp_path / "cost-lab.csv")


def test_a_failed_save_says_why_and_writes_nothing(qtbot, make_lab, save_as, warnings, tmp_path):
    chosen, _asked = save_as
    window = make_lab()
    run_sweep(qtbot, window)
    chosen["path"] = tmp_path / "missing" / "lab.csv"
    assert window.save("csv") is None
    assert len(warnings) == 1
    title, text = warnings[0]
    assert title == "Could not save the results" and "does not exist" in text
    assert not (tmp_path / "missing").exists()


def test_nothing_to_save_before_a_sweep(make_lab, save_as):
    window = make_lab()
    assert window.save("csv") is None
    assert save_as[1] == []  # no dialog was shown
    assert not window.save_csv_action.isEnabled()


def test_right_click_offers_png_and_svg(qtbot, make_lab):
    window = make_lab(show=True)
    plot = window.plots["depth"]
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, QPoint(20, 20),
                              plot.mapToGlobal(QPoint(20, 20)))
    QApplication.sendEvent(plot.viewport(), event)
    menu = window.shown_export_menu
    assert [action.text() for action in menu.actions()] == ["Export depth plot as PNG…",
                                                            "Export depth plot as SVG…"]
    qtbot.waitUntil(menu.isVisible)
    menu.close()


def test_plots_export_as_png_and_svg(qtbot, make_lab, save_as, tmp_path):
    chosen, _asked = save_as
    window = make_lab(show=True)
    run_sweep(qtbot, window)
    plot = window.plots["time"]
    png, svg = window.export_menu("time", plot).actions()
    chosen["path"] = tmp_path / "time.png"
    png.trigger()
    image = QImage(str(tmp_path / "time.png"))
    assert (image.width(), image.height()) == (2 * plot.width(), 2 * plot.height())
    chosen["path"] = tmp_path / "time.svg"
    svg.trigger()
    text = (tmp_path / "time.svg").read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "sentence length n (words)" in text  # the axis label stays text


@pytest.fixture
def open_path(monkeypatch):
    """Answer every open dialog with the path set in `chosen["path"]`."""
    chosen = {}
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda parent, caption, start, filters:
                                     (str(chosen["path"]), filters)))
    return chosen


def test_saved_results_open_again_in_a_fresh_window(qtbot, make_lab, save_as, open_path,
                                                    tmp_path):
    chosen, _asked = save_as
    first = make_lab()
    result = run_sweep(qtbot, first)
    chosen["path"] = tmp_path / "lab.json"
    first.save("json")
    second = make_lab(settings_name="second.ini")
    open_path["path"] = tmp_path / "lab.json"
    assert second.open_result() is True
    assert second.result == result
    assert [row.n for row in second.rows] == [4, 8, 16]
    assert set(second.plots["time"].point_counts().values()) == {3}
    assert second.table.texts() == first.table.texts()
    assert second.save_csv_button.isEnabled()


def test_a_damaged_results_file_is_refused_and_the_view_kept(qtbot, make_lab, open_path, warnings,
                                                             tmp_path):
    window = make_lab()
    result = run_sweep(qtbot, window)
    (tmp_path / "bad.json").write_text('{"format": "nope", "rows": [NaN]}', encoding="utf-8")
    open_path["path"] = tmp_path / "bad.json"
    assert window.open_result() is False
    assert len(warnings) == 1 and warnings[0][0] == "Could not open the results"
    assert window.result == result
