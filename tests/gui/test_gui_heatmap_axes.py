"""Heatmap axes, numbers, colour bars and titles: ticks stay off the cells, every word is named,
X prints its numbers, the signed maps carry labelled colour bars, titles are never clipped."""

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter, QPicture

from engine import SimConfig, simulate
from gui.export.images import export_widget
from gui.views.panels.attention_panel import AttentionPanel
from gui.views.panels.gradient_panel import GradientPanel
from gui.views.panels.heatmap import HeatmapView
from gui.views.panels.plot_base import fitted_title
from gui.views.panels.rnn_panel import RNNPanel
from gui.views.panels.token_axis import plan_labels
from gui.selection import TokenSelection
from gui.timeline import Timeline

READABLE = SimConfig(d_model=8, hidden_size=8, head_size=4)  # the "Readable (D = 8)" preset
SAMPLE_11 = "The cat that the dog chased ran up the tree."  # the bundled 11-token sample
PANEL_SIZE = (605, 420)  # what each upper panel gets in a 1600 x 1000 window
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def readable5():
    return simulate("The cat sat on mat", READABLE)


@pytest.fixture(scope="module")
def readable11():
    return simulate(SAMPLE_11, READABLE)


def show_panels(qtbot, trace, size=PANEL_SIZE, captions=True):
    """The three panels with heatmaps, shown at `size` and drawing `trace` at its last tick;
    `captions=False` as a window shorter than 900 px shows them (in the titles' tooltips)."""
    timeline, selection = Timeline(), TokenSelection()
    panels = [AttentionPanel(timeline, selection), RNNPanel(timeline, selection),
              GradientPanel(timeline, selection)]
    for panel in panels:
        qtbot.addWidget(panel)
        panel.set_caption_shown(captions)
        panel.resize(*size)
        panel.show()
        qtbot.waitExposed(panel)
    timeline.set_trace(trace, 2 * trace.length)
    for panel in panels:  # lay out now, as the next turn of the event loop would
        panel.layout().activate()
        for view in heatmaps_of([panel]):
            view.plotItem.layout.activate()
    attention = panels[0]
    qtbot.waitUntil(lambda: attention.views["scores"].getAxis("bottom").plan is not None)
    return panels


def heatmaps_of(panels) -> list[HeatmapView]:
    return [plot for panel in panels for plot in panel.plots().values()
            if isinstance(plot, HeatmapView)]


def tick_segments(axis):
    """Every tick mark the axis draws, as (start, end) points in scene coordinates."""
    picture = QPicture()
    painter = QPainter(picture)
    specs = axis.generateDrawSpecs(painter)
    painter.end()
    assert specs is not None
    return [(axis.mapToScene(start), axis.mapToScene(end)) for _pen, start, end in specs[1]]


def svg_texts(path) -> list[str]:
    root = ET.parse(path).getroot()
    return [(element.text or "").strip() for element in root.iter(f"{SVG_NS}text")]


# -- item 1: tick marks never cover a cell ---------------------------------------------------

def test_no_tick_mark_falls_inside_any_heatmaps_data_rectangle(qtbot, readable5):
    panels = show_panels(qtbot, readable5)
    checked = 0
    for view in heatmaps_of(panels):
        data = view.plotItem.vb.sceneBoundingRect()
        inside = QRectF(data).adjusted(1, 1, -1, -1)  # on the edge (half-pixel layouts) is outside
        for name in ("left", "bottom"):
            for start, end in tick_segments(view.getAxis(name)):
                checked += 1
                assert not inside.contains(start) and not inside.contains(end), (
                    f"a tick of {view.title_text()!r}'s {name} axis lies over the cells")
    assert checked > 50  # the maps really have ticks


# -- item 2: every word named ----------------------------------------------------------------

def test_square_maps_and_hidden_rows_name_all_eleven_words(qtbot, readable11):
    attention, rnn, gradient = show_panels(qtbot, readable11)
    tokens = list(readable11.tokens)
    assert len(tokens) == 11
    for key in ("scores", "weights"):
        assert attention.views[key].axis_words("bottom") == tokens, key
    assert attention.views["scores"].axis_words("left") == tokens
    assert rnn.hidden_view.axis_words("left") == tokens
    assert gradient.rnn_map.axis_words("bottom") == tokens


