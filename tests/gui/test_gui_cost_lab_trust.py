"""The cost lab window on fabricated sweeps: the stable crossover in the verdict, warnings for
unsteady timings and implausible slopes shown before it, ⚠ beside such slopes, and table cells
that are never cut off with "…". No clock is read."""

import pytest
from PySide6.QtCore import QRect, Qt

from engine.labs.cost.config import LabConfig
from engine.labs.cost.sweep import LabResult, LabRow, Measurement, count_macs, counted_columns
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
        for name in medians:
            median = medians[name][index]
            samples = tuple(median * r for r in (WIDE if (n, name) in unsteady else STEADY))
            measurements[name] = Measurement(name, median, min(samples), max(samples),
                                             count_macs(name, n, CONFIG), samples)
        counts = counted_columns(n)[:None if "mingru_scan" in medians else 4]  # 4: saved before
        rows.append(LabRow(n, measurements, *counts))
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


WITH_MINGRU = dict(REPORTED, mingru_loop=LINEAR, mingru_scan=[2e-3, 3e-3, 3.5e-3, 4e-3])


@pytest.mark.parametrize("mingru", [False, True])
@pytest.mark.parametrize("size", [(1280, 800), (1600, 1000)])
def test_table_cells_are_never_elided(window, qtbot, size, mingru):
    differing = dict(WITH_MINGRU if mingru else REPORTED,
                     rnn_fused=[1e-3, 1.9e-3, 4.1e-3, 7.7e-3])  # two slopes per cell
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    window.show_result(_result(differing, unsteady={(128, "attention")}))
    assert _clipped_cells(window.table) == []
    assert window.table.textElideMode() == Qt.TextElideMode.ElideNone
    assert "\n" in window.table.item(1, 1).text()  # step loop and nn.RNN on lines of their own


def test_a_result_saved_before_mingru_shows_without_it(window):
    window.show_result(_result(REPORTED))
    legend = window.plots["time"].legend_texts()
    assert legend[4] == "minGRU step loop — not in this result (saved before the lab measured it)"
    assert window.plots["time"].point_counts()["mingru_scan"] == 0
    assert window.plots["multiply-adds"].legend_texts()[5].startswith("minGRU scan — not in")
    assert window.plots["depth"].point_counts()["mingru_scan_sequential"] == 0
    assert window.plots["depth"].legend_texts()[0] == "RNN: sequential operations n — O(n)"
    linear = [text.replace("\u00a0", " ") for text in window.table.texts()[2]]
    assert linear[1:] == ["– (expected 1)", "– (expected 1)", "scan O(log n) / –\nloop O(n) / –",
                          "O(n) / –"]
    assert "saved before the lab measured minGRU" in window.table.item(2, 1).toolTip()
    assert "Linear recurrence" not in window.verdict_label.text()


def test_mingru_curves_are_purple_and_the_verdict_says_whether_the_scan_won(window):
    window.show_result(_result(WITH_MINGRU))
    for plot in ("time", "multiply-adds"):
        curves = window.plots[plot].curves
        assert curves["mingru_scan"].opts["pen"].color().name() == "#7570b3"
        assert curves["mingru_loop"].opts["pen"].color().name() != "#7570b3"  # lighter, dashed
        assert curves["mingru_loop"].opts["pen"].style() == Qt.PenStyle.DashLine
    assert window.plots["depth"].curve_data("mingru_scan_sequential")[1].tolist() == [4, 5, 6, 7]
    verdict = window.verdict_label.text()
    assert ("Linear recurrence: minGRU's scan: measured time slope 0.19 (counted work: "
            in verdict)
    assert ("minGRU's scan is faster than minGRU's step loop from n = 64 on (slower below): a "
            "stable crossover.") in verdict
    assert "so a few CPU cores can lose to the loop" in verdict
    assert "purple" in window.caption.text()
    linear = [text.replace("\u00a0", " ") for text in window.table.texts()[2]]
    assert linear[3] == "scan O(log n) / 7\nloop O(n) / 128" and linear[4] == "O(n) / 127"


@pytest.mark.parametrize("size", [(1280, 800), (1600, 1000)])
def test_every_legend_fits_inside_its_plot(window, qtbot, size):
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    window.show_result(_result(WITH_MINGRU))
    for name, plot in window.plots.items():
        view = plot.plotItem.vb.sceneBoundingRect()
        legend = plot.legend.sceneBoundingRect()
        assert legend.right() <= view.right() and legend.bottom() <= view.bottom(), name
