"""Training lab window: the headline sweep plots each point as it arrives and can be cancelled;
plots export as PNG, SVG and CSV through the window's registry; trained models save and open
again; settings are remembered, and damaged ones are named and ignored."""

import threading
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog
from training_lab_helpers import TINY, make_lab, wait_idle  # noqa: F401 (make_lab: a fixture)

from gui.export.images import export_widget
from gui.labs.lab_files import columns_csv


def test_the_sweep_plots_each_point_as_it_arrives(qtbot, make_lab):
    window = make_lab(dict(TINY, steps=4))
    window.sweep_lengths = (4, 8)
    drawn = []
    window.sweep_runner.point_arrived.connect(
        lambda point: drawn.append(sum(window.sweep_view.plot.point_counts().values())))
    assert window.start_sweep()
    assert not window.start_button.isEnabled() and window.cancel_sweep_button.isEnabled()
    wait_idle(qtbot, window)
    assert drawn == [1, 2, 3, 4]  # a point per (n, model), drawn the moment it arrived
    assert window.status_text == "Sweep completed: 4 points."
    for kind in ("rnn", "transformer"):
        ns, accuracy = window.sweep_view.plot.curve_data(kind)
        assert ns.tolist() == [4.0, 8.0]
        expected = [window.sweep_view.result.accuracy(kind, n) for n in (4, 8)]
        np.testing.assert_allclose(accuracy, expected)
    assert window.start_button.isEnabled()


def test_a_cancelled_sweep_keeps_its_points(qtbot, make_lab, monkeypatch):
    from engine.labs.training import sweep

    cancel_asked = threading.Event()
    unheld = sweep.train_sweep

    def held_after_each_point(config, lengths, *, on_point, **options):
        """The real sweep, whose worker waits after each point until the window has asked to
        cancel: tiny points would otherwise all be trained before the first one is shown."""
        def send_then_wait(point):
            on_point(point)
            cancel_asked.wait(30)
        return unheld(config, lengths, on_point=send_then_wait, **options)

    monkeypatch.setattr(sweep, "train_sweep", held_after_each_point)
    window = make_lab(dict(TINY, steps=4))
    window.sweep_lengths = (4, 8, 16, 32, 64, 128)

    def cancel(_point):
        window.cancel_sweep()
        cancel_asked.set()

    window.sweep_runner.point_arrived.connect(cancel)
    window.start_sweep()
    wait_idle(qtbot, window)
    kept = len(window.sweep_view.points)
    assert kept == 1 and sum(window.sweep_view.plot.point_counts().values()) == kept
    assert window.status_text.startswith("Sweep stopped: cancelled at n =")


def test_every_plot_is_an_export_target_and_exports_png_svg_and_csv(qtbot, make_lab, tmp_path):
    window = make_lab()
    window.start_training()
    wait_idle(qtbot, window)
    names = set(window.export_targets.widgets("plot"))
    assert names == {"training-lab-loss", "training-lab-accuracy", "training-lab-gradient",
                     "training-lab-step-time", "training-lab-sweep", "training-lab-probe",
                     "training-lab-word-cosine", "training-lab-word-projection",
                     "training-lab-inference-time", "training-lab-inference-memory"}
    assert "training-lab" in window.export_targets
    plot = window.plots["gradient"]
    for fmt in ("png", "svg"):
        path = export_widget(plot, tmp_path / f"gradient.{fmt}", fmt)
        assert path.stat().st_size > 1000
    menu = window.export_menu("gradient", plot)
    assert [a.text() for a in menu.actions()] == [
        "Export gradient plot as PNG…", "Export gradient plot as SVG…",
        "Export gradient plot as CSV (its numbers)…"]
    lines = columns_csv(plot.csv_columns()).splitlines()
    assert lines[0] == ("Elman RNN (tanh) training step,Elman RNN (tanh) gradient norm (log),"
                        "Transformer training step,Transformer gradient norm (log)")
    assert len(lines) == 1 + 12
    first = [float(cell) for cell in lines[1].split(",")]
    assert first[1] == window.session.result.curves["rnn"].first_gradient[0]


