"""RNN vs Transformer simulator: the command line, the headless report, and the GUI launcher."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading

from engine import __version__
from engine.core.config import ACTIVATIONS, CELLS, DEFAULT_SENTENCE, MAX_TOKENS, POSITIONALS, SimConfig

# SimConfig field -> command-line flag; the GUI labels its widgets with the same names.
CONFIG_FLAGS = {
    "d_model": "--d-model", "hidden_size": "--hidden-size", "heads": "--heads",
    "head_size": "--head-size", "cell": "--cell", "activation": "--activation",
    "recurrent_scale": "--recurrent-scale", "seed": "--seed", "causal": "--causal",
    "scaling": "--no-scaling", "positional": "--positional",
}


# Every mode that works without a window (and without a display).
HEADLESS_MODES = "--report, --save-trace, --export or --benchmark"
NO_DISPLAY = ("no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set): "
              "run it under a virtual screen with `xvfb-run python main.py`, or use a headless "
              f"mode ({HEADLESS_MODES}; see --help)")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one clear line and status 2, no usage dump
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    defaults = SimConfig()
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
    model.add_argument("--d-model", type=int, default=defaults.d_model, metavar="D",
                       help="width of every word vector (default %(default)s)")
    model.add_argument("--hidden-size", type=int, default=defaults.hidden_size, metavar="H",
                       help="width of the RNN's hidden state (default %(default)s)")
    model.add_argument("--cell", choices=CELLS, default=defaults.cell,
                       help="recurrent cell: rnn (Elman), lstm or gru (default %(default)s)")
    model.add_argument("--activation", choices=ACTIVATIONS, default=defaults.activation,
                       help="activation of the Elman cell, only with --cell rnn "
                            "(default %(default)s)")
    model.add_argument("--recurrent-scale", type=float, default=defaults.recurrent_scale,
                       metavar="S", help="multiply the recurrent weights by S (default %(default)s)")
    model.add_argument("--heads", type=int, default=defaults.heads,
                       help="attention heads (default %(default)s)")
    model.add_argument("--head-size", type=int, default=defaults.head_size, metavar="DK",
                       help="d_k, width of each head's queries, keys and values (default %(default)s)")
    model.add_argument("--causal", action="store_true",
                       help="mask attention to later words, as a decoder does")
    model.add_argument("--no-scaling", action="store_true",
                       help="do not divide attention scores by sqrt(d_k)")
    model.add_argument("--positional", choices=POSITIONALS, default=defaults.positional,
                       help="add sinusoidal position vectors before attention (default %(default)s)")
    model.add_argument("--seed", type=int, default=defaults.seed,
                       help="fixes every weight and word vector (default %(default)s)")
    headless = parser.add_argument_group("headless use (no window)")
    headless.add_argument("--report", action="store_true",
                          help="print the comparison of both models for the sentence and exit")
    headless.add_argument("--json", action="store_true", help="with --report: print JSON")
    headless.add_argument("--save-trace", metavar="FILE.npz",
                          help="write everything the run recorded to one .npz file and exit")
    export = parser.add_argument_group("headless export (no window)")
    export.add_argument("--export", metavar="DIR",
                        help="render every plot and panel into DIR, created if missing "
                             "(attention-weights.svg, rnn-hidden.png, ...), print the paths and exit")
    export.add_argument("--format", default="png", metavar="png,svg",
                        help="image formats for --export, comma-separated (default %(default)s)")
    export.add_argument("--width", type=int, metavar="PX",
                        help="PNG width in pixels (default: twice the on-screen size)")
    export.add_argument("--tick", default="final", metavar="N|final",
                        help="the clock position to draw (default: final, the end of the backward pass)")
    export.add_argument("--gif", action="store_true",
                        help="also write animation.gif of every tick, the window at its "
                             "on-screen width")
    export.add_argument("--fps", type=float, default=4.0, help="GIF frames per second (default 4)")
    export.add_argument("--data", action="store_true",
                        help="also write trace.npz and a CSV of every matrix shown")
    export.add_argument("--session", metavar="FILE.json",
                        help="take the sentence, parameters, tick and selection from a saved session")
    lab = parser.add_argument_group("cost lab, headless (measure sequential vs parallel on this machine)")
    lab.add_argument("--benchmark", action="store_true",
                     help="time the stepwise RNN, torch's RNN, our attention and SDPA over "
                          "doubling sentence lengths; print the table and fitted slopes "
                          "(uses --d-model, --hidden-size, --head-size; --json for JSON)")
    lab.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                     help="where to measure (default %(default)s)")
    lab.add_argument("--min-n", type=int, default=16, metavar="A", help="shortest length (default 16)")
    lab.add_argument("--max-n", type=int, default=4096, metavar="B", help="longest length (default 4096)")
    lab.add_argument("--repeats", type=int, default=5, metavar="R",
                     help="timed runs per length, after one warm-up (default 5)")
    lab.add_argument("--backward", action="store_true", help="time forward + backward passes")
    lab.add_argument("--threads", type=int, default=0, metavar="N",
                     help="CPU threads torch may use per operation (default 0: torch's default; "
                          "1 measures far more steadily on a busy machine)")
    return parser


LAB_FLAGS = {"device": "--device", "d_model": "--d-model", "hidden_size": "--hidden-size",
             "head_size": "--head-size", "repeats": "--repeats", "min_n": "--min-n",
             "max_n": "--max-n", "lengths": "--min-n/--max-n", "threads": "--threads"}


def run_benchmark(args: argparse.Namespace) -> int:
    """--benchmark: the cost lab's sweep from the command line; partial results are still printed."""
    from engine.labs.cost.config import LabConfig, default_lengths
    from engine.labs.cost.sweep import sweep
    from engine.labs.cost.report import format_table, result_to_json
    from engine.core.errors import ConfigError
    from engine.core.progress import CancelToken

    try:
        config = LabConfig(device=args.device, d_model=args.d_model, hidden_size=args.hidden_size,
                           head_size=args.head_size, lengths=default_lengths(args.min_n, args.max_n),
                           repeats=args.repeats, backward=args.backward, threads=args.threads)
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


