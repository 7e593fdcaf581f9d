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
import textwrap

from engine.analysis.report import format_seconds
from engine.core.errors import ConfigError, EngineInputError
from engine.core.scan_plan import scan_operator_applications
from engine.core.timing import (UNSTEADY_SPREAD, Crossover, crossover_text, slope_warning,
                           stable_crossover)
from engine.core.untrusted import decode_text, parse_json, printable, read_limited
from engine.labs.cost.config import DEVICES, LabConfig
from engine.labs.cost.sweep import (BASE_IMPLEMENTATIONS, COMPARED, IMPLEMENTATIONS, LABELS, MINGRU,
                                    PAPER_EXPONENT, SCAN_COMPARED, TABLE1, TABLE1_ROW, LabResult,
                                    LabRow, Measurement, crossover_n)

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


def measured_implementations(rows) -> tuple[str, ...]:
    """The implementations every row measured, in IMPLEMENTATIONS order: all of them, or without
    minGRU's in a result saved before it joined the sweep. All of them while there are no rows."""
    return tuple(name for name in IMPLEMENTATIONS
                 if all(name in row.measurements for row in rows))


def has_mingru(rows) -> bool:
    return bool(rows) and all(row.has_mingru for row in rows)


def fitted_slopes(result: LabResult) -> dict[str, dict[str, float]]:
    """Per implementation measured, the fitted exponent k of time ~ n^k and of MACs ~ n^k."""
    ns = [row.n for row in result.rows]
    return {name: {"seconds": fit_slope(ns, [row[name].median_seconds for row in result.rows]),
                   "macs": fit_slope(ns, [row[name].macs for row in result.rows])}
            for name in measured_implementations(result.rows)}


def slope_warnings(rows) -> dict[str, str]:
    """Implementation -> why its fitted time exponent cannot be read as the algorithm's (only
    those that cannot). The counted multiply-adds over the same lengths are the expectation."""
    ns = [row.n for row in rows]
    warnings = {}
    for name in measured_implementations(rows):
        warning = slope_warning(fit_slope(ns, [row[name].median_seconds for row in rows]),
                                fit_slope(ns, [row[name].macs for row in rows]))
        if warning is not None:
            warnings[name] = warning
    return warnings


def unsteady_measurements(rows) -> list[tuple[int, str]]:
    """(n, implementation) of every timing whose spread is too large, or unknown, to trust."""
    names = measured_implementations(rows)
    return [(row.n, name) for row in rows for name in names if row[name].unsteady]


def compared_pairs(rows) -> tuple[tuple[str, str], ...]:
    """(baseline, candidate) pairs: each RNN with its attention, and minGRU's loop with its scan
    when the rows measured minGRU."""
    return COMPARED + ((SCAN_COMPARED,) if has_mingru(rows) or not rows else ())


def crossovers(rows, pairs=None) -> dict[tuple[str, str], Crossover | None]:
    """(baseline, candidate) -> where the candidate (attention, the scan) becomes faster or slower
    for good, from the medians. `pairs`: compared_pairs(rows) unless given."""
    ns = [row.n for row in rows]
    return {(recurrent, attention): stable_crossover(
                ns, [row[attention].median_seconds for row in rows],
                [row[recurrent].median_seconds for row in rows])
            for recurrent, attention in (compared_pairs(rows) if pairs is None else pairs)}


def crossover_sentences(rows, names: dict[str, str], pairs=COMPARED) -> list[str]:
    """One sentence per compared pair (the RNNs and attention unless told), naming implementations
    as `names` does, with a caution when the pair's timings include unsteady ones."""
    sentences = []
    for (recurrent, attention), crossover in crossovers(rows, pairs).items():
        text = crossover_text(crossover, names[attention], names[recurrent])
        if any(row[recurrent].unsteady or row[attention].unsteady for row in rows):
            text += " (some of these timings are unsteady)"
        sentences.append(text)
    return sentences


