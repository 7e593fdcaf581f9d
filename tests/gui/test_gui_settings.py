"""Remembered settings: the last run's sentence and config come back; command-line values win."""

import pytest
from PySide6.QtCore import QSettings

import main
from engine import SimConfig
from gui.resources import preset_named
from window_helpers import run_and_wait

TINY = dict(d_model=4, hidden_size=4, head_size=2)


def finish_run(qtbot, window, sentence):
    trace = run_and_wait(qtbot, window, sentence)
    window.transport.pause()
    return trace


def test_sentence_config_and_speed_come_back(qtbot, make_window):
    first = make_window(overrides=dict(TINY, cell="gru", seed=7))
    trace = finish_run(qtbot, first, "The dog, the cat; and a bird")
    first.transport.set_speed(5.5)
    first.close()
    second = make_window(tiny=False)
    assert second.sentence_bar.sentence == "The dog, the cat; and a bird"
    assert second.parameters.config() == trace.config == SimConfig(**TINY, cell="gru", seed=7)
    assert second.transport.speed_box.value() == 5.5


def test_only_finished_runs_are_remembered(qtbot, make_window):
    first = make_window(overrides=dict(TINY))
    finish_run(qtbot, first, "Kept sentence")
    first.sentence_bar.set_sentence("   ")
    assert first.run_current() is False  # rejected: not remembered
    first.close()
    second = make_window(tiny=False)
    assert second.sentence_bar.sentence == "Kept sentence"


def test_overrides_and_sentence_win_over_remembered(qtbot, make_window):
    first = make_window(overrides=dict(TINY, cell="gru"))
    finish_run(qtbot, first, "X y z")
    first.close()
    second = make_window(overrides={"cell": "lstm"}, sentence="A b")
    config = second.parameters.config()
    assert config.cell == "lstm"
    assert (config.d_model, config.hidden_size, config.head_size) == (4, 4, 2)  # still remembered
    assert second.sentence_bar.sentence == "A b"


def test_overrides_on_fresh_settings(make_window):
    window = make_window(overrides={"cell": "lstm"}, sentence="A b")
    assert window.parameters.config().cell == "lstm"
    assert window.parameters.config() == SimConfig(cell="lstm")
    assert window.sentence_bar.sentence == "A b"


def test_override_clashing_with_remembered_values_wins(make_window, settings_path):
    settings = QSettings(settings_path, QSettings.Format.IniFormat)
    settings.setValue("run/config", SimConfig(d_model=8, positional="sinusoidal").to_json())
    settings.sync()
    window = make_window(overrides={"d_model": 5})  # odd D cannot have sinusoidal positions
    assert window.parameters.config() == SimConfig(d_model=5)


def test_unreadable_settings_fall_back_to_defaults(make_window, settings_path):
    settings = QSettings(settings_path, QSettings.Format.IniFormat)
    settings.setValue("run/config", '{"d_model": 4, "no_such_key": 1}')
    settings.setValue("run/sentence", "Remembered words")
    settings.setValue("playback/speed", "fast")
    settings.sync()
    window = make_window(tiny=False)
    assert window.parameters.config() == SimConfig().replace(**preset_named("Readable").values)
    assert window.first_launch is False  # something was remembered: it plays as usual
    assert window.sentence_bar.sentence == "Remembered words"
    assert window.transport.speed_box.value() == 2.0


def test_window_state_is_saved_on_close(make_window, settings_path):
    window = make_window()
    window.close()
    settings = QSettings(settings_path, QSettings.Format.IniFormat)
    assert settings.contains("window/geometry") and settings.contains("window/state")
    assert float(settings.value("playback/speed")) == 2.0


@pytest.mark.parametrize("argv, fields", [
    (["--cell", "lstm", "--d-model=8"], {"cell", "d_model"}),
    (["--sentence", "Hi there", "--no-scaling", "--causal"], {"scaling", "causal"}),
    (["--seed=3", "--hidden-size", "16", "--heads", "2", "--head-size", "8"],
     {"seed", "hidden_size", "heads", "head_size"}),
    (["--recurrent-scale", "0.5", "--activation", "relu", "--positional", "sinusoidal"],
     {"recurrent_scale", "activation", "positional"}),
    ([], set()),
    (["--sentence", "--d-model is not a flag here"], set()),
])
def test_explicit_fields(argv, fields):
    assert main.explicit_fields(argv) == fields


def test_abbreviated_flags_are_refused_so_every_given_flag_is_seen():
    """argparse would accept unique prefixes (--hidden for --hidden-size) that explicit_fields
    cannot see, letting a remembered value win over what was typed; the parser refuses them."""
    with pytest.raises(SystemExit) as exit_info:
        main.build_parser().parse_args(["--hidden", "16"])
    assert exit_info.value.code == 2
    assert main.explicit_fields(["--hidden-size", "16"]) == {"hidden_size"}