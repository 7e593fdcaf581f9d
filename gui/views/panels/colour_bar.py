"""The narrow colour bar beside a heatmap: a few small round numbers and a label."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QFont

COLORBAR_WIDTH = 10  # pixels
COLORBAR_FONT_SIZE = 7.5  # points, for the colour bar's numbers and label
COLORBAR_NUMBERS_WIDTH = 30  # pixels: "-0.25" in the bar's font, and its tick
COLORBAR_TICK_DENSITY = 1.5  # pyqtgraph's major ticks alone are sparse on a short bar


def compact_colorbar(colormap, label: str) -> pg.ColorBarItem:
    """A narrow colour bar with a few small round numbers and its label beside it. Its width is
    fixed: a bar whose width followed its numbers could be laid out again while the interpreter
    shuts down, and crash it."""
    bar = pg.ColorBarItem(colorMap=colormap, interactive=False, width=COLORBAR_WIDTH)
    font = QFont()
    font.setPointSizeF(COLORBAR_FONT_SIZE)
    values = bar.axis
    values.setTickFont(font)
    values.setWidth(COLORBAR_NUMBERS_WIDTH)  # pyqtgraph reserves 45 pixels
    values.setStyle(tickTextOffset=2, maxTickLevel=0, maxTextLevel=0)  # a few round numbers
    values.setTickDensity(COLORBAR_TICK_DENSITY)
    bar.getAxis("left").setLabel(label, **{"font-size": f"{COLORBAR_FONT_SIZE}pt"})
    return bar


