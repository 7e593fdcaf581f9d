"""--report, --save-trace and --save-weights: one run, printed or saved, without a window."""

from __future__ import annotations

import argparse
import json

from cli.options import CONFIG_FLAGS, config_from_args, explicit_fields
from cli.outcomes import fail, output_name_error
from engine.core.config import DEFAULT_SENTENCE, SimConfig


def load_weights(args: argparse.Namespace, argv: list[str], config: SimConfig):
    """(weights, config): the --weights file's WeightSet (None without the flag) and the config
    with the cell and widths the file fixes, where the command line did not give them."""
    if not args.weights:
        return None, config
    from engine.core.errors import ConfigError
    from engine.models.weights import WeightSet

    weights = WeightSet.load(args.weights)
    given = explicit_fields(argv)
    config = config.replace(**{field: value for field, value in weights.config_fields.items()
                               if field not in given})
    if "activation" in given and config.cell != "rnn":
        raise ConfigError("activation", f"applies only to the Elman cell; the weight file's cell "
                                        f"is {config.cell}, so leave --activation out")
    return weights, config


def run_headless(args: argparse.Namespace, argv: list[str]) -> int:
    from engine import EngineInputError, simulate
    from engine.analysis.report import comparison, format_report
    from engine.core.config import ConfigError

    problem = output_name_error(args.save_trace) or output_name_error(args.save_weights)
    if problem:
        return fail(problem)
    try:
        weights, config = load_weights(args, argv, config_from_args(args))
        trace = simulate(args.sentence if args.sentence is not None else DEFAULT_SENTENCE, config,
                         weights=weights)
        saved = trace.save(args.save_trace) if args.save_trace else None
        if args.save_weights:
            print(f"weights written to {_save_weights(weights, config, args.save_weights)}")
    except ConfigError as error:
        return fail(f"{CONFIG_FLAGS.get(error.field, error.field)} {error.problem}")
    except EngineInputError as error:
        return fail(str(error))
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
