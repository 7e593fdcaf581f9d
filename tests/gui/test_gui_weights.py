"""Weights in the main window: open a weight file (the parameters follow its shapes and the
sentence bar names it), go back to random weights, save the shown run's weights, and keep the
runs' weights when a file cannot be used."""

import numpy as np
import pytest

from engine import SimConfig, simulate
from engine.models.weights import WeightSet
from gui.views.sentence_bar import RANDOM_WEIGHTS_NOTE
from window_helpers import RUN_TIMEOUT, run_and_wait

SENTENCE = "Dogs chase red cats"
FILE_CONFIG = SimConfig(cell="gru", d_model=6, hidden_size=5, heads=2, head_size=3, seed=3)


@pytest.fixture
def weight_file(tmp_path):
    """Weights that are not the seed's: the GRU's recurrent matrix doubled."""
    arrays = WeightSet.random(FILE_CONFIG).arrays()
    arrays["w_hh"] = 2 * arrays["w_hh"]
    return WeightSet(arrays, "").save(tmp_path / "trained.npz")


def open_weights_and_wait(qtbot, window, path):
    with qtbot.waitSignal(window.runner.finished, timeout=RUN_TIMEOUT) as blocker:
        window.weight_actions.open(path)
    return blocker.args[0]


def test_a_weight_file_sets_the_shapes_runs_and_is_named(qtbot, make_window, weight_file):
    window = make_window()
    run_and_wait(qtbot, window, SENTENCE)
    trace = open_weights_and_wait(qtbot, window, weight_file)
    config = window.parameters.config()
    assert (config.cell, config.d_model, config.hidden_size, config.heads, config.head_size) == \
        ("gru", 6, 5, 2, 3)
    loaded = WeightSet.load(weight_file)
    assert trace.weight_source.digest == loaded.digest() and not trace.has_random_weights
    expected = simulate(SENTENCE, trace.config, weights=loaded)
    assert np.array_equal(trace.rnn.hidden, expected.rnn.hidden)
    note = window.sentence_bar.weights_note.text()
    assert note.startswith("weights: file trained.npz (sha256 ") and "random" not in note

    with qtbot.waitSignal(window.runner.finished, timeout=RUN_TIMEOUT) as blocker:
        window.weight_actions.use_random()
    assert blocker.args[0].has_random_weights
    assert window.sentence_bar.weights_note.text() == RANDOM_WEIGHTS_NOTE


def test_weights_that_no_longer_fit_refuse_the_run_and_name_the_weight(qtbot, make_window,
                                                                        weight_file):
    window = make_window()
    open_weights_and_wait(qtbot, window, weight_file)
    shown = window.timeline.trace
    assert window.run(SENTENCE, window.parameters.config().replace(hidden_size=7)) is False
    message = window.sentence_bar.message.text()
    assert "w_ih" in message or "w_hh" in message
    assert window.timeline.trace is shown  # the last good run stays on screen


def test_a_file_that_is_not_weights_is_refused_and_the_weights_are_kept(qtbot, make_window,
                                                                         tmp_path, warnings):
    window = make_window()
    run_and_wait(qtbot, window, SENTENCE)
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip file")
    window.weight_actions.open(bad)
    qtbot.waitUntil(lambda: len(warnings) > 0)
    assert warnings[0][0] == "Could not open the weights" and "bad.npz" in warnings[0][1]
    assert window.weight_actions.current is None


def test_saved_weights_of_the_shown_run_give_the_same_run(qtbot, make_window, tmp_path):
    window = make_window()
    first = run_and_wait(qtbot, window, SENTENCE)
    path = window.weight_actions.save(tmp_path / "seed.npz")
    again = open_weights_and_wait(qtbot, window, path)
    assert again.weight_source.digest == first.weight_source.digest
    assert np.array_equal(again.rnn.hidden, first.rnn.hidden)
    assert np.array_equal(again.attention.weights, first.attention.weights)


def test_a_session_reopens_on_its_weight_file(qtbot, make_window, weight_file, tmp_path):
    window = make_window()
    run_and_wait(qtbot, window, SENTENCE)
    trace = open_weights_and_wait(qtbot, window, weight_file)
    path = window.sessions.save(tmp_path / "run.json")
    fresh = make_window(path=str(tmp_path / "fresh.ini"))
    with qtbot.waitSignal(fresh.runner.finished, timeout=RUN_TIMEOUT) as blocker:
        assert fresh.sessions.open(path) is True
    assert blocker.args[0].weight_source.digest == trace.weight_source.digest
    assert blocker.args[0].digest() == trace.digest()


def test_a_sessions_weight_file_is_read_off_the_gui_thread(qtbot, make_window, weight_file,
                                                           tmp_path, monkeypatch):
    import threading

    window = make_window()
    open_weights_and_wait(qtbot, window, weight_file)
    path = window.sessions.save(tmp_path / "run.json")
    fresh = make_window(path=str(tmp_path / "fresh.ini"))
    readers = []
    load = WeightSet.load

    def recording_load(*args, **kwargs):
        readers.append(threading.current_thread() is threading.main_thread())
        return load(*args, **kwargs)

    monkeypatch.setattr(WeightSet, "load", staticmethod(recording_load))
    with qtbot.waitSignal(fresh.runner.finished, timeout=RUN_TIMEOUT):
        assert fresh.sessions.open(path) is True
        assert fresh.sessions.loading  # the file is still being read
    assert readers == [False]
    assert not fresh.sessions.loading


