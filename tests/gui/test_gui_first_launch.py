"""The window as a user meets it: the first launch (Readable preset, paused, a hint), Reset settings,
keyboard focus at launch, the window fitted to small screens, presets with their sentences, and
the on-screen wording (random weights, version, plurals)."""

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from engine import SimConfig
from engine.core.config import DEFAULT_SENTENCE
from gui import style
from gui.help_texts import about_text
from gui.main_window import DOCK_WIDTH, FIRST_LAUNCH_HINT, FIRST_LAUNCH_TICK
from gui.resources import preset_named
from gui.window_geometry import DEFAULT_SIZE, centred_default, fit_within
from gui.wording import count
from window_helpers import RUN_TIMEOUT, run_and_wait

READABLE = SimConfig().replace(**preset_named("Readable").values)


def first_launch_window(make_window, **kwargs):
    """A window on an empty settings file with nothing given on the command line."""
    return make_window(overrides=None, tiny=False, **kwargs)


def test_first_launch_opens_on_the_readable_preset_paused_with_a_hint(qtbot, make_window):
    window = first_launch_window(make_window)
    assert window.first_launch is True
    assert window.parameters.config() == READABLE
    assert window.parameters.preset_box.currentText().startswith("Readable")
    trace = run_and_wait(qtbot, window)
    assert trace.config.d_model == 8
    assert window.transport.playing is False
    assert window.timeline.tick == FIRST_LAUNCH_TICK == 1  # attention done, the RNN one word in
    assert window.status_label.text() == FIRST_LAUNCH_HINT
    assert "\n" not in FIRST_LAUNCH_HINT and "Space" in FIRST_LAUNCH_HINT


def test_later_launches_keep_the_remembered_settings_and_play(qtbot, make_window, settings_path):
    first = first_launch_window(make_window)
    run_and_wait(qtbot, first)
    first.parameters.set_config(READABLE.replace(d_model=6))
    run_and_wait(qtbot, first, "Dogs bark loudly")
    first.close()
    second = first_launch_window(make_window)
    assert second.first_launch is False
    assert second.parameters.config().d_model == 6
    assert second.sentence_bar.sentence == "Dogs bark loudly"


def test_command_line_choices_skip_the_first_launch_view(make_window):
    window = make_window(overrides={"cell": "gru"})
    assert window.first_launch is False
    assert window.parameters.config() == SimConfig(cell="gru")


def test_reset_settings_forgets_everything_and_shows_the_first_launch_view(qtbot, make_window,
                                                                           settings_path):
    window = make_window()  # tiny widths from the command line: not a first launch
    run_and_wait(qtbot, window, "Dogs bark loudly")
    window.transport.set_speed(7)
    window.settings.setValue("export/folder", "/tmp")
    window.theme_actions["dark"].trigger()
    with qtbot.waitSignal(window.runner.finished, timeout=RUN_TIMEOUT) as blocker:
        window.reset_settings()
    assert window.theme_actions["system"].isChecked()
    assert not style.is_dark(QApplication.instance().palette())
    assert blocker.args[0].config == READABLE
    assert blocker.args[0].sentence == DEFAULT_SENTENCE
    assert window.sentence_bar.sentence == DEFAULT_SENTENCE
    assert window.transport.speed_box.value() == 2.0
    assert window.transport.playing is False and window.timeline.tick == FIRST_LAUNCH_TICK
    assert window.status_label.text() == FIRST_LAUNCH_HINT
    remembered = QSettings(settings_path, QSettings.Format.IniFormat)
    assert "export/folder" not in remembered.allKeys()
    assert remembered.value("run/config") == READABLE.to_json()  # the new run is remembered


def test_reset_settings_is_an_action_of_the_window(make_window):
    assert "Reset &settings…" in [action.text() for action in make_window().actions()]


