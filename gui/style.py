"""Colours, fonts and pens shared by every panel, so the two models look alike everywhere, and
the themes (light, dark, the system's): the application palette, with the plots' colours taken
from it. The model colours and the heatmaps' colour maps come from one colour set, the standard
one or a colour-blind-safe one (View → Colour-blind-safe colours): use_colours switches them and
every widget with a follow_colours() method redraws in the new set."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import (QAction, QActionGroup, QColor, QIcon, QPainter, QPainterPath, QPalette,
                           QPen, QPixmap)
from PySide6.QtWidgets import QApplication, QLabel, QStyleFactory, QWidget

PLOT_BACKGROUND = "#ffffff"  # the theme's plot background: apply_theme sets it for plots made later
TITLE_SIZE = "10pt"
DIVERGING = "CET-D1A"  # blue-white-red for signed values (activations, vectors, scores)
SEQUENTIAL = "viridis"  # for probabilities (softmax weights)
GRADIENT = "inferno"  # for log10 gradient norms
RNN_COLOR = "#d95f02"  # orange: the recurrent model, everywhere
ATTENTION_COLOR = "#1b73b3"  # blue: self-attention, everywhere
SCAN_COLOR = "#7570b3"  # purple: minGRU by the parallel scan, everywhere
OTHER_MODEL_COLOR = "#e7298a"  # pink: a model without a colour of its own
MODEL_COLORS = {"rnn": RNN_COLOR, "attention": ATTENTION_COLOR,  # by a trace's model key
                "scan": SCAN_COLOR}
BOUND_COLOR = "#8a8a8a"  # mid grey: readable on light and dark plots
SELECTION_COLOR = "#19b34c"
MARKER_COLOR = "#000000"
LOG_FLOOR = 1e-30  # gradient norms below this are drawn at the floor
FLOOR_COLOR = "#8ecae6"  # light blue, outside the GRADIENT map: "a path, but below the floor"
ERROR_COLOR = "#c0392b"  # red notices on a light window
DARK_ERROR_COLOR = "#ff8a80"  # the same red, lightened for a dark window


# -- colour sets: the models' colours and the heatmaps' colour maps, in one place ------------------
@dataclass(frozen=True)
class ColourSet:
    models: dict  # model key -> colour
    other: str  # a model without a colour of its own
    diverging: str  # colour map for signed values
    sequential: str  # for probabilities
    gradient: str  # for log10 gradient norms
    lab_models: dict  # the labs' other models ("lstm", "gru") -> colour, apart from `models`
    groups: tuple  # distinct colours for groups that are no model (word classes), in order
    failure: str  # a run that failed (the DEER lab's points that did not converge)
    names: dict  # model key or "failure" -> the colour's name, for captions that name it


COLOUR_SETS = {
    "standard": ColourSet({"rnn": RNN_COLOR, "attention": ATTENTION_COLOR, "scan": SCAN_COLOR},
                          OTHER_MODEL_COLOR, DIVERGING, SEQUENTIAL, GRADIENT,
                          {"lstm": "#c2185b", "gru": "#2e7d32"},
                          ("#d95f02", "#1b73b3", "#2e7d32", "#7570b3"), "#d62728",
                          {"rnn": "orange", "attention": "blue", "scan": "purple",
                           "failure": "red"}),
    # Okabe & Ito's colours (vermillion, blue, bluish green, reddish purple, orange) and maps
    # made for colour-vision deficiencies: blue-white-yellow for signed values, cividis, and
    # inferno. A failure is reddish purple there: red would be lost beside vermillion.
    "colour-blind": ColourSet({"rnn": "#d55e00", "attention": "#0072b2", "scan": "#009e73"},
                              "#cc79a7", "CET-CBD1", "cividis", "inferno",
                              {"lstm": "#cc79a7", "gru": "#e69f00"},
                              ("#d55e00", "#0072b2", "#009e73", "#cc79a7"), "#cc79a7",
                              {"rnn": "orange-red", "attention": "blue", "scan": "green",
                               "failure": "pink"}),
}
COLOUR_ROLES = ("diverging", "sequential", "gradient")
COLOURS_SETTING = "view/colours"  # the settings key that remembers the colour set
_colour_set = ["standard"]


def colours_from_setting(value) -> str | None:
    """A remembered colour set's name, or None when it is not one."""
    return value if isinstance(value, str) and value in COLOUR_SETS else None


