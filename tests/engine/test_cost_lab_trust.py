"""Cost-lab results that can be trusted or say why not: unsteady timings marked, the stable
crossover instead of the first slower n, implausible slopes named, and --benchmark's columns
kept apart. Every result here is fabricated: no clock is read."""

import csv
import dataclasses
import io
import json

import pytest

from engine.core.scan_plan import scan_level_count
from engine.core.timing import Crossover
from engine.labs.cost.config import LabConfig
from engine.labs.cost.report import (SMALL_N_NOTE, ResultFileError, crossovers, csv_columns,
                                    fitted_slopes, format_table, result_from_json, result_to_csv,
                                    result_to_json, slope_warnings, unsteady_measurements,
                                    unsteady_text)
from engine.labs.cost.sweep import (BASE_IMPLEMENTATIONS, IMPLEMENTATIONS, LabResult, LabRow,
                                    Measurement, count_macs)

CONFIG = LabConfig(d_model=16, hidden_size=16, head_size=8, lengths=(16, 32, 64, 128), repeats=5,
                   warmup=1)
STEADY = (0.98, 0.99, 1.0, 1.01, 1.02)  # relative samples: a spread of 2%


def _measurement(name, n, median, relative=STEADY):
    samples = tuple(median * r for r in relative)
    return Measurement(name, median, min(samples), max(samples), count_macs(name, n, CONFIG),
                       samples)


def _result(medians, unsteady=()):
    """medians: implementation -> one median per n; unsteady: (n, name) with a wide spread."""
    rows = []
    for index, n in enumerate(CONFIG.lengths):
        counts = (n, 1, n - 1, 1) + ((n, scan_level_count(n), n - 1) if "mingru_scan" in medians
                                     else ())  # without minGRU: a result saved before it
        rows.append(LabRow(n, {name: _measurement(name, n, medians[name][index],
                                                  (0.5, 0.6, 1.0, 1.9, 2.0) if (n, name) in unsteady
                                                  else STEADY)
                               for name in medians}, *counts))
    return LabResult(CONFIG, tuple(rows), "completed", "test CPU", "0.0")


LINEAR = [1e-3, 2e-3, 4e-3, 8e-3]
# The report's case: attention slower at the smallest n only, then ten times faster.
REPORTED = {"rnn_stepwise": LINEAR, "rnn_fused": LINEAR,
            "attention": [2e-3, 2e-4, 4e-4, 8e-4], "attention_sdpa": [2e-3, 2e-4, 4e-4, 8e-4]}


def test_the_verdict_is_the_stable_crossover_not_the_first_slower_n():
    result = _result(REPORTED)
    found = crossovers(result.rows)
    assert found[("rnn_stepwise", "attention")] == Crossover("faster_from", 32, 1, True, 3)
    text = format_table(result)
    assert ("Measured: attention, our attend() is faster than RNN, our step loop from n = 32 on "
            "(slower below): a stable crossover.") in text
    assert "took at least as long from n = 16" not in text
    assert SMALL_N_NOTE in text  # attention slower at the smallest n: say why that happens


def test_an_order_that_flips_has_no_stable_crossover():
    flipping = dict(REPORTED, attention=[5e-4, 3e-3, 1e-3, 9e-3])
    text = format_table(_result(flipping))
    assert ("attention, our attend() vs RNN, our step loop: no stable crossover, the order flips "
            "3 times.") in text


def test_unsteady_timings_are_marked_counted_and_explained():
    result = _result(REPORTED, unsteady={(64, "rnn_fused"), (128, "attention")})
    assert unsteady_measurements(result.rows) == [(64, "rnn_fused"), (128, "attention")]
    text = format_table(result)
    line_64 = next(line for line in text.splitlines() if line.startswith(" 64   "))  # n is 3 wide
    assert line_64.count(" *") == 1
    assert "* unsteady: the middle half of the repeats spans more than 25% of the median" in text
    assert "Warning: 2 of 16 timings are unsteady" in text and "on 1 CPU thread or" in text
    one_thread = dataclasses.replace(result, config=CONFIG.replace(threads=1))
    assert "on 1 CPU thread" not in unsteady_text(one_thread.rows, one_thread.config.threads)
    assert ("Measured: attention, torch SDPA is faster than RNN, torch.nn.RNN from n = 32 on "
            "(slower below): a stable crossover (some of these timings are unsteady).") in text
    assert unsteady_text(_result(REPORTED).rows) is None
    assert "unsteady" not in format_table(_result(REPORTED))


