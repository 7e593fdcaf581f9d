"""The frame every panel shares: a title with a live counter, the plots, a caption on reading them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget


class Panel(QWidget):
    """Title and counter on top, content in the middle, a one- or two-sentence caption below."""

    def __init__(self, title: str, caption: str, parent: QWidget | None = None,
                 colour: str = "#222222"):
        super().__init__(parent)
        self.title_label = QLabel(title)
        bold = QFont()
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.15)
        self.title_label.setFont(bold)
        self.counter_label = QLabel("")
        self.counter_label.setObjectName("counter")
        self.counter_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.counter_label.setFont(bold)
        self.counter_label.setStyleSheet(f"color: {colour};")
        header = QHBoxLayout()
        header.addWidget(self.title_label)
        header.addStretch(1)
        header.addWidget(self.counter_label)
        self.caption_label = QLabel(caption)
        self.caption_label.setWordWrap(True)
        self.caption_label.setObjectName("caption")
        self.caption_label.setStyleSheet("color: #444;")
        self.content = QVBoxLayout()
        self.content.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(3)
        layout.addLayout(header)
        layout.addLayout(self.content, 1)
        layout.addWidget(self.caption_label)

    def set_counter(self, text: str) -> None:
        self.counter_label.setText(text)
