"""The DEER lab's window: the tanh RNN's trajectory found at once by Newton iterations, shown
converging to the loop's (View → DEER lab). Open it with DeerLabWindow(parent, settings).show()."""

from gui.labs.deer.window import DeerLabWindow

__all__ = ["DeerLabWindow"]