def unsteady_text(rows, threads: int = 0) -> str | None:
    """The warning for unsteady timings, or None when every timing can be trusted. `threads`:
    the sweep's setting (one thread is suggested unless it was used)."""
    unsteady = len(unsteady_measurements(rows))
    total = len(rows) * len(measured_implementations(rows))
    if not unsteady:
        return None
    verb = "is" if unsteady == 1 else "are"
    return (f"{unsteady} of {total} timings {verb} unsteady (the middle half of the repeats spans "
            f"more than {UNSTEADY_SPREAD:.0%} of the median, or fewer than 3 repeats): rerun with "
            f"more repeats, {'' if threads == 1 else 'on 1 CPU thread or '}on a quieter machine, "
            f"before trusting {'it' if unsteady == 1 else 'them'}")


def threads_text(threads: int) -> str:
    """'1 CPU thread', '4 CPU threads' or "torch's default CPU threads"."""
    if threads == 0:
        return "torch's default CPU threads"
    return f"{threads} CPU thread{'' if threads == 1 else 's'}"


SMALL_N_NOTE = ("At small n on a CPU attention can be the slower one: its one call runs about a "
                "dozen tensor operations, each with a fixed cost of microseconds, which outweighs "
                "the little arithmetic of a short sentence.")


def attention_slower_at_smallest_n(rows) -> bool:
    return bool(rows) and any(rows[0][attention].median_seconds >= rows[0][recurrent].median_seconds
                              for recurrent, attention in COMPARED)


SCAN_CPU_NOTE = ("The Hillis-Steele scan does n·⌈log₂ n⌉ operator applications where the loop "
                 "does n steps: it shortens the wait to ⌈log₂ n⌉ levels, not the work, so a few "
                 "CPU cores can lose to the loop; a GPU runs each level at once.")


def scan_sentences(rows, names: dict[str, str], device: str) -> list[str]:
    """minGRU read out: the scan's fitted time slope, whether it beat the step loop (stable
    crossover, as for attention), and on a CPU why it may not. [] without minGRU rows."""
    if not has_mingru(rows):
        return []
    ns = [row.n for row in rows]
    loop, scan = SCAN_COMPARED
    slope = fit_slope(ns, [row[scan].median_seconds for row in rows])
    last = rows[-1]
    sentences = [f"{names[scan]}: measured time slope {_slope_value(slope)} (counted work: "
                 f"{_slope_value(fit_slope(ns, [row[scan].macs for row in rows]))}); "
                 f"⌈log₂ n⌉ = {last.mingru_scan_sequential_operations} sequential levels at "
                 f"n = {last.n} against the loop's {last.mingru_loop_sequential_operations} steps"]
    sentences += crossover_sentences(rows, names, (SCAN_COMPARED,))
    if device == "cpu":
        sentences.append(SCAN_CPU_NOTE.rstrip("."))
    return sentences


def _slope_value(slope: float) -> str:
    return "n/a" if math.isnan(slope) else f"{slope:.2f}"


def counted_crossover_n(config: LabConfig) -> int:
    """The smallest n at which our attention's forward MACs reach the RNN's (d·hs and D·H matter)."""
    D, H, hs = config.d_model, config.hidden_size, config.head_size
    # 2·hs·n² + 4·D·hs·n >= H·(D + H)·n  <=>  n >= (H·(D + H) - 4·D·hs) / (2·hs)
    return max(1, math.ceil((H * (D + H) - 4 * D * hs) / (2 * hs)))


def result_to_dict(result: LabResult) -> dict:
    """Everything a sweep found, in plain JSON types (NaN slopes become null)."""
    rows = [{"n": row.n, **{key: getattr(row, key) for key in _row_count_keys(row)},
             "measurements": {name: _measurement_dict(m) for name, m in row.measurements.items()}}
            for row in result.rows]
    slopes = {name: {key: None if math.isnan(value) else value for key, value in pair.items()}
              for name, pair in fitted_slopes(result).items()}
    found = {f"{attention}_vs_{recurrent}": None if crossover is None else dataclasses.asdict(crossover)
             for (recurrent, attention), crossover in crossovers(result.rows).items()}
    return {"config": {**dataclasses.asdict(result.config), "lengths": list(result.config.lengths)},
            "device_name": result.device_name, "torch_version": result.torch_version,
            "stopped_reason": result.stopped_reason, "table1": TABLE1,
            "paper_exponents": PAPER_EXPONENT, "crossover_n": crossover_n(result.config.d_model),
            "counted_crossover_n": counted_crossover_n(result.config),
            "rows": rows, "slopes": slopes, "slope_warnings": slope_warnings(result.rows),
            "crossovers": found, "unsteady_timings": len(unsteady_measurements(result.rows))}


