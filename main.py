"""RNN vs Transformer simulator: the command line, the headless report, and the GUI launcher."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
from typing import NamedTuple

from engine import __version__
from engine.core.config import DEFAULT_SENTENCE, MAX_TOKENS, SimConfig
from engine.core.fields import Flag, FloatRange, IntRange, described_fields
from engine.labs.cost.config import LabConfig, default_lengths
from engine.labs.training.config import TrainConfig

# SimConfig field -> command-line flag; the GUI labels its widgets with the same names.
CONFIG_FLAGS = {field.name: spec.flag for field, spec in described_fields(SimConfig) if spec.flag}


# Every mode that works without a window (and without a display).
HEADLESS_MODES = ("--report, --save-trace, --save-weights, --export, --benchmark, --train or "
                  "--train-sweep")
NO_DISPLAY = ("no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set): "
              "run it under a virtual screen with `xvfb-run python main.py`, or use a headless "
              f"mode ({HEADLESS_MODES}; see --help)")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one clear line and status 2, no usage dump
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="rnn-vs-transformer",
        allow_abbrev=False,  # a flag counts as given only under its full name (see explicit_fields)
        description="Run an RNN one word at a time and self-attention all at once on the same "
                    "sentence, and see why Transformers replaced RNNs. The desktop app opens "
                    f"unless one of the headless modes is given: {HEADLESS_MODES}.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--sentence", default=None,
                        help=f'the sentence to run (default: "{DEFAULT_SENTENCE}"; '
                             f"at most {MAX_TOKENS} words and punctuation marks)")
    model = parser.add_argument_group("model parameters")
    add_field_options(model, SimConfig)
    model.add_argument("--weights", metavar="FILE.npz",
                       help="run on the weights in a weight file (--save-weights or File → Save "
                            "weights… writes one) instead of random ones from --seed; the cell and "
                            "widths follow the file (headless modes refuse flags that do not fit "
                            "it)")
    _add_headless_options(parser.add_argument_group("headless use (no window)"))
    _add_export_options(parser.add_argument_group("headless export (no window)"))
    _add_lab_options(parser.add_argument_group(
        "cost lab, headless (measure sequential vs parallel on this machine)"))
    _add_training_options(parser.add_argument_group(
        "training lab, headless (train RNNs and a Transformer on the same task)"))
    return parser


def add_field_options(group, config_class, skip: tuple[str, ...] = ()) -> None:
    """One option per field of `config_class` that has a flag (except the flags in `skip`), all
    read from the fields' metadata; the parsed value lands under the field's name."""
    for field, spec in described_fields(config_class):
        if spec.flag is None or spec.flag in skip:
            continue
        if isinstance(spec.rule, Flag):  # the flag turns the default over (--causal, --no-scaling)
            group.add_argument(spec.flag, dest=field.name, help=spec.help,
                               action="store_false" if field.default else "store_true")
            continue
        help_text = spec.help if "%(default)s" in spec.help else f"{spec.help} (default %(default)s)"
        group.add_argument(spec.flag, dest=field.name, type=_value_type(spec.rule),
                           choices=getattr(spec.rule, "choices", None), default=field.default,
                           metavar=spec.metavar, help=help_text)


def _value_type(rule) -> type:
    """What argparse turns the option's text into (the rule checks the rest)."""
    if isinstance(rule, IntRange):
        return int
    return float if isinstance(rule, FloatRange) else str


def _add_headless_options(group) -> None:
    group.add_argument("--report", action="store_true",
                       help="print the comparison of both models for the sentence and exit")
    group.add_argument("--json", action="store_true", help="with --report: print JSON")
    group.add_argument("--save-trace", metavar="FILE.npz",
                       help="write everything the run recorded to one .npz file and exit")
    group.add_argument("--save-weights", metavar="FILE.npz",
                       help="write the run's weights to a weight file and exit")


def _add_export_options(group) -> None:
    group.add_argument("--export", metavar="DIR",
                       help="render every plot and panel into DIR, created if missing "
                            "(attention-weights.svg, rnn-hidden.png, ...), print the paths and exit")
    group.add_argument("--format", default="png", metavar="png,svg",
                       help="image formats for --export, comma-separated (default %(default)s)")
    group.add_argument("--width", type=int, metavar="PX",
                       help="PNG width in pixels (default: twice the on-screen size)")
    group.add_argument("--tick", default="final", metavar="N|final",
                       help="the clock position to draw (default: final, the end of the backward pass)")
    group.add_argument("--gif", action="store_true",
                       help="also write animation.gif of every tick, the window at its "
                            "on-screen width")
    group.add_argument("--fps", type=float, default=4.0, help="GIF frames per second (default 4)")
    group.add_argument("--data", action="store_true",
                       help="also write trace.npz and a CSV of every matrix shown")
    group.add_argument("--session", metavar="FILE.json",
                       help="take the sentence, parameters, tick and selection from a saved session")


