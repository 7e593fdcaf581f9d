"""The lab's headline-sweep tab: its caption, the accuracy-against-n plot and a line saying what
was swept; points are added as they arrive and a finished or stopped sweep keeps them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gui.labs.training.plots import SweepPlot

COMPLETED = "completed"  # engine/labs/training/sweep.py's COMPLETED
CAPTION = (
    "<b>The headline sweep.</b> Each point is one model trained from scratch for the chosen "
    "number of steps at one length n (the steps, width, task and seed on the left). On "
    "first-word the RNN's accuracy falls as the first word lies further back, while attention's "
    "stays high; on parity the order can turn round. Points appear as each one is done.")


class SweepView(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.plot = SweepPlot()
        self.points: list = []
        self.result = None
        self.settings_label = QLabel("")
        self.settings_label.setWordWrap(True)
        caption = QLabel(CAPTION)
        caption.setWordWrap(True)
        caption.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.addWidget(caption)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.settings_label)

    def reset(self, config, lengths) -> None:
        from engine.labs.training.tasks import chance_accuracy

        self.points, self.result = [], None
        self.plot.reset(config.models, lengths, chance_accuracy(config.task))
        self.settings_label.setText(f"Task {config.task}, {config.steps} steps per point, "
                                    f"width {config.model_width}, batch {config.batch_size}, "
                                    f"seed {config.seed}.")

    def add_point(self, point) -> None:
        self.points.append(point)
        self.plot.show_points(self.points)

    def finish(self, result) -> tuple[str, bool]:
        """Show the SweepResult; (status text, whether it is an error)."""
        self.result, self.points = result, list(result.points)
        self.plot.show_points(self.points)
        if result.stopped_reason == COMPLETED:
            return f"Sweep completed: {len(result.points)} points.", False
        return (f"Sweep stopped: {result.stopped_reason}; {len(result.points)} points kept.",
                True)