def test_trained_models_save_and_open_again(qtbot, make_lab, tmp_path, monkeypatch, warnings):
    window = make_lab()
    window.start_training()
    wait_idle(qtbot, window)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(tmp_path / "m"))
    paths = window.save_models()
    assert sorted(p.name for p in paths) == ["rnn.npz", "transformer.npz"]
    model, header = window.open_model(str(tmp_path / "m" / "rnn.npz"))
    assert header["kind"] == "rnn" and header["trained_on"]["steps"] == 12
    assert window.status_text.startswith("Opened a rnn of ")
    not_ours = tmp_path / "other.npz"
    np.savez(not_ours, x=np.zeros(3))
    assert window.open_model(str(not_ours)) is None
    assert warnings == [("Could not open the model",
                         f"{not_ours} is a .npz file but not a model trained by this app")]


def test_settings_are_remembered_and_damaged_ones_ignored(qtbot, make_lab, tmp_path):
    window = make_lab(dict(TINY, task="parity", models=("lstm", "gru"), learning_rate=0.01))
    window.start_training(steps=1)
    wait_idle(qtbot, window)
    again = make_lab(values={})
    values = again.controls.values()
    assert values["task"] == "parity" and values["models"] == ("lstm", "gru")
    assert values["learning_rate"] == 0.01 and values["n"] == 4
    settings = QSettings(str(tmp_path / "lab.ini"), QSettings.Format.IniFormat)
    settings.setValue("training_lab/n", "lots")
    settings.setValue("training_lab/models", "rnn,quantum")
    settings.setValue("training_lab/learning_rate", "nan")
    settings.sync()
    damaged = make_lab(values={})
    assert damaged.statusBar().currentMessage() == (
        "Ignored damaged remembered settings: training_lab/n, training_lab/learning_rate, "
        "training_lab/models.")
    assert damaged.controls.values()["n"] == 32  # the default
    assert Path(tmp_path / "lab.ini").exists()


def test_measuring_the_trained_models_fills_the_probe_word_and_inference_plots(qtbot, make_lab):
    window = make_lab(dict(TINY, models=("gru", "transformer")))
    assert not window.findings_view.measure_button.isEnabled()  # nothing trained yet
    window.start_training()
    wait_idle(qtbot, window)
    assert window.findings_view.measure_button.isEnabled()
    assert window.measure_findings()
    wait_idle(qtbot, window)
    view, findings = window.findings_view, window.findings_view.findings
    probe = view.plots["probe"]
    assert probe.point_counts() == {"gru": 4, "transformer": 4}  # d = 1 .. n
    np.testing.assert_allclose(probe.curve_data("gru")[1], findings.probes["gru"].accuracy)
    memory = view.plots["inference-memory"]
    _positions, held = memory.curve_data("gru")
    assert len(set(held.tolist())) == 1  # the RNN's state does not grow
    _positions, cache = memory.curve_data("transformer")
    assert np.all(np.diff(cache) > 0)  # the key-value cache grows with every token
    assert view.model_box.count() == 2
    cosine = view.plots["word-cosine"]
    assert cosine.matrix.shape == (len(cosine.words),) * 2
    np.testing.assert_allclose(np.diag(cosine.matrix), 1.0, atol=1e-6)
    words = cosine.words
    assert cosine.pair_at(0.5, 1.5) == f"{words[1]} · {words[0]}: cosine {cosine.matrix[1, 0]:.2f}"
    assert cosine.pair_at(-1, 0.5) == ""
    view.model_box.setCurrentIndex(view.model_box.findData("transformer"))
    assert view.plots["word-projection"].labels[0].toPlainText() == cosine.words[0]
    lines = columns_csv(view.plots["word-projection"].csv_columns()).splitlines()
    assert lines[0] == "word,component 1,component 2" and lines[1].startswith(cosine.words[0])
    assert view.status.text().startswith("Same-class minus other-class cosine")
