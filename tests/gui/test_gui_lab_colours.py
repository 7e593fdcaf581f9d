"""The labs follow View → Colour-blind-safe colours: the training lab's curves, legends, table
rows, word classes and cosine map, the cost lab's curves and caption, and the DEER lab's methods,
failure marks and captions take the current colour set when built and change when it changes."""

import numpy as np
import pyqtgraph as pg
import pytest
from colour_helpers import contrast
from PySide6.QtGui import QColor, QImage, QPainter, QPalette
from PySide6.QtWidgets import QApplication
from training_lab_helpers import TINY, wait_idle

from gui import style
from gui.labs.training.findings_plots import WORD_CLASSES
from gui.labs.training.table import legible_text

SAFE = style.COLOUR_SETS["colour-blind"]
STANDARD = style.COLOUR_SETS["standard"]
TRAINED = ("rnn", "lstm", "gru", "transformer")
LAB_KEYS = {"rnn": "rnn", "lstm": "lstm", "gru": "gru", "mingru": "scan",
            "transformer": "attention"}
TIMEOUT_MS = 60_000


@pytest.fixture(autouse=True)
def standard_colours_after():
    yield
    style.use_colours("standard")


def set_colour(colour_set, key: str) -> QColor:
    """A model's (or a lab model's) colour in a set."""
    return QColor(colour_set.models.get(key) or colour_set.lab_models[key])


