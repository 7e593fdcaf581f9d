"""The dark theme hides nothing: colour bars, transport icons, red notices, muted notes, the cost
lab's legends and captions stay legible on a dark palette, and again after going back to light."""

import dataclasses

import numpy as np
import pyqtgraph as pg
import pytest
from cost_lab_helpers import TINY, make_lab  # noqa: F401 (make_lab: a fixture)
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from gui import style
from gui.views.panels.heatmap import HeatmapView
from gui.timeline import Timeline
from gui.views.transport import TransportBar
from colour_helpers import contrast, system_theme_afterwards  # noqa: F401  (fixture)

TEXT_CONTRAST = 4.5  # WCAG's minimum for body text
GRAPHIC_CONTRAST = 3.0  # for small plot labels, icons and large text


def window_colour() -> QColor:
    return QApplication.palette().color(QPalette.ColorRole.Window)


def sheet_colour(widget) -> QColor:
    text = widget.styleSheet()
    assert text.startswith("color: #"), text
    return QColor(text.split("color: ")[1].split(";")[0])


def legible(widget, minimum: float = TEXT_CONTRAST) -> bool:
    return contrast(sheet_colour(widget), window_colour()) >= minimum


def best_contrast_in(image, rect: QRect, background: QColor) -> float:
    """The strongest contrast against `background` of any pixel in `rect` of `image`: text drawn
    there, antialiased, reaches its full colour in its strokes."""
    rect = rect.intersected(image.rect())
    assert rect.width() > 0 and rect.height() > 0
    return max(contrast(image.pixelColor(x, y), background)
               for x in range(rect.left(), rect.right() + 1)
               for y in range(rect.top(), rect.bottom() + 1))


def colour_bar_map(qtbot, label="h_t") -> HeatmapView:
    view = HeatmapView("hidden state")
    qtbot.addWidget(view)
    view.add_colorbar(label)
    view.set_matrix(np.linspace(-1, 1, 20).reshape(4, 5))  # (4, 5)
    view.resize(420, 300)
    view.show()
    qtbot.waitExposed(view)
    return view


def colour_bar_text_contrasts(view: HeatmapView) -> tuple[float, float]:
    """(label, numbers): the best contrast drawn where the bar's label and numbers are."""
    image = view.grab().toImage()
    background = view.backgroundBrush().color()
    label_item = view.colorbar.getAxis("left").label
    numbers = view.colorbar.axis

    def rect_of(item) -> QRect:
        return view.mapFromScene(item.sceneBoundingRect()).boundingRect()

    return (best_contrast_in(image, rect_of(label_item), background),
            best_contrast_in(image, rect_of(numbers), background))


# -- 1. colour bars ---------------------------------------------------------------------------
@pytest.mark.parametrize("made", ["before", "after"])
def test_colour_bar_label_and_numbers_are_drawn_legibly_on_dark_and_light(qtbot, made):
    """Made before the theme changes (the main window's maps) or after it (a later window)."""
    view = colour_bar_map(qtbot) if made == "before" else None
    style.apply_theme("dark")
    view = view or colour_bar_map(qtbot)
    assert style.is_dark(QApplication.palette())
    qtbot.waitUntil(lambda: min(colour_bar_text_contrasts(view)) >= GRAPHIC_CONTRAST)
    style.apply_theme("light")
    qtbot.waitUntil(lambda: min(colour_bar_text_contrasts(view)) >= GRAPHIC_CONTRAST)


def test_every_colour_bar_of_the_window_follows_the_theme(qtbot, make_window, trace5):
    window = make_window()
    window.timeline.set_trace(trace5, 10)
    window.theme_actions["dark"].trigger()
    background = style.plot_colours(QApplication.palette())[0]
    bars = [item for plot in window.findChildren(pg.PlotWidget)
            for item in plot.scene().items() if isinstance(item, pg.ColorBarItem)]
    labels = {bar.getAxis("left").labelText for bar in bars}
    assert {"h_t", "score", "weight", "output", "X, Q, K, V"} <= labels
    assert any(label.startswith("log₁₀") for label in labels)
    for bar in bars:
        label, numbers = bar.getAxis("left"), bar.axis
        assert contrast(QColor(label.labelStyle["color"]), background) >= TEXT_CONTRAST
        assert f"color:{label.labelStyle['color']}" in label.label.toHtml().replace(" ", "")
        assert contrast(numbers.textPen().color(), background) >= TEXT_CONTRAST
        assert contrast(numbers.pen().color(), background) >= GRAPHIC_CONTRAST  # the ticks


