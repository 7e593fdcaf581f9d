"""Covers what would give away an open prediction's answer (the race strip's counts, the model
panels' step counters, the transport's "tick 0 of 10", the window's status line) until the learner
answers, the step changes, the lesson ends or the Lessons dock goes out of sight. The covers are plain widgets laid over those
labels: no panel knows about them, and removing them shows the labels as they are now."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel, QWidget

HIDDEN_TEXT = "?"  # over a count
HIDDEN_LINE = "The counts are hidden until you answer the lesson's question."  # the status line
HIDDEN_TIP = "Hidden until you answer the lesson's question"
# The quantities whose answer a count on screen states outright.
COUNTED_QUANTITIES = frozenset({"rnn-sequential-steps", "attention-sequential-steps",
                                "scan-sequential-levels"})
# The race strip's columns that state the sentence's length or a count of steps.
COUNTING_COLUMNS = ("sequential ops", "longest path", "words reached going back")


class LabelCover(QLabel):
    """An opaque "?" laid over one label, following its size."""

    def __init__(self, target: QWidget, text: str = HIDDEN_TEXT):
        super().__init__(text, target)
        self.target = target
        alignment = target.alignment() if isinstance(target, QLabel) else Qt.AlignmentFlag.AlignLeft
        self.setAlignment(alignment | Qt.AlignmentFlag.AlignVCenter)
        self.setAutoFillBackground(True)  # opaque: the count under it cannot show through
        self.setToolTip(HIDDEN_TIP)
        self.setGeometry(target.rect())
        target.installEventFilter(self)
        self.show()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.target and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.target.rect())
        return False

    def remove(self) -> None:
        if shiboken6.isValid(self.target):
            self.target.removeEventFilter(self)
        self.hide()
        self.deleteLater()


class AnswerMask:
    """Covers `window`'s counts while `cover()` is in force; `uncover()` shows them again."""

    def __init__(self, window):
        self._window = window
        self._covers: list[LabelCover] = []

    @property
    def covered(self) -> list[QWidget]:
        """The labels covered now."""
        return [cover.target for cover in self._covers if shiboken6.isValid(cover)]

    def giveaways(self) -> list[QWidget]:
        """The labels that state the run's length or a count of its steps or levels."""
        window = self._window
        panels = (window.rnn_panel, window.attention_panel, window.views.scan_panel)
        return [*window.race_panel.count_labels(COUNTING_COLUMNS),
                *(panel.counter_label for panel in panels), window.transport.tick_label,
                window.status_label]

    def cover(self) -> None:
        """Cover every giveaway label there is now (anew: labels rebuilt since are covered too)."""
        self.uncover()
        status = self._window.status_label
        self._covers = [LabelCover(label, HIDDEN_LINE if label is status else HIDDEN_TEXT)
                        for label in self.giveaways()]

    def uncover(self) -> None:
        for cover in self._covers:
            if shiboken6.isValid(cover):  # a race strip row rebuilt for a new run took it along
                cover.remove()
        self._covers = []