def test_keys_control_playback_at_launch_not_the_sentence_box(qtbot, make_window):
    window = make_window(show=True)
    run_and_wait(qtbot, window)
    window.transport.pause()
    line = window.sentence_bar.editor.lineEdit()
    assert window.focusWidget() is not line
    text = line.text()
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_End)
    assert window.timeline.tick == window.timeline.last_tick
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_Home)
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_Right)
    assert window.timeline.tick == 1
    with qtbot.waitSignal(window.transport.playing_changed) as blocker:
        QTest.keyClick(window.focusWidget(), Qt.Key.Key_Space)
    assert blocker.args == [True]
    window.transport.pause()
    assert line.text() == text  # nothing was typed into the sentence


# ---- the window on small screens -----------------------------------------------------------

@pytest.mark.parametrize("rect, available, expected", [
    (QRect(0, 0, 1600, 1000), QRect(0, 0, 1280, 800), QRect(4, 32, 1272, 764)),
    (QRect(300, 200, 1000, 600), QRect(0, 0, 1280, 800), QRect(276, 196, 1000, 600)),
    (QRect(-50, -20, 800, 600), QRect(0, 0, 1280, 800), QRect(4, 32, 800, 600)),
    (QRect(3000, 100, 1600, 1000), QRect(1920, 0, 1024, 700), QRect(1924, 32, 1016, 664)),
    (QRect(100, 100, 800, 600), QRect(0, 0, 1920, 1080), QRect(100, 100, 800, 600)),
])
def test_fit_within_shrinks_and_moves_a_window_onto_the_screen(rect, available, expected):
    assert fit_within(rect, available) == expected


def test_the_first_launch_size_is_centred_and_never_larger_than_the_screen():
    big = centred_default(QRect(0, 0, 2560, 1440))
    assert big.size() == DEFAULT_SIZE
    assert big.center().x() in range(1278, 1283)
    small = centred_default(QRect(0, 0, 1280, 800))
    assert QRect(0, 0, 1280, 800).contains(small)


def test_geometry_remembered_on_a_larger_screen_is_fitted(make_window, settings_path):
    first = make_window()
    first.setGeometry(QRect(200, 150, 1600, 1000))
    first.close()  # remembers the geometry
    second = make_window()
    second.fit_to(QRect(0, 0, 1280, 800))
    assert QRect(0, 0, 1280, 800).contains(second.geometry())


@pytest.mark.parametrize("width, height", [(1024, 700), (1280, 800)])
def test_transport_race_strip_and_dock_show_on_small_screens(qtbot, make_window, width, height):
    window = make_window()
    window.resize(width - 8, height - 36)  # less the window manager's frame
    window.show()
    qtbot.waitExposed(window)
    run_and_wait(qtbot, window, "The cat that the dog chased ran up the tree.")
    window.timeline.go_end()  # the longest headings and counters
    assert window.minimumSizeHint().width() <= width - 8
    assert window.minimumSizeHint().height() <= height - 36
    inside = window.rect()
    for widget in (window.transport, window.race_panel, window.parameter_dock,
                   window.transport.play_button, window.transport.tick_label):
        top_left = widget.mapTo(window, QPoint(0, 0))
        bottom_right = widget.mapTo(window, widget.rect().bottomRight())
        assert widget.isVisible() and widget.height() > 0, widget
        assert inside.contains(top_left) and inside.contains(bottom_right), widget


def test_on_a_short_screen_captions_move_into_the_titles_tooltips(qtbot, make_window):
    window = make_window()
    window.resize(1272, 764)  # a 1280 x 800 screen less the window manager's frame
    window.show()
    qtbot.waitExposed(window)
    panels = (window.rnn_panel, window.attention_panel, window.gradient_panel)
    qtbot.waitUntil(lambda: not any(panel.caption_label.isVisible() for panel in panels))
    for panel in panels:
        assert panel.title_label.toolTip() == panel.caption_label.text() != ""
    window.resize(1592, 964)
    qtbot.waitUntil(lambda: all(panel.caption_label.isVisible() for panel in panels))
    assert all(panel.title_label.toolTip() == "" for panel in panels)


# ---- presets and wording ---------------------------------------------------------------------