BASE_COUNT_KEYS = ("rnn_sequential_operations", "attention_sequential_operations",
                   "rnn_max_path_length", "attention_max_path_length")
MINGRU_COUNT_KEYS = ("mingru_loop_sequential_operations", "mingru_scan_sequential_operations",
                     "mingru_max_path_length")  # absent from files saved before minGRU


def _row_count_keys(row: LabRow) -> tuple[str, ...]:
    return BASE_COUNT_KEYS + (MINGRU_COUNT_KEYS if row.has_mingru else ())


def _measurement_dict(m: Measurement) -> dict:
    """A measurement's fields, with its quartiles and trust flag (derived: not read back)."""
    timing = m.timing
    return {**dataclasses.asdict(m), "samples": list(m.samples), "q1_seconds": timing.q1,
            "q3_seconds": timing.q3, "unsteady": timing.unsteady}


def result_to_json(result: LabResult) -> str:
    return json.dumps(result_to_dict(result), indent=2, ensure_ascii=False, allow_nan=False)


def load_result(path: str | os.PathLike) -> LabResult:
    """Read a result written by result_to_json back into an equal LabResult; ResultFileError if not."""
    data = read_limited(path, MAX_RESULT_BYTES, ResultFileError)
    return result_from_json(decode_text(data, path, ResultFileError), source=printable(path))


def result_from_json(text: str, source: str = "the result") -> LabResult:
    """The LabResult in result_to_json's text. The derived entries (slopes, crossovers, quartiles,
    flags, Table 1) are not read: they are recomputed from the rows whenever they are shown."""
    data = parse_json(text, lambda problem: ResultFileError(f"{source} {problem}"))
    try:
        if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
            raise EngineInputError("is not a cost-lab result saved by this app")
        config = _lab_config(_entry(data, "config", dict))
        rows = tuple(_row(row, config) for row in data["rows"])
        if len({row.has_mingru for row in rows}) > 1:
            raise EngineInputError("has rows that measure minGRU and rows that do not")
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
                 "lengths": list, "backward": bool, "repeats": int, "warmup": int, "dtype": str,
                 "threads": int}
OPTIONAL_CONFIG = {"threads": 0}  # keys that files saved by earlier versions lack: their value then


def _lab_config(values: dict) -> LabConfig:
    values = {**OPTIONAL_CONFIG, **values}
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
    measurements = _entry(row, "measurements", dict, where)
    # files saved before minGRU joined the sweep lack its two measurements and its counts
    names = next((names for names in (IMPLEMENTATIONS, BASE_IMPLEMENTATIONS)
                  if sorted(measurements) == sorted(names)), None)
    if names is None:
        raise EngineInputError(f"{where}measures {', '.join(printable(k, 30) for k in measurements)}"
                               f" instead of {', '.join(IMPLEMENTATIONS)} (or the first "
                               f"{len(BASE_IMPLEMENTATIONS)} of them)")
    keys = BASE_COUNT_KEYS + (MINGRU_COUNT_KEYS if names == IMPLEMENTATIONS else ())
    counts = [_entry(row, key, int, where) for key in keys]
    return LabRow(n, {name: _measurement(measurements[name], name, where + name + " ")
                      for name in names}, *counts)


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


CSV_COUNT_COLUMNS = BASE_COUNT_KEYS + MINGRU_COUNT_KEYS


def csv_columns() -> list[str]:
    """n, then for each implementation median/min/max seconds, MACs, the quartiles and the trust
    flag (1: too unsteady to trust), then the counts. A result saved before minGRU joined the
    sweep leaves minGRU's cells empty."""
    columns = ["n"]
    for name in IMPLEMENTATIONS:
        columns += [f"{name}_median_s", f"{name}_min_s", f"{name}_max_s", f"{name}_macs",
                    f"{name}_q1_s", f"{name}_q3_s", f"{name}_unsteady"]
    return columns + list(CSV_COUNT_COLUMNS)


