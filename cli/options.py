"""The command-line options: made from each config's field metadata (SimConfig, the cost lab's
LabConfig, the training lab's TrainConfig), and the checks on flags that make no sense together."""

from __future__ import annotations

import argparse

from engine import __version__
from engine.core.config import DEFAULT_SENTENCE, MAX_TOKENS, SimConfig
from engine.core.fields import Flag, FloatRange, IntRange, described_fields
from engine.labs.cost.config import LabConfig, default_lengths
from engine.labs.deer.config import DeerLabConfig
from engine.labs.training.config import TrainConfig


# SimConfig field -> command-line flag; the GUI labels its widgets with the same names.
CONFIG_FLAGS = {field.name: spec.flag for field, spec in described_fields(SimConfig) if spec.flag}


# Every mode that works without a window (and without a display).
HEADLESS_MODES = ("--report, --save-trace, --save-weights, --export, --benchmark, --train, "
                  "--train-sweep or --deer")


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
    _add_deer_options(parser.add_argument_group(
        "DEER lab, headless (the RNN's trajectory at once, by Newton iterations)"))
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


# DeerLabConfig field -> command-line flag; several are shared with the groups above.
DEER_FLAGS = {field.name: spec.flag for field, spec in described_fields(DeerLabConfig)
              if spec.flag}


def _add_deer_options(group) -> None:
    """--deer and the DeerLabConfig fields' options that no group above already made (--n,
    --hidden-size, --recurrent-scale, --seed and --max-n are shared)."""
    taken = {*CONFIG_FLAGS.values(), *LAB_FLAGS.values(), *TRAIN_FLAGS.values()}
    shared = tuple(flag for flag in DEER_FLAGS.values() if flag in taken)
    group.add_argument("--deer", action="store_true",
                       help="run DEER and quasi-DEER on the tanh RNN against the step loop and "
                            "print the iterations they need against n and against the recurrent "
                            f"scale (uses {', '.join(shared)}; a shared flag not given takes the "
                            "DEER lab's default: n 64, hidden size 8, longest n 256)")
    add_field_options(group, DeerLabConfig, skip=shared)


def _flag_dest(flag: str) -> str:
    return flag.removeprefix("--").replace("-", "_")


def deer_config_from_args(args: argparse.Namespace, argv: list[str]) -> DeerLabConfig:
    """The DeerLabConfig the flags describe; raises ConfigError naming the field. A flag shared
    with another mode counts only when given: its parser default is that mode's (hidden size
    512), not the DEER lab's."""
    shared = {*CONFIG_FLAGS.values(), *LAB_FLAGS.values(), *TRAIN_FLAGS.values()}
    given = {word.split("=", 1)[0] for word in argv if word.startswith("--")}
    return DeerLabConfig(**{name: getattr(args, _flag_dest(flag))
                            for name, flag in DEER_FLAGS.items()
                            if flag in given or flag not in shared})


def config_from_args(args: argparse.Namespace) -> SimConfig:
    """The SimConfig the flags describe; raises ConfigError naming the field."""
    return SimConfig(**{name: getattr(args, name) for name in CONFIG_FLAGS})


def lab_config_from_args(args: argparse.Namespace) -> LabConfig:
    """The LabConfig the flags describe; raises ConfigError naming the field."""
    values = {field.name: getattr(args, field.name)
              for field, spec in described_fields(LabConfig) if spec.flag}
    return LabConfig(**values, lengths=default_lengths(args.min_n, args.max_n))


def train_config_from_args(args: argparse.Namespace) -> TrainConfig:
    """The TrainConfig the flags describe; raises ConfigError naming the field."""
    return TrainConfig(**{name: getattr(args, name) for name in TRAIN_FLAGS})


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
    if args.deer and args.weights is not None:
        return "--weights goes without --deer (the DEER lab builds its own seeded weights)"
    if args.deer and explicit_fields(argv) & {"cell", "activation"}:
        return "--deer solves the tanh Elman RNN; leave --cell and --activation out"
    return None
