"""View → Colour-blind-safe colours: the model colours and the heatmaps' colour maps come from one
colour set; switching it recolours the open views at once and is remembered."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QColor

from gui import style
from gui.views.panels.heatmap import HeatmapView

SAFE = style.COLOUR_SETS["colour-blind"]
STANDARD = style.COLOUR_SETS["standard"]


@pytest.fixture(autouse=True)
def standard_colours_after():
    yield
    style.use_colours("standard")


def map_colours(colormap: pg.ColorMap) -> np.ndarray:
    return colormap.map(np.linspace(0, 1, 5), mode="byte")  # (5, 4)


def same_map(first: pg.ColorMap, name: str) -> bool:
    return np.array_equal(map_colours(first), map_colours(pg.colormap.get(name)))


def test_the_two_sets_differ_and_any_model_key_has_a_colour():
    assert SAFE.models["rnn"] != STANDARD.models["rnn"] and SAFE.diverging != STANDARD.diverging
    style.use_colours("colour-blind")
    assert style.model_colour("rnn") == SAFE.models["rnn"]
    assert style.model_colour("attention") == SAFE.models["attention"]
    assert style.model_colour("a-future-model") == SAFE.other
    assert style.RNN_COLOR == SAFE.models["rnn"] and style.SEQUENTIAL == SAFE.sequential
    style.use_colours("standard")
    assert style.model_colour("a-future-model") == STANDARD.other


def test_switching_recolours_the_open_window(qtbot, make_window):
    window = make_window(show=True, size=(1600, 1000))
    with qtbot.waitSignal(window.runner.finished, timeout=30_000):
        window.run_current()
    scores = window.attention_panel.plots()["attention-scores"]
    weights = window.attention_panel.plots()["attention-weights"]
    assert same_map(scores._image.getColorMap(), STANDARD.diverging)
    window.colour_action.trigger()  # on
    assert window.colour_action.isChecked()
    assert window.settings.value(style.COLOURS_SETTING) == "colour-blind"
    assert same_map(scores._image.getColorMap(), SAFE.diverging)
    assert same_map(weights._image.getColorMap(), SAFE.sequential)
    assert same_map(window.rnn_panel.cell_view._colormap, SAFE.diverging)
    race = window.race_panel
    assert race._rows["rnn"][1]._colour == QColor(SAFE.models["rnn"])
    assert QColor(SAFE.models["attention"]).name() in race.model_name_style("attention")
    curves = window.gradient_panel.plots()["gradient-curves"]
    for key, curve in curves.model_curves.items():
        assert curve.opts["pen"].color() == QColor(style.model_colour(key))
    assert QColor(SAFE.models["rnn"]).name() in window.rnn_panel.counter_label.styleSheet()
    window.colour_action.trigger()  # off again
    assert same_map(scores._image.getColorMap(), STANDARD.diverging)
    assert window.settings.value(style.COLOURS_SETTING) == "standard"


def test_the_choice_is_remembered(qtbot, make_window, settings_path):
    first = make_window()
    first.colour_action.trigger()
    first.settings.sync()
    style.use_colours("standard")
    second = make_window(path=settings_path)
    assert second.colour_action.isChecked() and style.colour_set_name() == "colour-blind"
    scores = second.attention_panel.plots()["attention-scores"]
    assert same_map(scores._image.getColorMap(), SAFE.diverging)


def test_a_damaged_remembered_choice_is_ignored(make_window, settings_path):
    from PySide6.QtCore import QSettings

    QSettings(settings_path, QSettings.Format.IniFormat).setValue(style.COLOURS_SETTING, "neon")
    window = make_window(path=settings_path)
    assert not window.colour_action.isChecked() and style.colour_set_name() == "standard"


def test_a_heatmap_made_later_uses_the_current_set(qtbot):
    style.use_colours("colour-blind")
    view = HeatmapView()  # the default map is the diverging role's
    qtbot.addWidget(view)
    assert same_map(view._image.getColorMap(), SAFE.diverging)
    own = HeatmapView(colormap="plasma")  # a map of its own keeps its colours
    qtbot.addWidget(own)
    style.use_colours("standard")
    assert same_map(own._image.getColorMap(), "plasma")
    assert same_map(view._image.getColorMap(), STANDARD.diverging)
