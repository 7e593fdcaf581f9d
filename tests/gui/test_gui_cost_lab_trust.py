"""The cost lab window on fabricated sweeps: the stable crossover in the verdict, warnings for
unsteady timings and implausible slopes shown before it, ⚠ beside such slopes, and table cells
that are never cut off with "…". No clock is read."""

import pytest
from PySide6.QtCore import QRect, Qt

from engine.labs.cost.config import LabConfig
from engine.labs.cost.sweep import IMPLEMENTATIONS, LabResult, LabRow, Measurement, count_macs
from gui.labs.cost import CostLabWindow

CONFIG = LabConfig(d_model=128, hidden_size=128, head_size=32, lengths=(16, 32, 64, 128),
                   repeats=5, warmup=1)
STEADY = (0.98, 0.99, 1.0, 1.01, 1.02)
WIDE = (0.5, 0.6, 1.0, 1.9, 2.0)
LINEAR = [1e-3, 2e-3, 4e-3, 8e-3]
REPORTED = {"rnn_stepwise": LINEAR, "rnn_fused": LINEAR,  # attention slower at n = 16 only
            "attention": [2e-3, 2e-4, 4e-4, 1.6e-3], "attention_sdpa": [2e-3, 2e-4, 4e-4, 1.6e-3]}


def _result(medians, unsteady=()):
    rows = []
    for index, n in enumerate(CONFIG.lengths):
        measurements = {}
        for name in IMPLEMENTATIONS:
            median = medians[name][index]
            samples = tuple(median * r for r in (WIDE if (n, name) in unsteady else STEADY))
            measurements[name] = Measurement(name, median, min(samples), max(samples),
                                             count_macs(name, n, CONFIG), samples)
        rows.append(LabRow(n, measurements, n, 1, n - 1, 1))
    return LabResult(CONFIG, tuple(rows), "completed", "test CPU", "0.0")


@pytest.fixture
def window(qtbot):
    window = CostLabWindow()
    qtbot.addWidget(window)
    return window


def test_the_verdict_states_the_stable_crossover(window):
    window.show_result(_result(REPORTED))
    verdict = window.verdict_label.text()
    assert ("attend() is faster than our step loop from n = 32 on (slower below): a stable "
            "crossover") in verdict
    assert "from n = 16" not in verdict
    assert "fixed cost of microseconds" in verdict  # why attention lost at the smallest n
    assert window.warning_label.isHidden() and window.warning_label.text() == ""


def test_unsteady_timings_and_implausible_slopes_are_warned_about(window):
    noisy = dict(REPORTED, rnn_fused=[1e-3, 2e-3, 2.2e-3, 2e-3])  # time falls as n grows
    window.show_result(_result(noisy, unsteady={(64, "attention"), (128, "rnn_fused")}))
    warnings = window.warning_label.text()
    assert not window.warning_label.isHidden()
    assert warnings.startswith("⚠ 2 of 16 timings are unsteady")
    assert "⚠ The time slope of torch.nn.RNN, -0.14, is negative" in warnings
    verdict = window.verdict_label.text()
    assert "SDPA is faster than torch.nn.RNN from n = 32 on" in verdict
    assert verdict.count("(some of these timings are unsteady)") == 2  # both pairs have one
    table_cell = window.table.item(1, 1)
    assert "nn.RNN -0.14 ⚠" in table_cell.text() and "negative" in table_cell.toolTip()
    legend = window.plots["time"].legend_texts()[1]
    assert legend == "RNN, torch.nn.RNN — slope -0.14 ⚠ (paper: 1)"


def _clipped_cells(table) -> list[str]:
    """Texts that do not fit their cell when wrapped at word boundaries."""
    metrics, clipped = table.fontMetrics(), []
    for row in range(table.rowCount()):
        for column in range(table.columnCount()):
            item = table.item(row, column)
            cell = table.visualItemRect(item)
            needed = metrics.boundingRect(QRect(0, 0, cell.width() - 8, 10_000),
                                          int(Qt.AlignmentFlag.AlignCenter)
                                          | int(Qt.TextFlag.TextWordWrap), item.text())
            if needed.width() > cell.width() - 8 or needed.height() > cell.height():
                clipped.append(item.text())
    return clipped


@pytest.mark.parametrize("size", [(1280, 800), (1600, 1000)])
def test_table_cells_are_never_elided(window, qtbot, size):
    differing = dict(REPORTED, rnn_fused=[1e-3, 1.9e-3, 4.1e-3, 7.7e-3])  # two slopes per cell
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    window.show_result(_result(differing, unsteady={(128, "attention")}))
    assert _clipped_cells(window.table) == []
    assert window.table.textElideMode() == Qt.TextElideMode.ElideNone
    assert "\n" in window.table.item(1, 1).text()  # step loop and nn.RNN on lines of their own
