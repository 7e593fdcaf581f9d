"""The Cost lab window: time and count the RNN, attention and minGRU (step loop and scan) over
growing n on this machine, beside Table 1 of Vaswani et al. (2017). Open it with
CostLabWindow(parent, settings).show()."""

from gui.labs.cost.window import CostLabWindow

__all__ = ["CostLabWindow"]
