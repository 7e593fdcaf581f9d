"""The Lessons dock's line on which weights the view runs on: random (from the seed), a weight
file, or the training lab's trained models; and, while a step that asked for trained weights runs
on random ones, why, with buttons to the training lab and to look again once it has trained."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from gui import style
from gui.lessons.runner import same_weights


class WeightsNote(QWidget):
    """Says which weights the run on screen used, for the steps about what weights mean."""

    def __init__(self, window, runner, parent: QWidget | None = None):
        super().__init__(parent)
        self.window, self.runner = window, runner
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        style.colour_text(self.problem, "error")
        self.lab_button = QPushButton("Open the training lab")
        self.lab_button.setToolTip("Train an RNN beside a Transformer, then use them here")
        self.lab_button.clicked.connect(window.show_training_lab)
        self.again_button = QPushButton("Use the trained models")
        self.again_button.setToolTip("Look again for the training lab's trained models and run "
                                     "this step on them")
        self.again_button.clicked.connect(runner.look_again)
        buttons = QHBoxLayout()
        buttons.addWidget(self.lab_button)
        buttons.addWidget(self.again_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        """Shown only for steps that choose weights; their text depends on what is on screen."""
        step = self.runner.step
        asked = step.value("weights") if step is not None else None
        self.setVisible(asked is not None)
        if asked is None:
            return
        if self.runner.loading_trained:
            self.label.setText("Weights: reading the training lab's trained models…")
        else:
            self.label.setText(f"Weights: {self.shown_description()}.")
        shown = self.window.weight_actions.shown
        trained_on_screen = shown is not None and shown.transformer_input is not None
        problem = self.runner.weights_problem \
            if asked == "trained" and not trained_on_screen and not self.runner.waiting else ""
        self.problem.setText(problem)
        for widget in (self.problem, self.lab_button, self.again_button):
            widget.setVisible(bool(problem))

    def shown_description(self) -> str:
        """The weights of the run on screen, for people."""
        shown = self.window.weight_actions.shown
        trace = self.window.timeline.trace
        trained = self.runner.trained
        if shown is None:
            seed = trace.config.seed if trace is not None else "the seed"
            return f"random, drawn from seed {seed}"
        if trained is not None and same_weights(shown, trained.weights):
            return trained.description
        return shown.source
