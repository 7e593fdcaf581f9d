"""What the trained models learned, drawn: the memory probe (decoding accuracy against distance),
the trained word vectors (cosine heatmap and a labelled 2-D projection), and inference token by
token (time per new token and memory held against position)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from gui import style
from gui.labs.training.plots import MODEL_COLORS, MODEL_LABELS, LabPlot
from gui.views.panels.plot_base import ExportablePlot

CLASS_COLORS = {"animal": "#d95f02", "object": "#1b73b3", "verb": "#2e7d32", "place": "#7570b3"}


class ProbePlot(LabPlot):
    """How well a linear probe names the word d steps back from what the readout sees."""

    def __init__(self, parent=None):
        super().__init__("Memory probe: can a linear read-out name the word d steps back?",
                         "distance d (words before the cue)", "probe accuracy (share right)",
                         parent=parent)
        self.setYRange(0, 1.05, padding=0)
        self.chance = pg.InfiniteLine(angle=0, movable=False, label="chance",
                                      pen=pg.mkPen(style.BOUND_COLOR, style=Qt.PenStyle.DashLine),
                                      labelOpts={"position": 0.95})
        self.addItem(self.chance, ignoreBounds=True)

    def show_findings(self, probes: dict) -> None:
        self.set_models(probes)
        for kind, curve in probes.items():
            self.set_curve(kind, curve.distances, curve.accuracy)
            self.chance.setPos(curve.chance)
        self.enableAutoRange(axis="x")


class InferencePlot(LabPlot):
    """Time per new token, or memory held, against the position of the new token."""

    def __init__(self, field: str, parent=None):
        title, y_label = {
            "seconds": ("Inference: time to take in one new token", "seconds per token"),
            "memory_bytes": ("Inference: memory held between tokens (state or K/V cache)",
                             "bytes held"),
        }[field]
        super().__init__(title, "position of the new token", y_label, parent=parent)
        self.field = field
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
        self.image.setColorMap(pg.colormap.get(style.DIVERGING))
        self.image.setLevels((-1, 1))
        self.addItem(self.image)
        self.getViewBox().invertY(True)
        self.getViewBox().setAspectLocked(True)
        self.bar = pg.ColorBarItem(values=(-1, 1), colorMap=pg.colormap.get(style.DIVERGING),
                                   interactive=False, label="cosine")
        self.bar.setImageItem(self.image, insert_in=self.plotItem)
        self.matrix = np.zeros((0, 0))
        self.words: tuple[str, ...] = ()

    def show_map(self, word_map, kind: str) -> None:
        self.matrix, self.words = word_map.cosine, word_map.words
        self.setTitle(f"Trained word vectors of the {MODEL_LABELS[kind]}: cosine similarity",
                      size=style.TITLE_SIZE)
        self.image.setImage(word_map.cosine, levels=(-1, 1))
        ticks = [(i + 0.5, word) for i, word in enumerate(word_map.words)]
        self.getAxis("bottom").setTicks([ticks, []])
        self.getAxis("left").setTicks([ticks, []])
        self.getAxis("bottom").setStyle(tickFont=_small_font())
        self.getAxis("left").setStyle(tickFont=_small_font())
        self.autoRange(padding=0)

    def csv_columns(self) -> dict[str, np.ndarray]:
        return {"word": np.array(self.words, dtype=object),
                **{word: self.matrix[:, i] for i, word in enumerate(self.words)}}


class ProjectionPlot(LabPlot):
    """The content words' trained vectors on their first two principal components, labelled."""

    def __init__(self, parent=None):
        super().__init__("Trained word vectors, projected to 2-D (PCA)", "component 1",
                         "component 2", parent=parent)
        self.scatter = pg.ScatterPlotItem(size=8)
        self.addItem(self.scatter)
        self.labels: list[pg.TextItem] = []
        self.points = np.zeros((0, 2))
        self.words: tuple[str, ...] = ()
        self.legend.setVisible(False)

    def show_map(self, word_map, kind: str) -> None:
        for label in self.labels:
            self.removeItem(label)
        self.points, self.words = word_map.projection, word_map.words
        first, second = word_map.explained
        self.setTitle(f"{MODEL_LABELS[kind]}'s word vectors, projected to 2-D (PCA)",
                      size=style.TITLE_SIZE)
        self.setLabel("bottom", f"component 1 ({first:.0%} of the variance)")
        self.setLabel("left", f"component 2 ({second:.0%} of the variance)")
        brushes = [pg.mkBrush(CLASS_COLORS.get(c, style.OTHER_MODEL_COLOR))
                   for c in word_map.classes]
        self.scatter.setData(pos=word_map.projection, brush=brushes, pen=None)
        self.labels = []
        for (x, y), word, word_class in zip(word_map.projection, word_map.words,
                                            word_map.classes):
            label = pg.TextItem(word, color=CLASS_COLORS.get(word_class, "#555555"),
                                anchor=(0, 0.5))
            label.setPos(x, y)
            self.addItem(label)
            self.labels.append(label)
        self.autoRange()

    def csv_columns(self) -> dict[str, np.ndarray]:
        return {"word": np.array(self.words, dtype=object), "component 1": self.points[:, 0],
                "component 2": self.points[:, 1]}


def _small_font():
    from PySide6.QtGui import QFont

    font = QFont()
    font.setPointSize(7)
    return font