def result_to_csv(result: LabResult) -> str:
    """One line per n, with the header csv_columns()."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(csv_columns())
    for row in result.rows:
        line = [row.n]
        for name in IMPLEMENTATIONS:
            if name not in row.measurements:
                line += [""] * 7
                continue
            m, timing = row[name], row[name].timing
            line += [repr(m.median_seconds), repr(m.min_seconds), repr(m.max_seconds), m.macs,
                     repr(timing.q1), repr(timing.q3), int(timing.unsteady)]
        counts = [getattr(row, column) for column in CSV_COUNT_COLUMNS]
        writer.writerow(line + ["" if count is None else count for count in counts])
    return buffer.getvalue()


def _count_text(count: int) -> str:
    for unit, scale in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if count >= scale:
            return f"{count / scale:.3g} {unit}"
    return str(count)


def _slope_text(slope: float) -> str:
    return "  n/a" if math.isnan(slope) else f"{slope:5.2f}"


def _header_lines(result: LabResult) -> list[str]:
    c = result.config
    mode = "forward + backward of output.sum()" if c.backward else "forward only"
    paper = [f"  {'':<20}{'complexity per layer':<26}{'sequential operations':<27}max path length"]
    for label, key in (("self-attention", "self_attention"), ("recurrent", "recurrent"),
                       ("linear recurrence ¹", "linear_recurrence")):
        row = TABLE1[key]
        paper.append(f"  {label:<20}{_complexity_text(key):<26}{_sequential_text(key):<27}"
                     f"{row['path']}")
    return [f"Cost lab on {c.device}: {result.device_name}, torch {result.torch_version}",
            f"{c.dtype}, D = {c.d_model}, H = {c.hidden_size}, one head of size {c.head_size}, "
            f"{mode}; median of {c.repeats} run(s) after {c.warmup} warm-up(s); "
            f"{threads_text(c.threads)}", "",
            "Table 1 of Vaswani et al. (2017), per layer (n words, width d):", *paper,
            textwrap.fill(LINEAR_RECURRENCE_NOTE, 100, initial_indent="  ¹ ",
                          subsequent_indent="    "), ""]


LINEAR_RECURRENCE_NOTE = (
    "not in the paper: minGRU (Feng et al., 2024), h_t = a_t·h_(t-1) + b_t with gates that read "
    "only the word. O(n·d) counts its recurrence, one multiply-add per channel and word (the "
    "Hillis-Steele scan run here does n·⌈log₂ n⌉ operator applications: O(n·d·log n)); its two "
    "gate projections are O(n·d²) like the RNN's, but for every word at once. The scan waits "
    "⌈log₂ n⌉ levels, the loop n steps; the path between two words stays n - 1.")


def _complexity_text(key: str) -> str:
    """Table 1's complexity; the linear recurrence's with its gate projections beside it."""
    row = TABLE1[key]
    if "projections" in row:
        return f"{row['complexity']} + gates {row['projections']}"
    return row["complexity"]


def _sequential_text(key: str) -> str:
    row = TABLE1[key]
    if "sequential_loop" in row:
        return f"{row['sequential']} scan, {row['sequential_loop']} loop"
    return row["sequential"]


UNSTEADY_MARK = "*"


def _timing_cell(m: Measurement) -> str:
    """'1.07 ms [1.04 ms – 1.08 ms]': the median and the middle half of the repeats; * if unsteady."""
    timing = m.timing
    text = (f"{format_seconds(timing.median)} [{format_seconds(timing.q1)} – "
            f"{format_seconds(timing.q3)}]")
    return text + (f" {UNSTEADY_MARK}" if timing.unsteady else "")


def _columns(header: list[str], body: list[list[str]], gap: int = 3) -> list[str]:
    """Text columns as wide as their widest entry, `gap` spaces apart: nothing runs together."""
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    return ["".join(f"{cell:>{w}}" if i == 0 else f"{' ' * gap}{cell:<{w}}"
                    for i, (cell, w) in enumerate(zip(line, widths))) for line in [header, *body]]


def _timing_lines(result: LabResult) -> list[str]:
    header = ["n", *(LABELS[name] for name in BASE_IMPLEMENTATIONS)]
    body = [[str(row.n), *(_timing_cell(row[name]) for name in BASE_IMPLEMENTATIONS)]
            for row in result.rows]
    lines = ["Measured time per run: median [first – third quartile of the repeats]",
             *_columns(header, body)]
    if has_mingru(result.rows):
        loop, scan = SCAN_COMPARED
        header = ["n", LABELS[loop], LABELS[scan], "loop/scan"]
        body = [[str(row.n), _timing_cell(row[loop]), _timing_cell(row[scan]),
                 _ratio_text(row[loop].median_seconds, row[scan].median_seconds)]
                for row in result.rows]
        lines += ["", "minGRU, the same recurrence two ways (loop/scan > 1: the scan was faster)",
                  *_columns(header, body)]
    else:
        lines += ["", "minGRU: not in this result (saved before the lab measured it)"]
    if unsteady_measurements(result.rows):
        lines.append(f"{UNSTEADY_MARK} unsteady: the middle half of the repeats spans more than "
                     f"{UNSTEADY_SPREAD:.0%} of the median (or fewer than 3 repeats); do not trust it")
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
    if has_mingru(result.rows):
        lines += ["", "Counted for minGRU: multiply-adds per run, sequential operations (loop vs "
                      "scan), the scan's operator applications per loop step, longest path",
                  *_columns(MINGRU_COUNT_HEADER, [_mingru_count_cells(row) for row in result.rows])]
    return lines + [""]


MINGRU_COUNT_HEADER = ["n", "step loop", "scan", "sequential ops", "scan work", "path length"]


def _mingru_count_cells(row: LabRow) -> list[str]:
    loop, scan = SCAN_COMPARED
    work = scan_operator_applications(row.n) / row.n
    return [str(row.n), _count_text(row[loop].macs), _count_text(row[scan].macs),
            f"{row.mingru_loop_sequential_operations} vs {row.mingru_scan_sequential_operations}",
            f"{work:.1f}x", str(row.mingru_max_path_length)]


def _ratio_text(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.2f}" if denominator > 0 else "n/a"


def _slope_lines(result: LabResult) -> list[str]:
    lines = ["Fitted exponent k of cost ~ n^k (least squares of logs over the upper half of n)",
             f"  {'':<31}{'time':>6}{'MACs':>7}   paper (large n)"]
    warnings = slope_warnings(result.rows)
    for name, slopes in fitted_slopes(result).items():
        table = _complexity_text(TABLE1_ROW[name])
        table += "; not in Table 1" if name in MINGRU else ""
        mark = f"  {UNSTEADY_MARK} see below" if name in warnings else ""
        lines.append(f"  {LABELS[name]:<31}{_slope_text(slopes['seconds']):>6}"
                     f"{_slope_text(slopes['macs']):>7}   {PAPER_EXPONENT[name]}  ({table}){mark}")
    for name, warning in warnings.items():
        lines.append(f"  {UNSTEADY_MARK} {LABELS[name]}: time slope {warning}")
    return lines + [""]


def _crossover_lines(result: LabResult) -> list[str]:
    c = result.config
    lines = [f"Crossover: Table 1 makes self-attention cheaper per layer while n < d = "
             f"{crossover_n(c.d_model)}; with one head of size {c.head_size}, the counted forward "
             f"MACs of attend() reach the RNN's at n = {counted_crossover_n(c)}."]
    for sentence in crossover_sentences(result.rows, LABELS):
        lines.append(f"  Measured: {sentence}.")
    if attention_slower_at_smallest_n(result.rows):
        lines.append(f"  {SMALL_N_NOTE}")
    for sentence in scan_sentences(result.rows, LABELS, c.device):
        lines.append(f"  {sentence}.")
    warnings = [text for text in (unsteady_text(result.rows, result.config.threads),) if text]
    if slope_warnings(result.rows):
        warnings.append("some fitted time slopes cannot be read as the algorithm's exponent "
                        f"(marked {UNSTEADY_MARK} above)")
    if warnings:
        lines.append("Warning: " + "; ".join(warnings) + ".")
    return lines + [f"Stopped: {result.stopped_reason}."]


def format_table(result: LabResult) -> str:
    """A plain-text report: Table 1, measured times, counted costs, fitted exponents, crossover."""
    lines = (_header_lines(result) + _timing_lines(result) + _count_lines(result)
             + _slope_lines(result) + _crossover_lines(result))
    return "\n".join(line.rstrip() for line in lines)