def config_from_args(args: argparse.Namespace) -> SimConfig:
    """The SimConfig the flags describe; raises ConfigError naming the field."""
    return SimConfig(
        d_model=args.d_model, hidden_size=args.hidden_size, cell=args.cell,
        activation=args.activation, recurrent_scale=args.recurrent_scale, heads=args.heads,
        head_size=args.head_size, causal=args.causal, scaling=not args.no_scaling,
        positional=args.positional, seed=args.seed,
    )


def explicit_fields(argv: list[str]) -> set[str]:
    """The SimConfig fields whose flags appear on the command line (they override saved settings)."""
    used = {word.split("=", 1)[0] for word in argv if word.startswith("--")}
    return {field for field, flag in CONFIG_FLAGS.items() if flag in used}


def flag_combination_error(args: argparse.Namespace, argv: list[str]) -> str | None:
    """Why the flags given together make no sense, or None."""
    if args.json and not (args.report or args.benchmark):
        return "--json goes with --report or --benchmark"
    if "activation" in explicit_fields(argv) and args.cell != "rnn":
        return (f"--activation applies only to --cell rnn (the Elman cell); --cell {args.cell} "
                "uses its own sigmoid and tanh gates, so leave --activation out")
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


def run_headless(args: argparse.Namespace) -> int:
    from engine import EngineInputError, simulate
    from engine.core.config import ConfigError
    from engine.analysis.report import comparison, format_report

    problem = _output_name_error(args.save_trace)
    if problem:
        return _fail(problem)
    try:
        config = config_from_args(args)
        trace = simulate(args.sentence if args.sentence is not None else DEFAULT_SENTENCE, config)
        saved = trace.save(args.save_trace) if args.save_trace else None
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
    import os
    import tempfile
    from pathlib import Path

    from engine import EngineInputError, simulate
    from engine.core.config import ConfigError
    from gui.export.batch import check_options, export_folder, parse_formats
    from gui.session import load_session

    try:
        formats = parse_formats(args.format)
        check_options(args.export, args.width, fps=args.fps if args.gif else None)
        if args.session:
            session = load_session(args.session)
            sentence, config, selected = session.sentence, session.config, session.selected_token
            tick_given = "--tick" in {word.split("=")[0] for word in argv}
            tick_text = args.tick if tick_given else None
        else:
            sentence = args.sentence if args.sentence is not None else DEFAULT_SENTENCE
            config, selected, tick_text = config_from_args(args), -1, args.tick
        trace = simulate(sentence, config, cancel=cancel)
        last_tick = 2 * trace.length
        # A session's own tick is clamped as the app does; a --tick the user typed is checked.
        tick = min(session.tick, last_tick) if tick_text is None else parse_tick(tick_text, last_tick)
    except ConfigError as error:
        return _fail(f"{CONFIG_FLAGS.get(error.field, error.field)} {error.problem}")
    except (EngineInputError, ValueError) as error:
        return _fail(str(error))

    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # no window appears, whatever the desktop
    from PySide6.QtCore import QSettings
    from gui.app import create_window

    on_terminal = sys.stderr.isatty()
    with tempfile.TemporaryDirectory() as scratch:  # never touch the user's remembered settings
        settings = QSettings(str(Path(scratch) / "export.ini"), QSettings.Format.IniFormat)
        app, window = create_window(config.to_dict(), sentence, settings=settings)
        window.resize(1600, 1000)
        window.show()
        window.timeline.set_trace(trace, tick)
        window.selection.set_pinned(selected if 0 <= selected < trace.length else None)
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
    if args.export:
        return run_export(args, argv)
    if args.report or args.save_trace:
        return run_headless(args)
    from engine.core.config import ConfigError
    try:
        config = config_from_args(args)
    except ConfigError as error:
        return _fail(f"{CONFIG_FLAGS.get(error.field, error.field)} {error.problem}")
    if display_missing():
        return _fail(NO_DISPLAY)
    given = explicit_fields(argv)
    from gui.app import run_app
    return run_app({name: getattr(config, name) for name in given}, args.sentence)


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
