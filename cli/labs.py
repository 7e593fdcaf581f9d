"""The labs from the command line: --benchmark (the cost lab's sweep), --train and
--train-sweep (the training lab), --deer (the DEER lab's sweeps)."""

from __future__ import annotations

import argparse
import sys

from cli.options import (DEER_FLAGS, LAB_FLAGS, TRAIN_FLAGS, deer_config_from_args,
                         lab_config_from_args)
from cli.outcomes import ctrl_c_cancels, fail, interrupted


def run_benchmark(args: argparse.Namespace) -> int:
    """--benchmark: the cost lab's sweep from the command line; partial results are still printed."""
    from engine.labs.cost.sweep import sweep
    from engine.labs.cost.report import format_table, result_to_json
    from engine.core.errors import ConfigError
    from engine.core.progress import CancelToken

    try:
        config = lab_config_from_args(args)
    except ConfigError as error:
        return fail(f"{LAB_FLAGS.get(error.field, error.field)} {error.problem}")
    cancel = CancelToken()

    def progress(fraction: float, label: str) -> None:
        if not args.json:
            print(f"\r{fraction:5.0%}  {label[:60]:<60}", end="", file=sys.stderr, flush=True)

    with ctrl_c_cancels(cancel):  # Ctrl-C stops before the next timed run and keeps the rows
        result = sweep(config, progress=progress, cancel=cancel)
    if not args.json:
        print(file=sys.stderr)
    if cancel.cancelled and not result.rows:
        return interrupted("nothing was measured")
    print(result_to_json(result) if args.json else format_table(result))
    if cancel.cancelled:
        return interrupted(f"the table holds the {len(result.rows)} lengths measured before Ctrl-C")
    if result.stopped_reason != "completed":
        print(f"rnn-vs-transformer: stopped early: {result.stopped_reason}", file=sys.stderr)
    return 0


def config_with_task_defaults(args: argparse.Namespace, argv: list[str] | None = None):
    """The TrainConfig of the flags: the task's own defaults (config.TASK_DEFAULTS) stand in for
    the settings whose flags are not in `argv`."""
    from engine.labs.training.config import TASK_DEFAULTS, TrainConfig

    given = {word.split("=", 1)[0] for word in argv or () if word.startswith("--")}
    values = {name: getattr(args, name) for name in TRAIN_FLAGS}
    for name, value in TASK_DEFAULTS.get(values["task"], {}).items():
        if TRAIN_FLAGS[name] not in given:
            values[name] = value
    return TrainConfig(**values)


def run_training(args: argparse.Namespace, argv: list[str] | None = None) -> int:
    """--train: the training lab from the command line; Ctrl-C keeps the steps taken."""
    from engine.core.errors import ConfigError, EngineInputError
    from engine.core.progress import CancelToken
    from engine.labs.training.checkpoints import save_models
    from engine.labs.training.report import format_table, result_to_json
    from engine.labs.training.train import Trainer

    try:
        trainer = Trainer(config_with_task_defaults(args, argv))
    except ConfigError as error:
        return fail(f"{TRAIN_FLAGS.get(error.field, error.field)} {error.problem}")
    cancel = CancelToken()
    shown = [-1]  # the last whole percent printed

    def progress(fraction: float, label: str) -> None:
        if not args.json and int(fraction * 100) != shown[0]:
            shown[0] = int(fraction * 100)
            print(f"\r{fraction:5.0%}  {label[:60]:<60}", end="", file=sys.stderr, flush=True)

    with ctrl_c_cancels(cancel):
        result = trainer.run(progress=progress, cancel=cancel)
    if not args.json:
        print(file=sys.stderr)
    print(result_to_json(result) if args.json else format_table(result))
    if args.save_models:
        try:
            for path in save_models(trainer.models, args.save_models, trainer.trained_on()):
                print(f"saved {path}", file=sys.stderr)
        except EngineInputError as error:
            return fail(str(error))
    if cancel.cancelled:
        return interrupted(f"the table holds the {trainer.step} steps taken before Ctrl-C")
    return 0


def run_train_sweep(args: argparse.Namespace, argv: list[str] | None = None) -> int:
    """--train-sweep: accuracy after a fixed budget against n; each point printed as it arrives
    (on stderr), the table at the end; Ctrl-C keeps the points so far."""
    from engine.core.errors import ConfigError
    from engine.core.progress import CancelToken
    from engine.labs.training.report import format_sweep_table, sweep_to_json
    from engine.labs.training.sweep import parse_lengths, train_sweep
    from engine.labs.training.train import require_device

    try:
        config, lengths = config_with_task_defaults(args, argv), parse_lengths(args.lengths)
        require_device(config)
    except ConfigError as error:
        return fail(f"{TRAIN_FLAGS.get(error.field, '--' + error.field)} {error.problem}")
    cancel = CancelToken()

    def on_point(point) -> None:
        if not args.json:
            print(f"n = {point.n:>5}  {point.model:<12} accuracy {point.accuracy:6.1%}",
                  file=sys.stderr, flush=True)

    with ctrl_c_cancels(cancel):
        result = train_sweep(config, lengths, on_point=on_point, cancel=cancel)
    if cancel.cancelled and not result.points:
        return interrupted("nothing was trained to the end")
    print(sweep_to_json(result) if args.json else format_sweep_table(result))
    if cancel.cancelled:
        return interrupted(f"the table holds the {len(result.points)} points trained before "
                            "Ctrl-C")
    return 0


def run_deer(args: argparse.Namespace, argv: list[str]) -> int:
    """--deer: DEER and quasi-DEER against the loop, and both sweeps, printed as tables; Ctrl-C
    keeps the measurements so far."""
    from engine.core.errors import ConfigError
    from engine.core.progress import CancelToken
    from engine.labs.deer.lab import run_lab
    from engine.labs.deer.report import format_tables

    try:
        config = deer_config_from_args(args, argv)
    except ConfigError as error:
        return fail(f"{DEER_FLAGS.get(error.field, error.field)} {error.problem}")
    cancel = CancelToken()

    def progress(fraction: float, label: str) -> None:
        print(f"\r{fraction:5.0%}  {label[:60]:<60}", end="", file=sys.stderr, flush=True)

    with ctrl_c_cancels(cancel):
        result = run_lab(config, progress=progress, cancel=cancel)
    print(file=sys.stderr)
    if cancel.cancelled and not result.convergence:
        return interrupted("nothing was measured")
    print(format_tables(result))
    if cancel.cancelled:
        return interrupted("the tables hold the measurements made before Ctrl-C")
    return 0
