"""The private copy of the views an animation is drawn on looks as the window does: scrolled as
the user scrolled, and offered at the width it is drawn at."""

import numpy as np
from PySide6.QtWidgets import QDialog

import gui.export.controller
from gui.export.animation import image_to_rgb
from gui.export.images import render_png
from gui.export.snapshot import ExportSnapshot
from window_helpers import run_and_wait

FORTY_WORDS = " ".join(f"w{i}" for i in range(40))


def test_the_copy_is_scrolled_as_the_users_panels_are(qtbot, make_window):
    """At 1024 x 700 the panels of 40 words scroll; the window's animation shows what the user
    scrolled to, not the top."""
    window = make_window(size=(1024, 700), show=True)
    run_and_wait(qtbot, window, FORTY_WORDS)
    bar = window.views.panel_scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(bar.maximum())
    snapshot = ExportSnapshot(window, "window")
    try:
        copy = snapshot.views.panel_scroll.verticalScrollBar()
        assert copy.maximum() > 0 and copy.value() == copy.maximum()  # at the bottom, as the user
        shown = image_to_rgb(render_png(window.views, scale=1)).astype(int)
        drawn = image_to_rgb(render_png(snapshot.widget, scale=1)).astype(int)
        assert shown.shape == drawn.shape
        differing = (np.abs(shown - drawn).sum(axis=2) > 30).mean()
        assert differing < 0.1, f"{differing:.0%} of the pixels differ"
    finally:
        snapshot.close()


def test_the_window_animation_is_offered_at_the_width_it_is_drawn(qtbot, make_window, monkeypatch):
    """The window's animation draws its views (no parameter dock): the dialog's default width is
    theirs, so frames are not scaled up."""
    window = make_window(size=(1600, 1000), show=True)
    run_and_wait(qtbot, window)
    offered = {}

    class RecordingDialog(QDialog):
        def __init__(self, names, parent, widths):
            super().__init__(parent)
            offered.update(widths)
            self.target = type("Box", (), {"setCurrentIndex": lambda *a: None,
                                           "findData": lambda *a: 0})()

        def exec(self):
            return QDialog.DialogCode.Rejected

    monkeypatch.setattr(gui.export.controller, "AnimationOptionsDialog", RecordingDialog)
    window.exports.export_animation()
    assert offered["window"] == window.views.width() < window.width()
    assert offered["rnn-panel"] == window.rnn_panel.width()