def painted(sample) -> set[str]:
    """The colours a legend sample paints (no antialiasing: the pen's colour itself)."""
    image = QImage(24, 24, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    sample.paint(painter, None, None)
    painter.end()
    return {image.pixelColor(x, y).name() for x in range(24) for y in range(24)
            if image.pixelColor(x, y).alpha() == 255}


def legend_colours(legend) -> dict[str, set[str]]:
    return {label.text: painted(sample) for sample, label in legend.items}


def map_bytes(colormap: pg.ColorMap) -> np.ndarray:
    return colormap.map(np.linspace(0, 1, 5), mode="byte")  # (5, 4)


def same_map(colormap: pg.ColorMap, name: str) -> bool:
    return np.array_equal(map_bytes(colormap), map_bytes(pg.colormap.get(name)))


def pen_colour(curve) -> QColor:
    return curve.opts["pen"].color()


def _check_training_plots(lab, colour_set) -> None:
    for plot in [*lab.plots.values(), lab.sweep_view.plot]:
        for kind, curve in plot.curves.items():
            expected = set_colour(colour_set, LAB_KEYS[kind])
            assert pen_colour(curve) == expected, (plot, kind)
            label = next(label.text for sample, label in plot.legend.items
                         if sample.item is curve)
            assert expected.name() in legend_colours(plot.legend)[label]
    for kind, curve in lab.sweep_view.plot.curves.items():
        assert curve.opts["symbolBrush"].color() == set_colour(colour_set, LAB_KEYS[kind])
    table = lab.table
    assert table.model_colours() == [legible_text(set_colour(colour_set, LAB_KEYS[kind]).name(),
                                                  table.palette()) for kind in TRAINED]
    base = table.palette().color(QPalette.ColorRole.Base)
    for shown, kind in zip(table.model_colours(), TRAINED):  # each row still in its model's hue
        assert contrast(shown, base) >= 3.0
        assert abs(shown.hueF() - set_colour(colour_set, LAB_KEYS[kind]).hueF()) < 0.02


def test_the_training_lab_follows_the_main_windows_colour_choice(qtbot, make_window):
    window = make_window()
    window.show_training_lab()
    lab = window.training_lab
    lab.controls.set_values(dict(TINY, models=TRAINED))
    assert lab.start_training()
    wait_idle(qtbot, lab)
    lab.sweep_view.reset(lab.session.config, (4, 8))
    _check_training_plots(lab, STANDARD)
    window.colour_action.trigger()  # View → Colour-blind-safe colours: on
    _check_training_plots(lab, SAFE)
    window.colour_action.trigger()  # and off again
    _check_training_plots(lab, STANDARD)
    lab.close()


def test_what_the_models_learned_follows_the_colour_set(qtbot, make_window):
    window = make_window()
    window.show_training_lab()
    lab = window.training_lab
    lab.controls.set_values(dict(TINY, task="word-classes"))
    assert lab.start_training()
    wait_idle(qtbot, lab)
    assert lab.measure_findings()
    wait_idle(qtbot, lab)
    cosine = lab.findings_view.plots["word-cosine"]
    projection = lab.findings_view.plots["word-projection"]
    probe = lab.findings_view.plots["probe"]
    assert projection.labels and same_map(cosine.image.getColorMap(), STANDARD.diverging)

    def check(colour_set) -> None:
        assert same_map(cosine.image.getColorMap(), colour_set.diverging)
        assert same_map(cosine.bar.colorMap(), colour_set.diverging)
        for word_class, scatter in projection.scatters.items():
            expected = QColor(colour_set.groups[WORD_CLASSES.index(word_class)])
            assert scatter.opts["symbolBrush"].color() == expected
            assert expected.name() in legend_colours(projection.legend)[f"{word_class}s"]
        for label, word_class in zip(projection.labels, projection.label_classes):
            assert label.color == QColor(colour_set.groups[WORD_CLASSES.index(word_class)])
        for kind, curve in probe.curves.items():
            assert pen_colour(curve) == set_colour(colour_set, LAB_KEYS[kind])

    check(STANDARD)
    window.colour_action.trigger()
    check(SAFE)
    lab.close()


def _check_cost_lab(lab, colour_set) -> None:
    from gui.labs.cost.plots import CURVE_STYLES, _shade

    time_plot = lab.plots["time"]
    for name, (model, shaded, dashed, _symbol) in CURVE_STYLES.items():
        colour = QColor(colour_set.models[model])
        expected = QColor(_shade(colour.name())) if shaded else colour
        for plot in (time_plot, lab.plots["multiply-adds"]):
            assert pen_colour(plot.curves[name]) == expected, name
            assert (plot.curves[name].opts["pen"].style() != pg.QtCore.Qt.PenStyle.SolidLine) \
                == dashed  # the dashes stay
        assert time_plot.spreads[name].opts["pen"].color() == expected
    depth = lab.plots["depth"]
    assert pen_colour(depth.curves["mingru_scan_sequential"]) == QColor(colour_set.models["scan"])
    label = next(label.text for sample, label in depth.legend.items
                 if sample.item is depth.curves["rnn_sequential"])
    assert QColor(colour_set.models["rnn"]).name() in legend_colours(depth.legend)[label]
    caption = lab.caption.text()
    palette = QApplication.palette()
    for key in ("rnn", "attention", "scan"):
        shown = style.readable_on(colour_set.models[key], palette).name()
        assert f"<span style='color:{shown}'>{colour_set.names[key]}</span>" in caption


def test_the_cost_lab_follows_the_colour_set(qtbot, make_window):
    window = make_window()
    window.show_cost_lab()
    _check_cost_lab(window.cost_lab, STANDARD)
    assert ">purple<" in window.cost_lab.caption.text()
    window.colour_action.trigger()
    _check_cost_lab(window.cost_lab, SAFE)
    assert ">green<" in window.cost_lab.caption.text()
    window.colour_action.trigger()
    _check_cost_lab(window.cost_lab, STANDARD)


def _check_deer_lab(lab, colour_set) -> None:
    method_keys = {"full": "rnn", "diagonal": "scan"}
    for plot in lab.plots.values():
        for jacobian, curve in plot.curves.items():
            expected = QColor(colour_set.models[method_keys[jacobian]])
            assert pen_colour(curve) == expected
            assert curve.opts["symbolBrush"].color() == expected
            label = next(label.text for sample, label in plot.legend.items
                         if sample.item is curve)
            assert expected.name() in legend_colours(plot.legend)[label]
        for marks in plot.failure_marks:
            assert marks.opts["symbolBrush"].color() == QColor(colour_set.failure)
    assert lab.plots["scale"].edge.pen.color() == QColor(colour_set.failure)
    assert pen_colour(lab.plots["length"].depth) == QColor(colour_set.models["rnn"])
    assert f"A {colour_set.names['failure']} ×" in lab.captions["scale"].text()


def test_the_deer_lab_follows_the_colour_set_and_is_built_in_it(qtbot, make_window):
    window = make_window()
    window.colour_action.trigger()  # on before the lab exists: it is built in the safe set
    window.show_deer_lab()
    lab = window.deer_lab
    _check_deer_lab(lab, SAFE)
    window.colour_action.trigger()
    _check_deer_lab(lab, STANDARD)
    assert "A red ×" in lab.captions["scale"].text()


def test_each_lab_tells_its_models_apart_in_both_sets():
    for colour_set in (STANDARD, SAFE):
        training = [set_colour(colour_set, key).name() for key in LAB_KEYS.values()]
        assert len(set(training)) == len(training)
        assert len(set(colour_set.groups)) == len(colour_set.groups) >= len(WORD_CLASSES)
        deer = {colour_set.models["rnn"], colour_set.models["scan"], colour_set.failure}
        assert len(deer) == 3
