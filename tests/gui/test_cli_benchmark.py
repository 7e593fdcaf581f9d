"""--benchmark prints minGRU's step loop and scan beside the RNN and attention: their times with
the loop/scan ratio, their counts and slopes, and the same in --json. No timing value is checked."""

import json

import main

TINY = ["--benchmark", "--d-model", "8", "--hidden-size", "8", "--head-size", "4", "--min-n", "4",
        "--max-n", "16", "--repeats", "1", "--warmup", "0", "--threads", "1"]


def test_the_table_sets_the_loop_beside_the_scan(capsys):
    assert main.main(TINY) == 0
    text = capsys.readouterr().out
    header = next(line for line in text.splitlines()
                  if "minGRU step loop" in line and "loop/scan" in line)
    assert header.split()[0] == "n" and header.split()[-1] == "loop/scan"
    assert "linear recurrence ¹" in text and "O(log n) scan, O(n) loop" in text
    assert "16 vs 4" in text  # the loop's 16 steps against the scan's ⌈log₂ 16⌉ levels
    for label in ("minGRU step loop", "minGRU scan"):
        assert any(line.strip().startswith(label) and "expected" not in line
                   and "not in Table 1" in line for line in text.splitlines())


def test_json_holds_both_runs_their_counts_and_slopes(capsys):
    assert main.main([*TINY, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    last = data["rows"][-1]
    assert {"mingru_loop", "mingru_scan"} <= set(last["measurements"])
    assert all(last["measurements"][name]["median_seconds"] > 0
               for name in ("mingru_loop", "mingru_scan"))
    assert (last["mingru_loop_sequential_operations"], last["mingru_scan_sequential_operations"],
            last["mingru_max_path_length"]) == (16, 4, 15)
    assert set(data["slopes"]["mingru_scan"]) == {"seconds", "macs"}
    assert data["table1"]["linear_recurrence"]["path"] == "O(n)"
