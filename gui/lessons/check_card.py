"""The check card in the Lessons dock: a step's prediction question, its choices (one button per
word or model, or a spin box for a count), and, once the learner commits a guess, the answer
computed from the trace on screen and whether the guess was right."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QSpinBox,
                               QVBoxLayout, QWidget)

from gui import style
from gui.lessons.checks import (MAX_NUMBER, NUMBER_CHOICES, Check, answer, choices_for,
                                problem_with, verdict)

CHOICE_COLUMNS = 3  # word buttons per row: a 17-word sentence fits the dock's width
WAITING = "The answer comes from this step's run, which is on its way…"


class CheckCard(QFrame):
    """Shows one Check against the trace `source()` returns as (trace, attention head)."""

    revealed = Signal(bool)  # a guess was committed: True if it was right

    def __init__(self, source, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._source = source
        self.check: Check | None = None
        self.guess = None
        self._buttons: list[QPushButton] = []
        self.question = QLabel()
        self.question.setWordWrap(True)
        self.choice_grid = QGridLayout()
        self.number_box = QSpinBox()
        self.number_box.setRange(0, MAX_NUMBER)
        self.number_box.setToolTip("Your guess")
        self.commit_button = QPushButton("Check my guess")
        self.commit_button.clicked.connect(lambda: self.commit(self.number_box.value()))
        number_row = QHBoxLayout()
        number_row.addWidget(self.number_box, 1)
        number_row.addWidget(self.commit_button)
        self.number_row = QWidget()
        self.number_row.setLayout(number_row)
        number_row.setContentsMargins(0, 0, 0, 0)
        self.result = QLabel()
        self.result.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.question)
        layout.addLayout(self.choice_grid)
        layout.addWidget(self.number_row)
        layout.addWidget(self.result)
        self.hide()

    @property
    def answered(self) -> bool:
        return self.guess is not None

    def present(self, check: Check | None, waiting: bool = False) -> None:
        """Ask `check` afresh (any earlier guess forgotten); None hides the card. While the step's
        run is `waiting`, the choices wait for it."""
        self.check, self.guess = check, None
        self._clear_choices()
        self.result.setText("")
        self.setVisible(check is not None)
        if check is None:
            return
        self.question.setText(f"<b>Predict:</b> {check.question}")
        trace, _head = self._source()
        problem = WAITING if waiting else problem_with(check, trace)
        if problem:
            self.number_row.hide()
            style.colour_text(self.result, "muted" if waiting else "error")
            self.result.setText(problem)
            return
        self._show_choices(check, trace)

    def _show_choices(self, check: Check, trace) -> None:
        self.number_row.setVisible(check.choices == NUMBER_CHOICES)
        self.number_box.setEnabled(True)
        self.commit_button.setEnabled(True)
        for number, (value, label) in enumerate(choices_for(check, trace)):
            button = QPushButton(label)
            button.setProperty("choice", value)
            button.clicked.connect(lambda _checked=False, value=value: self.commit(value))
            self.choice_grid.addWidget(button, number // CHOICE_COLUMNS, number % CHOICE_COLUMNS)
            self._buttons.append(button)

    def _clear_choices(self) -> None:
        for button in self._buttons:
            self.choice_grid.removeWidget(button)
            button.deleteLater()
        self._buttons = []

    def commit(self, guess) -> bool:
        """Take `guess` and reveal the answer from the trace on screen; False when there is no
        open question (none shown, already answered, or its run not arrived)."""
        if self.check is None or self.answered:
            return False
        trace, head = self._source()
        problem = problem_with(self.check, trace)
        if problem:
            style.colour_text(self.result, "error")
            self.result.setText(problem)
            return False
        found = answer(self.check, trace, head)
        self.guess = guess
        for button in self._buttons:  # the right choice ticked; the guess stays pressed
            value = button.property("choice")
            if value == found.value:
                button.setText(f"✓ {button.text()}")
            button.setCheckable(True)
            button.setChecked(value == guess)
            button.setEnabled(False)
        self.number_box.setEnabled(False)
        self.commit_button.setEnabled(False)
        style.colour_text(self.result, None)
        self.result.setText(verdict(self.check, guess, found, trace))
        self.revealed.emit(guess == found.value)
        return True

    @property
    def choice_buttons(self) -> list[QPushButton]:
        return list(self._buttons)