def colour_set_name() -> str:
    return _colour_set[0]


def current_colours() -> ColourSet:
    return COLOUR_SETS[_colour_set[0]]


def colour_name(key: str) -> str:
    """The current colour of a model (or "failure") in words, for a caption: "orange"."""
    return current_colours().names.get(key, "")


def group_colour(index: int) -> str:
    """The colour of the index-th group (a word class) in the current set."""
    groups = current_colours().groups
    return groups[index % len(groups)]


def failure_colour() -> str:
    return current_colours().failure


def colour_map(role: str) -> pg.ColorMap:
    """The current set's colour map for `role` (one of COLOUR_ROLES)."""
    return pg.colormap.get(getattr(COLOUR_SETS[_colour_set[0]], role))


def colour_role(map_name: str) -> str | None:
    """The role ("diverging", ...) a colour map plays in any set, or None for a map of its own."""
    for colour_set in COLOUR_SETS.values():
        for role in COLOUR_ROLES:
            if getattr(colour_set, role) == map_name:
                return role
    return None


def model_key_of(colour: str | None) -> str | None:
    """The model whose colour (in any set) `colour` is, or None."""
    for colour_set in COLOUR_SETS.values():
        for key, model_colour_ in colour_set.models.items():
            if colour is not None and QColor(colour) == QColor(model_colour_):
                return key
    return None


def use_colours(name: str) -> None:
    """Switch every model colour and colour map to the set `name`; open views follow at once."""
    global RNN_COLOR, ATTENTION_COLOR, SCAN_COLOR, OTHER_MODEL_COLOR, DIVERGING, SEQUENTIAL
    global GRADIENT
    colour_set = COLOUR_SETS[name]
    _colour_set[0] = name
    RNN_COLOR, ATTENTION_COLOR = colour_set.models["rnn"], colour_set.models["attention"]
    SCAN_COLOR = colour_set.models["scan"]
    OTHER_MODEL_COLOR = colour_set.other
    MODEL_COLORS.clear()
    MODEL_COLORS.update(colour_set.models)
    DIVERGING, SEQUENTIAL, GRADIENT = (colour_set.diverging, colour_set.sequential,
                                       colour_set.gradient)
    app = QApplication.instance()
    for widget in app.allWidgets() if app is not None else ():
        follow = getattr(widget, "follow_colours", None)
        if callable(follow):
            follow()


def add_colour_action(menu, parent, current: str, on_chosen) -> QAction:
    """A checkable View-menu entry for the colour-blind-safe set; choosing applies it and calls
    on_chosen(name)."""
    action = QAction("Colour-&blind-safe colours", parent)
    action.setCheckable(True)
    action.setChecked(current == "colour-blind")
    action.setStatusTip("Model colours and colour maps that stay distinct with colour-vision "
                        "deficiencies (Okabe–Ito colours, cividis)")

    def choose(checked: bool) -> None:
        name = "colour-blind" if checked else "standard"
        use_colours(name)
        on_chosen(name)

    action.triggered.connect(choose)
    menu.addAction(action)
    use_colours(current)
    return action


def error_label() -> QLabel:
    """A hidden red label that shows the engine's message beside the field it rejected."""
    label = QLabel("")
    label.setWordWrap(True)
    colour_text(label, "error")
    label.setVisible(False)
    return label


def selection_pen() -> QPen:
    pen = QPen(QColor(SELECTION_COLOR))
    pen.setWidthF(2.5)
    pen.setCosmetic(True)
    return pen


def marker_pen() -> QPen:
    pen = QPen(QColor(MARKER_COLOR))
    pen.setWidthF(2.0)
    pen.setCosmetic(True)
    return pen


def cell_text_color(dark_cell: bool) -> QColor:
    """White numbers on dark cells, black on light ones."""
    return QColor("#ffffff") if dark_cell else QColor("#111111")


def symmetric_levels(values: np.ndarray) -> tuple[float, float]:
    """Colour levels centred on zero, so white means 0 on a diverging map."""
    finite = values[np.isfinite(values)]
    bound = float(np.max(np.abs(finite))) if finite.size else 1.0
    bound = bound if bound > 0 else 1.0
    return -bound, bound


