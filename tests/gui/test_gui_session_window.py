"""Sessions in the main window: save a run and its view, reopen it in a fresh window bit for bit,
and keep the current view when a session cannot be opened."""

import json

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog

import gui.worker
from engine import SimConfig
from engine.core.errors import EngineInputError
from gui.session import Session, load_session, save_session
from gui.session_actions import MAX_RECENT
from window_helpers import RUN_TIMEOUT, run_and_wait

SENTENCE = "Dogs chase red cats quickly"
CONFIG = dict(d_model=6, hidden_size=5, head_size=3, seed=7)


def open_and_wait(qtbot, window, path):
    with qtbot.waitSignal(window.runner.finished, timeout=RUN_TIMEOUT) as blocker:
        assert window.sessions.open(path) is True
    return blocker.args[0]


@pytest.fixture
def saved(qtbot, make_window, tmp_path, warnings):
    """A window that ran SENTENCE, paused at tick 3 with token 2 pinned, saved to a session."""
    window = make_window(overrides=dict(CONFIG), path=str(tmp_path / "first.ini"))
    trace = run_and_wait(qtbot, window, SENTENCE)
    window.transport.pause()
    window.timeline.set_tick(3)
    window.selection.set_pinned(2)
    path = window.sessions.save(tmp_path / "view.json")
    return window, trace, path


def test_save_writes_the_run_and_the_view(saved):
    window, trace, path = saved
    session = load_session(path)
    assert session.sentence == SENTENCE
    assert session.config == SimConfig(**CONFIG)
    assert (session.tick, session.selected_token) == (3, 2)
    assert session.trace_digest == trace.digest()
    assert window.sessions.recent() == [str(path)]


def test_reopening_in_a_new_window_restores_the_run_bit_for_bit(qtbot, make_window, saved,
                                                                tmp_path, warnings):
    first, trace, path = saved
    fresh = make_window(path=str(tmp_path / "second.ini"))  # tiny defaults, another sentence
    assert fresh.parameters.config() != trace.config
    reopened = open_and_wait(qtbot, fresh, path)
    assert fresh.timeline.trace is reopened
    assert reopened.digest() == trace.digest()
    old, new = trace.arrays(include_timings=False), reopened.arrays(include_timings=False)
    assert sorted(old) == sorted(new)
    for key in old:
        assert old[key].dtype == new[key].dtype, key
        assert np.array_equal(old[key], new[key]), key
    assert fresh.timeline.tick == 3
    assert fresh.selection.pinned == 2
    assert fresh.transport.playing is False  # a reopened session does not autoplay
    assert fresh.parameters.config() == trace.config
    assert fresh.sentence_bar.sentence == SENTENCE
    assert fresh.sessions.recent() == [str(path)]
    assert warnings == []  # the digests agree: no "the run differs" warning


def test_reopening_over_a_running_view_pauses_it(qtbot, make_window, saved, tmp_path):
    _, trace, path = saved
    window = make_window(path=str(tmp_path / "third.ini"))
    run_and_wait(qtbot, window, "Something else entirely")
    assert window.transport.playing is True
    open_and_wait(qtbot, window, path)
    assert window.transport.playing is False
    assert (window.timeline.tick, window.selection.pinned) == (3, 2)
    assert window.timeline.trace.digest() == trace.digest()


