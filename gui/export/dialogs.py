"""Small option dialogs for exports: image size and format, animation speed and size."""

from __future__ import annotations

from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox,
                               QFormLayout, QHBoxLayout, QRadioButton, QSpinBox, QWidget)

from gui.export.animation import DEFAULT_FPS, DEFAULT_WIDTH
from gui.export.encoders import MAX_FPS, MIN_FPS, animation_formats
from gui.export.images import MAX_SCALE, MAX_WIDTH, MIN_SCALE, MIN_WIDTH
from gui.export.targets import describe


def _buttons(dialog: QDialog) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


class ImageOptionsDialog(QDialog):
    """What to export (a plot, a panel, every panel, the window), PNG or SVG, and the PNG size."""

    def __init__(self, names: list[str], current: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export image")
        self.target = QComboBox()
        self.target.addItem("Every plot and panel (one file each, into a folder)", "*")
        for name in names:
            self.target.addItem(describe(name), name)
        self.target.setCurrentIndex(max(0, self.target.findData(current)))
        self.format = QComboBox()
        self.format.addItem("PNG (bitmap)", "png")
        self.format.addItem("SVG (vector: shapes and text)", "svg")
        self.by_scale = QRadioButton("scale")
        self.by_width = QRadioButton("width")
        group = QButtonGroup(self)
        group.addButton(self.by_scale)
        group.addButton(self.by_width)
        self.by_scale.setChecked(True)
        self.scale = QDoubleSpinBox()
        self.scale.setRange(MIN_SCALE, MAX_SCALE)
        self.scale.setValue(2.0)
        self.scale.setSuffix(" ×")
        self.scale.setToolTip("2× gives sharp images for slides")
        self.width = QSpinBox()
        self.width.setRange(MIN_WIDTH, MAX_WIDTH)
        self.width.setValue(1920)
        self.width.setSuffix(" px")
        size = QHBoxLayout()
        for widget in (self.by_scale, self.scale, self.by_width, self.width):
            size.addWidget(widget)
        form = QFormLayout(self)
        form.addRow("Export", self.target)
        form.addRow("Format", self.format)
        form.addRow("PNG size", size)
        form.addRow(_buttons(self))
        self.format.currentIndexChanged.connect(self._sync)
        self._sync()

    def _sync(self) -> None:
        png = self.format.currentData() == "png"
        for widget in (self.by_scale, self.scale, self.by_width, self.width):
            widget.setEnabled(png)

    def choice(self) -> dict:
        return {"target": self.target.currentData(), "format": self.format.currentData(),
                "width": self.width.value() if self.by_width.isChecked() else None,
                "scale": self.scale.value() if self.by_scale.isChecked() else None}


class AnimationOptionsDialog(QDialog):
    """Animation of every tick: of what, GIF or MP4, frames per second and width."""

    def __init__(self, names: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export animation")
        self.target = QComboBox()
        for name in names:
            self.target.addItem(describe(name), name)
        self.target.setCurrentIndex(max(0, self.target.findData("window")))
        self.format = QComboBox()
        for fmt in animation_formats():
            self.format.addItem(fmt.upper(), fmt)
        if len(animation_formats()) == 1:
            self.format.setToolTip("MP4 needs imageio and imageio-ffmpeg: pip install '.[video]'")
        self.fps = QDoubleSpinBox()
        self.fps.setRange(MIN_FPS, MAX_FPS)
        self.fps.setValue(DEFAULT_FPS)
        self.fps.setSuffix(" frames/s")
        self.width = QSpinBox()
        self.width.setRange(MIN_WIDTH, 3840)
        self.width.setValue(DEFAULT_WIDTH)
        self.width.setSuffix(" px")
        form = QFormLayout(self)
        form.addRow("Animate", self.target)
        form.addRow("Format", self.format)
        form.addRow("Speed", self.fps)
        form.addRow("Width", self.width)
        form.addRow(_buttons(self))

    def choice(self) -> dict:
        return {"target": self.target.currentData(), "format": self.format.currentData(),
                "fps": self.fps.value(), "width": self.width.value()}