def test_a_plot_exported_alone_names_every_word_in_its_svg_text(qtbot, readable11, tmp_path):
    attention, _rnn, _gradient = show_panels(qtbot, readable11)
    for key in ("scores", "weights"):
        texts = svg_texts(export_widget(attention.views[key], tmp_path / f"{key}.svg"))
        for token in set(readable11.tokens):  # on both axes, as often as in the sentence
            assert texts.count(token) >= 2 * readable11.tokens.count(token), (key, token)


@pytest.mark.parametrize("shape, size", [((40, 40), (480, 480)), ((40, 8), (400, 380))])
def test_forty_words_are_all_named_shrunk_or_turned(qtbot, shape, size):
    rows, cols = shape
    words = [f"w{i}" for i in range(rows)]
    view = HeatmapView(title="many words", x_label="key word", y_label="query word")
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    square = rows == cols
    view.set_matrix(np.arange(rows * cols, dtype=float).reshape(rows, cols), row_labels=words,
                    col_labels=words if square else None, cols_are_tokens=square)
    qtbot.waitUntil(lambda: view.axis_words("left") == words)
    if square:
        qtbot.waitUntil(lambda: view.axis_words("bottom") == words)
        assert view.getAxis("bottom").plan.rotated


@pytest.mark.parametrize("count", [40, 64])
def test_a_small_map_exported_alone_grows_to_name_every_word(qtbot, tmp_path, count):
    words = [f"w{i}" for i in range(count)]
    view = HeatmapView(title="scores", x_label="key word", y_label="query word")
    qtbot.addWidget(view)
    view.resize(260, 220)  # far too small on screen for this many words
    view.show()
    view.set_matrix(np.zeros((count, count)), row_labels=words, col_labels=words,
                    cols_are_tokens=True)
    qtbot.waitUntil(lambda: view.getAxis("bottom").plan is not None)
    assert view.getAxis("bottom").plan.step > 1  # thinned on screen
    texts = svg_texts(export_widget(view, tmp_path / "scores.svg"))
    assert all(texts.count(word) == 2 for word in words)  # both axes, every word, whole
    assert view.size().toTuple() == (260, 220)  # given back its size on screen


def test_labels_thin_only_when_the_smallest_font_cannot_fit():
    words = [f"word{i}" for i in range(40)]
    roomy = plan_labels(words, pixels_per_word=7.0, along_bottom=True)
    assert roomy.step == 1 and roomy.rotated and len(roomy.texts) == 40
    level = plan_labels(["The", "cat"], pixels_per_word=60.0, along_bottom=True)
    assert not level.rotated and level.size == 9.0
    crowded = plan_labels(words, pixels_per_word=2.0, along_bottom=False)
    assert crowded.step > 1
    assert [text for _position, text in crowded.texts][:2] == ["0:word0", f"{crowded.step}:word{crowded.step}"]


def test_index_numbers_step_far_enough_apart_not_to_touch():
    from gui.views.panels.token_axis import index_step

    assert index_step(8, pixels_per_index=24.0, widest=7.0) == 1
    assert index_step(512, pixels_per_index=0.2, widest=20.0) == 200  # 0, 200, 400: 40 px apart
    assert index_step(64, pixels_per_index=2.0, widest=14.0) == 20


def test_long_words_are_shortened_not_dropped():
    plan = plan_labels(["internationalisation", "a"], pixels_per_word=40.0, along_bottom=False)
    assert [text for _position, text in plan.texts] == ["internation…", "a"]


# -- item 3: X prints its numbers ------------------------------------------------------------

def test_x_prints_its_numbers_at_five_by_eight(qtbot, readable5):
    attention, _rnn, _gradient = show_panels(qtbot, readable5)
    x = attention.views["x"]
    qtbot.waitUntil(lambda: len(x.cell_texts_shown()) == 5 * 8)
    first = float(x.cell_texts_shown()[0])
    assert first == pytest.approx(readable5.attention.inputs[0, 0], abs=0.06)
    for key in ("q", "k", "v", "scores", "weights", "output"):
        assert attention.views[key].cell_texts_shown(), f"{key} lost its numbers"


