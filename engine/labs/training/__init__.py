"""The training lab: train RNNs and a Transformer on the same small word tasks, side by side."""