# -- 2. transport icons -----------------------------------------------------------------------
def icon_contrast(button) -> float:
    """Contrast of an icon's drawn pixels (the opaque ones) with the window behind them."""
    image = button.icon().pixmap(16, 16).toImage()
    drawn = [image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height())]
    drawn = [colour for colour in drawn if colour.alpha() == 255]
    assert drawn, "an empty icon"
    return min(contrast(colour, window_colour()) for colour in drawn)


def icon_pixels(icon) -> bytes:
    image = icon.pixmap(16, 16).toImage()
    return bytes(image.constBits())


@pytest.fixture
def transport(qtbot, trace5):
    timeline = Timeline()
    bar = TransportBar(timeline)
    qtbot.addWidget(bar)
    timeline.set_trace(trace5, 0)
    yield bar
    bar.pause()


def buttons(bar):
    return (bar.reset_button, bar.back_button, bar.play_button, bar.forward_button, bar.end_button)


def test_transport_icons_are_light_on_dark_and_dark_on_light(qtbot, transport):
    style.apply_theme("dark")
    qtbot.waitUntil(lambda: all(icon_contrast(b) >= TEXT_CONTRAST for b in buttons(transport)))
    assert transport.play_button.icon().pixmap(16, 16).toImage().pixelColor(8, 8).lightnessF() > 0.7
    style.apply_theme("light")
    qtbot.waitUntil(lambda: all(icon_contrast(b) >= TEXT_CONTRAST for b in buttons(transport)))
    assert transport.play_button.icon().pixmap(16, 16).toImage().pixelColor(8, 8).lightnessF() < 0.3


def test_the_five_transport_icons_differ_and_play_turns_to_pause(qtbot, transport):
    style.apply_theme("dark")
    qtbot.waitUntil(lambda: icon_contrast(transport.play_button) >= TEXT_CONTRAST)
    shown = {icon_pixels(button.icon()) for button in buttons(transport)}
    assert len(shown) == 5
    play = icon_pixels(transport.play_button.icon())
    transport.set_speed(0.25)  # no tick arrives during the test
    transport.play()
    pause = icon_pixels(transport.play_button.icon())
    assert pause != play
    assert pause == icon_pixels(style.media_icon("pause", QApplication.palette()))
    assert icon_contrast(transport.play_button) >= TEXT_CONTRAST  # pause is light on dark too
    transport.pause()
    assert icon_pixels(transport.play_button.icon()) == play


def test_disabled_transport_icons_are_greyed(qtbot):
    style.apply_theme("dark")
    bar = TransportBar(Timeline())  # no trace: every button is disabled
    qtbot.addWidget(bar)

    disabled = bar.play_button.icon().pixmap(16, QIcon.Mode.Disabled).toImage().pixelColor(8, 8)
    normal = bar.play_button.icon().pixmap(16, QIcon.Mode.Normal).toImage().pixelColor(8, 8)
    assert disabled.lightnessF() < normal.lightnessF()


# -- 3. colours that followed no palette ------------------------------------------------------
def test_notices_and_notes_of_the_main_window_stay_legible(qtbot, make_window, trace5):
    window = make_window()
    window.sentence_bar.show_message("That sentence has no words.")
    labels = (window.notice_label, window.sentence_bar.message)
    light_red = [sheet_colour(label) for label in labels]
    assert light_red == [QColor(style.ERROR_COLOR)] * 2
    window.theme_actions["dark"].trigger()
    qtbot.waitUntil(lambda: all(legible(label) for label in labels))
    assert all(sheet_colour(label) != QColor(style.ERROR_COLOR) for label in labels)
    note = window.sentence_bar.weights_note
    qtbot.waitUntil(lambda: legible(note, GRAPHIC_CONTRAST))
    assert "italic" in note.styleSheet()
    window.theme_actions["light"].trigger()
    qtbot.waitUntil(lambda: all(legible(label) for label in labels))
    qtbot.waitUntil(lambda: legible(note, GRAPHIC_CONTRAST))


