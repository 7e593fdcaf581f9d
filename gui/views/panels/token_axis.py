"""A heatmap axis that names every word: side by side when the words fit, turned to read upwards
when they do not, in a smaller font when needed, with long words shortened, and thinned (every
k-th word, with its index) only when even the smallest font cannot give each word its own line.
Its ticks point away from the cells, so no tick mark ever lies over a number."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF

FONT_SIZES = (9.0, 8.0, 7.0, 6.0, 5.5)  # points, largest first (6.5 and 5 draw as 7 and 5.5)
# Bottom-axis choices, best first (size, turned?): level words as long as they fit, since turned
# ones take height from the map, then turned ones in small sizes.
BOTTOM_CHOICES = ((9.0, False), (8.0, False), (7.0, False), (6.0, False), (7.0, True), (6.0, True),
                  (5.5, True))
READABLE_SIZE = 6.0  # points: a plot exported alone grows until its words have this size
MAX_NAMED_ALONE = 64  # words; a plot exported alone does not grow for more
MAX_NAMED_ON_SCREEN = 40  # words; a map that keeps its words named asks for no more room
MAX_CHARS = 12  # longer words are shortened with "…"; the tooltip names them whole
TICK_LENGTH = 3  # pixels, pointing outwards
WORD_GAP = 3  # pixels between neighbouring horizontal words


@dataclass(frozen=True)
class LabelPlan:
    """How one axis names its words."""

    size: float  # font size in points
    rotated: bool  # bottom-axis words turned to read upwards
    step: int  # every step-th word is named; 1 names them all
    texts: tuple[tuple[float, str], ...]  # (position in data units, text drawn)


def pixels_to_name(count: int) -> float:
    """Axis length that names `count` words in a readable size (6 points), for plots exported
    alone; beyond MAX_NAMED_ALONE words they are thinned instead of growing further."""
    pitch = line_pitch(QFontMetricsF(font_of(READABLE_SIZE)))
    return math.ceil(min(count, MAX_NAMED_ALONE) * pitch) + 1


def pixels_to_name_on_screen(count: int) -> float:
    """Axis length that names `count` words in the smallest font (5.5 points), up to
    MAX_NAMED_ON_SCREEN words; beyond that the axis thins them."""
    pitch = line_pitch(QFontMetricsF(font_of(FONT_SIZES[-1])))
    return math.ceil(min(count, MAX_NAMED_ON_SCREEN) * pitch) + 1


def shorten(word: str) -> str:
    return word if len(word) <= MAX_CHARS else word[: MAX_CHARS - 1] + "…"


def font_of(size: float) -> QFont:
    font = QFont()
    font.setPointSizeF(size)
    return font


def line_pitch(metrics: QFontMetricsF) -> float:
    """Pixels one line of words needs: a descender may reach into the next line's space above
    its capitals, so the ascent is enough."""
    return metrics.ascent()


def plan_labels(words: list[str], pixels_per_word: float, along_bottom: bool) -> LabelPlan:
    """The largest readable way to name every word in `pixels_per_word`, or every step-th word
    in the smallest font when none fits."""
    texts = list(_shortened(tuple(words)))
    choices = BOTTOM_CHOICES if along_bottom else tuple((size, False) for size in FONT_SIZES)
    for size, rotated in choices:
        metrics = QFontMetricsF(font_of(size))
        if along_bottom and not rotated:
            fits = _widest_text(size, tuple(texts)) + WORD_GAP <= pixels_per_word
        else:
            fits = line_pitch(metrics) <= pixels_per_word
        if fits:
            return _every(texts, size, rotated=rotated, step=1)
    pitch = line_pitch(QFontMetricsF(font_of(FONT_SIZES[-1])))
    step = max(2, math.ceil(pitch / max(pixels_per_word, 1e-6)))
    return _every(texts, FONT_SIZES[-1], rotated=along_bottom, step=step)


def _every(texts: list[str], size: float, rotated: bool, step: int) -> LabelPlan:
    chosen = tuple((i + 0.5, text if step == 1 else f"{i}:{text}")
                   for i, text in enumerate(texts) if i % step == 0)
    return LabelPlan(size=size, rotated=rotated, step=step, texts=chosen)


@lru_cache(maxsize=64)
def _shortened(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(shorten(word) for word in words)


@lru_cache(maxsize=64)
def _widest_text(size: float, texts: tuple[str, ...]) -> float:
    """Pixel width of the widest text at `size`; remembered, since every axis of every map asks
    again on each layout pass (at 1024 words, measuring anew took most of a second)."""
    metrics = QFontMetricsF(font_of(size))
    return max((metrics.horizontalAdvance(text) for text in texts), default=0.0)


def _widest_possible(words: list[str]) -> float:
    return _widest_possible_of(tuple(words))


@lru_cache(maxsize=64)
def _widest_possible_of(words: tuple[str, ...]) -> float:
    """The widest text any plan draws: whole words in the largest font, or thinned words with
    their index in the smallest."""
    largest = QFontMetricsF(font_of(FONT_SIZES[0]))
    smallest = QFontMetricsF(font_of(FONT_SIZES[-1]))
    return max(max(largest.horizontalAdvance(shorten(word)),
                   smallest.horizontalAdvance(f"{i}:{shorten(word)}"))
               for i, word in enumerate(words))


INDEX_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
INDEX_GAP = 10  # pixels between neighbouring index numbers


def index_step(count: int, pixels_per_index: float, widest: float) -> int:
    """The smallest round step at which the index numbers 0, step, 2*step, ... do not touch."""
    for step in INDEX_STEPS:
        if step * pixels_per_index >= widest + INDEX_GAP:
            return step
    return max(INDEX_STEPS[-1], count)


class TokenAxis(pg.AxisItem):
    """A left or bottom axis that shows words (set_words), cell indices (set_indices) or
    pyqtgraph's own ticks."""

    def __init__(self, orientation: str):
        super().__init__(orientation, maxTickLength=TICK_LENGTH)
        self._index_count = 0  # > 0: cells 0..count-1 numbered at round steps that fit
        self._words: list[str] | None = None
        self._plan: LabelPlan | None = None
        self._widest_at_largest = 0.0

    # -- public -------------------------------------------------------------------------
    def set_words(self, words: list[str] | None) -> None:
        """Name these words at 0.5, 1.5, ...; None goes back to explicit or automatic ticks."""
        self._words = None if words is None else list(words)
        self._plan = None
        if words is not None:
            self._index_count = 0
        if self._words:
            self._widest_at_largest = _widest_possible(self._words)
            self.setTicks(None)
            self._replan()
        self._adjust_size()
        self.picture = None
        self.update()

    def set_indices(self, count: int) -> None:
        """Number the cells 0, step, 2*step, ... at their centres, as densely as fits."""
        self.set_words(None)
        self._index_count = count
        self._replan_indices()

    def _replan_indices(self) -> None:
        length = self._length_pixels()
        if self._index_count <= 0 or length <= 0:
            return
        span = abs(self.range[1] - self.range[0]) or self._index_count
        metrics = QFontMetricsF(self.style["tickFont"] or font_of(FONT_SIZES[0]))
        widest = metrics.horizontalAdvance(str(self._index_count - 1))
        if self.orientation in ("left", "right"):
            widest = metrics.height()
        step = index_step(self._index_count, length / span, widest)
        ticks = [(i + 0.5, str(i)) for i in range(0, self._index_count, step)]
        if ticks != (self._tickLevels or [None])[0]:
            self.setTicks([ticks])

    @property
    def plan(self) -> LabelPlan | None:
        """How the words are named now (None while the axis shows numbers)."""
        return self._plan

    @property
    def shown_texts(self) -> list[str]:
        """The words drawn, as drawn (shortened or with their index when thinned)."""
        if self._plan is None or not self.style["showValues"]:
            return []
        return [text for _position, text in self._plan.texts]

    # -- sizing -------------------------------------------------------------------------
    def _length_pixels(self) -> float:
        size = self.geometry()
        return size.height() if self.orientation in ("left", "right") else size.width()

    def _replan(self) -> None:
        if not self._words:
            return
        span = abs(self.range[1] - self.range[0]) or len(self._words)
        length = self._length_pixels()
        if length <= 0:
            return
        plan = plan_labels(self._words, length / span, along_bottom=self.orientation == "bottom")
        if plan != self._plan:
            self._plan = plan
            self._adjust_size()
            self.picture = None
            self.update()

    def _text_depth(self) -> float:
        """Pixels the words need across the axis. The left axis reserves the most any plan
        could need: were its width to follow the plan, which follows the height, which follows
        the bottom axis's plan, which follows the width, the layout could go round in circles."""
        if self._plan is None or not self.style["showValues"]:
            return 0.0
        if self.orientation == "left":
            return self._widest_at_largest
        if not self._plan.rotated:
            return QFontMetricsF(font_of(self._plan.size)).height()
        return _widest_text(self._plan.size, tuple(text for _position, text in self._plan.texts))

    def _adjust_size(self) -> None:
        if self._words and self._plan is None:
            self._replan()
        if not self._words:
            self.setWidth(None) if self.orientation in ("left", "right") else self.setHeight(None)
            return
        depth = self._text_depth()
        if self.style["showValues"]:
            depth += TICK_LENGTH + self.style["tickTextOffset"][0 if self.orientation == "left" else 1]
        if self.label.isVisible():
            depth += self.label.boundingRect().height() * 0.8
        depth = math.ceil(depth)
        if self.orientation in ("left", "right"):
            self.setWidth(depth)
        else:
            self.setHeight(depth)

    def setStyle(self, **kwargs) -> None:
        super().setStyle(**kwargs)
        if self.__dict__.get("_words"):
            self._adjust_size()

    def showLabel(self, show: bool = True) -> None:
        super().showLabel(show)
        if self.__dict__.get("_words"):
            self._adjust_size()

    def resizeEvent(self, ev=None) -> None:
        super().resizeEvent(ev)
        self._replan_any()

    def setRange(self, mn: float, mx: float) -> None:
        super().setRange(mn, mx)
        self._replan_any()

    def _replan_any(self) -> None:
        if self.__dict__.get("_words"):
            self._replan()
        elif self.__dict__.get("_index_count"):
            self._replan_indices()

    # -- drawing ------------------------------------------------------------------------
    def generateDrawSpecs(self, p):
        if self._plan is None:
            return super().generateDrawSpecs(p)
        self._tickLevels = [[(position, "") for position, _text in self._plan.texts]]
        shown = self.style["showValues"]
        self.style["showValues"] = False  # the words are drawn below, not by pyqtgraph
        try:
            specs = super().generateDrawSpecs(p)
        finally:
            self.style["showValues"] = shown
            self._tickLevels = None
        if specs is None:
            return None
        axis_spec, tick_specs, _texts = specs
        return axis_spec, tick_specs, self._word_specs() if shown else []

    def _pixel_of(self, value: float) -> float:
        """The same value-to-pixel map pyqtgraph uses for its ticks."""
        bounds = self.mapRectFromParent(self.geometry())
        low, high = self.range
        if high == low:
            return 0.0
        if self.orientation in ("left", "right"):
            scale = -bounds.height() / (high - low)
            return value * scale - (low * scale - bounds.height())
        scale = bounds.width() / (high - low)
        return value * scale - low * scale

    def _word_specs(self) -> list[tuple[QPointF, str]]:
        """(anchor, text): the anchor is where the text meets the axis, beyond the tick."""
        bounds = self.mapRectFromParent(self.geometry())
        gap = TICK_LENGTH + self.style["tickTextOffset"][0 if self.orientation == "left" else 1]
        specs = []
        for position, text in self._plan.texts:
            along = self._pixel_of(position)
            if self.orientation == "left":
                specs.append((QPointF(bounds.right() - gap, along), text))
            else:
                specs.append((QPointF(along, bounds.top() + gap), text))
        return specs

    def drawPicture(self, p, axisSpec, tickSpecs, textSpecs) -> None:
        if self._plan is None:
            super().drawPicture(p, axisSpec, tickSpecs, textSpecs)
            return
        super().drawPicture(p, axisSpec, tickSpecs, [])
        p.setClipping(False)
        font = font_of(self._plan.size)
        metrics = QFontMetricsF(font)
        p.setFont(font)
        p.setPen(self.textPen())
        height = metrics.height()
        for anchor, text in textSpecs:
            width = metrics.horizontalAdvance(text) + 2
            if self.orientation == "left":
                rect = QRectF(anchor.x() - width, anchor.y() - height / 2, width, height)
                p.drawText(rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), text)
            elif not self._plan.rotated:
                rect = QRectF(anchor.x() - width / 2, anchor.y(), width, height)
                p.drawText(rect, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), text)
            else:  # turned a quarter anticlockwise: reads upwards, ending at the tick
                p.save()
                p.translate(anchor)
                p.rotate(-90)
                rect = QRectF(-width, -height / 2, width, height)
                p.drawText(rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), text)
                p.restore()
