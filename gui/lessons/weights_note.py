"""The Lessons dock's line on which weights the view runs on: random (from the seed), a weight
file, or the training lab's trained models; and, when a step asked for trained weights that do not
exist yet, why not, with a button to the training lab."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

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
        self.lab_button.setToolTip("Train an RNN beside a Transformer, then come back to this step")
        self.lab_button.clicked.connect(window.show_training_lab)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.label, self.problem, self.lab_button):
            layout.addWidget(widget)
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
        problem = self.runner.weights_problem if asked == "trained" else ""
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.lab_button.setVisible(bool(problem))

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
