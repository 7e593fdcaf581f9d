"""The parameter dock: engine ranges on the widgets, debounced config_changed, errors, presets."""

import pytest

from engine import SimConfig
from engine.core import config as limits
from gui.views.parameters import DEBOUNCE_MS, FIELDS, ParameterPanel
from main import CONFIG_FLAGS

TINY = SimConfig(d_model=4, hidden_size=4, head_size=2)


@pytest.fixture
def panel(qtbot):
    panel = ParameterPanel(TINY)
    qtbot.addWidget(panel)
    return panel


def combo_items(box):
    return tuple(box.itemText(i) for i in range(box.count()))


def test_widget_ranges_are_the_engine_limits(panel):
    w = panel.widgets
    assert (w["d_model"].minimum(), w["d_model"].maximum()) == (2, 2048) == limits.D_MODEL_RANGE
    assert (w["hidden_size"].minimum(), w["hidden_size"].maximum()) == limits.HIDDEN_SIZE_RANGE
    assert (w["heads"].minimum(), w["heads"].maximum()) == (1, 16) == limits.HEADS_RANGE
    assert (w["head_size"].minimum(), w["head_size"].maximum()) == limits.HEAD_SIZE_RANGE
    assert (w["recurrent_scale"].minimum(), w["recurrent_scale"].maximum()) == (0.0, 10.0)
    assert combo_items(w["cell"]) == limits.CELLS == ("rnn", "lstm", "gru")
    assert combo_items(w["activation"]) == limits.ACTIVATIONS
    assert combo_items(w["positional"]) == limits.POSITIONALS


def test_labels_are_the_command_line_flags(panel):
    assert set(FIELDS) == set(CONFIG_FLAGS)
    for name, (label, tip) in FIELDS.items():
        assert "--" + label == CONFIG_FLAGS[name]
        assert panel.widgets[name].toolTip() == tip and len(tip) > 20


def test_shows_the_config_it_was_given(panel):
    assert panel.config() == TINY
    assert panel.widgets["d_model"].value() == 4
    assert panel.widgets["scaling"].isChecked() is False  # the box is "no-scaling"
    assert panel.preset_box.currentText() == "Custom"


def test_set_config_does_not_emit(qtbot, panel):
    with qtbot.assertNotEmitted(panel.config_changed, wait=DEBOUNCE_MS + 50):
        panel.set_config(TINY.replace(cell="gru", heads=2))
    assert panel.config().cell == "gru"
    assert panel.widgets["activation"].isEnabled() is False  # only the Elman cell has one


def test_editing_emits_once_after_the_debounce(qtbot, panel):
    seen = []
    panel.config_changed.connect(seen.append)
    with qtbot.waitSignal(panel.config_changed, timeout=2000) as blocker:
        panel.widgets["d_model"].setValue(6)
        assert panel.edit_pending and seen == []  # nothing until the user stops
        panel.widgets["d_model"].setValue(8)  # typing on restarts the wait
    assert blocker.args[0] == TINY.replace(d_model=8)
    assert len(seen) == 1


def test_checkbox_and_combo_edits_emit(qtbot, panel):
    with qtbot.waitSignal(panel.config_changed, timeout=2000) as blocker:
        panel.widgets["scaling"].setChecked(False)
        panel.widgets["causal"].setChecked(True)
        panel.widgets["cell"].setCurrentText("lstm")
    assert blocker.args[0] == TINY.replace(scaling=True, causal=True, cell="lstm")


def test_invalid_combination_shows_the_message_and_emits_nothing(qtbot, panel):
    with qtbot.assertNotEmitted(panel.config_changed):
        panel.widgets["positional"].setCurrentText("sinusoidal")
        panel.widgets["d_model"].setValue(5)
        assert panel.edit_pending
        qtbot.waitUntil(lambda: not panel.edit_pending, timeout=2000)  # the debounce ran out
    label = panel.errors["d_model"]
    assert label.text() == "must be even for sinusoidal positions, got 5"
    assert label.isHidden() is False
    assert all(panel.errors[name].isHidden() for name in FIELDS if name != "d_model")
    with qtbot.waitSignal(panel.config_changed, timeout=2000) as blocker:
        panel.widgets["d_model"].setValue(6)  # fixing it clears the message and runs
    assert blocker.args[0].d_model == 6 and blocker.args[0].positional == "sinusoidal"
    assert label.isHidden() is True and label.text() == ""


