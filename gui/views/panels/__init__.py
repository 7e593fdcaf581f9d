"""The linked plot panels (RNN, attention, gradients, race strip) and their shared plot widgets."""
