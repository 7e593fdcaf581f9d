"""Export cost: PNG and SVG of every plot, panel and the window, and a GIF of every tick.

    .venv/bin/python benchmarks/export.py [--length 64] [--d-model 512] [--slowest 5]

Builds the real main window (offscreen unless DISPLAY is set) at 1600×1000, loads a trace of
`--length` words with D = H = `--d-model` (SimConfig's defaults otherwise), then times
gui.export.batch.export_folder for PNG (default 2× scale) and for SVG into a temporary folder, and
AnimationExport.run_blocking of the whole window (2n+1 frames at the default width). Prints a
table with per-file and per-frame times; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
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
from gui.export.animation import DEFAULT_FPS, DEFAULT_WIDTH, AnimationExport  # noqa: E402
from gui.export.snapshot import ExportSnapshot  # noqa: E402
from gui.export.batch import export_folder  # noqa: E402


def _quiet_offscreen_warnings(mode, context, message) -> None:
    if "propagateSizeHints" not in message:  # the offscreen platform's harmless notice
        sys.stderr.write(message + "\n")


def timed_folder_export(window, folder: Path, fmt: str) -> tuple[float, list[tuple[str, float, int]]]:
    """Total seconds, and (file name, seconds, bytes) per file, from export_folder's report hook."""
    per_file: list[tuple[str, float, int]] = []
    last = time.perf_counter()

    def report(path: Path) -> None:
        nonlocal last
        now = time.perf_counter()
        per_file.append((path.name, now - last, path.stat().st_size))
        last = now

    start = last
    export_folder(window, folder, [fmt], report=report)
    return time.perf_counter() - start, per_file


def _mb(size: int) -> str:
    return f"{size / 1e6:.2f} MB"


def main() -> None:
    qInstallMessageHandler(_quiet_offscreen_warnings)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=64, help="words in the sentence (default 64)")
    parser.add_argument("--d-model", type=int, default=SimConfig().d_model,
                        help="D = H (default: SimConfig's, %(default)s)")
    parser.add_argument("--slowest", type=int, default=5, help="list the N slowest files per format")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="export-bench-"))  # ~75 MB at the defaults; removed
    try:
        run(args, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run(args: argparse.Namespace, scratch: Path) -> None:
    settings = QSettings(str(scratch / "s.ini"), QSettings.Format.IniFormat)
    app, window = create_window({}, "x", settings=settings)
    window.resize(1600, 1000)
    window.show()
    app.processEvents()
    n = args.length
    sentence = " ".join(f"w{i % 101}" for i in range(n))
    trace = simulate(sentence, SimConfig(d_model=args.d_model, hidden_size=args.d_model))
    window.timeline.set_trace(trace, 2 * n)
    app.processEvents()
    platform = "xcb" if os.environ.get("DISPLAY") else "offscreen"
    print(f"export cost, window 1600×1000, n = {n}, D = H = {args.d_model}, "
          f"head size {trace.config.head_size}, Qt platform {platform}")

    rows = []
    details = {}
    for fmt in ("png", "svg"):
        folder = scratch / fmt
        folder.mkdir()
        seconds, per_file = timed_folder_export(window, folder, fmt)
        details[fmt] = per_file
        total = sum(size for _, _, size in per_file)
        rows.append((f"{fmt.upper()} of every plot, panel, window", len(per_file), "files", seconds,
                     seconds / len(per_file), _mb(total)))

    gif = scratch / "animation.gif"
    job = AnimationExport(ExportSnapshot(window, "window"), gif, DEFAULT_FPS, DEFAULT_WIDTH)
    start = time.perf_counter()
    job.run_blocking()
    seconds = time.perf_counter() - start
    rows.append((f"GIF of the window, {DEFAULT_WIDTH} px wide", job.frame_count, "frames", seconds,
                 seconds / job.frame_count, _mb(gif.stat().st_size)))

    print(f"{'what':<38} {'count':>6} {'':<6} {'total':>9} {'each':>10} {'written':>10}")
    for what, count, unit, total, each, size in rows:
        print(f"{what:<38} {count:>6} {unit:<6} {total:>8.2f}s {each * 1e3:>8.1f}ms {size:>10}")
    for fmt, per_file in details.items():
        slowest = sorted(per_file, key=lambda row: row[1], reverse=True)[: args.slowest]
        listed = ", ".join(f"{name} {seconds * 1e3:.0f} ms ({_mb(size)})" for name, seconds, size in slowest)
        print(f"slowest {fmt.upper()}: {listed}")
    window.close()
    settings.sync()  # written now, so nothing recreates the scratch folder at exit


if __name__ == "__main__":
    main()