def log_levels(values: np.ndarray, floor: float = LOG_FLOOR) -> tuple[float, float]:
    """log10 levels covering the positive values, never below the floor."""
    with np.errstate(invalid="ignore"):
        usable = np.isfinite(values) & (values > 0)  # reduce in place: no copy of a T x T map
    if not usable.any():
        return np.log10(floor), 0.0
    low = max(float(np.min(values, where=usable, initial=np.inf)), floor)
    high = float(np.max(values, where=usable, initial=-np.inf))
    low_log, high_log = np.log10(low), np.log10(high)
    return (low_log, high_log) if high_log > low_log else (low_log - 1.0, high_log + 1.0)


def safe_log10(values: np.ndarray, floor: float = LOG_FLOOR) -> np.ndarray:
    """log10 for colouring, in float32: colours resolve far less than float32 does, and a
    T x T map at T = 1024 takes two thirds of the time of float64 on the GUI thread."""
    return np.log10(np.maximum(values, floor, dtype=np.float32))


# -- colours from the palette ---------------------------------------------------------------------
def plot_colours(palette: QPalette) -> tuple[QColor, QColor]:
    """(background, foreground) of the plots: the palette's base and text colours."""
    return palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)


def mix(first: QColor, second: QColor, share_of_second: float) -> QColor:
    a = share_of_second
    channels = zip(first.getRgbF()[:3], second.getRgbF()[:3])
    return QColor.fromRgbF(*((1 - a) * x + a * y for x, y in channels))


def muted_text_colour(palette: QPalette) -> QColor:
    """Secondary text (captions, hints): the text colour a third of the way to the background."""
    roles = QPalette.ColorRole
    return mix(palette.color(roles.WindowText), palette.color(roles.Window), 0.3)


def frame_colour(palette: QPalette) -> QColor:
    """Thin outlines around drawn cells: half way between the text and the window."""
    roles = QPalette.ColorRole
    return mix(palette.color(roles.WindowText), palette.color(roles.Window), 0.5)


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5


def model_colour(key: str) -> str:
    """A model's colour by its key in a trace's records ("rnn", "attention"), or in a lab
    ("lstm", "gru")."""
    return MODEL_COLORS.get(key) or current_colours().lab_models.get(key, OTHER_MODEL_COLOR)


def readable_on(colour: str, palette: QPalette) -> QColor:
    """A model's colour as text: lightened on a dark window, so orange and blue stay legible."""
    base = QColor(colour)
    return mix(base, QColor("#ffffff"), 0.35) if is_dark(palette) else base


def readable_html(html: str, palette: QPalette) -> str:
    """Rich text with the models' colours (written as the standard set's RNN and attention
    colours) in the current set's, legible on the palette."""
    for key, written in COLOUR_SETS["standard"].models.items():
        html = html.replace(written, readable_on(model_colour(key), palette).name())
    return html


def error_colour(palette: QPalette) -> QColor:
    """Red for notices and rejected input, lighter on a dark window."""
    return QColor(DARK_ERROR_COLOR if is_dark(palette) else ERROR_COLOR)


def text_colour(kind: str | None, palette: QPalette) -> QColor:
    """A kind of text's colour in a palette: "error", "muted" (captions, hints) or None (plain)."""
    if kind == "error":
        return error_colour(palette)
    if kind == "muted":
        return muted_text_colour(palette)
    return palette.color(QPalette.ColorRole.WindowText)


class _TextColourKeeper(QObject):
    """Sets its widget's text colour (a style sheet) from the application palette, now and after
    every palette change, so a label coloured once stays legible when the theme changes."""

    def __init__(self, widget: QWidget):
        super().__init__(widget)
        self.kind: str | None = None
        self.extra = ""
        widget.installEventFilter(self)

    def apply(self) -> None:
        widget = self.parent()
        sheet = self.extra
        if self.kind is not None:
            colour = text_colour(self.kind, QApplication.palette(widget)).name()
            sheet = f"color: {colour};{' ' + sheet if sheet else ''}"
        if widget.styleSheet() != sheet:  # a new style sheet sends another PaletteChange
            widget.setStyleSheet(sheet)

    def eventFilter(self, watched, event) -> bool:
        if event.type() in PALETTE_EVENTS:
            self.apply()
        return False


