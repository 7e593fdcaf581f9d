"""The welcome card: on the app's first launch, a small card over the panels offers the tour (the
first lesson, in the Lessons dock) or Skip. It is a plain child widget, never a modal dialog, so
nothing waits on it; it is shown once (remembered in the settings), and only where the desktop
app asks for it (gui/app.py), so headless modes and tests never see it unless they ask."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from gui import style

SHOWN_SETTING = "welcome/shown"  # "true" once the card has been shown
CARD_WIDTH = 340
MARGIN = 16  # from the panels' top-right corner
TEXT = ("<b>Welcome.</b> This app runs an RNN one word at a time and self-attention all at "
        "once on the same sentence, to show why Transformers replaced RNNs. A short tour walks "
        "through the story on screen, one step at a time (Help → Lessons, Shift+F1, opens it "
        "again later).")


class WelcomeCard(QFrame):
    """"Take the tour" starts the first lesson on `window`'s Lessons dock; "Skip" closes."""

    def __init__(self, window):
        super().__init__(window.views)
        self.setObjectName("welcome")
        self.window = window
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)  # opaque over the plots it covers
        self.setFixedWidth(CARD_WIDTH)
        text = QLabel(TEXT)
        text.setWordWrap(True)
        self.tour_button = QPushButton("Take the tour")
        self.tour_button.setDefault(True)
        self.skip_button = QPushButton("Skip")
        self.tour_button.clicked.connect(self.take_tour)
        self.skip_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.skip_button)
        buttons.addWidget(self.tour_button)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(buttons)
        style.colour_text(text, None)
        self._follower = _CornerFollower(self, window.views)
        self.hide()

    def take_tour(self) -> None:
        """Open the first lesson in the Lessons dock, and close the card."""
        dock = self.window.lesson_dock
        if dock.lessons:
            dock.start(dock.lessons[0].id)
        else:
            dock.resume()  # the dock says why no lesson loaded
        self.close()

    def place(self) -> None:
        """At the top-right corner of the panels, below the sentence and the word strip."""
        views = self.window.views
        self.adjustSize()
        top = views.panel_scroll.geometry().top() + MARGIN
        self.move(max(0, views.width() - self.width() - MARGIN), top)
        self.raise_()


class _CornerFollower(QObject):
    """Keeps the card in its corner as the window resizes."""

    def __init__(self, card: WelcomeCard, host: QWidget):
        super().__init__(card)
        self._card = card
        host.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Resize and self._card.isVisible():
            self._card.place()
        return False


def offer_welcome(window) -> WelcomeCard | None:
    """Show the welcome card on `window` unless it was shown before; remember that it was."""
    settings = window.settings
    if settings.value(SHOWN_SETTING) is not None:
        return None
    settings.setValue(SHOWN_SETTING, "true")
    card = WelcomeCard(window)
    card.show()
    card.place()
    return card
