"""Cost lab results read out: fitted slopes against Table 1's exponents, the n = d crossover, and the
sweep as JSON (written and read back), CSV and a plain-text table."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import os
import statistics

from engine.cost_lab import (DEVICES, IMPLEMENTATIONS, LABELS, PAPER_EXPONENT, RECURRENT, TABLE1,
                             LabConfig, LabResult, LabRow, Measurement, crossover_n)
from engine.errors import ConfigError, EngineInputError
from engine.untrusted import decode_text, parse_json, printable, read_limited
from engine.report import format_seconds

MAX_RESULT_BYTES = 16 * 2**20  # a sweep of 100 lengths with 100 repeats is about 1 MB of JSON


class ResultFileError(EngineInputError):
    """A file that cannot be read as a cost-lab result: missing, special, huge, corrupt or invalid."""


def fit_slope(ns, values) -> float:
    """Least-squares slope of log(value) against log(n) over the upper half of the n range.

    Points with n >= the median n (and a positive value) take part; NaN when fewer than 2 do.
    """
    pairs = [(n, v) for n, v in zip(ns, values)]
    if not pairs:
        return math.nan
    middle = statistics.median(n for n, _ in pairs)
    points = [(math.log(n), math.log(v)) for n, v in pairs if n >= middle and v > 0]
    if len({x for x, _ in points}) < 2:
        return math.nan
    mean_x = statistics.fmean(x for x, _ in points)
    mean_y = statistics.fmean(y for _, y in points)
    covariance = sum((x - mean_x) * (y - mean_y) for x, y in points)
    return covariance / sum((x - mean_x) ** 2 for x, _ in points)


def fitted_slopes(result: LabResult) -> dict[str, dict[str, float]]:
    """Per implementation, the fitted exponent k of time ~ n^k and of MACs ~ n^k."""
    ns = [row.n for row in result.rows]
    return {name: {"seconds": fit_slope(ns, [row[name].median_seconds for row in result.rows]),
                   "macs": fit_slope(ns, [row[name].macs for row in result.rows])}
            for name in IMPLEMENTATIONS}


def counted_crossover_n(config: LabConfig) -> int:
    """The smallest n at which our attention's forward MACs reach the RNN's (d·hs and D·H matter)."""
    D, H, hs = config.d_model, config.hidden_size, config.head_size
    # 2·hs·n² + 4·D·hs·n >= H·(D + H)·n  <=>  n >= (H·(D + H) - 4·D·hs) / (2·hs)
    return max(1, math.ceil((H * (D + H) - 4 * D * hs) / (2 * hs)))


def result_to_dict(result: LabResult) -> dict:
    """Everything a sweep found, in plain JSON types (NaN slopes become null)."""
    rows = [{"n": row.n, "rnn_sequential_operations": row.rnn_sequential_operations,
             "attention_sequential_operations": row.attention_sequential_operations,
             "rnn_max_path_length": row.rnn_max_path_length,
             "attention_max_path_length": row.attention_max_path_length,
             "measurements": {name: {**dataclasses.asdict(m), "samples": list(m.samples)}
                              for name, m in row.measurements.items()}}
            for row in result.rows]
    slopes = {name: {key: None if math.isnan(value) else value for key, value in pair.items()}
              for name, pair in fitted_slopes(result).items()}
    return {"config": {**dataclasses.asdict(result.config), "lengths": list(result.config.lengths)},
            "device_name": result.device_name, "torch_version": result.torch_version,
            "stopped_reason": result.stopped_reason, "table1": TABLE1,
            "paper_exponents": PAPER_EXPONENT, "crossover_n": crossover_n(result.config.d_model),
            "counted_crossover_n": counted_crossover_n(result.config),
            "rows": rows, "slopes": slopes}


def result_to_json(result: LabResult) -> str:
    return json.dumps(result_to_dict(result), indent=2, ensure_ascii=False, allow_nan=False)


def load_result(path: str | os.PathLike) -> LabResult:
    """Read a result written by result_to_json back into an equal LabResult; ResultFileError if not."""
    data = read_limited(path, MAX_RESULT_BYTES, ResultFileError)
    return result_from_json(decode_text(data, path, ResultFileError), source=printable(path))


def result_from_json(text: str, source: str = "the result") -> LabResult:
    """The LabResult in result_to_json's text. The derived entries (slopes, crossovers, Table 1)
    are not read: they are recomputed from the rows whenever they are shown."""
    data = parse_json(text, lambda problem: ResultFileError(f"{source} {problem}"))
    try:
        if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
            raise EngineInputError("is not a cost-lab result saved by this app")
        config = _lab_config(_entry(data, "config", dict))
        rows = tuple(_row(row, config) for row in data["rows"])
        if [row.n for row in rows] != list(config.lengths[:len(rows)]):
            raise EngineInputError("has rows whose lengths n do not follow its configuration")
        return LabResult(config, rows, _text(data, "stopped_reason"), _text(data, "device_name"),
                         _text(data, "torch_version"))
    except ConfigError as error:
        raise ResultFileError(f"{source} holds an invalid configuration: {printable(error, 200)}") \
            from None
    except EngineInputError as error:
        raise ResultFileError(f"{source} {error}") from None
    except OverflowError:  # an integer of hundreds of digits where seconds belong
        raise ResultFileError(f"{source} holds a number too large for its entry") from None


def _entry(mapping: dict, key: str, kind: type, where: str = ""):
    if not isinstance(mapping, dict) or key not in mapping:
        raise EngineInputError(f"lacks the entry {where}{key!r}")
    value = mapping[key]
    if kind is int:
        fits = isinstance(value, int) and not isinstance(value, bool)
    elif kind is float:
        fits = isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
    else:
        fits = isinstance(value, kind)
    if not fits:
        raise EngineInputError(f"has an entry {where}{key!r} of the wrong type or sign")
    return float(value) if kind is float else value


def _text(mapping: dict, key: str, where: str = "") -> str:
    value = _entry(mapping, key, str, where)
    if value != printable(value, len(value) + 1) or len(value) > 1000:
        raise EngineInputError(f"has an entry {where}{key!r} that is not one line of text")
    return value


# Every LabConfig field and the JSON type result_to_dict writes it as.
_CONFIG_TYPES = {"device": str, "d_model": int, "hidden_size": int, "head_size": int,
                 "lengths": list, "backward": bool, "repeats": int, "warmup": int, "dtype": str}


def _lab_config(values: dict) -> LabConfig:
    unknown = sorted(printable(key, 40) for key in values if key not in _CONFIG_TYPES)
    if unknown:
        raise ConfigError(unknown[0], "is not a cost-lab configuration key")
    for key, kind in _CONFIG_TYPES.items():
        _entry(values, key, kind, "config ")
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in values["lengths"]):
        raise ConfigError("lengths", "must be a list of whole numbers")
    if values["device"] not in DEVICES:
        raise ConfigError("device", f"must be one of {', '.join(DEVICES)}")
    # A sweep measured on a GPU opens on a machine without one: LabConfig refuses "cuda" where no
    # GPU is visible (and imports torch to ask), so validate as "cpu", then restore the device.
    config = LabConfig(**{**values, "device": "cpu"})
    object.__setattr__(config, "device", values["device"])
    return config


def _row(row, config: LabConfig) -> LabRow:
    if not isinstance(row, dict):
        raise EngineInputError("has a row that is not a JSON object")
    n = _entry(row, "n", int, "row ")
    where = f"row n = {printable(n, 12)}: "
    counts = [_entry(row, key, int, where) for key in (
        "rnn_sequential_operations", "attention_sequential_operations", "rnn_max_path_length",
        "attention_max_path_length")]
    measurements = _entry(row, "measurements", dict, where)
    if sorted(measurements) != sorted(IMPLEMENTATIONS):
        raise EngineInputError(f"{where}measures {', '.join(printable(k, 30) for k in measurements)}"
                               f" instead of {', '.join(IMPLEMENTATIONS)}")
    return LabRow(n, {name: _measurement(measurements[name], name, where + name + " ")
                      for name in IMPLEMENTATIONS}, *counts)


def _measurement(values, name: str, where: str) -> Measurement:
    if not isinstance(values, dict) or values.get("implementation") != name:
        raise EngineInputError(f"{where}is not a measurement of {name}")
    samples = _entry(values, "samples", list, where)
    if not samples or not all(isinstance(s, (int, float)) and not isinstance(s, bool) and s >= 0
                              for s in samples):
        raise EngineInputError(f"{where}has samples that are not times in seconds")
    return Measurement(name, _entry(values, "median_seconds", float, where),
                       _entry(values, "min_seconds", float, where),
                       _entry(values, "max_seconds", float, where),
                       _entry(values, "macs", int, where), tuple(float(s) for s in samples))


CSV_COUNT_COLUMNS = ("rnn_sequential_operations", "attention_sequential_operations",
                     "rnn_max_path_length", "attention_max_path_length")


def csv_columns() -> list[str]:
    """n, then median/min/max seconds and MACs for each implementation, then the counts."""
    columns = ["n"]
    for name in IMPLEMENTATIONS:
        columns += [f"{name}_median_s", f"{name}_min_s", f"{name}_max_s", f"{name}_macs"]
    return columns + list(CSV_COUNT_COLUMNS)


def result_to_csv(result: LabResult) -> str:
    """One line per n, with the header csv_columns()."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(csv_columns())
    for row in result.rows:
        line = [row.n]
        for name in IMPLEMENTATIONS:
            m = row[name]
            line += [repr(m.median_seconds), repr(m.min_seconds), repr(m.max_seconds), m.macs]
        writer.writerow(line + [getattr(row, column) for column in CSV_COUNT_COLUMNS])
    return buffer.getvalue()


