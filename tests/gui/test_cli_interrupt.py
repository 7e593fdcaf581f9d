"""Ctrl-C (SIGINT) during the headless commands: they stop, leave no file, say so in one line on
stderr and exit with status 130, the shell's convention for a command ended by Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMALL = ["--d-model", "8", "--hidden-size", "8", "--head-size", "4"]
# 60 words: the images take about a second here and the 121-frame GIF several more.
LONG_SENTENCE = " ".join(f"word{i}" for i in range(60))
HANG_GUARD_S = 120  # only a hung process comes near this
NOTHING_WRITTEN = "rnn-vs-transformer: interrupted; nothing was written"

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGINT from another process is POSIX")


def start(args: list[str]) -> subprocess.Popen:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.Popen([sys.executable, "main.py", *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for(condition, process: subprocess.Popen, what: str) -> None:
    """Poll until condition() holds; fail (not hang) if the process ends or the guard runs out."""
    deadline = time.monotonic() + HANG_GUARD_S
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the process ended (status {process.returncode}) before {what}: "
                        f"{process.communicate()}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"no sign of {what} within {HANG_GUARD_S} s")
        time.sleep(0.02)


def interrupt(process: subprocess.Popen) -> tuple[int, str, str]:
    process.send_signal(signal.SIGINT)
    try:
        stdout, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"still running a minute after Ctrl-C: {process.communicate()}")
    return process.returncode, stdout, stderr


def staged(folder: Path) -> list[Path]:
    """Files the export has drawn so far, in its hidden staging folder."""
    return list(folder.glob(".rnn-vs-transformer-export-*/*"))


@pytest.mark.parametrize("phase", ["images", "animation"])
def test_ctrl_c_during_export_leaves_nothing(tmp_path, phase):
    process = start(["--export", str(tmp_path), "--format", "png", "--gif", "--data",
                     "--sentence", LONG_SENTENCE, *SMALL])
    if phase == "images":
        wait_for(lambda: staged(tmp_path), process, "the first image")
    else:  # the window is the last image, then the animation's frames are drawn
        wait_for(lambda: any(path.name == "window.png" for path in staged(tmp_path)), process,
                 "the animation")
    code, stdout, stderr = interrupt(process)
    assert code == 130, stderr
    assert stdout == ""  # no path printed: none was written
    assert stderr == NOTHING_WRITTEN + "\n"
    assert os.listdir(tmp_path) == []  # no image, no temporary, no staging folder


class StderrWatcher:
    """Collects a process's stderr on a thread (the benchmark's progress has no newlines)."""

    def __init__(self, process: subprocess.Popen):
        self.text = ""
        self._thread = threading.Thread(target=self._read, args=(process.stderr,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        while chunk := stream.read(1):
            self.text += chunk

    def join(self) -> str:
        self._thread.join(HANG_GUARD_S)
        return self.text


def test_ctrl_c_during_benchmark_stops_with_status_130(tmp_path):
    process = start(["--benchmark", "--d-model", "32", "--hidden-size", "32", "--head-size", "8",
                     "--min-n", "16", "--max-n", "16384", "--repeats", "50"])
    watcher = StderrWatcher(process)
    wait_for(lambda: "%" in watcher.text, process, "the sweep's first progress report")
    process.send_signal(signal.SIGINT)
    try:
        stdout = process.stdout.read()
        code = process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("still running a minute after Ctrl-C")
    stderr = watcher.join()
    assert code == 130, stderr
    assert "Traceback" not in stderr
    last_line = stderr.splitlines()[-1]
    if stdout:  # the lengths measured before Ctrl-C are still shown, and counted
        assert "Measured time per run" in stdout and "Stopped: cancelled." in stdout
        assert re.fullmatch(r"rnn-vs-transformer: interrupted; the table holds the [1-9]\d* "
                            r"lengths measured before Ctrl-C", last_line)
    else:
        assert last_line == "rnn-vs-transformer: interrupted; nothing was measured"
    assert list(tmp_path.iterdir()) == []