def test_a_preset_brings_its_sentence_and_runs_it(qtbot, make_window):
    window = make_window()
    run_and_wait(qtbot, window)
    with qtbot.waitSignal(window.runner.finished, timeout=RUN_TIMEOUT) as blocker:
        window.parameters.choose_preset("Exploding")
    exploding = preset_named("Exploding")
    assert window.sentence_bar.sentence == exploding.sentence
    trace = blocker.args[0]
    assert trace.sentence == exploding.sentence
    gradient = trace.rnn.input_gradient  # (T,)
    assert gradient[0] > 100 * gradient[-1]  # the explosion is visible in the curve


def test_the_window_says_the_weights_are_random_and_untrained(make_window):
    note = make_window().sentence_bar.weights_note
    assert note.text() == "random, untrained weights"
    assert not note.isHidden()


def test_about_names_the_version():
    from engine import __version__

    assert f"version {__version__}" in about_text()


def test_counts_agree_with_their_number(qtbot, make_window):
    assert count(1, "token") == "1 token"
    assert count(2, "token") == "2 tokens"
    assert count(1200, "multiply-add") == "1,200 multiply-adds"
    window = make_window()
    run_and_wait(qtbot, window, "Hello")
    assert window.status_label.text().startswith("1 token · RNN 1 sequential step,")


def test_a_window_saved_on_a_larger_screen_is_restored_fitted_not_called_damaged(make_window):
    """Qt's restoreGeometry refuses a window larger than the screen; its rectangle is still used,
    fitted to this screen, and no 'damaged setting' notice appears."""
    from PySide6.QtCore import QByteArray, QDataStream, QIODevice

    data = QByteArray()
    stream = QDataStream(data, QIODevice.OpenModeFlag.WriteOnly)
    stream.setVersion(QDataStream.Version.Qt_4_0)
    stream.writeUInt32(0x1D9D0CB)
    stream.writeUInt16(3)
    stream.writeUInt16(0)
    stream << QRect(300, 200, 2400, 1400) << QRect(300, 200, 2400, 1400)
    stream.writeInt32(0)
    stream.writeUInt8(0)
    stream.writeUInt8(0)
    stream.writeInt32(2560)
    stream << QRect(300, 200, 2400, 1400)
    make_window().settings.setValue("window/geometry", data)
    window = make_window()
    assert window.notice == ""
    available = window.screen().availableGeometry()
    assert window.width() <= max(available.width(), window.minimumSizeHint().width())
    assert window.height() <= available.height()
    assert window.geometry() != QRect(300, 200, 2400, 1400)


def test_saved_normal_geometry_reads_only_real_geometry_values():
    from PySide6.QtCore import QByteArray

    from gui.window_geometry import saved_normal_geometry

    assert saved_normal_geometry(QByteArray(b"not a geometry")) is None
    assert saved_normal_geometry(QByteArray()) is None


def test_the_first_launch_prints_every_maps_numbers_at_1600_by_1000(qtbot, make_window):
    window = first_launch_window(make_window, show=True, size=(1600, 1000))
    # as on a real screen of that size (the offscreen one is smaller, so the dock starts narrower)
    window.resizeDocks([window.parameter_dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)
    run_and_wait(qtbot, window)
    views = {**window.attention_panel.views, "hidden": window.rnn_panel.hidden_view}
    for key, view in views.items():  # the hidden state's first row only, at tick 1
        expected = 8 if key == "hidden" else view.shown_matrix()[0].size
        qtbot.waitUntil(lambda view=view, expected=expected:
                        len(view.cell_texts_shown()) == expected)


@pytest.mark.parametrize("size", [(1600, 1000), (1280, 800)])
def test_attentions_seven_maps_get_the_larger_share_of_the_width(qtbot, make_window, size):
    """At 1280 x 800 that share lets the Readable preset print the softmax weights' numbers."""
    window = first_launch_window(make_window, show=True, size=size)
    run_and_wait(qtbot, window)
    qtbot.waitUntil(lambda: window.attention_panel.width() > 1.15 * window.rnn_panel.width())
