"""RNN vs Transformer simulator: the command line's entry point. It opens the desktop app, or runs
one of the headless modes in cli/ (report, export, the cost, training and DEER labs)."""

from __future__ import annotations

import os
import sys

from cli.export import run_export
from cli.labs import run_benchmark, run_deer, run_train_sweep, run_training
from cli.options import (CONFIG_FLAGS, HEADLESS_MODES, build_parser, config_from_args,
                         explicit_fields, flag_combination_error)
from cli.outcomes import fail, interrupted
from cli.report import run_headless


NO_DISPLAY = ("no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set): "
              "run it under a virtual screen with `xvfb-run python main.py`, or use a headless "
              f"mode ({HEADLESS_MODES}; see --help)")


def display_missing(environ=os.environ, platform: str = sys.platform) -> bool:
    """True where a window cannot open: Linux without X11 or Wayland and no Qt platform chosen
    (QT_QPA_PLATFORM=offscreen, say). Qt itself would abort with a message about libxcb."""
    if not platform.startswith("linux"):
        return False
    return not any(environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    problem = flag_combination_error(args, argv)
    if problem:
        return fail(problem)
    if args.benchmark:
        return run_benchmark(args)
    if args.train:
        return run_training(args, argv)
    if args.train_sweep:
        return run_train_sweep(args, argv)
    if args.deer:
        return run_deer(args, argv)
    if args.export:
        return run_export(args, argv)
    if args.report or args.save_trace or args.save_weights:
        return run_headless(args, argv)
    from engine.core.config import ConfigError
    try:
        config = config_from_args(args)
    except ConfigError as error:
        return fail(f"{CONFIG_FLAGS.get(error.field, error.field)} {error.problem}")
    if display_missing():
        return fail(NO_DISPLAY)
    given = explicit_fields(argv)
    from gui.app import run_app
    return run_app({name: getattr(config, name) for name in given}, args.sentence,
                   weights=args.weights)


def entry_point() -> int:
    """Console entry: main() with a quiet exit when the output pipe closes early (`| head`), and
    one line, no traceback, for Ctrl-C where no command catches it (imports, torch loading)."""
    try:
        return main()
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:  # writes are atomic, so whatever was under way left nothing
        return interrupted()


if __name__ == "__main__":
    sys.exit(entry_point())