def test_an_unsteady_timing_note_is_red_and_legible_on_dark(qtbot, trace5):
    from gui.views.panels.race_panel import RacePanel

    rnn = dataclasses.replace(trace5.rnn, forward_repeat_seconds=np.array([1e-3, 1e-3, 3e-3, 4e-3]))
    unsteady = dataclasses.replace(trace5, rnn=rnn)
    timeline = Timeline()
    panel = RacePanel(timeline)
    qtbot.addWidget(panel)
    timeline.set_trace(unsteady, 5)
    note = panel.timing_note
    assert "unsteady" in note.text()
    assert sheet_colour(note) == QColor(style.ERROR_COLOR)
    style.apply_theme("dark")
    qtbot.waitUntil(lambda: legible(note))
    assert sheet_colour(note) != QColor(style.ERROR_COLOR)


def test_guide_colours_are_lightened_on_dark():
    from gui.help_texts import GUIDE

    dark = style.dark_palette()
    shown = style.readable_html(GUIDE, dark)
    for colour in (style.RNN_COLOR, style.ATTENTION_COLOR):
        lighter = style.readable_on(colour, dark)
        assert colour not in shown and lighter.name() in shown
        assert contrast(lighter, dark.color(QPalette.ColorRole.Window)) >= TEXT_CONTRAST
    assert style.readable_html(GUIDE, style._fusion_light_palette()) == GUIDE


def test_error_muted_and_frame_colours_are_legible_on_both_palettes():
    for palette in (style.dark_palette(), style._fusion_light_palette()):
        window = palette.color(QPalette.ColorRole.Window)
        assert contrast(style.error_colour(palette), window) >= TEXT_CONTRAST
        assert contrast(style.text_colour("muted", palette), window) >= TEXT_CONTRAST
        assert contrast(style.frame_colour(palette), window) >= GRAPHIC_CONTRAST  # RNN cell view


# -- 3. the cost lab --------------------------------------------------------------------------
def legend_contrasts(plot) -> tuple[float, float]:
    """(legend text on its box, n = d label on its box) — the box drawn over the plot."""
    legend = plot.legend
    fill = legend.brush().color()
    text = [contrast(QColor(label.opts["color"]), fill) for _sample, label in legend.items]
    line = plot.crossover_line
    line_text = (contrast(line.label.color, line.label.fill.color()) if line is not None
                 else 21.0)
    return min(text), line_text


def test_cost_lab_legends_and_notes_follow_the_theme(qtbot, make_lab):
    window = make_lab(dict(TINY, min_n=64, max_n=16))
    assert window.start_sweep() is False  # the lengths are refused: an error in the status line
    assert "Fix the setting" in window.status_label.text()
    labels = (window.status_label, window.device_label, window.controls.estimate)
    window.device_label.setText("Measured on cpu.")
    assert sheet_colour(window.status_label) == QColor(style.ERROR_COLOR)
    style.apply_theme("dark")
    dark_plot = style.plot_colours(QApplication.palette())[0]
    for plot in window.plots.values():
        assert all(value >= TEXT_CONTRAST for value in legend_contrasts(plot))
        assert plot.legend.brush().color().rgb() == dark_plot.rgb()  # not a white box
    qtbot.waitUntil(lambda: all(legible(label, GRAPHIC_CONTRAST) for label in labels))
    assert legible(window.status_label)
    caption = window.caption.text()
    qtbot.waitUntil(lambda: style.readable_on(style.RNN_COLOR, QApplication.palette()).name()
                    in window.caption.text())
    assert window.caption.text() != caption
    style.apply_theme("light")
    for plot in window.plots.values():
        assert all(value >= TEXT_CONTRAST for value in legend_contrasts(plot))
    qtbot.waitUntil(lambda: all(legible(label, GRAPHIC_CONTRAST) for label in labels))
    qtbot.waitUntil(lambda: style.RNN_COLOR in window.caption.text())


def test_a_cost_lab_opened_on_dark_starts_dark(qtbot, make_lab):
    style.apply_theme("dark")
    window = make_lab()
    for plot in window.plots.values():
        assert all(value >= TEXT_CONTRAST for value in legend_contrasts(plot))
        assert plot.legend.brush().color().lightnessF() < 0.5
    assert legible(window.controls.estimate, GRAPHIC_CONTRAST)
    orange = style.readable_on(style.RNN_COLOR, QApplication.palette()).name()
    assert orange in window.caption.text()