def test_preset_sets_its_values_and_emits(qtbot, panel):
    with qtbot.waitSignal(panel.config_changed, timeout=2000) as blocker:
        panel.preset_box.setCurrentText("Readable (D = 8)")
    config = blocker.args[0]
    assert (config.d_model, config.hidden_size, config.head_size, config.heads) == (8, 8, 4, 1)
    assert panel.widgets["d_model"].value() == 8
    assert panel.preset_box.currentText() == "Readable (D = 8)"
    panel.widgets["hidden_size"].setValue(10)  # any edit makes it Custom
    assert panel.preset_box.currentText() == "Custom"


def test_preset_keeps_the_seed(qtbot, panel):
    panel.widgets["seed"].setValue(77)
    with qtbot.waitSignal(panel.config_changed, timeout=2000) as blocker:
        panel.preset_box.setCurrentText("LSTM")
    assert blocker.args[0] == SimConfig(d_model=64, hidden_size=64, head_size=16, cell="lstm", seed=77)


def test_matching_config_shows_its_preset(qtbot, panel):
    panel.set_config(SimConfig(d_model=8, hidden_size=8, head_size=4, seed=5))
    assert panel.preset_box.currentText() == "Readable (D = 8)"


def test_show_error_beside_a_field(panel):
    panel.show_error("heads", "must be between 1 and 16, got 20")
    assert panel.errors["heads"].text() == "must be between 1 and 16, got 20"
    assert panel.errors["heads"].isHidden() is False
    panel.show_error("no_such_field", "ignored")  # unknown fields change nothing
    panel.clear_errors()
    assert all(label.isHidden() and label.text() == "" for label in panel.errors.values())


@pytest.mark.parametrize("seed", [0, 2**31 - 1, 2**31, 2**32 - 1])
def test_every_engine_seed_survives_the_dock(qtbot, seed):
    """Exposes a bug: SimConfig allows seeds up to 2**32 - 1, the QSpinBox only up to 2**31 - 1,
    and set_config clamps silently, so config() runs a different seed than the one given."""
    panel = ParameterPanel(TINY.replace(seed=seed))
    qtbot.addWidget(panel)
    assert panel.config().seed == seed


def test_recurrent_scale_survives_the_dock(qtbot):
    """Exposes a bug: the spin box keeps 3 decimals, so a given 0.1234 silently becomes 0.123."""
    panel = ParameterPanel(TINY.replace(recurrent_scale=0.1234))
    qtbot.addWidget(panel)
    assert panel.config().recurrent_scale == 0.1234


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_activation_is_disabled_for_gated_cells_with_a_tooltip_saying_why(panel, cell):
    panel.widgets["cell"].setCurrentText(cell)
    activation = panel.widgets["activation"]
    assert activation.isEnabled() is False
    assert "applies only to the rnn (Elman) cell" in activation.toolTip()
    panel.widgets["cell"].setCurrentText("rnn")
    assert activation.isEnabled() is True and activation.toolTip() == FIELDS["activation"][1]


def test_choosing_a_preset_brings_the_sentence_that_shows_its_effect(qtbot, panel):
    with qtbot.waitSignal(panel.preset_sentence_chosen, timeout=2000) as blocker:
        panel.choose_preset("Exploding")
    assert len(blocker.args[0].split()) >= 15  # the five-word default shows no explosion
    with qtbot.assertNotEmitted(panel.preset_sentence_chosen):
        panel.widgets["d_model"].setValue(6)  # an edit keeps the user's sentence
