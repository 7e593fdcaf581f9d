"""GloVe in the window: choosing it in the dock sets D to its 50 dimensions, and the word strip
marks the words GloVe lacks (dashed, italic, with a tooltip saying why)."""

import dataclasses

import numpy as np

from engine import SimConfig, simulate
from gui.views.parameters import ParameterPanel
from gui.views.token_strip import GLOVE_STAND_IN


def glove_like_trace():
    """A GloVe run's trace without needing the extra: a D = 50 run marked as GloVe's."""
    plain = simulate("the cat zqxw sat", SimConfig(d_model=50, hidden_size=4, head_size=2))
    return dataclasses.replace(plain, config=plain.config.replace(word_vectors="glove"),
                               known_words=np.array([True, True, False, True]))


def test_choosing_glove_sets_fifty_dimensions(qtbot):
    panel = ParameterPanel(SimConfig(d_model=8, hidden_size=8, head_size=4))
    qtbot.addWidget(panel)
    box = panel.widgets["word_vectors"]
    with qtbot.waitSignal(panel.config_changed, timeout=5000) as emitted:
        box.setCurrentIndex(box.findText("glove"))
    config = emitted.args[0]
    assert config.word_vectors == "glove" and config.d_model == 50
    panel.widgets["d_model"].setValue(64)  # the user may still choose another D: refused clearly
    qtbot.waitUntil(lambda: not panel.edit_pending, timeout=5000)
    assert "must be 50 for GloVe" in panel.errors["d_model"].text()


def test_the_word_strip_marks_glove_stand_ins(make_window):
    window = make_window()
    window.timeline.set_trace(glove_like_trace(), 0)
    chips = window.token_strip.chips
    assert chips.stand_ins == {2}
    assert GLOVE_STAND_IN in chips.describe(2) and GLOVE_STAND_IN not in chips.describe(1)
    window.timeline.set_trace(simulate("the cat", SimConfig(d_model=4, hidden_size=4,
                                                            head_size=2)), 0)
    assert chips.stand_ins == frozenset()
