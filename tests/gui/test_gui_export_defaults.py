"""Export defaults a user meets: a missing output folder is created (and removed again when the
export fails), and animations default to a panel at its on-screen width so numbers stay readable."""

import pytest
from PIL import Image

from engine.core.errors import RunCancelled
from engine.core.progress import CancelToken
from gui.export.animation import (DEFAULT_TARGET, DEFAULT_WIDTH, GIF_MEMORY_BYTES, readable_width,
                                  width_within_memory)
from gui.export.batch import check_options, export_folder
from gui.export.dialogs import AnimationOptionsDialog
from gui.export.images import ExportError
from window_helpers import shown_window


@pytest.fixture(scope="module")
def window(qapp, tmp_path_factory, trace3):
    """A shown main window, 1600 px wide, drawing the 3-word tiny trace."""
    yield from shown_window(qapp, tmp_path_factory.mktemp("export-defaults-settings") / "s.ini", trace3)


def test_export_creates_a_missing_output_folder(window, tmp_path):
    folder = tmp_path / "out" / "figures"
    written = export_folder(window, folder, ["svg"])
    assert folder.is_dir()
    assert (folder / "window.svg") in written
    assert sorted(path.name for path in folder.iterdir()) == sorted(path.name for path in written)


def test_a_failed_export_removes_the_folder_it_created(window, tmp_path):
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(RunCancelled):
        export_folder(window, tmp_path / "out" / "figures", ["svg"], cancel=cancel)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_cannot_be_created_is_refused_before_drawing(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ExportError, match="cannot create folder .*a-file.* is not a folder"):
        check_options(blocker / "out", None)
    assert check_options(tmp_path / "new" / "deeper", None) == tmp_path / "new" / "deeper"
    assert not (tmp_path / "new").exists()  # checking creates nothing


def test_headless_gif_draws_the_window_at_its_on_screen_width(window, tmp_path):
    """The animation shows the window's views (everything but the menus and the parameter dock)
    at their width on screen, not shrunk to 960 pixels: labels stay readable."""
    export_folder(window, tmp_path, ["svg"], gif=True)
    with Image.open(tmp_path / "animation.gif") as gif:
        assert gif.width == window.views.width() > 1200


def test_readable_width_is_the_on_screen_width():
    assert readable_width(700) == 700
    assert readable_width(5000) == 3840
    assert readable_width(0) == DEFAULT_WIDTH  # a widget that is not on screen


def test_animation_dialog_defaults_to_a_panel_at_its_on_screen_width(qtbot):
    widths = {"rnn-panel": 780, "attention-panel": 770, "window": 1600}
    dialog = AnimationOptionsDialog(list(widths), None, widths)
    qtbot.addWidget(dialog)
    assert DEFAULT_TARGET == "rnn-panel" and dialog.choice()["target"] == "rnn-panel"
    assert dialog.choice()["width"] == 780
    dialog.target.setCurrentIndex(dialog.target.findData("window"))
    assert dialog.choice()["width"] == 1600


def test_a_long_sentence_narrows_the_gif_to_stay_within_memory():
    assert width_within_memory(1600, 1000, 21) == 1600  # a ten-word sentence: full width
    narrowed = width_within_memory(1600, 1000, 2049)  # a thousand words
    height = narrowed * 1000 / 1600
    assert narrowed < 1600 and narrowed * height * 2049 <= GIF_MEMORY_BYTES
    assert narrowed >= 960  # still no smaller than the old fixed default
