"""Images of any widget: a plot, a panel or the whole window, as PNG (any width) or SVG (vector).

PNG renders the widget at a scale (2x by default, for sharp slides) or to an exact width in pixels.
SVG renders through QSvgGenerator, with heatmap cells swapped for vector rectangles, so axes,
token labels and numbers stay text. Every file is written atomically.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRect, QSize
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsView, QWidget

from engine.core.atomic import OutputPathError, write_bytes
from engine.core.errors import EngineInputError
from gui.export.svg_text import tidy_svg_text
from gui.export.vector_cells import vector_cells

FORMATS = ("png", "svg")
MIN_WIDTH, MAX_WIDTH = 16, 16_000  # pixels
MIN_SCALE, MAX_SCALE = 0.1, 8.0


class ExportError(EngineInputError):
    """An export that cannot be made: unknown format, bad width, unwritable path."""


def shown_name(path: str | Path) -> str:
    """A file name fit to print: undecodable bytes as \\xff, other lone surrogates as \\ud800."""
    text = str(path)
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def check_path_text(path: str | Path) -> Path:
    """`path` as a Path if its name is text. A name with undecodable bytes (lone surrogates in
    Python) cannot be shown, remembered or printed; refusing it first means nothing half-done."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        raise ExportError(f"cannot write {shown_name(path)}: its name is not valid UTF-8 text; "
                          f"choose another name") from None
    return Path(path)


def check_format(name: str) -> str:
    name = name.lower().lstrip(".")
    if name not in FORMATS:
        raise ExportError(f"unknown image format {name!r}: use one of {', '.join(FORMATS)}")
    return name


def output_size(widget: QWidget, width: int | None, scale: float | None) -> QSize:
    """The PNG size for a width in pixels, or a scale factor (default 2)."""
    base = widget.size()
    if base.width() <= 0 or base.height() <= 0:
        raise ExportError("the plot has no size yet: show the window first")
    if width is not None:
        if not MIN_WIDTH <= width <= MAX_WIDTH:
            raise ExportError(f"width must be between {MIN_WIDTH} and {MAX_WIDTH:,} pixels, got {width}")
        factor = width / base.width()
    else:
        factor = 2.0 if scale is None else scale
        if not MIN_SCALE <= factor <= MAX_SCALE:
            raise ExportError(f"scale must be between {MIN_SCALE:g} and {MAX_SCALE:g}, got {factor:g}")
    return QSize(max(1, round(base.width() * factor)), max(1, round(base.height() * factor)))


def render_png(widget: QWidget, width: int | None = None, scale: float | None = None) -> QImage:
    size = output_size(widget, width, scale)
    image = QImage(size, QImage.Format.Format_ARGB32)
    image.fill(widget.palette().window().color())
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.scale(size.width() / widget.width(), size.height() / widget.height())
    _render(widget, painter)
    painter.end()
    return image


def _render(widget: QWidget, painter: QPainter) -> None:
    # QWidget's own render (paint events of the widget and its children), also for graphics
    # views, whose QGraphicsView.render would draw only the scene and not the axes' widget frame.
    QWidget.render(widget, painter, QPoint(0, 0))


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise ExportError("could not encode the PNG image")
    return bytes(data)


@contextlib.contextmanager
def _vector_heatmaps(widget: QWidget):
    """Swap every heatmap bitmap inside `widget` for vector cells while the block runs."""
    with contextlib.ExitStack() as stack:
        views = [widget] if isinstance(widget, pg.GraphicsView) else []
        views += widget.findChildren(pg.GraphicsView)
        for view in views:
            # A cached background would be embedded as a bitmap of the whole plot area.
            mode = view.cacheMode()
            view.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
            stack.callback(view.setCacheMode, mode)
            for item in view.items():
                if isinstance(item, (pg.ImageItem, QGraphicsPixmapItem)):
                    stack.enter_context(vector_cells(item))
                elif hasattr(item, "setExportMode"):  # markers then draw as paths, not sprites
                    item.setExportMode(True, {"antialias": True, "resolutionScale": 1.0})
                    stack.callback(item.setExportMode, False)
        yield


def svg_bytes(widget: QWidget, title: str = "") -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(widget.size())
    generator.setResolution(widget.logicalDpiX())  # font sizes in the SVG's pixels, as on screen
    generator.setViewBox(QRect(0, 0, widget.width(), widget.height()))
    generator.setTitle(title or widget.windowTitle() or "RNN vs Transformer")
    generator.setDescription("Exported from RNN vs Transformer")
    with _vector_heatmaps(widget):
        painter = QPainter(generator)
        _render(widget, painter)
        painter.end()
    return tidy_svg_text(bytes(data), widget.logicalDpiX())


def export_widget(widget: QWidget, path: str | Path, fmt: str | None = None,
                  width: int | None = None, scale: float | None = None) -> Path:
    """Write `widget` to `path` as PNG or SVG (from the suffix unless `fmt` is given)."""
    path = check_path_text(path)
    fmt = check_format(fmt or path.suffix or "png")
    if path.suffix.lower() != f".{fmt}":
        path = path.with_name(path.name + f".{fmt}")
    standalone = getattr(widget, "standalone", contextlib.nullcontext)
    with standalone():
        data = svg_bytes(widget) if fmt == "svg" else png_bytes(render_png(widget, width, scale))
    try:
        return write_bytes(path, data)
    except OutputPathError as error:
        raise ExportError(str(error)) from None
