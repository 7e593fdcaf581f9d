"""The parameter dock tells the truth about positions: while trained weights that bring learned
positions are in use, "positional" reads "learned (trained)", read-only, and the configured choice
comes back when random weights return."""

from PySide6.QtCore import QSignalBlocker
from training_lab_helpers import TINY, wait_idle

from engine import SimConfig
from gui.views.parameters import LEARNED_POSITIONS, LEARNED_POSITIONS_TIP, ParameterPanel

TIMEOUT_MS = 30_000


def _positional(panel):
    box = panel.widgets["positional"]
    return box.currentText(), box.isEnabled()


def test_the_panel_shows_learned_positions_and_keeps_the_configured_choice(qtbot):
    panel = ParameterPanel(SimConfig(d_model=4, hidden_size=4, head_size=2))
    qtbot.addWidget(panel)
    emitted = []
    panel.config_changed.connect(emitted.append)
    panel.show_learned_positions(True)
    assert _positional(panel) == (LEARNED_POSITIONS, False)
    assert panel.widgets["positional"].toolTip() == LEARNED_POSITIONS_TIP
    assert panel.config().positional == "none"  # the config stays valid
    panel.set_config(panel.config().replace(positional="sinusoidal", d_model=6))
    assert _positional(panel) == (LEARNED_POSITIONS, False)  # a new config keeps it
    assert panel.values()["positional"] == "sinusoidal"
    panel.show_learned_positions(False)
    assert _positional(panel) == ("sinusoidal", True)
    box = panel.widgets["positional"]
    assert [box.itemText(i) for i in range(box.count())] == ["none", "sinusoidal"]
    assert emitted == [] and not panel.edit_pending  # showing it is no edit


def test_trained_weights_say_learned_and_random_weights_bring_the_choice_back(qtbot,
                                                                             make_window):
    window = make_window()
    box = window.parameters.widgets["positional"]
    with QSignalBlocker(box):
        box.setCurrentIndex(box.findData("sinusoidal"))
    window.show_training_lab()
    lab = window.training_lab
    lab.controls.set_values(TINY)
    lab.start_training()
    wait_idle(qtbot, lab)
    with qtbot.waitSignal(window.timeline.trace_changed, timeout=TIMEOUT_MS):
        assert lab.open_in_simulator()
    assert window.weight_actions.current.transformer_input is not None
    assert _positional(window.parameters) == (LEARNED_POSITIONS, False)
    with qtbot.waitSignal(window.timeline.trace_changed, timeout=TIMEOUT_MS):
        assert window.set_scan_lane(True)  # another run on the same weights keeps it
    assert _positional(window.parameters) == (LEARNED_POSITIONS, False)
    with qtbot.waitSignal(window.timeline.trace_changed, timeout=TIMEOUT_MS):
        window.weight_actions.use_random()
    assert _positional(window.parameters) == ("sinusoidal", True)
    assert window.timeline.trace.config.positional == "sinusoidal"
    lab.close()


def test_weights_without_a_trained_transformer_keep_the_choice(qtbot, make_window):
    from engine.models.weights import WeightSet

    window = make_window()
    with qtbot.waitSignal(window.timeline.trace_changed, timeout=TIMEOUT_MS):
        window.weight_actions.set_current(WeightSet.random(window.parameters.config()))
    assert _positional(window.parameters) == ("none", True)
