"""Data out of the app: any matrix shown, as CSV with its row and column labels."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from engine.core.atomic import OutputPathError, write_text
from gui.export.images import ExportError, check_path_text


def matrix_csv(matrix: np.ndarray, row_labels: list[str], col_labels: list[str],
               corner: str = "") -> str:
    """CSV text: a header of column labels, then one labelled row per matrix row, full precision."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([corner, *col_labels])
    for label, row in zip(row_labels, np.asarray(matrix)):
        writer.writerow([label, *(repr(float(value)) for value in row)])
    return out.getvalue()


def write_matrix_csv(path: str | Path, matrix: np.ndarray, row_labels: list[str],
                     col_labels: list[str], corner: str = "") -> Path:
    path = check_path_text(path)
    try:
        return write_text(path, matrix_csv(matrix, row_labels, col_labels, corner))
    except OutputPathError as error:
        raise ExportError(str(error)) from None
