"""Packaged data: presets and sample sentences (read with importlib.resources)."""