def test_implausible_slopes_are_flagged_beside_the_fit():
    # time falling as n grows (the report's -0.06 for torch.nn.RNN), and attention's time growing
    # as n^5 while its counted work grows at most as n^2 (the report's 4.99)
    noisy = dict(REPORTED, rnn_fused=[1e-3, 2e-3, 2.1e-3, 2e-3], attention=[1e-3, 1e-3, 1e-3, 32e-3])
    warnings = slope_warnings(_result(noisy).rows)
    assert warnings["rnn_fused"].startswith("negative")
    assert warnings["attention"].startswith("far steeper than the counted work")
    assert "rnn_stepwise" not in warnings
    text = format_table(_result(noisy))
    assert "* RNN, torch.nn.RNN: time slope negative: time fell as n grew" in text
    assert "some fitted time slopes cannot be read as the algorithm's exponent" in text


def test_benchmark_columns_never_run_together():
    # the report's "259.31 ms]159 µs": long cells must still be apart
    slow = {name: [0.25931, 0.5, 1.25, 2.5] for name in IMPLEMENTATIONS}
    slow["attention_sdpa"] = [159e-6, 300e-6, 600e-6, 1.2e-3]
    text = format_table(_result(slow, unsteady={(16, "attention")}))
    lines = text.splitlines()
    start = lines.index("Measured time per run: median [first – third quartile of the repeats]")
    header, *body = lines[start + 1:start + 6]
    starts = [header.index(label) for label in ("RNN, our step loop", "RNN, torch.nn.RNN",
                                                "attention, our attend()", "attention, torch SDPA")]
    for line in body:
        for column in starts:  # every column starts at its header, after at least two spaces
            assert line[column - 2:column] == "  " and line[column] != " "
    assert "ms]1" not in text and "]159" not in text


def test_json_and_csv_carry_the_quartiles_and_flags():
    result = _result(REPORTED, unsteady={(32, "attention")})
    data = json.loads(result_to_json(result))
    measured = data["rows"][1]["measurements"]["attention"]
    assert measured["unsteady"] is True and measured["q1_seconds"] < measured["q3_seconds"]
    assert data["unsteady_timings"] == 1
    assert data["crossovers"]["attention_vs_rnn_stepwise"] == {
        "kind": "faster_from", "n": 32, "flips": 1, "faster_at_end": True, "stretch": 3}
    assert result_from_json(result_to_json(result)) == result  # derived entries are not read
    rows = list(csv.DictReader(io.StringIO(result_to_csv(result))))
    assert list(rows[0]) == csv_columns()
    assert [row["attention_unsteady"] for row in rows] == ["0", "1", "0", "0"]
    assert float(rows[1]["attention_q3_s"]) == pytest.approx(2e-4 * 1.9)


def test_a_saved_result_without_the_new_entries_still_loads():
    data = json.loads(result_to_json(_result(REPORTED)))
    for key in ("crossovers", "slope_warnings", "unsteady_timings"):
        del data[key]
    for row in data["rows"]:
        for measurement in row["measurements"].values():
            for key in ("q1_seconds", "q3_seconds", "unsteady"):
                del measurement[key]
    assert result_from_json(json.dumps(data)) == _result(REPORTED)


# ---- CPU threads ----------------------------------------------------------------------------------

def test_a_sweep_runs_on_the_threads_asked_for_and_restores_them():
    import torch

    from engine.labs.cost.sweep import sweep

    before, seen = torch.get_num_threads(), []
    config = LabConfig(d_model=8, hidden_size=8, head_size=4, lengths=(4,), repeats=1, warmup=0,
                       threads=1)
    result = sweep(config, progress=lambda _fraction, _label: seen.append(torch.get_num_threads()))
    assert set(seen) == {1} and result.device_name.endswith("(1 thread)")
    assert torch.get_num_threads() == before
    assert "1 CPU thread" in format_table(result)


