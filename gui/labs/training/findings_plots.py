"""What the trained models learned, drawn: the memory probe (decoding accuracy against distance),
the trained word vectors (cosine heatmap and a labelled 2-D projection), and inference token by
token (time per new token and memory held against position)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from gui import style
from gui.labs.training.chance_line import ChanceLine
from gui.labs.training.plots import ACCURACY_RANGE, MODEL_LABELS, LabPlot
from gui.views.panels.plot_base import ExportablePlot

WORD_CLASSES = ("animal", "object", "verb", "place")  # the word-classes task's, in legend order
UNKNOWN_CLASS_COLOR = "#555555"
POINT_RADIUS_PIXELS = 4  # half the projection's symbol size
EDGE_PIXELS = 6  # room between the outermost point or word and the view's edge


def range_holding(values: np.ndarray, before: np.ndarray, after: np.ndarray,
                  pixels: float) -> tuple[float, float]:
    """The narrowest (low, high) along one axis of a view `pixels` long in which every value i
    shows with before[i] pixels of it below and after[i] above (a word label's width, say).

    With u view units per pixel, values i and j fit when v_i + after_i·u − (v_j − before_j·u)
    ≤ u·pixels, so u is the largest (v_i − v_j) / (pixels − after_i − before_j)."""
    rise = values[:, None] - values[None, :]  # (w, w): v_i - v_j
    room = np.maximum(pixels - after[:, None] - before[None, :], 1.0)  # (w, w)
    per_pixel = float(np.max(rise / room)) or 1.0 / max(pixels, 1.0)  # one value: a unit span
    low = float(np.min(values - before * per_pixel))
    high = float(np.max(values + after * per_pixel))
    spare = per_pixel * pixels - (high - low)  # >= 0: share it between both ends
    return low - spare / 2, high + spare / 2


def class_colour(word_class: str) -> str:
    """A word class's colour in the current colour set (grey for a class it does not know)."""
    if word_class not in WORD_CLASSES:
        return UNKNOWN_CLASS_COLOR
    return style.group_colour(WORD_CLASSES.index(word_class))


class ProbePlot(LabPlot):
    """How well a linear probe names the word d steps back from what the readout sees."""

    def __init__(self, parent=None):
        super().__init__("Memory probe: decoding the word d steps back",
                         "distance d (words before the cue)", "probe accuracy (share right)",
                         parent=parent)
        self.setYRange(*ACCURACY_RANGE, padding=0)
        self.chance = ChanceLine(self)

    def show_findings(self, probes: dict) -> None:
        self.set_models(probes)
        for kind, curve in probes.items():
            self.set_curve(kind, curve.distances, curve.accuracy)
            self.chance.setPos(curve.chance)
        self.enableAutoRange(axis="x")


class InferencePlot(LabPlot):
    """Time per new token, or memory held, against the position of the new token."""

    def __init__(self, field: str, parent=None):
        title, y_label, units = {
            "seconds": ("Inference: time per new token", "time per token", "s"),
            "memory_bytes": ("Inference: memory held (state or K/V cache)",
                             "memory held", "B"),
        }[field]
        super().__init__(title, "position of the new token", y_label, parent=parent)
        self.field = field
        self.setLabel("left", y_label, units=units)  # with an SI prefix: ms, kB
        self.getAxis("left").enableAutoSIPrefix(True)

    def show_findings(self, profiles: dict) -> None:
        self.set_models(profiles)
        for kind, profile in profiles.items():
            self.set_curve(kind, profile.positions, getattr(profile, self.field))
        self.enableAutoRange()


class CosinePlot(ExportablePlot):
    """The cosine similarity of every pair of content words' trained vectors."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle("Trained word vectors: cosine similarity", size=style.TITLE_SIZE)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(style.colour_map("diverging"))
        self.image.setLevels((-1, 1))
        self.addItem(self.image)
        self.getViewBox().invertY(True)
        self.getViewBox().setAspectLocked(True)
        self.bar = pg.ColorBarItem(values=(-1, 1), colorMap=style.colour_map("diverging"),
                                   interactive=False, label="cosine")
        self.bar.setImageItem(self.image, insert_in=self.plotItem)
        self.matrix = np.zeros((0, 0))
        self.words: tuple[str, ...] = ()
        self.boundaries: list[pg.PlotCurveItem] = []
        self.setLabel("bottom", "word (grouped by class; hover for the pair)")
        self.setLabel("left", "word")
        self.scene().sigMouseMoved.connect(self._on_scene_mouse_moved)

    def show_map(self, word_map, kind: str) -> None:
        self.matrix, self.words = word_map.cosine, word_map.words
        self.setTitle(f"{MODEL_LABELS[kind]}'s word vectors: cosine similarity",
                      size=style.TITLE_SIZE)
        self.image.setImage(word_map.cosine, levels=(-1, 1))
        for line in self.boundaries:
            self.removeItem(line)
        starts = [i for i, c in enumerate(word_map.classes) if i == 0
                  or c != word_map.classes[i - 1]]
        ends = starts[1:] + [len(word_map.classes)]
        ticks = [((a + b) / 2, word_map.classes[a]) for a, b in zip(starts, ends)]
        self.getAxis("bottom").setTicks([ticks, []])
        self.getAxis("left").setTicks([ticks, []])
        self.boundaries = []
        size = len(word_map.classes)
        for edge in starts[1:]:  # across the map only, not the whole (wider or taller) view
            for xs, ys in (([0, size], [edge, edge]), ([edge, edge], [0, size])):
                line = pg.PlotCurveItem(xs, ys, pen=pg.mkPen("#222222", width=1.2))
                self.addItem(line)
                self.boundaries.append(line)
        self.autoRange(padding=0)

    def follow_colours(self) -> None:
        """The map and its bar in the current colour set's diverging map."""
        colormap = style.colour_map("diverging")
        self.image.setColorMap(colormap)
        self.bar.setColorMap(colormap)

    def pair_at(self, x: float, y: float) -> str:
        """'cat · dog: cosine 0.83' for a point in the image's coordinates, or ''."""
        row, column = int(np.floor(y)), int(np.floor(x))
        if not (0 <= row < len(self.words) and 0 <= column < len(self.words)):
            return ""
        return f"{self.words[row]} · {self.words[column]}: cosine {self.matrix[row, column]:.2f}"

    def _on_scene_mouse_moved(self, position) -> None:
        point = self.getViewBox().mapSceneToView(position)
        self.setToolTip(self.pair_at(point.x(), point.y()))

    def csv_columns(self) -> dict[str, np.ndarray]:
        return {"word": np.array(self.words, dtype=object),
                **{word: self.matrix[:, i] for i, word in enumerate(self.words)}}


class ProjectionPlot(LabPlot):
    """The content words' trained vectors on their first two principal components, labelled."""

    def __init__(self, parent=None):
        super().__init__("Trained word vectors, projected to 2-D (PCA)", "component 1",
                         "component 2", parent=parent)
        self.scatters = {}  # one per word class, named in the legend
        for word_class in WORD_CLASSES:
            brush = pg.mkBrush(class_colour(word_class))
            self.scatters[word_class] = self.plot([], [], pen=None, symbol="o", symbolSize=8,
                                                  symbolPen=None, symbolBrush=brush,
                                                  name=f"{word_class}s")
        self.legend_row.fit()
        self.labels: list[pg.TextItem] = []
        self.label_classes: list[str] = []  # each label's word class, to recolour it
        self.points = np.zeros((0, 2))
        self.words: tuple[str, ...] = ()
        self.getViewBox().sigResized.connect(self.fit_labels)

    def show_map(self, word_map, kind: str) -> None:
        for label in self.labels:
            self.removeItem(label)
        self.points, self.words = word_map.projection, word_map.words
        first, second = word_map.explained
        self.setTitle(f"{MODEL_LABELS[kind]}'s word vectors, projected to 2-D (PCA)",
                      size=style.TITLE_SIZE)
        self.setLabel("bottom", f"component 1 ({first:.0%} of the variance)")
        self.setLabel("left", f"component 2 ({second:.0%} of the variance)")
        classes = np.array(word_map.classes)
        for word_class, scatter in self.scatters.items():
            mine = word_map.projection[classes == word_class]  # (w, 2)
            scatter.setData(mine[:, 0], mine[:, 1])
        self.labels, self.label_classes = [], list(word_map.classes)
        for (x, y), word, word_class in zip(word_map.projection, word_map.words,
                                            word_map.classes):
            label = pg.TextItem(word, color=class_colour(word_class), anchor=(0, 0.5))
            label.setPos(x, y)
            self.addItem(label)
            self.labels.append(label)
        self.fit_labels()

    def fit_labels(self, *_args) -> None:
        """A view range that holds every point and the whole of every word beside it (a word
        reaches right of its point and half its height above and below)."""
        if not self.labels:
            return
        view = self.getViewBox()
        sizes = np.array([(label.boundingRect().width(), label.boundingRect().height())
                          for label in self.labels])  # (w, 2) pixels
        half_heights = np.maximum(sizes[:, 1] / 2, POINT_RADIUS_PIXELS) + EDGE_PIXELS
        left = np.full(len(self.labels), POINT_RADIUS_PIXELS + EDGE_PIXELS)
        x_range = range_holding(self.points[:, 0], left, sizes[:, 0] + EDGE_PIXELS,
                                view.width())
        y_range = range_holding(self.points[:, 1], half_heights, half_heights, view.height())
        view.setRange(xRange=x_range, yRange=y_range, padding=0)

    def follow_colours(self) -> None:
        """Points, their legend samples and the words in the current colour set."""
        super().follow_colours()
        for word_class, scatter in self.scatters.items():
            scatter.setSymbolBrush(pg.mkBrush(class_colour(word_class)))
        for label, word_class in zip(self.labels, self.label_classes):
            label.setColor(class_colour(word_class))
        for sample, _label in self.legend.items:
            sample.update()

    def csv_columns(self) -> dict[str, np.ndarray]:
        return {"word": np.array(self.words, dtype=object), "component 1": self.points[:, 0],
                "component 2": self.points[:, 1]}

