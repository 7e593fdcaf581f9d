"""Show in the simulator, in the main window: after a tiny training run the main window's
attention map is the trained Transformer's own (layer 1, and layer 2 through File → Attention
layer) and its RNN states the trained RNN's; the word strip marks words outside the trained
vocabulary; a session saved then names the checkpoint files and their digest and reopens the run
bit for bit, or says why it cannot."""

import copy
import json
from pathlib import Path

import numpy as np
import torch
from training_lab_helpers import TINY, wait_idle
from window_helpers import run_and_wait

from engine.labs.training.tasks import ids

TWO_LAYERS = dict(TINY, layers=2, heads=2)
TIMEOUT_MS = 30_000


def _trained_lab(qtbot, window, values=TWO_LAYERS):
    window.show_training_lab()
    lab = window.training_lab
    lab.controls.set_values(values)
    lab.start_training()
    wait_idle(qtbot, lab)
    return lab


def _show(qtbot, window, lab):
    with qtbot.waitSignal(window.timeline.trace_changed, timeout=TIMEOUT_MS):
        assert lab.open_in_simulator()
    return window.timeline.trace


def _reference_maps(lab, words):
    transformer = copy.deepcopy(lab.session.last_trainer.models["transformer"]).double()
    with torch.no_grad():
        _, maps = transformer.hidden(transformer.embed(torch.from_numpy(ids(words))[None]),
                                     keep_weights=True)
    return [layer_map[0].numpy() for layer_map in maps]  # each (nh, T, T)


def test_the_main_window_shows_the_trained_models_own_maps_and_states(qtbot, make_window):
    window = make_window()
    lab = _trained_lab(qtbot, window)
    trace = _show(qtbot, window, lab)
    words = list(trace.tokens)
    maps = _reference_maps(lab, words)
    np.testing.assert_allclose(trace.attention.weights, maps[0], atol=1e-6, rtol=0)
    rnn = copy.deepcopy(lab.session.last_trainer.models["rnn"]).double()
    with torch.no_grad():
        states = rnn.states(rnn.embed(torch.from_numpy(ids(words))[None]))[0]
    np.testing.assert_allclose(trace.rnn.hidden, states.numpy(), atol=1e-6, rtol=0)
    assert trace.config.causal and trace.config.scaling
    assert lab.status_text.startswith("Shown in the main window: the trained rnn cell and the "
                                      "Transformer's attention layer 1 of 2")
    lab.close()


def test_layer_two_is_offered_and_shows_the_trained_layer_two_map(qtbot, make_window):
    window = make_window()
    lab = _trained_lab(qtbot, window)
    first = _show(qtbot, window, lab)
    actions = window.weight_actions.layer_actions()
    assert [action.text() for action in actions] == ["Layer 1", "Layer 2"]
    assert actions[0].isChecked()
    with qtbot.waitSignal(window.timeline.trace_changed, timeout=TIMEOUT_MS):
        actions[1].trigger()
    second = window.timeline.trace
    assert actions[1].isChecked() and second.weight_source.description.endswith("layer 2")
    maps = _reference_maps(lab, list(second.tokens))
    np.testing.assert_allclose(second.attention.weights, maps[1], atol=1e-6, rtol=0)
    assert not np.allclose(second.attention.weights, first.attention.weights)
    np.testing.assert_array_equal(second.rnn.hidden, first.rnn.hidden)  # the RNN is the same
    with qtbot.waitSignal(window.timeline.trace_changed, timeout=TIMEOUT_MS):
        actions[0].trigger()
    assert window.timeline.trace.digest() == first.digest()
    lab.close()


def test_one_layer_weights_offer_no_layer_choice(qtbot, make_window):
    window = make_window()
    assert window.weight_actions.layer_actions() == []
    lab = _trained_lab(qtbot, window, TINY)
    _show(qtbot, window, lab)
    assert window.weight_actions.layer_actions() == []
    lab.close()


def test_the_word_strip_marks_words_outside_the_trained_vocabulary(qtbot, make_window):
    window = make_window()
    lab = _trained_lab(qtbot, window, TINY)
    _show(qtbot, window, lab)
    with qtbot.waitSignal(window.timeline.trace_changed, timeout=TIMEOUT_MS):
        assert window.run("the zebra sat")
    chips = window.token_strip.chips
    assert chips.stand_ins == {1}
    assert "seed" in chips.describe(1) and "seed" not in chips.describe(0)
    window.weight_actions.set_current(None)  # random weights: no table, nothing marked
    qtbot.waitUntil(lambda: window.timeline.trace.word_fallback is None, timeout=TIMEOUT_MS)
    assert chips.stand_ins == frozenset()
    lab.close()


def test_a_session_names_the_checkpoints_and_reopens_the_run_bit_for_bit(qtbot, make_window,
                                                                        tmp_path, warnings):
    window = make_window(path=str(tmp_path / "first.ini"))
    lab = _trained_lab(qtbot, window)
    _show(qtbot, window, lab)
    with qtbot.waitSignal(window.timeline.trace_changed, timeout=TIMEOUT_MS):
        window.weight_actions.layer_actions()[1].trigger()
    trace = window.timeline.trace
    path = window.sessions.save(tmp_path / "trained.json")
    entry = json.loads(path.read_text(encoding="utf-8"))["weights"]
    assert entry["source"] == "checkpoints" and entry["layer"] == 2
    assert entry["sha256"] == trace.weight_source.digest
    for role, name in (("recurrent", "rnn.npz"), ("transformer", "transformer.npz")):
        assert Path(entry[role]).name == name and Path(entry[role]).is_file()
        assert Path(entry[role]).is_relative_to(tmp_path / "trained-models")
    lab.close()

    fresh = make_window(path=str(tmp_path / "second.ini"))
    with qtbot.waitSignal(fresh.runner.finished, timeout=TIMEOUT_MS) as blocker:
        assert fresh.sessions.open(path)
    reopened = blocker.args[0]
    assert reopened.digest() == trace.digest() and warnings == []
    assert reopened.weight_source.digest == trace.weight_source.digest
    np.testing.assert_array_equal(reopened.attention.weights, trace.attention.weights)
    assert [a.isChecked() for a in fresh.weight_actions.layer_actions()] == [False, True]


def test_a_session_whose_checkpoint_moved_says_so_and_keeps_the_view(qtbot, make_window,
                                                                      tmp_path, warnings):
    window = make_window(path=str(tmp_path / "first.ini"))
    lab = _trained_lab(qtbot, window, TINY)
    _show(qtbot, window, lab)
    path = window.sessions.save(tmp_path / "trained.json")
    transformer = Path(json.loads(path.read_text(encoding="utf-8"))["weights"]["transformer"])
    transformer.rename(tmp_path / "moved.npz")
    lab.close()
    fresh = make_window(path=str(tmp_path / "second.ini"))
    shown = run_and_wait(qtbot, fresh, "the view to keep")
    assert fresh.sessions.open(path)  # the checkpoints are read on a worker thread
    qtbot.waitUntil(lambda: len(warnings) == 1, timeout=TIMEOUT_MS)
    title, text = warnings[0]
    assert title == "Could not open the session"
    assert f"trained transformer checkpoint {transformer}, which is missing" in text
    assert fresh.timeline.trace is shown
