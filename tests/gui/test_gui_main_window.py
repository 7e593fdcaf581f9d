"""The main window end to end: runs through the worker, rejected input, parameters, errors, status."""

import threading

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

import engine
from engine.core.errors import ConfigError
from gui.resources import sample_sentences
from window_helpers import RUN_TIMEOUT, run_and_wait


def test_starts_empty_with_the_default_sentence(make_window):
    window = make_window()
    assert window.windowTitle() == "RNN vs Transformer"
    assert window.timeline.trace is None
    assert window.sentence_bar.sentence == "The cat sat on mat"
    assert window.parameters.config().d_model == 4  # the tiny override
    assert window.transport.play_button.isEnabled() is False


def test_run_current_puts_the_trace_on_the_timeline(qtbot, make_window):
    window = make_window()
    trace = run_and_wait(qtbot, window)
    assert window.timeline.trace is trace
    assert trace.tokens == ("The", "cat", "sat", "on", "mat")
    assert trace.config == window.parameters.config()
    assert window.timeline.last_tick == 10
    assert window.token_strip.chips.tokens == list(trace.tokens)
    assert window.transport.playing is True  # a new sentence plays from the start
    assert window.status_label.text().startswith("5 tokens · RNN 5 sequential steps, attention 1")
    assert window.progress_bar.isHidden() and window.cancel_button.isHidden()


def test_enter_in_the_sentence_bar_runs(qtbot, make_window):
    window = make_window(show=True)
    line = window.sentence_bar.editor.lineEdit()
    line.setFocus()
    line.setText("Dogs bark")
    with qtbot.waitSignal(window.runner.finished, timeout=RUN_TIMEOUT) as blocker:
        QTest.keyClick(line, Qt.Key.Key_Return)
    assert blocker.args[0].tokens == ("Dogs", "bark")


def test_choosing_a_sample_sentence_runs_it(qtbot, make_window):
    window = make_window()
    editor = window.sentence_bar.editor
    assert editor.count() == len(sample_sentences())
    editor.setCurrentIndex(1)
    with qtbot.waitSignal(window.runner.finished, timeout=RUN_TIMEOUT) as blocker:
        editor.activated.emit(1)
    assert blocker.args[0].sentence == "The cat that the dog chased ran up the tree."
    assert blocker.args[0].length == 11  # ten words and the full stop


def test_parameter_edit_with_a_blank_sentence_reruns_the_last_good_one(qtbot, make_window):
    window = make_window()
    run_and_wait(qtbot, window, "Keep these words")
    window.sentence_bar.set_sentence("  ")
    with qtbot.waitSignal(window.runner.finished, timeout=RUN_TIMEOUT) as blocker:
        window.parameters.widgets["heads"].setValue(2)
    assert blocker.args[0].tokens == ("Keep", "these", "words")
    assert blocker.args[0].config.heads == 2
    assert window.attention_panel.head_box.count() == 2


def test_blank_sentence_is_rejected_inline_and_the_last_run_stays(qtbot, make_window):
    window = make_window()
    first = run_and_wait(qtbot, window)
    window.transport.pause()
    window.timeline.set_tick(3)
    window.sentence_bar.set_sentence("   ")
    with qtbot.assertNotEmitted(window.runner.started):
        assert window.run_current() is False
    message = window.sentence_bar.message
    assert message.isHidden() is False
    assert message.text() == ("the sentence is empty: type at least one word. "
                              "The last good run stays on screen.")
    assert window.timeline.trace is first and window.timeline.tick == 3
    assert window.runner.busy is False
    run_and_wait(qtbot, window, "Good again")  # the next good run clears the message
    assert message.isHidden() is True and message.text() == ""


def test_too_many_tokens_is_rejected_inline(qtbot, make_window):
    window = make_window()
    window.sentence_bar.set_sentence(" ".join(["w"] * (engine.MAX_TOKENS + 1)))
    assert window.run_current() is False
    assert window.sentence_bar.message.isHidden() is False
    assert window.sentence_bar.message.text().startswith(
        f"the sentence has {engine.MAX_TOKENS + 1:,} tokens; the limit is {engine.MAX_TOKENS:,}")
    assert window.timeline.trace is None


def test_emoji_and_other_scripts_run(qtbot, make_window):
    window = make_window()
    trace = run_and_wait(qtbot, window, "Hi 👋 мир")
    assert trace.tokens == ("Hi", "👋", "мир")
    assert window.token_strip.chips.tokens == ["Hi", "👋", "мир"]
    assert window.sentence_bar.message.isHidden() is True
    assert window.timeline.last_tick == 6 and window.transport.scrubber.maximum() == 6


def test_editing_a_parameter_reruns_after_the_debounce(qtbot, make_window):
    window = make_window()
    run_and_wait(qtbot, window)
    with qtbot.waitSignal(window.parameters.config_changed, timeout=2000) as changed:
        window.parameters.widgets["hidden_size"].setValue(6)
    assert changed.args[0].hidden_size == 6
    with qtbot.waitSignal(window.runner.finished, timeout=RUN_TIMEOUT) as blocker:
        pass
    assert blocker.args[0].config.hidden_size == 6
    assert window.timeline.trace.rnn.hidden.shape == (5, 6)


