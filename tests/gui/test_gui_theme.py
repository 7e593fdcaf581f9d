"""View > Theme: light, dark or the system's palette, applied to the widgets and the plots,
remembered in the settings; text colours come from the palette, so none vanish on a dark one."""

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from gui import style
from gui.views.panels.base import Panel
from colour_helpers import contrast, system_theme_afterwards  # noqa: F401  (fixture)


def stylesheet_colour(label) -> QColor:
    return sheet_text_colour(label.styleSheet())


def sheet_text_colour(text: str) -> QColor:
    assert text.startswith("color: #"), text
    return QColor(text.split("color: ")[1].split(";")[0])


def test_dark_theme_recolours_widgets_and_plots(qtbot, make_window):
    window = make_window()
    assert set(window.theme_actions) == {"system", "light", "dark"}
    assert window.theme_actions["system"].isChecked()
    window.theme_actions["dark"].trigger()
    palette = QApplication.instance().palette()
    assert style.is_dark(palette)
    background, foreground = style.plot_colours(palette)
    for plot in window.findChildren(pg.PlotWidget):
        assert plot.backgroundBrush().color() == background
        assert plot.getAxis("left").textPen().color() == foreground
    curves = window.gradient_panel.curves
    assert curves.plotItem.titleLabel.opts["color"] == foreground
    window_colour = palette.color(QPalette.ColorRole.Window)
    panels = window.findChildren(Panel)
    assert len(panels) == 4  # the scan lane's too, hidden without a scan
    # Qt posts the palette change to some widgets: wait for it to arrive.
    qtbot.waitUntil(lambda: all(
        contrast(stylesheet_colour(panel.caption_label), window_colour) >= 4.5
        and contrast(stylesheet_colour(panel.counter_label), window_colour) >= 3.0
        for panel in panels))
    race = window.race_panel
    qtbot.waitUntil(lambda: all(
        contrast(sheet_text_colour(race.model_name_style(key)), window_colour) >= 4.5
        for key in ("rnn", "attention")))
    cover = window.rnn_panel.hidden_view.cover_colour
    assert cover == background  # rows not yet computed stay hidden on a dark plot
    assert window.settings.value(style.THEME_SETTING) == "dark"
    later = pg.PlotWidget(background=style.PLOT_BACKGROUND)  # a plot made after the change
    qtbot.addWidget(later)
    assert later.backgroundBrush().color() == background
    assert later.getAxis("left").textPen().color() == foreground
    window.theme_actions["light"].trigger()
    assert not style.is_dark(QApplication.instance().palette())
    assert window.theme_actions["light"].isChecked()
    assert not window.theme_actions["dark"].isChecked()


def test_system_theme_follows_a_dark_desktop_palette(qtbot, make_window):
    """A dark palette from the desktop (the system theme) darkens the plots and keeps captions
    legible; that was the complaint: hard-coded greys vanished."""
    window = make_window()
    desktop = style.dark_palette()
    QApplication.instance().setPalette(desktop)
    style.restyle_plot(window.gradient_panel.curves, desktop)  # as apply_theme does for each plot
    caption = window.gradient_panel.caption_label
    qtbot.waitUntil(lambda: contrast(stylesheet_colour(caption), QColor("#2b2b2b")) >= 4.5)
    counter = window.gradient_panel.counter_label
    qtbot.waitUntil(lambda: contrast(stylesheet_colour(counter), QColor("#2b2b2b")) >= 4.5)
    background = window.gradient_panel.curves.backgroundBrush().color()
    assert background == desktop.color(QPalette.ColorRole.Base)


def test_theme_choice_is_remembered(qtbot, make_window, settings_path):
    first = make_window()
    first.theme_actions["dark"].trigger()
    first.settings.sync()
    again = make_window(path=settings_path)
    assert again.theme_actions["dark"].isChecked()
    assert style.is_dark(QApplication.instance().palette())
    assert again.notice == ""


def test_a_damaged_theme_setting_is_ignored_and_named(qtbot, make_window, settings_path):
    first = make_window()
    first.settings.setValue(style.THEME_SETTING, "purple")
    first.settings.sync()
    again = make_window(path=settings_path)
    assert again.theme_actions["system"].isChecked()
    assert style.THEME_SETTING in again.notice


def test_readable_model_colours_on_dark():
    dark = style.dark_palette()
    window = dark.color(QPalette.ColorRole.Window)
    for colour in (style.RNN_COLOR, style.ATTENTION_COLOR):
        assert contrast(style.readable_on(colour, dark), window) >= 4.5
    light = QApplication.style().standardPalette() if QApplication.instance() else QPalette()
    assert style.readable_on(style.RNN_COLOR, light) == QColor(style.RNN_COLOR)


def test_token_chips_take_their_colours_from_the_palette(qtbot, trace5):
    from gui.selection import TokenSelection
    from gui.timeline import Timeline
    from gui.views.token_strip import TokenStrip

    style.apply_theme("dark")
    timeline = Timeline()
    strip = TokenStrip(timeline, TokenSelection())
    qtbot.addWidget(strip)
    timeline.set_trace(trace5, 2)  # word 0 read, word 1 current, words 2-4 unread
    image = strip.chips.grab().toImage()
    palette = strip.chips.palette()

    def fill(index):
        rect = strip.chips.rects[index]
        return image.pixelColor(rect.left() + 4, rect.center().y())

    assert fill(4) == palette.color(QPalette.ColorRole.Button)  # unread: the palette's button
    assert fill(1) == QColor(style.RNN_COLOR)  # the clock's word
    assert style.is_dark(palette) and fill(0).lightnessF() < 0.5  # read: a dark tint
