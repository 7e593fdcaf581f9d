"""The lab's third tab, what the trained models learned: the memory probe, the word vectors of a
chosen model, and inference token by token, measured by engine/labs/training/analysis.py."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QGridLayout, QHBoxLayout, QLabel, QPushButton,
                               QSizePolicy, QVBoxLayout, QWidget)

from gui.labs.training.findings_plots import CosinePlot, InferencePlot, ProbePlot, ProjectionPlot
from gui.labs.training.plots import MODEL_LABELS

CAPTION = (
    "<b>What the trained models hold.</b> Memory probe: a linear read-out is fitted to name the "
    "word d steps before the cue from what each model's readout sees (the RNN's final state, "
    "the Transformer's last position); an RNN's memory is a lossy compression in which early "
    "words fade. Word vectors: after word-classes training, words of one class (animals, "
    "objects, verbs, places) lie close. Inference: an RNN holds one fixed-size state per new "
    "token, attention a key-value cache that grows with every token.")


class FindingsView(QWidget):
    """Plots of Findings; `measure_requested` asks the window to probe the trained models."""

    measure_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.findings = None
        self.plots = {"probe": ProbePlot(), "word-cosine": CosinePlot(),
                      "word-projection": ProjectionPlot(),
                      "inference-time": InferencePlot("seconds"),
                      "inference-memory": InferencePlot("memory_bytes")}
        self.measure_button = QPushButton("Measure what the trained models learned")
        self.measure_button.setToolTip("Probe, project and time the models of the last run "
                                       "(a few seconds).")
        self.model_box = QComboBox()
        # As wide as its longest name whenever its names change (by default Qt sizes it once,
        # when first shown, and the tab can be shown before any model is measured), and never
        # squeezed below that by the status beside it.
        self.model_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.model_box.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.model_box.setToolTip("Whose word vectors the two middle plots show.")
        self.status = QLabel("Train some models, then measure what they learned.")
        self.status.setWordWrap(True)
        caption = QLabel(CAPTION)
        caption.setWordWrap(True)
        caption.setTextFormat(Qt.TextFormat.RichText)
        controls = QHBoxLayout()
        controls.addWidget(self.measure_button)
        controls.addWidget(QLabel("Word vectors of"))
        controls.addWidget(self.model_box)
        controls.addWidget(self.status, 1)
        grid = QGridLayout()
        grid.addWidget(self.plots["probe"], 0, 0, 1, 2)
        grid.addWidget(self.plots["inference-time"], 0, 2, 1, 2)
        grid.addWidget(self.plots["inference-memory"], 0, 4, 1, 2)
        grid.addWidget(self.plots["word-cosine"], 1, 0, 1, 3)
        grid.addWidget(self.plots["word-projection"], 1, 3, 1, 3)
        grid.setRowStretch(1, 1)  # the top plots need the height for their vertical labels
        grid.setRowStretch(0, 1)  # on a laptop screen; the heatmap below is square anyway
        layout = QVBoxLayout(self)
        layout.addWidget(caption)
        layout.addLayout(controls)
        layout.addLayout(grid, 1)
        self.measure_button.clicked.connect(self.measure_requested)
        self.model_box.currentIndexChanged.connect(self._on_model_box_changed)

    def show_findings(self, findings) -> None:
        self.findings = findings
        self.plots["probe"].show_findings(findings.probes)
        self.plots["inference-time"].show_findings(findings.profiles)
        self.plots["inference-memory"].show_findings(findings.profiles)
        chosen = self.model_box.currentData()
        self.model_box.blockSignals(True)
        self.model_box.clear()
        for kind in findings.word_maps:
            self.model_box.addItem(MODEL_LABELS[kind], kind)
        index = self.model_box.findData(chosen)
        self.model_box.setCurrentIndex(max(index, 0))
        self.model_box.blockSignals(False)
        self._on_model_box_changed()
        gaps = ", ".join(f"{MODEL_LABELS[k]} {m.class_gap():+.2f}"
                         for k, m in findings.word_maps.items())
        self.status.setText("Same-class minus other-class cosine (above 0: classes cluster): "
                            + gaps + ".")

    def _on_model_box_changed(self, *_args) -> None:
        kind = self.model_box.currentData()
        if self.findings is None or kind is None:
            return
        self.plots["word-cosine"].show_map(self.findings.word_maps[kind], kind)
        self.plots["word-projection"].show_map(self.findings.word_maps[kind], kind)
