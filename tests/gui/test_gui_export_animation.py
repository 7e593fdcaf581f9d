"""Animation export: one GIF frame per tick, blocking and through the event loop, validation before
anything is written, cancel, and the user's own timeline never moved: frames are drawn on a private
copy of the views (ExportSnapshot)."""

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QSettings

from gui.export.animation import AnimationExport, image_to_rgb
from gui.export.encoders import animation_formats
from gui.export.images import ExportError, export_widget, render_png
from gui.export.snapshot import ExportSnapshot

TINY = dict(d_model=4, hidden_size=4, head_size=2)  # as in conftest.py: runs in milliseconds
WIDTH = 320  # small frames keep the tests fast
START_TICK = 4


@pytest.fixture(scope="module")
def window(qapp, tmp_path_factory, trace5):
    """One shown main window for the module on throwaway settings, with the 5-word trace."""
    from gui.main_window import MainWindow

    path = tmp_path_factory.mktemp("animation-settings") / "s.ini"
    window = MainWindow(overrides=dict(TINY), settings=QSettings(str(path), QSettings.Format.IniFormat))
    window.show()
    window.timeline.set_trace(trace5, START_TICK)
    qapp.processEvents()
    yield window
    window.close()
    window.deleteLater()
    qapp.processEvents()


@pytest.fixture(autouse=True)
def at_start_tick(window):
    window.timeline.set_tick(START_TICK)
    yield
    window.timeline.set_tick(START_TICK)


def gif_frames(path) -> tuple[list[np.ndarray], list[int]]:
    """(RGB frames, durations in ms) of a GIF."""
    frames, durations = [], []
    with Image.open(path) as image:
        assert image.format == "GIF"
        for index in range(image.n_frames):
            image.seek(index)
            durations.append(image.info["duration"])
            frames.append(np.asarray(image.convert("RGB")).astype(int))
    return frames, durations


