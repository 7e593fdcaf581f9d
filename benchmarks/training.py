"""Training lab speed: steps per second of each model in the lab's trainer against a plain PyTorch
loop over the same model and batch (and torch's fused nn.RNN/LSTM/GRU of the same sizes), measured
in the same run; the wall time of the default run; and how long the main thread (the GUI's) waits
while training runs in a worker thread. Prints tables; asserts nothing.

    .venv/bin/python benchmarks/training.py [--steps 100] [--rounds 3] [--device cpu|cuda]
        [--default-steps 2000 | --skip-default] [--window-steps K]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.core.timing import intraop_threads  # noqa: E402
from engine.labs.training.config import TrainConfig  # noqa: E402
from engine.labs.training.models import LABELS, MODEL_KINDS  # noqa: E402
from engine.labs.training.report import format_table  # noqa: E402
from engine.labs.training.train import Trainer, build_model, hidden_sizes  # noqa: E402

FUSED = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class FusedRecurrent(nn.Module):
    """The same embedding, width and readout around torch's fused nn.RNN / LSTM / GRU."""

    def __init__(self, kind: str, vocabulary: int, width: int, hidden: int):
        super().__init__()
        self.embedding = nn.Embedding(vocabulary, width)
        self.cell = FUSED[kind](width, hidden, batch_first=True)
        self.readout = nn.Linear(hidden, vocabulary)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        states, _ = self.cell(self.embedding(tokens))  # (B, T, H)
        return self.readout(states[:, -1])  # (B, V)


def plain_loop_seconds(model: nn.Module, tokens, targets, steps: int, lr: float) -> float:
    """Seconds per step of the textbook loop: forward, loss, zero_grad, backward, Adam."""
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    start = time.perf_counter()
    for _ in range(steps):
        loss = F.cross_entropy(model(tokens), targets)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
    if tokens.is_cuda:
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / steps


def lab_seconds(config: TrainConfig) -> tuple[float, float]:
    """Seconds per step of the lab's Trainer: all of run() (batches drawn, records kept, the
    held-out measurement at the end), and its steps alone (forward, backward, Adam, records)."""
    trainer = Trainer(config)
    start = time.perf_counter()
    result = trainer.run()
    wall = (time.perf_counter() - start) / config.steps
    return wall, result.summaries[0].seconds / config.steps


def steps_per_second_table(args) -> None:
    print(f"Steps per second at n = {args.n}, batch 32, width 32 ({args.device}; median of "
          f"{args.rounds} rounds of {args.steps} steps, lab and plain loop alternating)\n")
    print(f"{'model':<18}{'lab':>9}{'lab steps':>11}{'plain loop':>12}{'lab / plain':>13}"
          f"{'steps / plain':>15}{'torch fused':>13}")
    for kind in MODEL_KINDS:
        config = TrainConfig(n=args.n, models=(kind,), steps=args.steps, eval_every=args.steps,
                             device=args.device)
        hidden = hidden_sizes(config)
        tokens, targets = (torch.from_numpy(a).to(args.device) for a in
                           Trainer(config).task.batch(0, "bench", config.n, config.batch_size))
        lab, steps_only, plain, fused = [], [], [], []
        with intraop_threads(1 if args.device == "cpu" else 0):
            for _ in range(args.rounds):
                wall, own = lab_seconds(config)
                lab.append(wall)
                steps_only.append(own)
                model = build_model(kind, config, hidden).to(args.device)
                plain.append(plain_loop_seconds(model, tokens, targets, args.steps,
                                                config.learning_rate))
                if kind in FUSED:
                    reference = FusedRecurrent(kind, model.embedding.shape[0], config.model_width,
                                               hidden[kind]).to(args.device)
                    fused.append(plain_loop_seconds(reference, tokens, targets, args.steps,
                                                    config.learning_rate))
        lab_s, own_s = statistics.median(lab), statistics.median(steps_only)
        plain_s = statistics.median(plain)
        fused_text = f"{1 / statistics.median(fused):13.1f}" if fused else f"{'—':>13}"
        print(f"{LABELS[kind]:<18}{1 / lab_s:9.1f}{1 / own_s:11.1f}{1 / plain_s:12.1f}"
              f"{lab_s / plain_s:13.2f}{own_s / plain_s:15.2f}{fused_text}")
    print("\nlab: all of the trainer's run (new batch each step, records, one held-out "
          "measurement of 512 examples); lab steps: its steps alone. lab / plain: time per step "
          "over the plain loop's (aim: at most 1.2). torch fused: nn.RNN/LSTM/GRU's own loop of "
          "the same sizes, for reference.")


