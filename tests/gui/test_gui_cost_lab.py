"""Cost lab window: a real tiny sweep fills the plots (one point per n), the legends' slopes, the
Table 1 table and the verdict; settings are remembered; validation errors show beside the field."""

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSize
from cost_lab_helpers import TINY, lab_settings, make_lab, run_sweep  # noqa: F401 (make_lab: a fixture)

from engine.labs.cost import config as lab_config
from engine.labs.cost.report import fit_slope, slope_warnings
from engine.labs.cost.sweep import IMPLEMENTATIONS
from gui.labs.cost import CostLabWindow
from gui.labs.cost.controls import CUDA_CHECKING
from gui.labs.cost.table import COLUMNS
from gui.window_geometry import fitted_size


def test_window_opens_with_defaults(qtbot):
    window = CostLabWindow()  # no settings: nothing is remembered, nothing fails
    qtbot.addWidget(window)
    assert window.windowTitle() == "Cost lab — sequential vs parallel on this machine"
    # 1400 x 900 where the screen has room; the offscreen test screen has less, so it is shrunk
    default = QSize(1400, 900)
    assert window.size() == fitted_size(default, window.screen().availableGeometry())
    assert window.size().width() <= default.width() and window.size().height() <= default.height()
    values = window.controls.values()
    assert values == {"device": "cpu", "d_model": 512, "hidden_size": 512, "head_size": 64,
                      "min_n": 16, "max_n": 4096, "backward": False, "repeats": 5, "warmup": 1,
                      "threads": 0, "dtype": "float32"}
    assert window.controls.widgets["device"].itemText(1) == CUDA_CHECKING
    assert window.controls.config().lengths == (16, 32, 64, 128, 256, 512, 1024, 2048, 4096)
    assert not window.save_csv_button.isEnabled() and not window.cancel_button.isEnabled()
    assert "Table 1" in window.caption.text() and "2-core CPU" in window.caption.text()
    estimate = window.controls.estimate.text()
    # 4 bytes x (4 copies of the 4096 x 4096 matrix + 8·n·(D + H + 4·hs) for the vectors)
    assert estimate.startswith("Longest n = 4096 needs about 436.2 MB for the attention matrices")
    for name in window.controls.widgets:
        assert window.controls.widgets[name].toolTip()


def test_a_real_sweep_fills_every_plot_one_point_per_n(qtbot, make_lab):
    window = make_lab()
    rows_seen = []
    window.runner.row_arrived.connect(lambda row: rows_seen.append(
        window.plots["time"].point_counts()["attention"]))
    result = run_sweep(qtbot, window)
    assert result.stopped_reason == "completed"
    assert [row.n for row in result.rows] == [4, 8, 16]
    assert [row.n for row in window.rows] == [4, 8, 16]
    assert rows_seen == [1, 2, 3]  # the plot grew as each row arrived
    assert window.status_label.text() == "Completed: 3 lengths measured."
    assert window.progress_bar.value() == 1000
    counts = {name: plot.point_counts() for name, plot in window.plots.items()}
    assert set(counts["time"].values()) == {3}
    assert set(counts["multiply-adds"].values()) == {3}  # six curves and Table 1's two shapes
    assert set(counts["depth"].values()) == {3}
    assert list(window.plots["depth"].curve_data("mingru_scan_sequential")[1]) == [2, 3, 4]
    time_plot = window.plots["time"]
    for name in IMPLEMENTATIONS:
        ns, medians = time_plot.curve_data(name)
        assert list(ns) == [4, 8, 16]
        assert list(medians) == [row[name].median_seconds for row in result.rows]
        spread = time_plot.spreads[name].opts
        assert np.allclose(spread["top"], np.log10([r[name].max_seconds for r in result.rows])
                           - np.log10(medians))