def test_same_sentence_new_parameters_keeps_the_tick(qtbot, make_window):
    window = make_window()
    run_and_wait(qtbot, window)
    window.transport.pause()
    window.timeline.set_tick(7)
    window.selection.set_pinned(2)
    with qtbot.waitSignal(window.runner.finished, timeout=RUN_TIMEOUT):
        window.parameters.widgets["cell"].setCurrentText("gru")
    assert window.timeline.trace.config.cell == "gru"
    assert window.timeline.tick == 7 and window.transport.playing is False
    assert window.selection.pinned == 2


def test_a_new_sentence_of_the_same_length_plays_from_the_start(qtbot, make_window):
    """Exposes a bug: _on_runner_finished treats any trace of the same length as "same sentence,
    new parameters", so a different sentence keeps the old tick and pin and does not play."""
    window = make_window()
    run_and_wait(qtbot, window, "The cat sat")
    window.transport.pause()
    window.timeline.set_tick(5)
    window.selection.set_pinned(1)
    trace = run_and_wait(qtbot, window, "Dogs chase cats")
    assert trace.tokens == ("Dogs", "chase", "cats")
    assert window.selection.pinned == -1
    assert window.transport.playing is True
    assert window.timeline.tick <= 1


def test_invalid_parameters_block_the_run(qtbot, make_window):
    window = make_window()
    with qtbot.assertNotEmitted(window.parameters.config_changed):
        window.parameters.widgets["positional"].setCurrentText("sinusoidal")
        window.parameters.widgets["d_model"].setValue(5)
        assert window.parameters.edit_pending
        qtbot.waitUntil(lambda: not window.parameters.edit_pending, timeout=2000)
    assert window.parameters.errors["d_model"].text() == "must be even for sinusoidal positions, got 5"
    with qtbot.assertNotEmitted(window.runner.started):
        assert window.run_current() is False
    assert window.parameters.errors["d_model"].isHidden() is False


def test_runner_failure_with_a_field_shows_beside_that_field(qtbot, make_window):
    window = make_window()

    def work(progress, cancel):
        raise ConfigError("head_size", "is too wide for this machine")

    with qtbot.waitSignal(window.runner.failed, timeout=5000):
        window.runner.run_work(work)
    label = window.parameters.errors["head_size"]
    assert label.text() == "is too wide for this machine" and label.isHidden() is False
    assert window.sentence_bar.message.isHidden() is True
    assert window.status_label.text() == "The run was rejected; the view shows the last good run."


def test_runner_failure_without_a_field_shows_in_the_sentence_bar(qtbot, make_window):
    window = make_window()

    def work(progress, cancel):
        raise RuntimeError("disk on fire")

    with qtbot.waitSignal(window.runner.failed, timeout=5000):
        window.runner.run_work(work)
    assert window.sentence_bar.message.text() == ("the engine failed: RuntimeError: disk on fire. "
                                                  "The last good run stays on screen.")
    assert all(label.isHidden() for label in window.parameters.errors.values())


def endless(started, label="RNN: word 3 of 9"):
    def work(progress, cancel):
        progress(0.25, label)
        started.set()
        while True:
            cancel.raise_if_cancelled()
            threading.Event().wait(0.001)
    return work


def test_busy_shows_progress_and_cancel(qtbot, make_window):
    window = make_window()
    started = threading.Event()
    with qtbot.waitSignal(window.runner.progress, timeout=5000):
        window.runner.run_work(endless(started))
    assert window.progress_bar.isHidden() is False and window.cancel_button.isHidden() is False
    assert window.progress_bar.value() == 250
    assert window.status_label.text() == "RNN: word 3 of 9"
    with qtbot.waitSignal(window.runner.busy_changed, timeout=5000):
        qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
    assert window.progress_bar.isHidden() and window.cancel_button.isHidden()


def test_escape_cancels_a_run(qtbot, make_window):
    window = make_window(show=True)
    window.rnn_panel.setFocus()
    started = threading.Event()
    window.runner.run_work(endless(started))
    assert started.wait(5)
    with qtbot.waitSignal(window.runner.busy_changed, timeout=5000) as blocker:
        QTest.keyClick(window.focusWidget() or window, Qt.Key.Key_Escape)
    assert blocker.args == [False]
    assert window.timeline.trace is None


def test_status_says_cancelled_after_cancelling_a_run_that_reported_progress(qtbot, make_window):
    """Exposes a bug: the "Cancelled" status is only set while the label still reads "Running…",
    but every real run replaces that text with its progress label first."""
    window = make_window()
    started = threading.Event()
    with qtbot.waitSignal(window.runner.progress, timeout=5000):
        window.runner.run_work(endless(started))
    with qtbot.waitSignal(window.runner.busy_changed, timeout=5000):
        window.runner.cancel()
    assert window.status_label.text() == "Cancelled; the view shows the last good run."


def test_view_menu_opens_one_cost_lab_window_and_keeps_it(qtbot, make_window):
    window = make_window(show=True)
    actions = {action.text(): action for action in window.actions()}
    actions["&Cost lab…"].trigger()
    lab = window.cost_lab
    qtbot.waitExposed(lab)
    assert lab.isVisible() and lab.windowTitle().startswith("Cost lab")
    assert actions["&Cost lab…"].shortcut().toString() == "Ctrl+L"
    lab.close()
    window.show_cost_lab()
    assert window.cost_lab is lab and lab.isVisible()  # the same window, results kept
    lab.close()
