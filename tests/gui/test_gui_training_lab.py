"""Training lab window: opens from the main window, a tiny real run trains to the end through the
job mechanism with one point per step per model, pause/resume gives the curves of one run, cancel
and divergence keep the curves, refused settings start nothing, closing mid-run stops the job."""

import numpy as np
from training_lab_helpers import TINY, loss_curves, make_lab, wait_idle  # noqa: F401 (fixture)

from gui.jobs import job_manager
from gui.labs.training.plots import LIVE_PLOTS


def test_the_window_opens_from_the_view_menu_with_ctrl_t(qtbot, make_window):
    window = make_window()
    action = next(a for a in window.actions() if a.text() == "&Training lab…")
    assert action.shortcut().toString() == "Ctrl+T"
    assert window.training_lab is None
    action.trigger()
    lab = window.training_lab
    assert lab is not None and lab.isVisible()
    assert lab.windowTitle().startswith("Training lab")
    window.show_training_lab()
    assert window.training_lab is lab  # one instance, brought forward
    window.close()
    assert not lab.isVisible()


def test_a_tiny_run_trains_to_the_end_with_a_point_per_step_per_model(qtbot, make_lab):
    window = make_lab()
    assert window.start_training()
    assert not window.start_button.isEnabled() and window.pause_button.isEnabled()
    wait_idle(qtbot, window)
    assert window.status_text.startswith("Completed: 12 steps for every model.")
    assert window.progress_bar.value() == 1000
    for name, plot in window.plots.items():
        expected = 12 // 4 if LIVE_PLOTS[name][3] == "evaluations" else 12
        assert plot.point_counts() == {"rnn": expected, "transformer": expected}, name
    result = window.session.result
    for kind in ("rnn", "transformer"):  # what is drawn is what the engine recorded
        np.testing.assert_allclose(window.plots["loss"].curve_data(kind)[1],
                                   result.curves[kind].loss)
        np.testing.assert_allclose(window.plots["gradient"].curve_data(kind)[1],
                                   result.curves[kind].first_gradient, rtol=1e-9)
    rows = window.table.texts()
    assert [row[0] for row in rows] == ["Elman RNN (tanh)", "Transformer"]
    parameters = {s.kind: s.parameters for s in result.summaries}
    assert rows[0][1] == f"{parameters['rnn']:,}" and rows[1][1] == f"{parameters['transformer']:,}"
    assert [row[-1] for row in rows] == ["done", "done"]
    assert not window.resume_button.isEnabled() and window.save_models_action.isEnabled()


def test_against_seconds_the_x_axis_is_each_models_training_time(qtbot, make_lab):
    window = make_lab()
    window.start_training()
    wait_idle(qtbot, window)
    window.x_axis.setCurrentIndex(window.x_axis.findData("seconds"))
    xs, _ys = window.plots["loss"].curve_data("rnn")
    np.testing.assert_allclose(xs, window.session.result.curves["rnn"].seconds)
    assert window.plots["loss"].getAxis("bottom").labelText.startswith("training time (s")


def test_a_run_in_pieces_gives_the_curves_of_one_run(qtbot, make_lab):
    whole = make_lab()
    whole.start_training()
    wait_idle(qtbot, whole)
    pieces = make_lab(settings_name="other.ini")
    pieces.start_training(steps=5)
    wait_idle(qtbot, pieces)
    assert pieces.status_text.startswith("Paused at step 5 of 12")
    assert pieces.resume_button.isEnabled() and pieces.plots["loss"].point_counts()["rnn"] == 5
    assert pieces.resume_training()
    wait_idle(qtbot, pieces)
    assert pieces.status_text.startswith("Completed")
    assert loss_curves(pieces) == loss_curves(whole)


def test_pause_then_resume_gives_the_same_curves(qtbot, make_lab):
    values = dict(TINY, steps=60)
    whole = make_lab(values)
    whole.start_training()
    wait_idle(qtbot, whole)
    window = make_lab(values, settings_name="other.ini")
    window.start_training()
    qtbot.waitUntil(lambda: not window.curves.empty, timeout=30_000)
    window.pause_button.click()
    wait_idle(qtbot, window)
    if window.session.resumable:  # the run may have ended before the pause arrived
        assert window.status_text.startswith("Paused at step")
        window.resume_button.click()
        wait_idle(qtbot, window)
    assert window.status_text.startswith("Completed")
    assert loss_curves(window) == loss_curves(whole)