def _add_lab_options(group) -> None:
    """--benchmark and the LabConfig fields' options; the widths share the model parameters' flags."""
    shared = tuple(spec.flag for _, spec in described_fields(LabConfig)
                   if spec.flag in CONFIG_FLAGS.values())
    group.add_argument("--benchmark", action="store_true",
                       help="time the stepwise RNN, torch's RNN, our attention and SDPA over "
                            "doubling sentence lengths; print the table and fitted slopes "
                            f"(uses {', '.join(shared)}; --json for JSON)")
    shortest, *_, longest = default_lengths()
    group.add_argument("--min-n", type=int, default=shortest, metavar="A",
                       help="shortest length (default %(default)s)")
    group.add_argument("--max-n", type=int, default=longest, metavar="B",
                       help="longest length (default %(default)s)")
    add_field_options(group, LabConfig, skip=shared)


# LabConfig field (and default_lengths' arguments) -> command-line flag, for error messages.
LAB_FLAGS = {**{field.name: spec.flag for field, spec in described_fields(LabConfig) if spec.flag},
             "min_n": "--min-n", "max_n": "--max-n", "lengths": "--min-n/--max-n"}


def lab_config_from_args(args: argparse.Namespace) -> LabConfig:
    """The LabConfig the flags describe; raises ConfigError naming the field."""
    values = {field.name: getattr(args, field.name)
              for field, spec in described_fields(LabConfig) if spec.flag}
    return LabConfig(**values, lengths=default_lengths(args.min_n, args.max_n))


def run_benchmark(args: argparse.Namespace) -> int:
    """--benchmark: the cost lab's sweep from the command line; partial results are still printed."""
    from engine.labs.cost.sweep import sweep
    from engine.labs.cost.report import format_table, result_to_json
    from engine.core.errors import ConfigError
    from engine.core.progress import CancelToken

    try:
        config = lab_config_from_args(args)
    except ConfigError as error:
        return _fail(f"{LAB_FLAGS.get(error.field, error.field)} {error.problem}")
    cancel = CancelToken()

    def progress(fraction: float, label: str) -> None:
        if not args.json:
            print(f"\r{fraction:5.0%}  {label[:60]:<60}", end="", file=sys.stderr, flush=True)

    with _ctrl_c_cancels(cancel):  # Ctrl-C stops before the next timed run and keeps the rows
        result = sweep(config, progress=progress, cancel=cancel)
    if not args.json:
        print(file=sys.stderr)
    if cancel.cancelled and not result.rows:
        return _interrupted("nothing was measured")
    print(result_to_json(result) if args.json else format_table(result))
    if cancel.cancelled:
        return _interrupted(f"the table holds the {len(result.rows)} lengths measured before Ctrl-C")
    if result.stopped_reason != "completed":
        print(f"rnn-vs-transformer: stopped early: {result.stopped_reason}", file=sys.stderr)
    return 0


def _add_training_options(group) -> None:
    """--train, --save-models and the TrainConfig fields' options; --seed, --heads and --device
    are the flags the other groups already made."""
    taken = {*CONFIG_FLAGS.values(), *LAB_FLAGS.values()}
    shared = tuple(spec.flag for _, spec in described_fields(TrainConfig) if spec.flag in taken)
    group.add_argument("--train", action="store_true",
                       help="train the models on the same batches and print parameters, final "
                            "loss, held-out accuracy, seconds and steps per second "
                            f"(uses {', '.join(shared)}; --json for JSON)")
    group.add_argument("--save-models", metavar="DIR",
                       help="with --train: write each trained model to DIR/MODEL.npz")
    group.add_argument("--train-sweep", action="store_true",
                       help="train each model for --steps steps at every length of --lengths and "
                            "print held-out accuracy against n (--json for JSON)")
    group.add_argument("--lengths", default="8,16,32,64,128", metavar="N,N,...",
                       help="with --train-sweep: the lengths n, increasing (default %(default)s)")
    add_field_options(group, TrainConfig, skip=shared)


# TrainConfig field -> command-line flag, for error messages.
TRAIN_FLAGS = {field.name: spec.flag for field, spec in described_fields(TrainConfig) if spec.flag}


