"""Image export of plots, panels and the window: PNG sizes and content, SVG text and vector cells."""

import contextlib
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6.QtGui import QImage

from gui.export import targets
from gui.export.images import ExportError, export_widget
from gui.export.vector_cells import CellRectangles, cell_colours
from window_helpers import shown_window

SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def window(qapp, tmp_path_factory, trace5):
    """One shown main window (1600×1000 offscreen) for the module, on throwaway settings, drawing
    the 5-word tiny trace at its last tick. Tests that move the tick put it back."""
    yield from shown_window(qapp, tmp_path_factory.mktemp("images-settings") / "s.ini", trace5)


def rgb_pixels(path) -> np.ndarray:
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB888)
    assert not image.isNull(), f"{path} is not a readable image"
    data = np.frombuffer(image.constBits(), dtype=np.uint8)
    return data.reshape(image.height(), image.bytesPerLine())[:, : image.width() * 3].reshape(
        image.height(), image.width(), 3).copy()


def assert_not_blank(pixels: np.ndarray) -> None:
    colours = np.unique(pixels.reshape(-1, 3), axis=0)
    assert len(colours) > 50, f"only {len(colours)} distinct colours: the image looks blank"
    assert pixels.std() > 20, f"pixel std {pixels.std():.1f}: the image looks blank"


def exported_size(widget):
    """The size a widget is drawn at when exported: a plot alone grows by the labels and colour
    bar its panel lets neighbours carry on screen."""
    standalone = getattr(widget, "standalone", contextlib.nullcontext)
    with standalone():
        return widget.width(), widget.height()


def svg_texts(root: ET.Element) -> list[str]:
    return [(element.text or "").strip() for element in root.iter(f"{SVG_NS}text")]


@pytest.mark.parametrize("name, width", [("attention-weights", 700), ("rnn-hidden", 333),
                                         ("gradient-panel", 900), ("window", 640)])
def test_png_width_is_exact_and_keeps_the_aspect(window, tmp_path, name, width):
    widget = targets.all_targets(window)[name]
    path = export_widget(widget, tmp_path / f"{name}.png", "png", width=width)
    assert path == tmp_path / f"{name}.png"
    image = QImage(str(path))
    assert image.width() == width
    drawn_width, drawn_height = exported_size(widget)
    assert image.height() == round(drawn_height * width / drawn_width)
    assert_not_blank(rgb_pixels(path))


@pytest.mark.parametrize("name", ["attention-weights", "gradient-curves", "race-strip"])
def test_png_scale_two_doubles_the_widget_size(window, tmp_path, name):
    widget = targets.all_targets(window)[name]
    assert widget.width() > 100 and widget.height() >= 40  # laid out, not a stub size
    path = export_widget(widget, tmp_path / "out.png", scale=2)
    image = QImage(str(path))
    drawn_width, drawn_height = exported_size(widget)
    assert (image.width(), image.height()) == (2 * drawn_width, 2 * drawn_height)
    assert_not_blank(rgb_pixels(path))


def test_png_default_is_twice_the_widget_size(window, tmp_path):
    widget = window.attention_panel.views["weights"]
    image = QImage(str(export_widget(widget, tmp_path / "w.png")))
    drawn_width, drawn_height = exported_size(widget)
    assert (image.width(), image.height()) == (2 * drawn_width, 2 * drawn_height)


def test_a_plot_alone_grows_by_its_word_labels_and_keeps_its_cells(window):
    weights = window.attention_panel.views["weights"]
    on_screen = weights.plotItem.vb.boundingRect().size()
    size = weights.size()
    with weights.standalone():
        assert weights.axis_words("left") == list(window.timeline.trace.tokens)
        assert weights.width() > size.width()
        assert weights.plotItem.vb.boundingRect().width() >= on_screen.width() - 1
        assert weights.cell_texts_shown()
    assert weights.size() == size and not weights.axis_words("left")