def test_cancel_stops_for_good_and_keeps_the_curves(qtbot, make_lab):
    window = make_lab(dict(TINY, steps=1_000_000))
    window.start_training()
    qtbot.waitUntil(lambda: not window.curves.empty, timeout=30_000)
    window.cancel_button.click()
    wait_idle(qtbot, window)
    assert window.status_text.startswith("Cancelled at step")
    assert not window.session.resumable and not window.resume_button.isEnabled()
    counts = window.plots["loss"].point_counts()
    assert counts["rnn"] > 0 and counts["rnn"] == window.session.last_trainer.step


def test_cancel_while_paused_drops_the_models_but_keeps_the_curves(qtbot, make_lab):
    window = make_lab()
    window.start_training(steps=3)
    wait_idle(qtbot, window)
    assert window.cancel_button.isEnabled()
    window.cancel_button.click()
    assert window.status_text == "Cancelled at step 3 of 12; the curves so far stay."
    assert not window.resume_button.isEnabled()
    assert window.plots["loss"].point_counts() == {"rnn": 3, "transformer": 3}


def test_a_diverging_run_stops_says_so_and_keeps_its_curves(qtbot, make_lab):
    window = make_lab(dict(TINY, learning_rate=1000.0))
    window.start_training()
    wait_idle(qtbot, window)
    assert window.status_text.startswith("Stopped: Elman RNN (tanh) diverged at step")
    assert "learning rate 1000 is too large" in window.status_text
    assert window.plots["loss"].point_counts()["rnn"] >= 1
    assert "diverged" in window.table.texts()[0][-1]


def test_a_refused_setting_shows_its_message_and_starts_nothing(qtbot, make_lab):
    window = make_lab(dict(TINY, model_width=9, heads=2))
    assert not window.start_training()
    assert not window.busy and not job_manager().live_jobs
    assert window.controls.shown_errors()["model_width"] == \
        "Width D must be a multiple of heads (2), got 9"
    assert window.status_text.startswith("Not started: Width D must be")
    window.controls.set_values(dict(models=()))
    window.controls.set_values(dict(model_width=8, heads=1))
    assert not window.start_training()
    assert "must name at least one of" in window.controls.shown_errors()["models"]
    assert window.curves.empty


def test_a_run_too_large_for_memory_is_refused_with_the_estimate(qtbot, make_lab):
    window = make_lab(dict(TINY, n=65536, batch_size=4096))
    window.start_training()
    wait_idle(qtbot, window)
    error = window.controls.shown_errors()["n"]
    assert error.startswith("Length n is too large for memory: one training step at n = 65536")
    assert window.curves.empty and not window.session.resumable


def test_closing_the_window_mid_run_stops_the_job(qtbot, make_lab):
    window = make_lab(dict(TINY, steps=1_000_000))
    window.show()
    window.start_training()
    qtbot.waitUntil(lambda: not window.curves.empty, timeout=30_000)
    window.close()
    wait_idle(qtbot, window)
    assert job_manager().join(5)
    assert window.status_text.startswith("Cancelled at step")


def test_show_in_the_simulator_runs_the_main_window_on_the_trained_weights(qtbot, make_window):
    window = make_window()
    window.show_training_lab()
    lab = window.training_lab
    lab.controls.set_values(TINY)
    assert not lab.simulator_action.isEnabled()
    lab.start_training()
    wait_idle(qtbot, lab)
    assert lab.simulator_action.isEnabled()
    with qtbot.waitSignal(window.timeline.trace_changed, timeout=30_000):
        lab.simulator_action.trigger()
    trace = window.timeline.trace
    assert trace.weight_source.description == "trained in the training lab"
    assert window.weight_actions.current.digest() == trace.weight_source.digest
    rnn = lab.session.last_trainer.models["rnn"]
    assert trace.config.hidden_size == rnn.hidden_size and trace.config.d_model == 8
    assert lab.status_text.startswith("Shown in the main window: the trained rnn cell")
    lab.close()


def test_show_in_the_simulator_needs_an_rnn_beside_the_transformer(qtbot, make_lab):
    window = make_lab(dict(TINY, models=("transformer",)))
    window.start_training()
    wait_idle(qtbot, window)
    assert not window.open_in_simulator()
    assert window.status_text.startswith("Train an RNN, LSTM or GRU beside the Transformer")