def train_config_from_args(args: argparse.Namespace) -> TrainConfig:
    """The TrainConfig the flags describe; raises ConfigError naming the field."""
    return TrainConfig(**{name: getattr(args, name) for name in TRAIN_FLAGS})


def run_training(args: argparse.Namespace) -> int:
    """--train: the training lab from the command line; Ctrl-C keeps the steps taken."""
    from engine.core.errors import ConfigError, EngineInputError
    from engine.core.progress import CancelToken
    from engine.labs.training.checkpoints import save_models
    from engine.labs.training.report import format_table, result_to_json
    from engine.labs.training.train import Trainer

    try:
        trainer = Trainer(train_config_from_args(args))
    except ConfigError as error:
        return _fail(f"{TRAIN_FLAGS.get(error.field, error.field)} {error.problem}")
    cancel = CancelToken()
    shown = [-1]  # the last whole percent printed

    def progress(fraction: float, label: str) -> None:
        if not args.json and int(fraction * 100) != shown[0]:
            shown[0] = int(fraction * 100)
            print(f"\r{fraction:5.0%}  {label[:60]:<60}", end="", file=sys.stderr, flush=True)

    with _ctrl_c_cancels(cancel):
        result = trainer.run(progress=progress, cancel=cancel)
    if not args.json:
        print(file=sys.stderr)
    print(result_to_json(result) if args.json else format_table(result))
    if args.save_models:
        try:
            for path in save_models(trainer.models, args.save_models, trainer.trained_on()):
                print(f"saved {path}", file=sys.stderr)
        except EngineInputError as error:
            return _fail(str(error))
    if cancel.cancelled:
        return _interrupted(f"the table holds the {trainer.step} steps taken before Ctrl-C")
    return 0


def run_train_sweep(args: argparse.Namespace) -> int:
    """--train-sweep: accuracy after a fixed budget against n; each point printed as it arrives
    (on stderr), the table at the end; Ctrl-C keeps the points so far."""
    from engine.core.errors import ConfigError
    from engine.core.progress import CancelToken
    from engine.labs.training.report import format_sweep_table, sweep_to_json
    from engine.labs.training.sweep import parse_lengths, train_sweep
    from engine.labs.training.train import require_device

    try:
        config, lengths = train_config_from_args(args), parse_lengths(args.lengths)
        require_device(config)
    except ConfigError as error:
        return _fail(f"{TRAIN_FLAGS.get(error.field, '--' + error.field)} {error.problem}")
    cancel = CancelToken()

    def on_point(point) -> None:
        if not args.json:
            print(f"n = {point.n:>5}  {point.model:<12} accuracy {point.accuracy:6.1%}",
                  file=sys.stderr, flush=True)

    with _ctrl_c_cancels(cancel):
        result = train_sweep(config, lengths, on_point=on_point, cancel=cancel)
    if cancel.cancelled and not result.points:
        return _interrupted("nothing was trained to the end")
    print(sweep_to_json(result) if args.json else format_sweep_table(result))
    if cancel.cancelled:
        return _interrupted(f"the table holds the {len(result.points)} points trained before "
                            "Ctrl-C")
    return 0


def config_from_args(args: argparse.Namespace) -> SimConfig:
    """The SimConfig the flags describe; raises ConfigError naming the field."""
    return SimConfig(**{name: getattr(args, name) for name in CONFIG_FLAGS})


def explicit_fields(argv: list[str]) -> set[str]:
    """The SimConfig fields whose flags appear on the command line (they override saved settings)."""
    used = {word.split("=", 1)[0] for word in argv if word.startswith("--")}
    return {field for field, flag in CONFIG_FLAGS.items() if flag in used}


def flag_combination_error(args: argparse.Namespace, argv: list[str]) -> str | None:
    """Why the flags given together make no sense, or None."""
    if args.json and not (args.report or args.benchmark or args.train or args.train_sweep):
        return "--json goes with --report, --benchmark, --train or --train-sweep"
    if args.save_models is not None and not args.train:
        return "--save-models goes with --train"
    if "activation" in explicit_fields(argv) and args.cell != "rnn":
        return (f"--activation applies only to --cell rnn (the Elman cell); --cell {args.cell} "
                "uses its own sigmoid and tanh gates, so leave --activation out")
    if args.weights is not None:
        if not args.weights:
            return "--weights needs the name of a weight file"
        if args.session or args.benchmark or args.train or args.train_sweep:
            return ("--weights goes without --session (a session names its own weights), "
                    "--benchmark (which times weights of its own) and --train (which trains "
                    "its own)")
    return None


