"""Per-frame cost: median time to move the shared timeline one tick with every panel repainted.

    .venv/bin/python benchmarks/frame.py [--lengths 64 1024] [--d-model 512] [--scan]

Builds the real main window (offscreen unless DISPLAY is set), loads a trace, then for ticks spread
over both phases times `timeline.set_tick(t)` plus a synchronous repaint of the whole window.
Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
if not os.environ.get("DISPLAY"):
    os.environ["QT_QPA_PLATFORM"] = "offscreen"

from PySide6.QtCore import QSettings, qInstallMessageHandler  # noqa: E402

from engine import SimConfig, simulate  # noqa: E402
from gui.app import create_window  # noqa: E402


def frame_times(window, app, ticks: list[int]) -> list[float]:
    times = []
    for tick in ticks:
        start = time.perf_counter()
        window.timeline.set_tick(tick)
        window.repaint()  # paints every visible panel now, not at the next event-loop turn
        app.processEvents()
        times.append(time.perf_counter() - start)
    return times


def _quiet_offscreen_warnings(mode, context, message) -> None:
    if "propagateSizeHints" not in message:  # the offscreen platform's harmless notice
        sys.stderr.write(message + "\n")


def main() -> None:
    qInstallMessageHandler(_quiet_offscreen_warnings)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[64, 1024])
    parser.add_argument("--d-model", type=int, default=512)
    parser.add_argument("--scan", action="store_true", help="with the scan lane (minGRU) shown")
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    settings = QSettings(str(Path(folder) / "s.ini"), QSettings.Format.IniFormat)
    app, window = create_window({}, "x", settings=settings)
    window.resize(1600, 1000)
    window.show()
    app.processEvents()
    platform = "xcb" if os.environ.get("DISPLAY") else "offscreen"
    print(f"one tick with every panel repainted, window 1600×1000, D = H = {args.d_model}, "
          f"Qt platform {platform}" + (", with the scan lane" if args.scan else ""))
    print(f"{'n':>6} {'ticks':>6} {'median':>9} {'p90':>9} {'max':>9}   (forward | backward median)")
    for n in args.lengths:
        sentence = " ".join(f"w{i % 101}" for i in range(n))
        trace = simulate(sentence, SimConfig(d_model=args.d_model, hidden_size=args.d_model,
                                                 scan=args.scan))
        window.timeline.set_trace(trace, 0)
        app.processEvents()
        count = min(n, 60)
        forward = [1 + round(i * (n - 1) / (count - 1)) for i in range(count)]
        backward = [n + 1 + round(i * (n - 1) / (count - 1)) for i in range(count)]
        frame_times(window, app, forward[:5])  # warm caches
        fwd = frame_times(window, app, forward)
        bwd = frame_times(window, app, backward)
        every = sorted(fwd + bwd)
        p90 = every[int(0.9 * (len(every) - 1))]
        print(f"{n:>6} {len(every):>6} {statistics.median(every) * 1e3:>7.2f}ms {p90 * 1e3:>7.2f}ms "
              f"{every[-1] * 1e3:>7.2f}ms   ({statistics.median(fwd) * 1e3:.2f} | "
              f"{statistics.median(bwd) * 1e3:.2f} ms)", flush=True)
    window.close()


if __name__ == "__main__":
    main()