def test_legends_show_fitted_slopes_beside_table_1(qtbot, make_lab):
    window = make_lab()
    result = run_sweep(qtbot, window)
    macs_legend = window.plots["multiply-adds"].legend_texts()
    # RNN MACs n·H·(D + H) grow exactly linearly; attention's 4·n·D·hs + 2·n²·hs is 5120 at n = 8
    # and 12288 at n = 16 (the upper half of 4, 8, 16)
    slope = math.log2(12288 / 5120)
    assert macs_legend[0] == "RNN, our step loop — slope 1.00 (paper: 1)"
    assert macs_legend[2] == f"attention, our attend() — slope {slope:.2f} (paper: 2)"
    time_legend = window.plots["time"].legend_texts()
    assert len(time_legend) == 6 and all("slope" in text for text in time_legend)
    assert time_legend[5].startswith("minGRU scan — slope ") and time_legend[5].endswith(
        "(expected: 1)")
    assert macs_legend[4] == "minGRU step loop — slope 1.00 (expected: 1)"  # 2·n·H·D + n·H
    ns = [row.n for row in result.rows]
    slope = fit_slope(ns, [row["rnn_fused"].median_seconds for row in result.rows])
    mark = " ⚠" if "rnn_fused" in slope_warnings(result.rows) else ""  # real, tiny timings
    assert time_legend[1] == f"RNN, torch.nn.RNN — slope {slope:.2f}{mark} (paper: 1)"
    assert window.plots["depth"].legend_texts()[0] == ("RNN, minGRU loop: sequential "
                                                       "operations n — O(n)")
    assert window.plots["depth"].legend_texts()[4] == ("minGRU scan: sequential levels ⌈log₂ n⌉ "
                                                       "— O(log n)")


def test_table_matches_table_1_and_is_filled(qtbot, make_lab):
    window = make_lab()
    assert window.table.texts()[0] == ["O(n²·d)", "– (paper 2)", "– (paper 2)", "O(1) / –",
                                       "O(1) / –"]
    run_sweep(qtbot, window)
    table = window.table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers == list(COLUMNS)
    assert [table.verticalHeaderItem(r).text() for r in range(3)] == [
        "self-attention", "recurrent", "linear\nrecurrence\n(minGRU) †"]
    attention, recurrent, linear = table.texts()
    assert attention[0] == "O(n²·d)" and recurrent[0] == "O(n·d²)"
    assert recurrent[2] == "1.00 (paper 1)"  # both RNNs count the same MACs
    assert attention[2] == f"{math.log2(12288 / 5120):.2f} (paper 2)"
    assert "–" not in attention[1] and attention[1].endswith("(paper 2)")
    assert (attention[3], attention[4]) == ("O(1) / 1", "O(1) / 1")
    assert (recurrent[3], recurrent[4]) == ("O(n) / 16", "O(n) / 15")
    assert linear[0] == "O(n·d) recurrence + O(n·d²) gates"
    # ⌈log₂ 16⌉ levels against 16 steps
    assert linear[3].replace("\u00a0", " ") == "scan O(log n) / 4\nloop O(n) / 16"
    assert linear[4] == "O(n) / 15"
    assert linear[1].startswith("loop ") and linear[1].endswith("(expected 1)")
    assert "Not in the paper" in table.verticalHeaderItem(2).toolTip()
    assert "n < d = 16" in window.verdict_label.text()
    assert "Linear recurrence: minGRU's scan: measured time slope" in window.verdict_label.text()
    assert "a few CPU cores can lose to the loop" in window.verdict_label.text()


def test_crossover_line_and_ticks_follow_the_settings(qtbot, make_lab):
    window = make_lab(dict(TINY, d_model=8, min_n=2, max_n=32))
    run_sweep(qtbot, window)
    for name in ("time", "multiply-adds"):
        line = window.plots[name].crossover_line
        assert line.value() == pytest.approx(math.log10(8))
        assert line.label.format == "n = d = 8"
    ticks = window.plots["time"].getAxis("bottom")._tickLevels[0]
    assert [label for _position, label in ticks] == ["2", "4", "8", "16", "32"]
    guide_n, guide = window.plots["multiply-adds"].curve_data("guide_attention")
    assert list(guide) == [n * n * 8 for n in (2, 4, 8, 16, 32)]  # n²·d reaches n·d² at n = d


