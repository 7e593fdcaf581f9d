"""Starts `python main.py` as a user would, in a real X window on a virtual screen (Xvfb), and checks
from a screenshot that the window appeared and shows content, not a blank screen."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("Xvfb", "xwd", "xwdtopnm", "pnmtopng")
WIDTH, HEIGHT = 1280, 800

pytestmark = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in TOOLS),
    reason="needs Xvfb, xwd and netpbm (scripts/system-deps.sh installs them)",
)


def _free_display() -> str:
    for number in range(140, 240):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return f":{number}"
    pytest.skip("no free X display number")


def _screenshot(display: str, path: Path) -> None:
    env = dict(os.environ, DISPLAY=display)
    xwd = subprocess.run(["xwd", "-root", "-silent"], env=env, capture_output=True, check=True).stdout
    pnm = subprocess.run(["xwdtopnm"], input=xwd, capture_output=True, check=True).stdout
    path.write_bytes(subprocess.run(["pnmtopng"], input=pnm, capture_output=True, check=True).stdout)


def _load_rgb(path: Path) -> np.ndarray:
    from PySide6.QtGui import QImage

    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB888)
    assert not image.isNull(), "the screenshot could not be read"
    data = np.frombuffer(image.constBits(), dtype=np.uint8)
    return data.reshape(image.height(), image.bytesPerLine())[:, : image.width() * 3].reshape(
        image.height(), image.width(), 3)


@pytest.fixture
def xvfb_display():
    display = _free_display()
    server = subprocess.Popen(["Xvfb", display, "-screen", "0", f"{WIDTH}x{HEIGHT}x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    socket = Path(f"/tmp/.X11-unix/X{display[1:]}")
    deadline = time.monotonic() + 10
    while not socket.exists() and time.monotonic() < deadline and server.poll() is None:
        time.sleep(0.05)
    if not socket.exists():
        server.kill()
        pytest.skip("Xvfb did not start")
    yield display
    server.terminate()
    server.wait(timeout=10)


def test_main_py_opens_a_window_that_is_not_blank(xvfb_display, tmp_path):
    env = dict(os.environ, DISPLAY=xvfb_display, QT_QPA_PLATFORM="xcb",
               XDG_CONFIG_HOME=str(tmp_path / "config"))  # fresh settings, not the user's
    app = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--d-model", "8",
                            "--hidden-size", "8", "--head-size", "4"],
                           cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    shot = tmp_path / "screen.png"
    try:
        # Poll screenshots until the window has drawn its panels (or the app died, or 60 s passed).
        deadline = time.monotonic() + 60
        colourful = 0.0
        while time.monotonic() < deadline and app.poll() is None:
            time.sleep(1.0)
            _screenshot(xvfb_display, shot)
            pixels = _load_rgb(shot)
            spread = pixels.max(axis=2).astype(int) - pixels.min(axis=2)
            colourful = float((spread > 60).mean())  # share of strongly coloured pixels
            if colourful > 0.02:
                break
        assert app.poll() is None, "main.py exited: " + app.stdout.read().decode(errors="replace")[-2000:]
    finally:
        app.terminate()
        try:
            app.wait(timeout=10)
        except subprocess.TimeoutExpired:
            app.kill()
    pixels = _load_rgb(shot)
    assert pixels.shape == (HEIGHT, WIDTH, 3)
    # A blank screen is one colour; the app fills it with light widgets and coloured heatmaps.
    assert pixels.std() > 20, "the screen looks blank"
    assert len(np.unique(pixels.reshape(-1, 3)[::97], axis=0)) > 50, "too few colours for the panels"
    assert colourful > 0.02, f"only {colourful:.3%} of the screen is coloured: no heatmaps drawn"
