"""Exact level and work counts of the Hillis-Steele scan, consistent with the clock's schedule."""

import math

import numpy as np
import pytest

from engine.core.clock import RevealSchedule
from engine.core.cost import mingru_loop_cost, mingru_scan_cost
from engine.core.scan_plan import scan_level_count, scan_levels, scan_operator_applications


@pytest.mark.parametrize("length", range(0, 65))
def test_level_count_is_ceil_log2(length):
    expected = 0 if length <= 1 else math.ceil(math.log2(length))
    assert scan_level_count(length) == expected
    assert len(scan_levels(length)) == expected
    # the clock gives a scan max(1, levels) forward ticks, as the cost counts its sequential steps
    assert RevealSchedule.log_scan(length).forward_steps == max(1, expected)
    assert mingru_scan_cost(length, 4, 3).sequential_operations == max(1, expected)


def test_level_count_is_exact_where_floats_round():
    assert scan_level_count(2**50) == 50
    assert scan_level_count(2**50 + 1) == 51
    with pytest.raises(ValueError):
        scan_level_count(-1)


@pytest.mark.parametrize("length", range(1, 65))
def test_levels_join_every_position_to_its_whole_prefix(length):
    covered = np.arange(length)  # each position starts with its own word
    applications = 0
    for j, level in enumerate(scan_levels(length)):
        assert level.index == j and level.offset == 2**j
        np.testing.assert_array_equal(level.sources, level.targets - level.offset)
        joined = covered.copy()
        joined[level.targets] = covered[level.sources]  # the span ending at t - 2^j comes first
        np.testing.assert_array_equal(level.span_start, joined)
        np.testing.assert_array_equal(level.span_start, np.maximum(np.arange(length) - 2**(j + 1) + 1, 0))
        covered = joined
        applications += level.applications
    assert np.all(covered == 0)
    assert applications == scan_operator_applications(length)
    assert scan_levels(length) is scan_levels(length)  # cached, so its arrays must stay read-only
    assert all(not level.targets.flags.writeable and not level.span_start.flags.writeable
               for level in scan_levels(length))


def test_work_counts():
    assert [scan_operator_applications(n) for n in (1, 2, 3, 4, 8, 16)] == [0, 1, 3, 5, 17, 49]
    n, D, H = 1000, 16, 8
    loop, scan = mingru_loop_cost(n, D, H), mingru_scan_cost(n, D, H)
    projections = 2 * n * D * H
    assert loop.multiply_adds == projections + n * H
    assert scan.multiply_adds == projections + 2 * H * (n * 10 - 1023)
    assert loop.sequential_operations == n and scan.sequential_operations == 10
    # the scan waits log n levels, but word 0 still reaches word n-1 through n-1 decays
    assert loop.max_path_length == scan.max_path_length == n - 1
