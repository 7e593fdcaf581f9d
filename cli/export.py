"""--export DIR: the window built offscreen, the run drawn at a tick, every image written."""

from __future__ import annotations

import argparse
import os
import sys
from typing import NamedTuple

from cli.options import CONFIG_FLAGS, config_from_args
from cli.outcomes import ctrl_c_cancels, fail, interrupted
from cli.report import load_weights
from engine.core.config import DEFAULT_SENTENCE, SimConfig


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
        with ctrl_c_cancels(cancel):
            return _export(args, argv, cancel)
    except RunCancelled:
        return interrupted()


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
        return fail(f"{CONFIG_FLAGS.get(error.field, error.field)} {error.problem}")
    except (EngineInputError, ValueError) as error:
        return fail(str(error))
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
            return fail(str(error))
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
