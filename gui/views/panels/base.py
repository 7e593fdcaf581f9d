"""The frame every panel shares: a title with a live counter, the plots, a caption on reading them.
Text colours come from the palette (and follow it when the theme changes)."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gui import style


class Panel(QWidget):
    """Title and counter on top, content in the middle, a one- or two-sentence caption below."""

    lesson_requested = Signal()  # the title's lesson link was clicked

    def __init__(self, title: str, caption: str, parent: QWidget | None = None,
                 colour: str | None = None):
        """`colour`: the counter's colour (a model's), or None for the palette's text colour."""
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
        self._counter_colour = colour
        self._counter_model = style.model_key_of(colour)  # follows the colour set when a model's
        # Both wrap rather than overlap when the panel is narrow (a 1280 px screen, say).
        self.title_label.setWordWrap(True)
        self.counter_label.setWordWrap(True)
        self.lesson_link = lesson_link_label(self.lesson_requested)
        header = QHBoxLayout()
        header.addWidget(self.title_label, 3)
        header.addWidget(self.lesson_link)
        header.addWidget(self.counter_label, 2)
        self.caption_label = QLabel(caption)
        self.caption_label.setWordWrap(True)
        self.caption_label.setObjectName("caption")
        self.content = QVBoxLayout()
        self.content.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(3)
        layout.addLayout(header)
        layout.addLayout(self.content, 1)
        layout.addWidget(self.caption_label)
        self._colour_text()

    def _colour_text(self) -> None:
        """Caption in a muted text colour, counter in the model's colour, both from the palette."""
        palette = self.palette()
        self.caption_label.setStyleSheet(f"color: {style.muted_text_colour(palette).name()};")
        if self._counter_model is not None:
            self._counter_colour = style.model_colour(self._counter_model)
        counter = (style.readable_on(self._counter_colour, palette) if self._counter_colour
                   else palette.color(palette.ColorRole.WindowText))
        self.counter_label.setStyleSheet(f"color: {counter.name()};")

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in style.PALETTE_EVENTS:
            self._colour_text()

    def resizeEvent(self, event) -> None:
        """Wrapped labels ask for the lines they need at their new width: the splitters above
        do not ask a label's height for its width, so maps that keep a minimum height would
        otherwise be drawn over a caption's last line."""
        super().resizeEvent(event)
        for label in (self.title_label, self.counter_label, self.caption_label,
                      *self.findChildren(QLabel, WRAPPED_LABEL)):
            fit_wrapped_height(label)

    def show_lesson_link(self, text: str, tip: str) -> None:
        show_lesson_link(self.lesson_link, text, tip)

    def follow_colours(self) -> None:
        self._colour_text()

    def set_counter(self, text: str) -> None:
        self.counter_label.setText(text)

    def set_caption_shown(self, shown: bool) -> None:
        """Show the caption under the plots, or (on a short screen, where the plots need the
        height) only as the title's tooltip."""
        self.caption_label.setVisible(shown)
        self.title_label.setToolTip("" if shown else self.caption_label.text())


WRAPPED_LABEL = "wrapped"  # the object name of a panel's other wrapped labels, fitted likewise


def fit_wrapped_height(label: QLabel) -> None:
    """Room for every line a wrapped label needs at its width."""
    height = label.heightForWidth(label.width()) if label.width() > 0 else -1
    if height > 0 and height != label.minimumHeight():
        label.setMinimumHeight(height)


def lesson_link_label(requested) -> QLabel:
    """A hidden link label beside a panel's title; a click emits `requested` (a signal)."""
    label = QLabel()
    label.setObjectName("lesson-link")
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                  | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    label.linkActivated.connect(lambda _link: requested.emit())
    label.hide()  # shown where the window links it to a lesson (not in an animation's copy)
    return label


def show_lesson_link(label: QLabel, text: str, tip: str) -> None:
    label.setText(f'<a href="lesson"><b>{html.escape(text)}</b></a>')
    label.setAccessibleName(tip)
    label.setToolTip(tip)
    label.show()