def display_missing(environ=os.environ, platform: str = sys.platform) -> bool:
    """True where a window cannot open: Linux without X11 or Wayland and no Qt platform chosen
    (QT_QPA_PLATFORM=offscreen, say). Qt itself would abort with a message about libxcb."""
    if not platform.startswith("linux"):
        return False
    return not any(environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def _fail(message: str) -> int:
    print(f"rnn-vs-transformer: error: {message}", file=sys.stderr)
    return 2


INTERRUPTED = 130  # the shell's status for a command ended by Ctrl-C (128 + SIGINT)


def _interrupted(outcome: str = "nothing was written") -> int:
    print(f"rnn-vs-transformer: interrupted; {outcome}", file=sys.stderr)
    return INTERRUPTED


@contextlib.contextmanager
def _ctrl_c_cancels(cancel):
    """While the block runs, Ctrl-C sets `cancel` (checked between steps, frames and files) instead
    of raising KeyboardInterrupt wherever Python is: inside a Qt paint call, PySide would print
    that exception and carry on."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda *_: cancel.cancel())
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _output_name_error(path: str | None) -> str | None:
    """Why an output name cannot be used, or None: undecodable bytes (lone surrogates in Python)
    could be written, but the name could not be printed back (as gui.export.images refuses)."""
    if path is None:
        return None
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        from gui.export.images import shown_name  # only now: it loads Qt

        return f"cannot write {shown_name(path)}: its name is not valid UTF-8 text; choose another name"
    return None


def load_weights(args: argparse.Namespace, argv: list[str], config: SimConfig):
    """(weights, config): the --weights file's WeightSet (None without the flag) and the config
    with the cell and widths the file fixes, where the command line did not give them."""
    if not args.weights:
        return None, config
    from engine.core.errors import ConfigError
    from engine.models.weights import WeightSet

    weights = WeightSet.load(args.weights)
    given = explicit_fields(argv)
    config = config.replace(**{field: value for field, value in weights.shape_fields.items()
                               if field not in given})
    if "activation" in given and config.cell != "rnn":
        raise ConfigError("activation", f"applies only to the Elman cell; the weight file's cell "
                                        f"is {config.cell}, so leave --activation out")
    return weights, config


def run_headless(args: argparse.Namespace, argv: list[str]) -> int:
    from engine import EngineInputError, simulate
    from engine.analysis.report import comparison, format_report
    from engine.core.config import ConfigError

    problem = _output_name_error(args.save_trace) or _output_name_error(args.save_weights)
    if problem:
        return _fail(problem)
    try:
        weights, config = load_weights(args, argv, config_from_args(args))
        trace = simulate(args.sentence if args.sentence is not None else DEFAULT_SENTENCE, config,
                         weights=weights)
        saved = trace.save(args.save_trace) if args.save_trace else None
        if args.save_weights:
            print(f"weights written to {_save_weights(weights, config, args.save_weights)}")
    except ConfigError as error:
        return _fail(f"{CONFIG_FLAGS.get(error.field, error.field)} {error.problem}")
    except EngineInputError as error:
        return _fail(str(error))
    if args.report:
        if args.json:
            data = comparison(trace)
            if saved is not None:
                data["trace_file"] = str(saved)
            print(json.dumps(data, indent=2, ensure_ascii=False))
        else:
            print(format_report(trace))
    if saved is not None and not (args.report and args.json):
        print(f"trace written to {saved}")
    return 0


def _save_weights(weights, config: SimConfig, path: str):
    from engine.models.weights import WeightSet

    return (weights if weights is not None else WeightSet.random(config)).save(path)


def parse_tick(text: str, last_tick: int) -> int:
    if text == "final":
        return last_tick
    try:
        tick = int(text)
    except ValueError:
        raise ValueError(f"--tick must be a whole number or 'final', got {text!r}") from None
    if not 0 <= tick <= last_tick:
        raise ValueError(f"--tick must be between 0 and {last_tick} for this sentence, got {tick}")
    return tick


def run_export(args: argparse.Namespace, argv: list[str]) -> int:
    """--export DIR: build the window offscreen, draw the run at a tick, write every image.
    All or nothing: a failure or Ctrl-C leaves the folder as it was."""
    from engine.core.errors import RunCancelled
    from engine.core.progress import CancelToken

    cancel = CancelToken()
    try:
        with _ctrl_c_cancels(cancel):
            return _export(args, argv, cancel)
    except RunCancelled:
        return _interrupted()


def _export(args: argparse.Namespace, argv: list[str], cancel) -> int:
    from engine import EngineInputError
    from engine.core.config import ConfigError
    from gui.export.batch import check_options, parse_formats

    try:
        formats = parse_formats(args.format)
        check_options(args.export, args.width, fps=args.fps if args.gif else None)
        inputs = _export_inputs(args, argv)
        trace, tick = _simulate_at_tick(inputs, cancel)
    except ConfigError as error:
        return _fail(f"{CONFIG_FLAGS.get(error.field, error.field)} {error.problem}")
    except (EngineInputError, ValueError) as error:
        return _fail(str(error))
    return _render_export(args, formats, inputs, trace, tick, cancel)


class ExportInputs(NamedTuple):
    """What an export draws, from --session or from the flags."""
    sentence: str
    config: SimConfig
    selected: int  # the pinned word, -1 for none
    tick_text: str | None  # --tick as typed; None: the session's own tick
    saved_tick: int | None  # the session's tick
    weights: object = None  # a WeightSet from --weights or the session, or None: random


def _export_inputs(args: argparse.Namespace, argv: list[str]) -> ExportInputs:
    from gui.session import load_session

    if not args.session:
        sentence = args.sentence if args.sentence is not None else DEFAULT_SENTENCE
        weights, config = load_weights(args, argv, config_from_args(args))
        return ExportInputs(sentence, config, -1, args.tick, None, weights)
    session = load_session(args.session)
    tick_given = "--tick" in {word.split("=")[0] for word in argv}
    return ExportInputs(session.sentence, session.config, session.selected_token,
                        args.tick if tick_given else None, session.tick, session.weights)


def _simulate_at_tick(inputs: ExportInputs, cancel):
    """The run and the tick to draw. A session's own tick is clamped as the app does; a --tick
    the user typed is checked (ValueError)."""
    from engine import simulate
    from engine.core.clock import tick_count

    trace = simulate(inputs.sentence, inputs.config, weights=inputs.weights, cancel=cancel)
    last_tick = tick_count(trace.length) - 1
    if inputs.tick_text is None:
        return trace, min(inputs.saved_tick, last_tick)
    return trace, parse_tick(inputs.tick_text, last_tick)


def _render_export(args: argparse.Namespace, formats, inputs: ExportInputs, trace, tick: int,
                   cancel) -> int:
    """Build the window offscreen with the run at `tick` and write every file."""
    import tempfile
    from pathlib import Path

    from engine import EngineInputError
    from gui.export.batch import export_folder

    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # no window appears, whatever the desktop
    from PySide6.QtCore import QSettings
    from gui.app import create_window

    on_terminal = sys.stderr.isatty()
    with tempfile.TemporaryDirectory() as scratch:  # never touch the user's remembered settings
        settings = QSettings(str(Path(scratch) / "export.ini"), QSettings.Format.IniFormat)
        app, window = create_window(inputs.config.to_dict(), inputs.sentence, settings=settings)
        window.resize(1600, 1000)
        window.show()
        window.state.show(trace, tick)
        selected = inputs.selected
        window.state.selection.set_pinned(selected if 0 <= selected < trace.length else None)
        window.show_run_status(trace)
        app.processEvents()
        try:
            export_folder(window, args.export, formats, width=args.width, gif=args.gif,
                          fps=args.fps, data=args.data, report=_print_path,
                          progress=_show_progress if on_terminal else None, cancel=cancel)
        except EngineInputError as error:
            return _fail(str(error))
        finally:
            if on_terminal:
                _show_progress("")
            window.close()
    return 0


def _show_progress(text: str) -> None:
    """What the export is drawing, rewritten in place on a terminal; "" clears the line."""
    print(f"\r\033[K{text and 'drawing ' + text}", end="", file=sys.stderr, flush=True)


def _print_path(path) -> None:
    if sys.stderr.isatty():
        _show_progress("")
    print(path, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    problem = flag_combination_error(args, argv)
    if problem:
        return _fail(problem)
    if args.benchmark:
        return run_benchmark(args)
    if args.train:
        return run_training(args)
    if args.train_sweep:
        return run_train_sweep(args)
    if args.export:
        return run_export(args, argv)
    if args.report or args.save_trace or args.save_weights:
        return run_headless(args, argv)
    from engine.core.config import ConfigError
    try:
        config = config_from_args(args)
    except ConfigError as error:
        return _fail(f"{CONFIG_FLAGS.get(error.field, error.field)} {error.problem}")
    if display_missing():
        return _fail(NO_DISPLAY)
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
        return _interrupted()


if __name__ == "__main__":
    sys.exit(entry_point())
