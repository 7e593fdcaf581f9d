"""The app's state in plain Python: what is shown (a trace and a tick) and which word is selected.
Scripts, headless modes and lessons drive it without widgets; gui/timeline.py and gui/selection.py
adapt it to Qt signals for the views."""
