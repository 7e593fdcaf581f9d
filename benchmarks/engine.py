"""Engine speed: our stepwise RNN and one-call attention against torch's fused references, and the
full trace (both connectivity maps included), at D = H = 512. Prints a table; asserts nothing.

    .venv/bin/python benchmarks/engine.py [--lengths 16 64 256 1024] [--dtype float64]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import SimConfig, simulate  # noqa: E402
from engine.labs.cost.config import LabConfig  # noqa: E402
from engine.labs.cost.models import RUNNERS, build_models, lab_inputs  # noqa: E402

D = H = 512


def median_seconds(function, repeats: int) -> float:
    function()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def pair_seconds(n: int, dtype: str, repeats: int, ours: str, reference: str) -> tuple[float, float]:
    """Median seconds of our implementation and torch's, on the same weights and words."""
    config = LabConfig(d_model=D, hidden_size=H, lengths=(n,), dtype=dtype)
    models, x = build_models(config), lab_inputs(config, n)
    with torch.no_grad():
        return (median_seconds(lambda: RUNNERS[ours](models, x), repeats),
                median_seconds(lambda: RUNNERS[reference](models, x), repeats))


def full_trace_seconds(n: int) -> float:
    sentence = " ".join(f"word{i % 97}" for i in range(n))
    last = [0.0]

    def progress(fraction: float, label: str) -> None:
        if n >= 1024 and fraction - last[0] >= 0.25:
            last[0] = fraction
            print(f"    n = {n}: {fraction:4.0%}  {label}", file=sys.stderr)

    start = time.perf_counter()
    simulate(sentence, SimConfig(d_model=D, hidden_size=H), progress=progress)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[16, 64, 256, 1024])
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float64",
                        help="precision of the forward comparisons (traces are always float64)")
    args = parser.parse_args()
    print(f"D = H = {D}, {args.dtype}, torch {torch.__version__}, {torch.get_num_threads()} threads; "
          "median of repeats after a warm-up")
    header = (f"{'n':>6} | {'our RNN':>10} {'nn.RNN':>10} {'ratio':>6} | "
              f"{'our attn':>10} {'SDPA':>10} {'ratio':>6} | {'full trace':>10}")
    print(header)
    print("-" * len(header))
    for n in args.lengths:
        repeats = 7 if n <= 256 else 3
        ours_rnn, torch_rnn = pair_seconds(n, args.dtype, repeats, "rnn_stepwise", "rnn_fused")
        ours_attn, sdpa = pair_seconds(n, args.dtype, repeats, "attention", "attention_sdpa")
        trace = full_trace_seconds(n)
        print(f"{n:>6} | {ours_rnn * 1e3:>8.2f}ms {torch_rnn * 1e3:>8.2f}ms {ours_rnn / torch_rnn:>6.2f} | "
              f"{ours_attn * 1e3:>8.2f}ms {sdpa * 1e3:>8.2f}ms {ours_attn / sdpa:>6.2f} | "
              f"{trace:>9.2f}s", flush=True)


if __name__ == "__main__":
    main()
