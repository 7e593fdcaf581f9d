"""The lab's side panel: the settings form, Start / Pause / Resume / Cancel, the sweep's buttons
and the choice of x axis for the live curves, in a scroll area that never scrolls sideways."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QVBoxLayout, QWidget)

from gui.labs.training.controls import TrainingControls


def _button(text: str, tip: str) -> QPushButton:
    widget = QPushButton(text)
    widget.setToolTip(tip)
    return widget


class SidePanel(QScrollArea):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.controls = TrainingControls()
        self.start_button = _button("Start", "Train every chosen model from its first step.")
        self.start_button.setDefault(True)
        self.pause_button = _button("Pause", "Stop after the current step; Resume goes on with "
                                             "the same models and gives the same curves.")
        self.resume_button = _button("Resume", "Go on training from where it paused.")
        self.cancel_button = _button("Cancel", "Stop training for good; the curves stay.")
        self.sweep_button = _button("Run sweep", "Train every chosen model at n = 8, 16, 32, 64 "
                                                 "and 128 for the chosen steps each.")
        self.cancel_sweep_button = _button("Cancel sweep", "Stop the sweep; its points stay.")
        self.x_axis = QComboBox()
        self.x_axis.addItem("training step", "step")
        self.x_axis.addItem("wall-clock seconds", "seconds")
        self.x_axis.setToolTip("Plot the curves against steps, or against each model's own "
                               "training time: a faster model gets further in the same seconds.")
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.addWidget(self.controls)
        for row in ((self.start_button, self.pause_button),
                    (self.resume_button, self.cancel_button),
                    (self.sweep_button, self.cancel_sweep_button)):
            buttons = QHBoxLayout()
            for widget in row:
                buttons.addWidget(widget)
            layout.addLayout(buttons)
        axis = QHBoxLayout()
        axis.addWidget(QLabel("Curves against"))
        axis.addWidget(self.x_axis, 1)
        layout.addLayout(axis)
        layout.addStretch(1)
        self.setWidget(panel)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(panel.sizeHint().width() + 20)