def colour_text(widget: QWidget, kind: str | None, extra: str = "") -> None:
    """Colour a widget's text as `kind` (see text_colour; None: no colour of its own) plus `extra`
    CSS ("font-style: italic;"), from the palette, and again whenever the palette changes."""
    keeper = widget.findChild(_TextColourKeeper, options=Qt.FindChildOption.FindDirectChildrenOnly)
    if keeper is None:
        keeper = _TextColourKeeper(widget)
    keeper.kind, keeper.extra = kind, extra
    keeper.apply()


def legend_colours(palette: QPalette) -> tuple[QColor, QColor, QColor]:
    """(box fill, box border, text) of a plot legend drawn over curves: the plot's background,
    nearly opaque, with the plot's text colour."""
    background, foreground = plot_colours(palette)
    fill = QColor(background)
    fill.setAlpha(215)
    return fill, mix(background, foreground, 0.25), foreground


# -- icons drawn in the palette's colours -------------------------------------------------------
_MEDIA_SHAPES = {  # polygons and bars on a 16 x 16 grid
    "play": [[(4, 2), (13, 8), (4, 14)]],
    "pause": [[(3, 2), (7, 2), (7, 14), (3, 14)], [(9, 2), (13, 2), (13, 14), (9, 14)]],
    "seek_forward": [[(1, 3), (8, 8), (1, 13)], [(8, 3), (15, 8), (8, 13)]],
    "seek_backward": [[(15, 3), (8, 8), (15, 13)], [(8, 3), (1, 8), (8, 13)]],
    "skip_forward": [[(2, 3), (11, 8), (2, 13)], [(11, 3), (14, 3), (14, 13), (11, 13)]],
    "skip_backward": [[(14, 3), (5, 8), (14, 13)], [(2, 3), (5, 3), (5, 13), (2, 13)]],
}
MEDIA_ICONS = tuple(_MEDIA_SHAPES)


def _media_pixmap(shape: str, colour: QColor, size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size / 16, size / 16)
    path = QPainterPath()
    for polygon in _MEDIA_SHAPES[shape]:
        path.moveTo(QPointF(*polygon[0]))
        for point in polygon[1:]:
            path.lineTo(QPointF(*point))
        path.closeSubpath()
    painter.fillPath(path, colour)
    painter.end()
    return pixmap


def media_icon(shape: str, palette: QPalette) -> QIcon:
    """A media button's icon (one of MEDIA_ICONS) in the palette's button text colour; the
    style's own icons are dark whatever the palette, so they vanish on a dark one."""
    icon = QIcon()
    groups = ((QIcon.Mode.Normal, QPalette.ColorGroup.Active),
              (QIcon.Mode.Active, QPalette.ColorGroup.Active),
              (QIcon.Mode.Disabled, QPalette.ColorGroup.Disabled))
    for mode, group in groups:
        colour = palette.color(group, QPalette.ColorRole.ButtonText)
        for size in (16, 24, 32):
            icon.addPixmap(_media_pixmap(shape, colour, size), mode)
    return icon


# -- themes -------------------------------------------------------------------------------------
# A widget hears of a new application palette through one of these (which, depends on the widget).
PALETTE_EVENTS = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
THEME_SETTING = "view/theme"  # the settings key that remembers the choice
THEMES = {"system": "Follow the system", "light": "Light", "dark": "Dark"}
_system_look: tuple[str, QPalette] | None = None  # the style and palette the app started with
_applied_theme: list[str | None] = [None]  # the theme apply_theme last put in place


def theme_from_setting(value) -> str | None:
    """A remembered theme name, or None when it is not one."""
    return value if isinstance(value, str) and value in THEMES else None