def test_png_shows_the_heatmap_colours_of_the_data(window, tmp_path):
    """The attention weights are drawn with a sequential map: the PNG holds many distinct colours
    inside the plot area, not just the background."""
    plot = window.attention_panel.views["weights"]
    pixels = rgb_pixels(export_widget(plot, tmp_path / "w.png", width=800))
    height, width, _ = pixels.shape
    middle = pixels[height // 4: 3 * height // 4, width // 4: width // 2]
    assert len(np.unique(middle.reshape(-1, 3), axis=0)) >= 5


def test_png_of_different_ticks_differ(window, tmp_path):
    plot = window.rnn_panel.hidden_view
    window.timeline.set_tick(1)
    early = rgb_pixels(export_widget(plot, tmp_path / "early.png", width=400))
    window.timeline.set_tick(window.timeline.last_tick)
    late = rgb_pixels(export_widget(plot, tmp_path / "late.png", width=400))
    assert window.timeline.tick == 10
    assert early.shape == late.shape
    assert np.abs(early.astype(int) - late).sum() > 1000  # more rows of h_t are revealed


@pytest.mark.parametrize("kwargs", [dict(width=15), dict(width=16_001), dict(width=0),
                                    dict(scale=0.05), dict(scale=9.0)])
def test_bad_sizes_raise_and_write_nothing(window, tmp_path, kwargs):
    with pytest.raises(ExportError, match="between"):
        export_widget(window.rnn_panel.hidden_view, tmp_path / "x.png", "png", **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_unknown_format_and_missing_folder_raise(window, tmp_path):
    plot = window.rnn_panel.hidden_view
    with pytest.raises(ExportError, match="unknown image format 'jpg'"):
        export_widget(plot, tmp_path / "x.jpg")
    with pytest.raises(ExportError, match="does not exist"):
        export_widget(plot, tmp_path / "missing" / "x.png")
    assert list(tmp_path.iterdir()) == []


def test_format_argument_wins_and_adds_the_suffix(window, tmp_path):
    plot = window.rnn_panel.hidden_view
    assert export_widget(plot, tmp_path / "plain", "svg") == tmp_path / "plain.svg"
    assert export_widget(plot, tmp_path / "UPPER.PNG") == tmp_path / "UPPER.PNG"
    assert (tmp_path / "plain.svg").read_bytes().lstrip().startswith(b"<?xml")
    assert (tmp_path / "UPPER.PNG").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- SVG ---------------------------------------------------------------------------------------

def export_svg(widget, path) -> ET.Element:
    written = export_widget(widget, path, "svg")
    return ET.parse(written).getroot()  # raises if the SVG is not well-formed XML


def test_attention_weights_svg_has_every_token_as_text_and_no_bitmap(window, trace5, tmp_path):
    root = export_svg(window.attention_panel.views["weights"], tmp_path / "attention-weights.svg")
    assert root.tag == f"{SVG_NS}svg"
    texts = svg_texts(root)
    for token in trace5.tokens:  # on both axes, each word whole
        assert texts.count(token) >= 2, token
    weights = np.asarray(trace5.attention.weights)
    # every cell's number is printed (5×5 ≤ the cell-number limit), as text, whole or without
    # its leading zero where the cells are narrow
    first = f"{weights.reshape(-1, weights.shape[-1])[0, 0]:.2f}"
    assert first in texts or first.removeprefix("0") in texts
    assert list(root.iter(f"{SVG_NS}image")) == []


def test_rnn_hidden_svg_labels_each_row_with_its_token(window, trace5, tmp_path):
    root = export_svg(window.rnn_panel.hidden_view, tmp_path / "rnn-hidden.svg")
    texts = svg_texts(root)
    assert [text for text in texts if text in trace5.tokens] == list(trace5.tokens)
    assert "hidden dimension" in texts
    assert list(root.iter(f"{SVG_NS}image")) == []


def cell_fills(root: ET.Element) -> list[str]:
    """The fill colour of every heatmap cell rectangle (cells are 1.02 × 1.02 in data units)."""
    parent = {child: element for element in root.iter() for child in element}
    fills = []
    for rect in root.iter(f"{SVG_NS}rect"):
        if rect.get("width") == "1.02" and rect.get("height") == "1.02":
            node = rect
            while node in parent and node.get("fill") is None:
                node = parent[node]
            fills.append(node.get("fill"))
    return fills


def hex_colours(plot) -> list[str]:
    """The colour of every drawn cell, row by row; empty (transparent) cells draw no shape."""
    colours = cell_colours(plot._image)  # (R, C, 4) exactly as the bitmap shows them
    return ["#{:02x}{:02x}{:02x}".format(*rgba[:3]) for rgba in colours.reshape(-1, 4)
            if rgba[3] > 0]


@pytest.mark.parametrize("name", ["rnn-hidden", "attention-x", "attention-scores", "attention-weights",
                                  "gradient-rnn-connectivity", "gradient-attention-connectivity",
                                  "rnn-panel", "attention-panel", "gradient-panel", "race-strip",
                                  "rnn-reach", "gradient-curves"])
def test_plots_and_panels_export_without_embedded_images(window, tmp_path, name):
    root = export_svg(targets.all_targets(window)[name], tmp_path / f"{name}.svg")
    assert list(root.iter(f"{SVG_NS}image")) == [], f"{name}.svg embeds a bitmap"


@pytest.mark.parametrize("name", ["rnn-hidden", "attention-q", "attention-weights",
                                  "gradient-attention-connectivity"])
def test_heatmap_cells_are_rectangles_with_the_shown_colours(window, tmp_path, name):
    plot = targets.heatmaps(window)[name]
    fills = cell_fills(export_svg(plot, tmp_path / f"{name}.svg"))
    expected = hex_colours(plot)
    rows, cols = plot.shown_matrix()[0].shape
    assert len(expected) == rows * cols
    assert fills[: rows * cols] == expected  # the map's cells first, row by row; a colour bar after
    assert len(set(expected)) > 3


def test_panel_svg_has_the_cells_of_every_heatmap_in_it(window, tmp_path):
    fills = cell_fills(export_svg(window.gradient_panel, tmp_path / "gradient-panel.svg"))
    for plot in (window.gradient_panel.rnn_map, window.gradient_panel.attention_map):
        colours = hex_colours(plot)
        assert any(fills[i: i + len(colours)] == colours for i in range(len(fills))), plot


def test_svg_export_restores_the_bitmap_heatmap(window, tmp_path):
    plot = window.attention_panel.views["weights"]
    scene = plot.scene()
    before = len(scene.items())
    export_widget(plot, tmp_path / "w.svg")
    assert len(scene.items()) == before
    assert not any(isinstance(item, CellRectangles) for item in scene.items())
    assert plot.bitmap_shown
    # the standalone export showed the hidden row labels only while it ran
    assert plot.getAxis("left").style["showValues"] is False


def test_svg_size_is_the_widget_size(window, tmp_path):
    widget = window.gradient_panel
    root = export_svg(widget, tmp_path / "g.svg")
    assert root.get("viewBox").split() == ["0", "0", str(widget.width()), str(widget.height())]


def test_structural_zeros_stay_empty_in_the_svg(window, tmp_path):
    """Above the RNN map's diagonal no path exists: those cells are empty on screen and draw no
    shape in the SVG, while every cell on or below the diagonal is a rectangle."""
    plot = targets.heatmaps(window)["gradient-rnn-connectivity"]
    T = plot.shown_matrix()[0].shape[0]
    expected = hex_colours(plot)
    assert len(expected) == T * (T + 1) // 2
    fills = cell_fills(export_svg(plot, tmp_path / "rnn-connectivity.svg"))
    assert fills[: len(expected)] == expected


# -- SVG text that mixes scripts ---------------------------------------------------------------

def test_svg_keeps_a_line_of_mixed_scripts_in_one_text_element_at_screen_size(window, tmp_path):
    """Qt splits "Pascanu bound, " from "λ₁γ = …" (a change of script); viewers that pick another
    font left a gap between the pieces. It is one element now, sized in the SVG's pixels."""
    widget = window.gradient_panel.curves
    root = export_svg(widget, tmp_path / "gradient-curves.svg")
    legend = [element for element in root.iter(f"{SVG_NS}text")
              if (element.text or "").startswith("Pascanu bound")]
    assert len(legend) == 1
    assert legend[0].text.startswith("Pascanu bound, λ₁γ = ")
    assert float(legend[0].get("font-size")) == pytest.approx(8 * widget.logicalDpiX() / 72, rel=0.01)
    assert legend[0].get("font-family").endswith("sans-serif")


def test_svg_text_tidying_joins_only_pieces_that_continue_each_other(qapp):
    from PySide6.QtGui import QFont, QFontMetricsF

    from gui.export.svg_text import tidy_svg_text

    font = QFont("Sans Serif")
    font.setPointSizeF(9)
    first_width = QFontMetricsF(font).horizontalAdvance("bound, ")
    style = 'font-family="Sans Serif" font-size="12" font-weight="400"'
    svg = (f'<svg><g><text x="4" y="10" {style} >bound, </text>\n'
           f'<text x="{4 + first_width:.4f}" y="10" {style} >λ₁γ</text>\n'
           f'<text x="200" y="10" {style} >0.1</text>\n'
           f'<text x="240" y="10" {style} >1</text></g></svg>').encode()
    root = ET.fromstring(tidy_svg_text(svg, 96))
    assert [element.text for element in root.iter("text")] == ["bound, λ₁γ", "0.1", "1"]