def leftovers(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_blocking_gif_of_the_window_has_one_frame_per_tick(window, trace5, tmp_path):
    calls = []
    job = AnimationExport(ExportSnapshot(window, "window"), tmp_path / "window.gif", fps=5, width=WIDTH)
    assert job.frame_count == 2 * trace5.length + 1 == 11
    path = job.run_blocking(progress=lambda done, total: calls.append((done, total)))
    assert path == tmp_path / "window.gif"
    frames, durations = gif_frames(path)
    assert len(frames) == 2 * trace5.length + 1
    assert durations == [200] * 11  # 1000 ms / 5 fps
    views = window.views  # the window's views, as the user sees them, without menus and dock
    assert frames[0].shape == (round(views.height() * WIDTH / views.width()), WIDTH, 3)
    for before, after in zip(frames, frames[1:]):
        assert np.abs(before - after).sum() > 0  # every tick shows something new (the tick readout)
    assert calls == [(i, 11) for i in range(1, 12)]
    assert window.timeline.tick == START_TICK
    assert leftovers(tmp_path) == ["window.gif"]


def test_gif_of_a_plot_keeps_every_tick_on_screen_for_its_time(window, trace5, tmp_path):
    """Pillow merges identical consecutive frames (attention is complete from tick 1), adding
    their durations: the animation still lasts (2T+1) frame times and starts at tick 0."""
    path = AnimationExport(ExportSnapshot(window, "attention-weights"), tmp_path / "weights.gif", fps=4, width=WIDTH).run_blocking()
    frames, durations = gif_frames(path)
    assert sum(durations) == (2 * trace5.length + 1) * 250
    assert durations[0] == 250  # tick 0 alone: nothing computed yet
    assert len(frames) >= 2
    assert np.abs(frames[0] - frames[-1]).sum() > 0


def test_gif_frames_of_a_plot_look_like_its_png_export(window, tmp_path):
    """A plot animated on its own should be drawn as it is exported on its own (export_widget
    shows the row labels the panel normally leaves to a neighbour)."""
    plot = window.attention_panel.views["weights"]
    window.timeline.go_end()
    png = np.asarray(Image.open(export_widget(plot, tmp_path / "weights.png", width=WIDTH))
                     .convert("RGB")).astype(int)
    frames, _ = gif_frames(AnimationExport(ExportSnapshot(window, "attention-weights"), tmp_path / "weights.gif",
                                           width=WIDTH).run_blocking())
    assert frames[-1].shape == png.shape
    assert np.abs(frames[-1] - png).mean() < 3, "the GIF is drawn without the standalone labels"


def test_asynchronous_gif_has_one_frame_per_tick_and_restores_the_tick(qtbot, window, tmp_path):
    job = AnimationExport(ExportSnapshot(window, "window"), tmp_path / "async.gif", fps=10, width=WIDTH)
    progress = []
    job.progress.connect(lambda done, total: progress.append((done, total)))
    with qtbot.assertNotEmitted(job.failed), qtbot.waitSignal(job.finished, timeout=20_000) as done:
        job.start()
        assert window.timeline.tick == START_TICK  # nothing happens before the event loop turns
    assert done.args == [str(tmp_path / "async.gif")]
    frames, durations = gif_frames(tmp_path / "async.gif")
    assert len(frames) == 11 and durations == [100] * 11
    assert window.timeline.tick == START_TICK
    assert progress and progress == sorted(progress)
    assert all(total == 11 for _, total in progress)
    assert leftovers(tmp_path) == ["async.gif"]


def test_asynchronous_progress_reaches_the_frame_count(qtbot, window, tmp_path):
    """The controller switches its dialog to "Writing the file…" when done == total."""
    job = AnimationExport(ExportSnapshot(window, "window"), tmp_path / "progress.gif", width=WIDTH)
    progress = []
    job.progress.connect(lambda done, total: progress.append((done, total)))
    with qtbot.waitSignal(job.finished, timeout=20_000):
        job.start()
    assert progress[-1] == (11, 11), f"the last progress report was {progress[-1]}"


def test_the_user_may_play_and_run_again_while_an_animation_is_written(qtbot, window, trace5,
                                                                       tmp_path):
    """The export keeps the run it started with: the user's timeline moves and a new run arrives
    meanwhile, and the file still has one frame per tick of the first run, drawn as it was."""
    from engine import simulate
    from engine.core.config import SimConfig

    other = simulate("a much longer sentence than the first one was", SimConfig(**TINY))
    reference = AnimationExport(ExportSnapshot(window, "race-strip"), tmp_path / "still.gif",
                                width=WIDTH).run_blocking()
    job = AnimationExport(ExportSnapshot(window, "race-strip"), tmp_path / "moving.gif", width=WIDTH)
    user_ticks = []

    def on_progress(done, total):
        if done == 2:
            window.state.show(other, 0)  # a new run replaces the picture on screen
        window.timeline.step_forward()
        user_ticks.append(window.timeline.tick)

    job.progress.connect(on_progress)
    with qtbot.waitSignal(job.finished, timeout=20_000), qtbot.assertNotEmitted(job.failed):
        job.start()
    assert window.timeline.trace is other and len(set(user_ticks)) > 1
    still, _ = gif_frames(reference)
    moving, _ = gif_frames(tmp_path / "moving.gif")
    assert len(moving) == len(still) == 2 * trace5.length + 1
    assert all(np.array_equal(a, b) for a, b in zip(still, moving))
    window.state.show(trace5, START_TICK)


def test_cancel_mid_way_writes_nothing_and_restores_the_tick(qtbot, window, tmp_path):
    job = AnimationExport(ExportSnapshot(window, "window"), tmp_path / "cancelled.gif", width=WIDTH)
    seen = []

    def on_progress(done, total):
        seen.append(window.timeline.tick)  # the export draws on its own copy of the views
        if done >= 4:
            job.cancel()

    job.progress.connect(on_progress)
    with qtbot.waitSignal(job.cancelled, timeout=20_000), qtbot.assertNotEmitted(job.failed):
        job.start()
    assert seen and set(seen) == {START_TICK}
    assert window.timeline.tick == START_TICK
    with qtbot.assertNotEmitted(job.finished, wait=200):
        pass
    assert leftovers(tmp_path) == []  # no GIF, no .part file
    job.cancel()  # a second cancel is harmless and emits nothing more
    assert window.timeline.tick == START_TICK


@pytest.mark.parametrize("fps", [0, 0.5, 51, 100, -1])
def test_fps_out_of_range_raises_before_writing(window, tmp_path, fps):
    with pytest.raises(ExportError, match="frames per second must be between 1 and 50"):
        AnimationExport(ExportSnapshot(window, "window"), tmp_path / "a.gif", fps=fps)
    assert leftovers(tmp_path) == []
    assert window.timeline.tick == START_TICK


def test_mp4_without_imageio_and_unknown_formats_raise(window, tmp_path):
    assert animation_formats()[0] == "gif"
    if "mp4" not in animation_formats():
        with pytest.raises(ExportError, match="install imageio and imageio-ffmpeg"):
            AnimationExport(ExportSnapshot(window, "window"), tmp_path / "a.mp4")
    with pytest.raises(ExportError, match="cannot write AVI animations"):
        AnimationExport(ExportSnapshot(window, "window"), tmp_path / "a.avi")
    assert leftovers(tmp_path) == []


def test_missing_folder_raises_before_rendering(window, tmp_path):
    with pytest.raises(ExportError, match="does not exist"):
        AnimationExport(ExportSnapshot(window, "window"), tmp_path / "missing" / "a.gif")
    assert leftovers(tmp_path) == []
    assert window.timeline.tick == START_TICK


def test_image_to_rgb_matches_the_rendered_pixels(window):
    image = render_png(window.race_panel, width=200)
    rgb = image_to_rgb(image)
    assert rgb.shape == (image.height(), image.width(), 3) and rgb.dtype == np.uint8
    for x, y in ((0, 0), (57, image.height() // 2), (199, image.height() - 1)):
        colour = image.pixelColor(x, y)
        assert tuple(rgb[y, x]) == (colour.red(), colour.green(), colour.blue())


@pytest.mark.skipif("mp4" not in animation_formats(),
                    reason="MP4 needs the video extra: pip install '.[video]'")
def test_mp4_of_the_window_has_one_frame_per_tick(window, trace5, tmp_path):
    import imageio.v2 as imageio

    path = AnimationExport(ExportSnapshot(window, "window"), tmp_path / "window.mp4", fps=5,
                           width=WIDTH).run_blocking()
    reader = imageio.get_reader(str(path))
    try:
        assert reader.count_frames() == 2 * trace5.length + 1
    finally:
        reader.close()
    assert leftovers(tmp_path) == ["window.mp4"]  # no temporary file left beside it