def write_text(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def bad_sessions(folder):
    good = json.loads(Session(SENTENCE, SimConfig(**CONFIG), tick=3, selected_token=2).to_json())
    return {
        "corrupt": (write_text(folder / "corrupt.json", "{not json"), "is not valid JSON"),
        "not a session": (write_text(folder / "list.json", "[]"), "is not a session saved by this app"),
        "future": (write_text(folder / "future.json", json.dumps({**good, "version": 99})),
                   "newer version"),
        "wrong type": (write_text(folder / "type.json", json.dumps({**good, "tick": "3"})),
                       "wrong type"),
        "bad parameter": (write_text(folder / "param.json",
                                     json.dumps({**good, "config": {**good["config"], "heads": 99}})),
                          "invalid parameter: heads"),
        "missing": (folder / "missing.json", "no such file"),
    }


@pytest.mark.parametrize("case", ["corrupt", "not a session", "future", "wrong type", "bad parameter",
                                  "missing"])
def test_opening_a_bad_session_warns_and_keeps_the_view(qtbot, make_window, tmp_path, warnings,
                                                        case):
    window = make_window(path=str(tmp_path / "keep.ini"))
    trace = run_and_wait(qtbot, window, "The view to keep")
    window.transport.pause()
    window.timeline.set_tick(4)
    config_before = window.parameters.config()
    bad_path, message = bad_sessions(tmp_path)[case]
    assert window.sessions.open(bad_path) is False
    assert len(warnings) == 1
    title, text = warnings[0]
    assert title == "Could not open the session"
    assert message in text and str(bad_path) in text and "The current view is kept." in text
    assert window.runner.busy is False  # nothing was started
    assert window.timeline.trace is trace
    assert window.timeline.tick == 4
    assert window.parameters.config() == config_before
    assert window.sentence_bar.sentence == "The view to keep"
    assert str(bad_path) not in window.sessions.recent()


def test_a_session_whose_run_differs_warns_but_shows_the_new_run(qtbot, make_window, saved,
                                                                 tmp_path, warnings):
    _, trace, path = saved
    data = json.loads(path.read_text(encoding="utf-8"))
    data["trace_digest"] = "0" * 64
    edited = write_text(tmp_path / "edited.json", json.dumps(data))
    window = make_window(path=str(tmp_path / "differs.ini"))
    reopened = open_and_wait(qtbot, window, edited)
    assert warnings and warnings[0][0] == "The run differs"
    assert reopened.digest() == trace.digest()
    assert (window.timeline.tick, window.selection.pinned) == (3, 2)


def test_view_values_beyond_the_sentence_are_clamped(qtbot, make_window, tmp_path, warnings):
    config = SimConfig(d_model=4, hidden_size=4, head_size=2)
    path = save_session(tmp_path / "far.json", Session("one two three", config, tick=99,
                                                         selected_token=42))
    window = make_window(path=str(tmp_path / "far.ini"))
    open_and_wait(qtbot, window, path)
    assert window.timeline.tick == window.timeline.last_tick == 6
    assert window.selection.pinned == -1
    assert warnings == []  # an empty digest is not checked


def test_a_session_whose_sentence_cannot_run_keeps_the_view(qtbot, make_window, tmp_path, warnings):
    """The file is valid JSON but its sentence is empty: the window must stay consistent with the
    run it shows (same parameters and sentence as the trace on screen)."""
    window = make_window(path=str(tmp_path / "empty.ini"))
    trace = run_and_wait(qtbot, window, "The view to keep")
    path = save_session(tmp_path / "empty.json",
                        Session("", SimConfig(d_model=8, hidden_size=8, head_size=4), tick=0))
    assert window.sessions.open(path) is False
    assert window.timeline.trace is trace
    assert window.runner.busy is False
    assert window.sentence_bar.sentence == "The view to keep"
    assert window.parameters.config() == trace.config, "the dock shows the session's parameters"


def test_a_failed_session_run_does_not_leak_its_view_into_the_next_run(qtbot, make_window, saved,
                                                                       tmp_path, monkeypatch,
                                                                       warnings):
    """If the re-run of a session fails in the worker, the next ordinary run must behave as
    usual: start at tick 0 and play, with no session tick, pin or digest check."""
    _, _, path = saved
    window = make_window(path=str(tmp_path / "leak.ini"))
    real = gui.worker.simulation_work

    def failing(sentence, config, weights=None):
        def work(progress, cancel):
            raise MemoryError
        return work

    monkeypatch.setattr(gui.worker, "simulation_work", failing)
    with qtbot.waitSignal(window.runner.failed, timeout=RUN_TIMEOUT):
        assert window.sessions.open(path) is True
    monkeypatch.setattr(gui.worker, "simulation_work", real)
    trace = run_and_wait(qtbot, window, "A brand new sentence")
    assert warnings == [], f"a stale session view was applied: {warnings}"
    assert window.selection.pinned == -1
    assert window.transport.playing is True
    assert window.timeline.tick <= 1  # a new sentence plays from the start
    assert trace.tokens == ("A", "brand", "new", "sentence")


def test_save_without_a_run_is_refused(make_window, tmp_path):
    window = make_window(path=str(tmp_path / "norun.ini"))
    with pytest.raises(EngineInputError, match="no run to save"):
        window.sessions.save(tmp_path / "s.json")
    assert not (tmp_path / "s.json").exists()
    assert window.sessions.recent() == []


def test_recent_list_is_newest_first_deduplicated_capped_and_persistent(qtbot, make_window,
                                                                        tmp_path):
    settings = str(tmp_path / "recent.ini")
    window = make_window(path=settings)
    run_and_wait(qtbot, window)
    paths = [window.sessions.save(tmp_path / f"s{i}.json") for i in range(MAX_RECENT + 2)]
    expected = [str(p) for p in reversed(paths)][:MAX_RECENT]
    assert window.sessions.recent() == expected
    window.sessions.save(paths[5])  # saving again moves it to the front, once
    assert window.sessions.recent()[0] == str(paths[5])
    assert window.sessions.recent().count(str(paths[5])) == 1
    assert len(window.sessions.recent()) == MAX_RECENT
    window.settings.sync()
    again = make_window(path=settings)
    assert again.sessions.recent() == window.sessions.recent()


def test_one_recent_session_survives_a_settings_round_trip(qtbot, make_window, tmp_path):
    """QSettings reads a one-item list back as a plain string."""
    settings = str(tmp_path / "one.ini")
    window = make_window(path=settings)
    run_and_wait(qtbot, window)
    path = window.sessions.save(tmp_path / "only.json")
    window.settings.sync()
    assert make_window(path=settings).sessions.recent() == [str(path)]


def test_recent_menu_lists_the_sessions_and_opens_them(qtbot, make_window, saved, tmp_path):
    _, trace, path = saved
    window = make_window(path=str(tmp_path / "menu.ini"))
    window.sessions.recent_menu.aboutToShow.emit()  # as the menu does before it opens
    placeholder = window.sessions.recent_menu.actions()
    assert [a.text() for a in placeholder] == ["(no sessions yet)"] and not placeholder[0].isEnabled()
    window.settings.setValue("session/recent", [str(path)])
    window.sessions.recent_menu.aboutToShow.emit()
    [action] = window.sessions.recent_menu.actions()
    assert action.text() == str(path)
    with qtbot.waitSignal(window.runner.finished, timeout=RUN_TIMEOUT):
        action.trigger()
    assert window.timeline.trace.digest() == trace.digest()


def test_save_and_open_dialogs(qtbot, make_window, tmp_path, monkeypatch, warnings):
    window = make_window(path=str(tmp_path / "dialogs.ini"))
    trace = run_and_wait(qtbot, window)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *args, **kwargs: (str(tmp_path / "picked"), ""))
    window.sessions.save_dialog()
    assert load_session(tmp_path / "picked.json").trace_digest == trace.digest()  # .json added
    assert window.settings.value("session/folder") == str(tmp_path)
    assert "Session saved to" in window.statusBar().currentMessage()
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *args, **kwargs: (str(tmp_path / "missing" / "s.json"), ""))
    window.sessions.save_dialog()
    assert warnings and warnings[-1][0] == "Could not save the session"
    assert "does not exist" in warnings[-1][1]
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *args, **kwargs: (str(tmp_path / "picked.json"), ""))
    other = make_window(path=str(tmp_path / "other.ini"))
    with qtbot.waitSignal(other.runner.finished, timeout=RUN_TIMEOUT):
        other.sessions.open_dialog()
    assert other.timeline.trace.digest() == trace.digest()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: ("", ""))
    other.sessions.open_dialog()  # cancelled: nothing happens
    assert other.runner.busy is False


def test_a_run_started_before_the_session_finishes_is_not_given_the_sessions_view(
        qtbot, make_window, saved, tmp_path, warnings):
    """Open a session, then run another sentence before the session's re-run is back: the new
    sentence is what the user asked for and must play from the start like any new sentence."""
    _, _, path = saved
    window = make_window(path=str(tmp_path / "superseded.ini"))
    assert window.sessions.open(path) is True  # not waited for
    trace = run_and_wait(qtbot, window, "Another sentence entirely")
    assert trace.tokens == ("Another", "sentence", "entirely")
    assert warnings == [], f"the session's view was applied to another run: {warnings}"
    assert window.selection.pinned == -1
    assert window.transport.playing is True
