"""The training lab's window: train RNNs and a Transformer side by side, live (View → Training lab)."""

from gui.labs.training.window import TrainingLabWindow

__all__ = ["TrainingLabWindow"]
