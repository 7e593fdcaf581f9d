"""Small option dialogs for exports: image size and format, animation speed and size."""

from __future__ import annotations

from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox,
                               QFormLayout, QHBoxLayout, QRadioButton, QSpinBox, QWidget)

from gui.export.animation import DEFAULT_FPS, DEFAULT_TARGET, MAX_ANIMATION_WIDTH, readable_width
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
    """Animation of every tick: of what (a panel by default), GIF or MP4, frames per second and
    width (by default each target's on-screen width, so its numbers stay readable)."""

    def __init__(self, names: list[str], parent: QWidget | None = None,
                 on_screen_widths: dict[str, int] | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export animation")
        self._on_screen_widths = on_screen_widths or {}
        self.target = QComboBox()
        for name in names:
            self.target.addItem(describe(name), name)
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
        self.width.setRange(MIN_WIDTH, MAX_ANIMATION_WIDTH)
        self.width.setSuffix(" px")
        self.target.currentIndexChanged.connect(self._on_target_changed)
        self.target.setCurrentIndex(max(0, self.target.findData(DEFAULT_TARGET)))
        self._on_target_changed()
        form = QFormLayout(self)
        form.addRow("Animate", self.target)
        form.addRow("Format", self.format)
        form.addRow("Speed", self.fps)
        form.addRow("Width", self.width)
        form.addRow(_buttons(self))

    def _on_target_changed(self, *_args) -> None:
        on_screen = self._on_screen_widths.get(self.target.currentData(), 0)
        self.width.setValue(readable_width(on_screen))
        self.width.setToolTip(f"{on_screen} px on screen: that width keeps every number as "
                              "readable as in the window; smaller shrinks the text"
                              if on_screen > 0 else "Width of each frame")

    def choice(self) -> dict:
        return {"target": self.target.currentData(), "format": self.format.currentData(),
                "fps": self.fps.value(), "width": self.width.value()}
