"""Soak: memory over long playback and many re-runs, and how long the GUI thread is ever blocked.

    .venv/bin/python benchmarks/soak.py [--ticks 10000] [--reruns 200] [--n 1024] [--d-model 512]

Builds the real main window (offscreen unless DISPLAY is set) and measures:
- resident memory (RSS) after 0, 1,000 and 10,000 ticks of playback, every panel repainting;
- RSS growth over 200 re-runs of the engine through the window (run, wait, show);
- the longest and 99th-percentile gap of a 10 ms GUI-thread timer while an n x D trace computes
  in the background, and while the finished trace is put on screen;
- how long the app takes to exit after its window is closed in the middle of work (a run, the
  first run while torch is still importing, a cost-lab sweep, an animation export).
Prints a table with the aims beside the numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
if not os.environ.get("DISPLAY"):
    os.environ["QT_QPA_PLATFORM"] = "offscreen"

from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, QTimer  # noqa: E402

from engine import SimConfig  # noqa: E402
from gui.app import create_window  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
QUIT_SCENARIOS = ("first-run", "run", "sweep", "export")  # see tests/gui/quit_midwork_child.py
SMALL = dict(d_model=64, hidden_size=64, head_size=16)
SENTENCE = "The quick brown fox jumps over the lazy dog while the cat sat on the mat"


def rss_mb() -> float:
    """Resident set size of this process now, from /proc (Linux)."""
    with open("/proc/self/statm") as file:
        pages = int(file.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def pump_until(condition, timeout_s: float) -> None:
    """Run the event loop (without QTest.qWait, which can starve workers) until condition()."""
    deadline = time.monotonic() + timeout_s
    loop = QEventLoop()
    poll = QTimer()
    poll.timeout.connect(lambda: (condition() or time.monotonic() > deadline) and loop.quit())
    poll.start(2)
    loop.exec()
    poll.stop()
    if not condition():
        raise TimeoutError("the window did not finish in time")


def run_and_show(window, sentence: str, config: SimConfig, timeout_s: float = 600):
    done = []
    window.runner.finished.connect(done.append)
    window.run(sentence, config)
    pump_until(lambda: bool(done), timeout_s)
    window.runner.finished.disconnect(done.append)
    return done[0]


class GapRecorder:
    """A 10 ms timer on the GUI thread; records the time between its ticks."""

    def __init__(self):
        self.gaps: list[tuple[float, float]] = []  # (when the gap ended, its length), seconds
        self._clock = QElapsedTimer()
        self._timer = QTimer()
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._on_timer_timeout)

    def start(self) -> None:
        self.gaps.clear()
        self._clock.start()
        self._timer.start()

    def stop(self) -> list[tuple[float, float]]:
        self._timer.stop()
        self._on_timer_timeout()  # the gap up to now counts too
        return list(self.gaps)

    def _on_timer_timeout(self) -> None:
        self.gaps.append((time.perf_counter(), self._clock.restart() / 1000.0))


def playback_rss(window, app, ticks: int) -> list[tuple[int, float]]:
    trace = run_and_show(window, SENTENCE, SimConfig(**SMALL))
    window.transport.pause()
    marks = {0, 1000, ticks}
    rows = []
    last = window.timeline.last_tick
    for tick in range(ticks + 1):
        if tick in marks:
            gc.collect()
            rows.append((tick, rss_mb()))
        window.timeline.set_tick(tick % (last + 1))
        window.repaint()
        app.processEvents()
    assert trace.length > 0
    return rows


def rerun_rss(window, reruns: int) -> tuple[float, float]:
    config = SimConfig(**SMALL)
    run_and_show(window, SENTENCE, config)
    gc.collect()
    before = rss_mb()
    for index in range(reruns):
        words = SENTENCE.split()
        sentence = " ".join(words[index % len(words):] + words[: index % len(words)])
        run_and_show(window, sentence, config.replace(seed=index))
    gc.collect()
    return before, rss_mb()


def gaps_while_computing(window, n: int, d_model: int) -> tuple[list[float], list[float]]:
    """(sorted gaps while the trace computes, sorted gaps while it is put on screen). The window's
    own handler of the result runs before ours, so the gap that ends after `shown` holds it."""
    sentence = " ".join(f"w{i % 211}" for i in range(n))
    recorder = GapRecorder()
    shown = []
    window.runner.finished.connect(lambda trace: shown.append(time.perf_counter()))
    recorder.start()
    window.run(sentence, SimConfig(d_model=d_model, hidden_size=d_model))
    pump_until(lambda: bool(shown), 900)
    pump_until(lambda: time.perf_counter() - shown[0] > 2.0, 10)  # every view draws the trace
    gaps = recorder.stop()
    computing = sorted(gap for end, gap in gaps if end < shown[0])
    showing = sorted(gap for end, gap in gaps if end >= shown[0])
    return computing, showing


def seconds_to_exit(scenario: str) -> tuple[float, int]:
    """(seconds from closing the window to the process's exit, exit status) for one scenario."""
    with tempfile.TemporaryDirectory() as folder:
        child = subprocess.Popen([sys.executable, str(ROOT / "tests/gui/quit_midwork_child.py"),
                                  scenario, folder], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True)
        child.stdout.readline()  # "closing", printed just before the window closes
        closed = time.perf_counter()
        status = child.wait(timeout=120)
        return time.perf_counter() - closed, status


def percentile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * (len(values) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=10_000)
    parser.add_argument("--reruns", type=int, default=200)
    parser.add_argument("--n", type=int, default=1024)
    parser.add_argument("--d-model", type=int, default=512)
    args = parser.parse_args()
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "s.ini"), QSettings.Format.IniFormat)
    app, window = create_window(SMALL, SENTENCE, settings=settings)
    window.resize(1600, 1000)
    window.show()
    app.processEvents()

    print(f"{'what':<58} {'value':>12}   aim")
    rows = playback_rss(window, app, args.ticks)
    for tick, rss in rows:
        print(f"{f'RSS after {tick:,} ticks of playback (n = 15, D = 64)':<58} {rss:>9.1f} MB")
    growth = rows[-1][1] - rows[0][1]
    print(f"{'  growth over the playback':<58} {growth:>+9.1f} MB   <= 20 MB")
    before, after = rerun_rss(window, args.reruns)
    print(f"{f'RSS growth over {args.reruns} re-runs through the window':<58} "
          f"{after - before:>+9.1f} MB   <= 20 MB  ({before:.0f} -> {after:.0f} MB)")
    computing, showing = gaps_while_computing(window, args.n, args.d_model)
    label = f"n = {args.n}, D = H = {args.d_model}"
    for what, gaps in ((f"computing ({label})", computing), ("putting it on screen", showing)):
        print(f"{f'10 ms GUI timer, longest gap while {what}':<58} "
              f"{gaps[-1] * 1e3:>9.0f} ms   <= 100 ms")
        print(f"{f'10 ms GUI timer, 99th percentile gap while {what}':<58} "
              f"{percentile(gaps, 0.99) * 1e3:>9.0f} ms")
    window.close()
    for scenario in QUIT_SCENARIOS:
        seconds, status = seconds_to_exit(scenario)
        print(f"{f'window closed mid-work ({scenario}) -> process exited':<58} "
              f"{seconds:>9.2f} s    <= 2 s, status {status}")


if __name__ == "__main__":
    main()