def _count_text(count: int) -> str:
    for unit, scale in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if count >= scale:
            return f"{count / scale:.3g} {unit}"
    return str(count)


def _slope_text(slope: float) -> str:
    return "  n/a" if math.isnan(slope) else f"{slope:5.2f}"


def first_slower(rows, recurrent: str, attention: str) -> int | None:
    """The first measured n at which `attention` took at least as long as `recurrent`."""
    return next((row.n for row in rows
                 if row[attention].median_seconds >= row[recurrent].median_seconds), None)


def _header_lines(result: LabResult) -> list[str]:
    c = result.config
    mode = "forward + backward of output.sum()" if c.backward else "forward only"
    paper = [f"  {'':<15}{'complexity per layer':<23}{'sequential operations':<24}max path length"]
    for label, key in (("self-attention", "self_attention"), ("recurrent", "recurrent")):
        row = TABLE1[key]
        paper.append(f"  {label:<15}{row['complexity']:<23}{row['sequential']:<24}{row['path']}")
    return [f"Cost lab on {c.device}: {result.device_name}, torch {result.torch_version}",
            f"{c.dtype}, D = {c.d_model}, H = {c.hidden_size}, one head of size {c.head_size}, "
            f"{mode}; median of {c.repeats} run(s) after {c.warmup} warm-up(s)", "",
            "Table 1 of Vaswani et al. (2017), per layer (n words, width d):", *paper, ""]