def default_run(args) -> None:
    config = TrainConfig(steps=args.default_steps, device=args.device)
    start = time.perf_counter()
    result = Trainer(config).run()
    wall = time.perf_counter() - start
    print(f"\nDefault run ({', '.join(config.models)}; n = {config.n}; {config.steps} steps): "
          f"wall time {wall:.1f} s (aim: at most 60 s on a 2-core CPU)\n")
    print(format_table(result))


def gui_stall(args) -> None:
    """The main thread sleeps 10 ms at a time, as an idle GUI waits for events, while a worker
    trains; a wake-up later than asked is time the GUI could not have drawn."""
    config = TrainConfig(steps=args.stall_steps, device=args.device)
    trainer = Trainer(config)
    worker = threading.Thread(target=trainer.run)
    lateness = []
    worker.start()
    while worker.is_alive():
        asked = time.perf_counter()
        time.sleep(0.010)
        lateness.append(time.perf_counter() - asked - 0.010)
    worker.join()
    lateness.sort()
    print(f"\nMain-thread stall while training in a worker ({config.steps} steps, "
          f"{len(lateness)} wake-ups): median {statistics.median(lateness) * 1e3:.1f} ms, "
          f"99th percentile {lateness[int(0.99 * (len(lateness) - 1))] * 1e3:.1f} ms, "
          f"longest {lateness[-1] * 1e3:.1f} ms (aim: under 100 ms)")


def window_stall(args) -> None:
    """The same in the lab's own window (offscreen): a 10 ms timer on the GUI thread while the
    window trains through its runner, redrawing its plots as updates arrive. Says how late the
    timer fired, and how long the window's own redraws took (GUI work, not the worker's)."""
    import os
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from gui.labs.training import TrainingLabWindow

    app = QApplication.instance() or QApplication([])
    folder = tempfile.TemporaryDirectory()
    settings = QSettings(os.path.join(folder.name, "lab.ini"), QSettings.Format.IniFormat)
    window = TrainingLabWindow(settings=settings)
    window.resize(1600, 1000)
    window.show()
    window.controls.set_values({"task": "first-word", "n": 32, "steps": args.window_steps,
                                "models": ("rnn", "lstm", "transformer")})
    redraws, lateness = [], []
    redraw = window.live_view.redraw

    def timed_redraw(*args, **kwargs) -> None:
        start = time.perf_counter()
        redraw(*args, **kwargs)
        redraws.append(time.perf_counter() - start)
    window.live_view.redraw = timed_redraw
    shown_by = time.perf_counter() + 1.0  # the window's first layout and paint: before Start,
    while time.perf_counter() < shown_by:  # as for a person who presses it
        app.processEvents()
        time.sleep(0.005)
    clock, timer = QElapsedTimer(), QTimer()
    timer.setInterval(10)

    def tick() -> None:
        lateness.append(max(0.0, clock.restart() / 1e3 - 0.010))
    timer.timeout.connect(tick)
    clock.start()
    timer.start()
    window.start_training()
    while window.busy:
        app.processEvents()
        time.sleep(0.001)
    timer.stop()
    window.close()
    folder.cleanup()
    lateness.sort()
    print(f"\nGUI-thread stall in the lab window ({args.window_steps} steps of the default run, "
          f"{len(lateness)} ticks of 10 ms): median {statistics.median(lateness) * 1e3:.1f} ms, "
          f"99th percentile {lateness[int(0.99 * (len(lateness) - 1))] * 1e3:.1f} ms, "
          f"longest {lateness[-1] * 1e3:.1f} ms; {len(redraws)} redraws, longest "
          f"{max(redraws, default=0) * 1e3:.1f} ms (aim: under 100 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100, help="steps per timed round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--n", type=int, default=32)
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--default-steps", type=int, default=2000)
    parser.add_argument("--stall-steps", type=int, default=200)
    parser.add_argument("--window-steps", type=int, default=0,
                        help="also measure the stall in the lab's window over this many steps")
    parser.add_argument("--skip-default", action="store_true", help="leave out the default run")
    args = parser.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("no CUDA GPU is visible to torch")
    steps_per_second_table(args)
    gui_stall(args)
    if args.window_steps:
        window_stall(args)
    if not args.skip_default:
        default_run(args)


if __name__ == "__main__":
    main()