def test_before_a_sweep_the_plots_preview_the_chosen_range(make_lab):
    window = make_lab()
    window.controls.widgets["d_model"].setValue(32)  # as if typed: values_changed fires
    line = window.plots["multiply-adds"].crossover_line
    assert line.value() == pytest.approx(math.log10(32)) and line.label.format == "n = d = 32"
    ns, guide = window.plots["multiply-adds"].curve_data("guide_recurrent")
    assert list(ns) == [4, 8, 16] and list(guide) == [n * 32 * 32 for n in (4, 8, 16)]
    assert window.plots["time"].point_counts()["attention"] == 0


def test_settings_are_remembered_in_the_cost_lab_group(qtbot, make_lab, tmp_path):
    window = make_lab(dict(TINY, backward=True, dtype="float64", threads=1))
    result = run_sweep(qtbot, window)
    assert result.config.backward is True and result.config.dtype == "float64"
    assert result.config.threads == 1 and result.device_name.endswith("(1 thread)")
    window.close()
    assert lab_settings(tmp_path).value("cost_lab/d_model") in (16, "16")
    again = make_lab(values={})
    assert again.controls.values() == dict(TINY, device="cpu", backward=True, dtype="float64",
                                           threads=1)


def test_invalid_lengths_show_beside_the_longest_n(qtbot, make_lab):
    window = make_lab(dict(TINY, min_n=64, max_n=16))
    assert window.start_sweep() is False
    assert window.controls.shown_errors() == {
        "max_n": "Longest n must be between 64 and 65536, got 16"}
    assert not window.controls.errors["max_n"].isHidden()
    assert "Fix the setting" in window.status_label.text()
    assert window.runner.busy is False
    window.controls.set_values({"max_n": 128})
    window.controls.widgets["max_n"].setCurrentIndex(8)  # an edit clears the message
    assert window.controls.shown_errors() == {}


def test_cuda_without_a_gpu_is_refused_inline(qtbot, make_lab, monkeypatch):
    monkeypatch.setattr(lab_config, "_cuda_available", lambda: False)
    window = make_lab(dict(TINY, device="cuda"))
    assert window.controls.values()["device"] == "cuda"
    assert window.start_sweep() is False
    message = window.controls.shown_errors()["device"]
    assert message.startswith("Device is cuda, but no CUDA GPU is visible to torch")
    assert window.runner.busy is False and window.rows == []


def test_probe_answer_disables_cuda_when_no_gpu(qtbot, make_lab):
    window = make_lab(dict(TINY, device="cuda"))
    window.controls.set_cuda_status(False, "torch sees no CUDA GPU")
    box = window.controls.widgets["device"]
    assert box.itemText(1) == "cuda (no GPU visible)"
    assert not box.model().item(1).isEnabled()
    assert box.itemData(1, 3) == "torch sees no CUDA GPU"  # Qt.ToolTipRole
    assert window.controls.shown_errors()["device"] == (
        "Device is cuda, but torch sees no CUDA GPU; use cpu")
    window.controls.set_cuda_status(True, "Test GPU")
    assert box.itemText(1) == "cuda — Test GPU" and box.model().item(1).isEnabled()


def test_the_real_probe_answers_what_torch_sees(qtbot, make_lab):
    import torch

    window = make_lab()
    with qtbot.waitSignal(window.probe.answered, timeout=20_000) as blocker:
        window.show()
    assert blocker.args[0] is torch.cuda.is_available()
    expected = "cuda — " if torch.cuda.is_available() else "cuda (no GPU visible)"
    assert window.controls.widgets["device"].itemText(1).startswith(expected)


def test_opening_the_window_does_not_import_torch():
    """torch takes a second or more to import: the window shows first, the probe loads it later."""
    script = ("import sys; from PySide6.QtWidgets import QApplication; app = QApplication([]); "
              "from gui.labs.cost import CostLabWindow; w = CostLabWindow(); "
              "w.controls.set_values({'max_n': 65536}); "
              "print('torch' in sys.modules, w.controls.estimate.text())")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, cwd=Path(__file__).resolve().parents[2],
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    # 4 bytes x (4 x 65536² + 8 x 65536 x (512 + 512 + 4 x 64)): refused long before it runs
    assert done.stdout.startswith("False Longest n = 65536 needs about 71.4 GB")