def test_threads_are_validated_and_older_results_load_with_torch_default():
    from engine.core.errors import ConfigError

    with pytest.raises(ConfigError, match="threads"):
        LabConfig(threads=-1)
    data = json.loads(result_to_json(_result(REPORTED)))
    del data["config"]["threads"]  # as saved before the setting existed
    assert result_from_json(json.dumps(data)).config.threads == 0
    assert "torch's default CPU threads" in format_table(_result(REPORTED))


# ---- minGRU ---------------------------------------------------------------------------------------

WITH_MINGRU = dict(REPORTED, mingru_loop=LINEAR, mingru_scan=[2e-3, 3e-3, 3.5e-3, 4e-3])


def _saved_before_mingru() -> str:
    """A result file as the lab wrote it before minGRU joined the sweep."""
    data = json.loads(result_to_json(_result(WITH_MINGRU)))
    for row in data["rows"]:
        for name in ("mingru_loop", "mingru_scan"):
            del row["measurements"][name]
        for key in ("mingru_loop_sequential_operations", "mingru_scan_sequential_operations",
                    "mingru_max_path_length"):
            del row[key]
    del data["slopes"]["mingru_loop"], data["slopes"]["mingru_scan"]
    return json.dumps(data)


def test_a_result_saved_before_mingru_loads_without_it():
    result = result_from_json(_saved_before_mingru())
    assert result == _result(REPORTED)
    assert all(not row.has_mingru and row.mingru_scan_sequential_operations is None
               for row in result.rows)
    assert set(fitted_slopes(result)) == set(BASE_IMPLEMENTATIONS)
    text = format_table(result)
    assert "minGRU: not in this result" in text and "loop/scan" not in text
    rows = list(csv.DictReader(io.StringIO(result_to_csv(result))))
    assert list(rows[0]) == csv_columns()
    assert rows[0]["mingru_scan_median_s"] == "" and rows[0]["mingru_max_path_length"] == ""
    assert result_from_json(result_to_json(result)) == result  # saved again, still without it


def test_rows_that_disagree_about_mingru_are_refused():
    data = json.loads(result_to_json(_result(WITH_MINGRU)))
    del data["rows"][1]["measurements"]["mingru_scan"]
    with pytest.raises(ResultFileError, match="instead of"):
        result_from_json(json.dumps(data))
    old = json.loads(_saved_before_mingru())
    old["rows"][0] = json.loads(result_to_json(_result(WITH_MINGRU)))["rows"][0]
    with pytest.raises(ResultFileError, match="rows that measure minGRU and rows that do not"):
        result_from_json(json.dumps(old))
    data = json.loads(result_to_json(_result(WITH_MINGRU)))
    del data["rows"][2]["mingru_max_path_length"]
    with pytest.raises(ResultFileError, match="mingru_max_path_length"):
        result_from_json(json.dumps(data))


def test_the_benchmark_table_sets_the_loop_beside_the_scan_with_ratios():
    text = format_table(_result(WITH_MINGRU))
    lines = text.splitlines()
    start = lines.index("minGRU, the same recurrence two ways (loop/scan > 1: the scan was faster)")
    header, *body = lines[start + 1:start + 6]
    assert header.split()[-1] == "loop/scan"
    assert [line.split()[-1] for line in body] == ["0.50", "0.67", "1.14", "2.00"]
    assert ("minGRU scan is faster than minGRU step loop from n = 64 on (slower below): a stable "
            "crossover.") in text
    assert "minGRU scan: measured time slope 0.19" in text  # n = 64, 128: log2(4 / 3.5)
    assert "128 vs 7" in text and "scan work" in text  # the loop's steps against the scan's levels
    assert "a few CPU cores can lose to the loop" in text
    found = crossovers(_result(WITH_MINGRU).rows)
    assert found[("mingru_loop", "mingru_scan")] == Crossover("faster_from", 64, 1, True, 2)