def dark_palette() -> QPalette:
    palette = QPalette()
    roles = QPalette.ColorRole
    for role, colour in ((roles.Window, "#2b2b2b"), (roles.WindowText, "#e6e6e6"),
                         (roles.Base, "#1e1e1e"), (roles.AlternateBase, "#333333"),
                         (roles.Text, "#e6e6e6"), (roles.Button, "#3a3a3a"),
                         (roles.ButtonText, "#e6e6e6"), (roles.BrightText, "#ff6b6b"),
                         (roles.Highlight, "#3d7ab8"), (roles.HighlightedText, "#ffffff"),
                         (roles.ToolTipBase, "#3a3a3a"), (roles.ToolTipText, "#e6e6e6"),
                         (roles.PlaceholderText, "#9a9a9a"), (roles.Link, "#6fb3ea"),
                         (roles.Light, "#4a4a4a"), (roles.Midlight, "#3f3f3f"),
                         (roles.Mid, "#555555"), (roles.Dark, "#1a1a1a"), (roles.Shadow, "#101010")):
        palette.setColor(role, QColor(colour))
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return palette


def apply_theme(name: str) -> None:
    """Set the application's style and palette for a theme, then recolour every plot."""
    global _system_look, PLOT_BACKGROUND
    app = QApplication.instance()
    if _system_look is None:
        _system_look = (app.style().name(), QPalette(app.palette()))
    style_name, palette = _system_look
    if name != "system":
        style_name = "fusion"
        palette = dark_palette() if name == "dark" else _fusion_light_palette()
    unchanged = (name == _applied_theme[0] and app.palette() == palette
                 and app.style().name().lower() == style_name.lower())
    if unchanged:  # a new window under the same theme: its plots were made in these colours
        return
    _applied_theme[0] = name
    if app.style().name().lower() != style_name.lower():
        app.setStyle(style_name)
    app.setPalette(palette)
    background, foreground = plot_colours(palette)
    PLOT_BACKGROUND = background.name()  # plots made later (the cost lab's, say) start so
    pg.setConfigOptions(background=background, foreground=foreground)
    for widget in app.allWidgets():
        if isinstance(widget, pg.PlotWidget):
            restyle_plot(widget, palette)
        _recolour_text(widget)


def _recolour_text(widget: QWidget) -> None:
    """A widget with a style sheet holds a palette of its own and hears of a new application
    palette only while the event loop runs (ApplicationPaletteChange): recolour it now."""
    keeper = widget.findChild(_TextColourKeeper, options=Qt.FindChildOption.FindDirectChildrenOnly)
    if keeper is not None:
        keeper.apply()


def _fusion_light_palette() -> QPalette:
    return QStyleFactory.create("fusion").standardPalette()


def restyle_plot(plot: pg.PlotWidget, palette: QPalette) -> None:
    """Background, axes, titles, axis labels and legends of one plot in the palette's colours.
    Cell numbers (TextItems) keep the colours chosen for their cells."""
    background, foreground = plot_colours(palette)
    plot.setBackground(background)
    for item in plot.scene().items():
        if isinstance(item, pg.AxisItem):
            item.setPen(foreground)
            item.setTextPen(foreground)
        elif isinstance(item, pg.LabelItem):
            item.setText(item.text, color=foreground)
        elif isinstance(item, pg.LegendItem):
            _restyle_legend(item, palette)


def _restyle_legend(legend: pg.LegendItem, palette: QPalette) -> None:
    """Text in the plot's text colour; a legend drawn in a box gets the plot's background in
    it, or light text would sit on a white box."""
    fill, border, text = legend_colours(palette)
    if legend.brush().style() != Qt.BrushStyle.NoBrush and legend.brush().color().alpha() > 0:
        legend.setBrush(fill)
    if legend.pen().style() != Qt.PenStyle.NoPen:
        legend.setPen(border)
    legend.setLabelTextColor(text)


def _theme_chooser(name: str, on_chosen):
    def choose(_checked: bool = False) -> None:
        apply_theme(name)
        on_chosen(name)

    return choose


def add_theme_actions(menu, parent, current: str, on_chosen) -> dict[str, QAction]:
    """Checkable View > Theme entries; choosing one applies it and calls on_chosen(name)."""
    group = QActionGroup(parent)
    group.setExclusive(True)
    actions = {}
    for name, text in THEMES.items():
        action = QAction(text, parent)
        action.setCheckable(True)
        action.setChecked(name == current)
        action.setStatusTip(f"Colours: {text.lower()}")
        action.triggered.connect(_theme_chooser(name, on_chosen))
        group.addAction(action)
        menu.addAction(action)
        actions[name] = action
    apply_theme(current)
    return actions