def test_numbers_shorten_to_two_digits_only_as_a_last_resort():
    from gui.views.panels.cell_numbers import CELL_TEXT_FORMS, LAST_CELL_TEXT_FORM

    assert [form("-0.67") for form in CELL_TEXT_FORMS] == ["-0.67", "-.67"]
    assert [LAST_CELL_TEXT_FORM(text) for text in ("-2.42", "13.57", "0.21", "3.1e-01", "0")] == \
        ["-2.4", "14", ".21", "3.1e-01", "0"]


# -- item 4: colour bars ---------------------------------------------------------------------

def test_every_signed_map_carries_a_labelled_colour_bar(qtbot, readable5):
    attention, rnn, _gradient = show_panels(qtbot, readable5)
    signed = {**{key: attention.views[key] for key in ("x", "q", "k", "v", "scores", "output")},
              "hidden": rnn.hidden_view}
    for key, view in signed.items():
        bar = view.colorbar
        assert bar is not None, key
        assert bar.getAxis("left").labelText, f"{key}'s colour bar has no label"
        assert tuple(bar.levels()) == pytest.approx(view.colour_levels), key
        with view.standalone():  # a plot exported alone shows its scale
            assert view.colorbar_shown(), key
    for key in ("v", "scores", "weights", "output"):  # on screen, V's bar serves X, Q, K too
        assert attention.views[key].colorbar_shown(), key
    assert rnn.hidden_view.colorbar_shown()
    for key in ("x", "q", "k"):
        assert not attention.views[key].colorbar_shown(), key
        assert attention.views[key].colour_levels == pytest.approx(
            attention.views["v"].colour_levels), "the top row shares one colour scale"


def test_a_map_exported_alone_has_its_colour_bar_and_gives_it_back(qtbot, readable5, tmp_path):
    attention, _rnn, _gradient = show_panels(qtbot, readable5)
    q = attention.views["q"]
    texts = svg_texts(export_widget(q, tmp_path / "q.svg"))
    assert "Q" in texts  # the bar's label
    assert not q.colorbar_shown()


def test_maps_keep_readable_cells_in_a_1600_by_1000_window(qtbot, readable5):
    """With the colour bars, in the room a 1600 x 1000 window leaves each upper panel (about
    630 x 390 with its caption), every cell stays at least 12 x 8 pixels."""
    attention, rnn, _gradient = show_panels(qtbot, readable5, size=(630, 390))
    for view in [*attention.views.values(), rnn.hidden_view]:
        area = view.plotItem.vb.boundingRect()
        rows, cols = view.shown_matrix()[0].shape
        assert area.width() / cols >= 12 and area.height() / rows >= 8, view.title_text()
    for key, view in attention.views.items():  # and the Readable preset still prints its numbers
        assert len(view.cell_texts_shown()) == view.shown_matrix()[0].size, key


# -- item 5: titles --------------------------------------------------------------------------

def test_a_long_title_shrinks_or_wraps_instead_of_being_clipped(qtbot):
    view = HeatmapView()
    qtbot.addWidget(view)
    view.resize(150, 160)
    view.show()
    title = "scores QKᵀ unscaled  5×5"
    view.setTitle(title)
    view.set_matrix(np.zeros((5, 5)), row_labels=list("abcde"), col_labels=list("abcde"),
                    cols_are_tokens=True)
    label = view.plotItem.titleLabel
    qtbot.waitUntil(lambda: label.item.boundingRect().width() <= view.plotItem.width() + 1)
    shown = label.item.toPlainText()
    assert "scores QKᵀ unscaled" in shown and "5×5" in shown


def test_fitted_title_keeps_size_when_it_fits_and_splits_at_the_shape_when_not():
    assert fitted_title("X  5×8", 400, 10.0) == (10.0, ["X  5×8"])
    size, lines = fitted_title("scores QKᵀ unscaled  5×5", 60, 10.0)
    assert lines == ["scores QKᵀ unscaled", "5×5"] and size < 10.0


def test_a_closed_heatmap_that_is_still_referenced_survives_its_last_resize(qtbot):
    from gui.views.panels.heatmap import HeatmapView
    import numpy as np
    view = HeatmapView()
    qtbot.addWidget(view)
    view.set_matrix(np.ones((3, 3)), row_labels=list("abc"))
    view.keep_words_named()
    view.show()
    view.close()  # pyqtgraph drops the plot item, then resizes the viewport away
    assert view.plotItem is None and not view.isVisible()  # closed, and the last resize passed