def _timing_lines(result: LabResult) -> list[str]:
    lines = ["Measured time per run: median [min - max]",
             f"{'n':>7}  " + "".join(f"{LABELS[name]:<31}" for name in IMPLEMENTATIONS)]
    for row in result.rows:
        cells = [f"{format_seconds(m.median_seconds)} [{format_seconds(m.min_seconds)} - "
                 f"{format_seconds(m.max_seconds)}]" for m in (row[name] for name in IMPLEMENTATIONS)]
        lines.append(f"{row.n:>7}  " + "".join(f"{cell:<31}" for cell in cells))
    return lines + [""]


def _count_lines(result: LabResult) -> list[str]:
    lines = ["Counted multiply-adds per run, sequential operations and longest path (RNN vs attention)",
             f"{'n':>7}  {'RNN (both)':<13}{'attend()':<13}{'SDPA':<13}"
             f"{'sequential ops':<17}path length"]
    for row in result.rows:
        counts = [_count_text(row[name].macs) for name in ("rnn_stepwise", "attention", "attention_sdpa")]
        sequential = f"{row.rnn_sequential_operations} vs {row.attention_sequential_operations}"
        path = f"{row.rnn_max_path_length} vs {row.attention_max_path_length}"
        lines.append(f"{row.n:>7}  " + "".join(f"{text:<13}" for text in counts)
                     + f"{sequential:<17}{path}")
    return lines + [""]


def _slope_lines(result: LabResult) -> list[str]:
    lines = ["Fitted exponent k of cost ~ n^k (least squares of logs over the upper half of n)",
             f"  {'':<31}{'time':>6}{'MACs':>7}   paper (large n)"]
    for name, slopes in fitted_slopes(result).items():
        table = TABLE1["recurrent" if name in RECURRENT else "self_attention"]["complexity"]
        lines.append(f"  {LABELS[name]:<31}{_slope_text(slopes['seconds']):>6}"
                     f"{_slope_text(slopes['macs']):>7}   {PAPER_EXPONENT[name]}  ({table})")
    return lines + [""]


def _crossover_lines(result: LabResult) -> list[str]:
    c = result.config
    lines = [f"Crossover: Table 1 makes self-attention cheaper per layer while n < d = "
             f"{crossover_n(c.d_model)}; with one head of size {c.head_size}, the counted forward "
             f"MACs of attend() reach the RNN's at n = {counted_crossover_n(c)}."]
    for recurrent, attention in (("rnn_stepwise", "attention"), ("rnn_fused", "attention_sdpa")):
        first = first_slower(result.rows, recurrent, attention)
        verdict = (f"took at least as long from n = {first}" if first is not None
                   else "was faster at every measured n")
        lines.append(f"  {LABELS[attention]} vs {LABELS[recurrent]}: attention {verdict}.")
    return lines + [f"Stopped: {result.stopped_reason}."]


def format_table(result: LabResult) -> str:
    """A plain-text report: Table 1, measured times, counted costs, fitted exponents, crossover."""
    lines = (_header_lines(result) + _timing_lines(result) + _count_lines(result)
             + _slope_lines(result) + _crossover_lines(result))
    return "\n".join(line.rstrip() for line in lines)