def test_a_sessions_missing_weight_file_says_so_and_keeps_the_view(qtbot, make_window, weight_file,
                                                                   tmp_path, warnings):
    window = make_window()
    trace = open_weights_and_wait(qtbot, window, weight_file)
    path = window.sessions.save(tmp_path / "run.json")
    weight_file.unlink()
    assert window.sessions.open(path) is True  # the session itself is fine
    qtbot.waitUntil(lambda: len(warnings) > 0, timeout=RUN_TIMEOUT)
    assert "which is missing" in warnings[0][1]
    assert window.timeline.trace is trace and not window.runner.busy


def test_a_run_started_while_a_sessions_weights_load_is_not_replaced(qtbot, make_window,
                                                                     weight_file, tmp_path):
    window = make_window()
    open_weights_and_wait(qtbot, window, weight_file)
    path = window.sessions.save(tmp_path / "run.json")
    window.weight_actions.use_random()
    with qtbot.waitSignal(window.runner.finished, timeout=RUN_TIMEOUT):
        assert window.sessions.open(path) is True
        assert window.run("A newer sentence") is True
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=RUN_TIMEOUT)
    assert not window.sessions.loading
    assert window.timeline.trace.sentence == "A newer sentence"


def test_a_session_opened_while_a_weight_file_loads_wins(qtbot, make_window, weight_file, tmp_path,
                                                         warnings):
    """The later request wins: the weight file still loading is dropped, not the session."""
    window = make_window()
    open_weights_and_wait(qtbot, window, weight_file)
    session_trace = window.timeline.trace
    path = window.sessions.save(tmp_path / "run.json")
    with qtbot.waitSignal(window.runner.finished, timeout=RUN_TIMEOUT):
        window.weight_actions.use_random()
    window.weight_actions.open(weight_file)  # on a worker thread: still loading below
    assert window.sessions.open(path) is True
    qtbot.waitUntil(lambda: not window.sessions.loading and not window.runner.busy,
                    timeout=RUN_TIMEOUT)
    qtbot.waitUntil(lambda: window.timeline.trace.digest() == session_trace.digest(),
                    timeout=RUN_TIMEOUT)
    assert window.sessions.recent()[0] == str(path)
    assert warnings == []


def test_a_rejected_run_keeps_a_session_that_is_loading(qtbot, make_window, weight_file, tmp_path):
    window = make_window()
    open_weights_and_wait(qtbot, window, weight_file)
    path = window.sessions.save(tmp_path / "run.json")
    assert window.sessions.open(path) is True
    assert window.run("") is False  # an empty sentence: nothing replaces the session
    assert window.sessions.loading
    qtbot.waitUntil(lambda: window.sessions.recent()[:1] == [str(path)], timeout=RUN_TIMEOUT)


def test_reset_settings_goes_back_to_random_weights(qtbot, make_window, weight_file):
    window = make_window()
    open_weights_and_wait(qtbot, window, weight_file)
    with qtbot.waitSignal(window.runner.finished, timeout=RUN_TIMEOUT) as blocker:
        window.reset_settings()
    assert blocker.args[0].has_random_weights and window.weight_actions.current is None
    assert window.sentence_bar.weights_note.text() == RANDOM_WEIGHTS_NOTE


def test_saving_while_a_new_run_is_pending_keeps_the_weights_on_screen(qtbot, make_window,
                                                                       weight_file, tmp_path):
    window = make_window()
    shown = open_weights_and_wait(qtbot, window, weight_file)
    with qtbot.waitSignal(window.runner.finished, timeout=RUN_TIMEOUT):
        window.weight_actions.use_random()  # the run starts; the screen still shows the file's
        saved = WeightSet.load(window.weight_actions.save(tmp_path / "saved.npz"))
        session = window.sessions.current_session()
    assert saved.digest() == shown.weight_source.digest
    assert session.weights_file == str(weight_file.absolute())
    assert session.weights_digest == shown.weight_source.digest


def test_weights_no_configuration_allows_are_refused_with_a_dialog(qtbot, make_window, tmp_path,
                                                                    warnings):
    from engine.models.weights import _shapes

    arrays = {name: np.zeros(shape) for name, shape in _shapes("rnn", 1, 3, 1, 2).items()}
    path = WeightSet(arrays, "").save(tmp_path / "narrow.npz")  # d_model = 1
    window = make_window()
    run_and_wait(qtbot, window, SENTENCE)
    window.weight_actions.open(path)
    qtbot.waitUntil(lambda: len(warnings) > 0)
    assert "d_model = 1" in warnings[0][1] and window.weight_actions.current is None


def test_reset_settings_forgets_a_weight_file_still_loading(qtbot, make_window, weight_file):
    window = make_window()
    run_and_wait(qtbot, window, SENTENCE)
    window.weight_actions.open(weight_file)
    with qtbot.waitSignal(window.runner.finished, timeout=RUN_TIMEOUT) as blocker:
        window.reset_settings()
    assert blocker.args[0].has_random_weights
    with qtbot.assertNotEmitted(window.weight_actions.changed, wait=300):
        pass
    assert window.weight_actions.current is None


def test_a_refused_width_says_how_to_change_it(qtbot, make_window, weight_file):
    window = make_window()
    open_weights_and_wait(qtbot, window, weight_file)
    assert window.run(SENTENCE, window.parameters.config().replace(d_model=8)) is False
    assert "File → Use random weights" in window.sentence_bar.message.text()
