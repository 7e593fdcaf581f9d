"""minGRU's recurrence three ways: the step loop (n sequential steps), the Hillis-Steele scan
(ceil(log2 n) levels, about n log2 n operator applications) and the log-space scan, at D = 512,
on the CPU and on CUDA when there is one. Prints a table with ratios from the same run; asserts
nothing.

Only the recurrence h_t = a_t h_{t-1} + b_t is timed: the gates (two D x D projections of every
word) are the same matrix product for all three, computed once beforehand.

    .venv/bin/python benchmarks/scan.py [--quick] [--lengths 256 1024] [--devices cpu cuda]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.core.config import SimConfig  # noqa: E402
from engine.core.scan_plan import scan_level_count, scan_operator_applications  # noqa: E402
from engine.core.timing import TimingSummary, intraop_threads, summarize  # noqa: E402
from engine.models.mingru import build_mingru  # noqa: E402
from engine.models.scan import log_space_scan, parallel_scan, sequential_scan  # noqa: E402

FULL_LENGTHS = [256 * 2**i for i in range(7)]  # 256 .. 16384
QUICK_LENGTHS = [256, 1024, 4096]


def timing(function, repeats: int, device: str) -> TimingSummary:
    """Median and quartiles of `function`'s wall time after one warm-up, waiting for the device."""
    def timed() -> float:
        start = time.perf_counter()
        function()
        if device == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - start

    timed()
    return summarize([timed() for _ in range(repeats)])


def coefficients(n: int, d_model: int, dtype, device: str):
    """a_t, log a_t and b_t of n random words through a seeded minGRU of width D. (T, D) each"""
    model = build_mingru(SimConfig(d_model=d_model, hidden_size=d_model), dtype=dtype)
    words = torch.randn(n, d_model, generator=torch.Generator().manual_seed(n), dtype=dtype)
    with torch.no_grad():
        gate_pre, candidate = model.preactivations(words)  # (T, D) each
        decay, log_decay = torch.sigmoid(-gate_pre), torch.nn.functional.logsigmoid(-gate_pre)
        drive = torch.sigmoid(gate_pre) * candidate
    return decay.to(device), log_decay.to(device), drive.to(device)


def measure(n: int, d_model: int, dtype, device: str, repeats: int) -> dict:
    decay, log_decay, drive = coefficients(n, d_model, dtype, device)
    runs = {
        "loop": lambda: sequential_scan(decay, drive),
        "scan": lambda: parallel_scan(decay, drive).hidden,
        "log": lambda: log_space_scan(log_decay, drive),
    }
    with torch.no_grad():
        seconds = {name: timing(run, repeats, device) for name, run in runs.items()}
        loop = runs["loop"]()
        scale = float(loop.abs().max())
        for name in ("scan", "log"):  # largest difference from the loop, relative to max |h|
            seconds[name + "_error"] = float((runs[name]() - loop).abs().max()) / scale
    return seconds


def devices(requested: list[str]) -> list[str]:
    available = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    chosen = [d for d in requested if d in available]
    for missing in sorted(set(requested) - set(available)):
        print(f"({missing}: not available here, skipped)")
    return chosen


def time_text(summary: TimingSummary) -> str:
    """'12.34ms ±5%', with a mark when the middle half of the repeats spans over 25 % of the median."""
    spread = f"±{50 * summary.relative_spread:.0f}%" if summary.spread_known else "1 run"
    return f"{summary.median * 1e3:>8.2f}ms {spread:>5}{'!' if summary.unsteady else ' '}"


def print_table(device: str, lengths: list[int], d_model: int, dtype, repeats: int) -> None:
    name = torch.cuda.get_device_name() if device == "cuda" else f"{torch.get_num_threads()} thread(s)"
    print(f"\n{device} ({name}), D = {d_model}, {str(dtype).removeprefix('torch.')}, "
          f"median of {repeats} after a warm-up")
    header = (f"{'n':>6} {'levels':>6} {'work':>5} | {'loop':>16} {'scan':>16} {'log-space':>16} | "
              f"{'loop/scan':>9} {'loop/log':>8} | {'scan diff':>9} {'log diff':>8}")
    print(header)
    print("-" * len(header))
    for n in lengths:
        s = measure(n, d_model, dtype, device, repeats)
        work = scan_operator_applications(n) / n  # scan's operator applications per loop step
        loop = s["loop"].median
        print(f"{n:>6} {scan_level_count(n):>6} {work:>4.1f}x | {time_text(s['loop'])} "
              f"{time_text(s['scan'])} {time_text(s['log'])} | {loop / s['scan'].median:>9.2f} "
              f"{loop / s['log'].median:>8.2f} | {s['scan_error']:>9.1e} {s['log_error']:>8.1e}",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", help="n values (default 256 .. 16384)")
    parser.add_argument("--d-model", type=int, default=512, help="D, the width of the state")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--devices", nargs="+", default=["cpu", "cuda"], choices=["cpu", "cuda"])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=0,
                        help="torch threads on the CPU (0: torch's default)")
    parser.add_argument("--quick", action="store_true", help="n = 256, 1024, 4096 and 3 repeats")
    args = parser.parse_args()
    lengths = args.lengths or (QUICK_LENGTHS if args.quick else FULL_LENGTHS)
    if min(lengths) < 1 or args.d_model < 2 or args.repeats < 1 or args.threads < 0:
        parser.error("lengths must be at least 1, --d-model at least 2, --repeats at least 1, "
                     "--threads 0 or more")
    repeats = 3 if args.quick else args.repeats
    print(f"torch {torch.__version__}. loop/scan > 1: the scan was faster. work: the scan's "
          "operator applications per loop step (n log2 n against n). diff: the largest difference "
          "from the loop, relative to max |h|. ±: half the interquartile range; !: over 25 %.")
    with intraop_threads(args.threads):
        for device in devices(args.devices):
            print_table(device, lengths, args.d_model, getattr(torch, args.dtype), repeats)


if __name__ == "__main__":
    main()
