"""CSV export of the matrices on screen: labels in the header and first column, values exact."""

import csv

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from engine import SimConfig, simulate
from gui.export import targets
from gui.export.data import matrix_csv, write_matrix_csv
from gui.export.images import ExportError

TINY = dict(d_model=4, hidden_size=4, head_size=2)  # as in conftest.py: runs in milliseconds
# Commas and quotes in tokens must survive CSV quoting.
AWKWARD = 'Yes, "no" ok'


@pytest.fixture(scope="module")
def awkward_trace():
    return simulate(AWKWARD, SimConfig(**TINY))


@pytest.fixture(scope="module")
def window(qapp, tmp_path_factory, awkward_trace):
    from gui.main_window import MainWindow

    path = tmp_path_factory.mktemp("data-settings") / "s.ini"
    window = MainWindow(overrides=dict(TINY), settings=QSettings(str(path), QSettings.Format.IniFormat))
    window.show()
    window.timeline.set_trace(awkward_trace, 2 * awkward_trace.length)
    qapp.processEvents()
    yield window
    window.close()
    window.deleteLater()
    qapp.processEvents()


def read_csv(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def check_round_trip(rows, matrix, row_labels, col_labels, corner):
    assert rows[0] == [corner, *col_labels]
    assert len(rows) == 1 + matrix.shape[0]
    assert [row[0] for row in rows[1:]] == row_labels
    values = np.array([[float(cell) for cell in row[1:]] for row in rows[1:]])
    assert values.shape == matrix.shape
    assert np.array_equal(values, matrix)  # exact: repr of a float parses back to the same float
    for row, expected in zip(rows[1:], matrix):
        assert row[1:] == [repr(float(value)) for value in expected]


def test_tokens_with_commas_and_quotes(awkward_trace):
    assert awkward_trace.tokens == ("Yes", ",", '"', "no", '"', "ok")


def test_rnn_hidden_csv_has_dimension_columns_and_a_row_per_token(window, awkward_trace, tmp_path):
    matrix, row_labels, col_labels, corner = window.rnn_panel.hidden_view.shown_matrix()
    assert np.array_equal(matrix, awkward_trace.rnn.hidden)
    assert row_labels == list(awkward_trace.tokens)
    assert col_labels == [f"hidden dimension {i}" for i in range(TINY["hidden_size"])]
    path = write_matrix_csv(tmp_path / "rnn-hidden.csv", matrix, row_labels, col_labels, corner)
    assert path == tmp_path / "rnn-hidden.csv"
    check_round_trip(read_csv(path), matrix, row_labels, col_labels, corner)


def test_attention_weights_csv_labels_both_axes_with_tokens(window, awkward_trace, tmp_path):
    view = window.attention_panel.views["weights"]
    matrix, row_labels, col_labels, corner = view.shown_matrix()
    T = awkward_trace.length
    assert matrix.shape == (T, T)
    assert np.allclose(matrix.sum(axis=1), 1.0)  # softmax rows
    assert row_labels == col_labels == list(awkward_trace.tokens)
    path = write_matrix_csv(tmp_path / "w.csv", matrix, row_labels, col_labels, corner)
    rows = read_csv(path)
    check_round_trip(rows, matrix, row_labels, col_labels, corner)
    assert rows[0][1:] == ["Yes", ",", '"', "no", '"', "ok"]


def test_every_heatmap_writes_a_csv_matching_its_matrix(window, tmp_path):
    heatmaps = targets.heatmaps(window)
    assert set(heatmaps) == {"rnn-hidden", "attention-x", "attention-q", "attention-k", "attention-v",
                             "attention-scores", "attention-weights", "attention-output",
                             "gradient-rnn-connectivity", "gradient-attention-connectivity"}
    for name, view in heatmaps.items():
        shown = view.shown_matrix()
        path = write_matrix_csv(tmp_path / f"{name}.csv", *shown)
        check_round_trip(read_csv(path), *shown)


def test_matrix_csv_keeps_full_precision_and_special_values():
    matrix = np.array([[0.1 + 0.2, -1e-300, 1 / 3], [np.inf, -0.0, 123456789.123456789]])
    text = matrix_csv(matrix, ["a", "b,c"], ["x", "y", 'z"q'], corner="value")
    rows = list(csv.reader(text.splitlines()))
    assert rows[0] == ["value", "x", "y", 'z"q']
    assert rows[2][0] == "b,c"
    parsed = np.array([[float(v) for v in row[1:]] for row in rows[1:]])
    assert np.array_equal(parsed, matrix)
    assert rows[1][1] == "0.30000000000000004"
    assert text.endswith("\n") and "\r" not in text


def test_csv_into_a_missing_folder_raises_export_error(tmp_path):
    with pytest.raises(ExportError, match="does not exist"):
        write_matrix_csv(tmp_path / "nope" / "m.csv", np.eye(2), ["a", "b"], ["c", "d"])
    assert list(tmp_path.iterdir()) == []
