"""Cost lab: config checks, exact MAC counts (closed forms and torch's FLOP counter), slope fits,
memory refusal, cancelling with partial rows, a tiny real sweep, and the JSON / CSV / table reports.

No test looks at a wall-time value beyond its being positive.
"""

import csv
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import FlopCounterMode, sdpa_backward_flop_count, sdpa_flop_count

import engine.labs.cost.sweep as lab
import engine.labs.cost.models as lab_models
from engine.core.errors import ConfigError
from engine.core.progress import CancelToken
from engine.labs.cost.config import LabConfig, default_lengths, require_device
from engine.labs.cost.report import (counted_crossover_n, csv_columns, fit_slope, fitted_slopes,
                                    format_table, result_from_json, result_to_csv, result_to_json)
from engine.labs.cost.sweep import (IMPLEMENTATIONS, LabRow, build_models, count_macs,
                                    counted_columns, crossover_n,
                                    lab_inputs, memory_needed_bytes, memory_refusal,
                                    mingru_recurrence_macs, sweep, uses_fused_sdpa)

REPO = Path(__file__).resolve().parents[2]
TINY = dict(d_model=16, hidden_size=12, head_size=8, repeats=1, warmup=1)


# ---- configuration -------------------------------------------------------------------------------

def test_defaults_follow_the_brief():
    config = LabConfig()
    assert (config.device, config.d_model, config.hidden_size, config.head_size) == ("cpu", 512, 512, 64)
    assert (config.backward, config.repeats, config.warmup, config.dtype) == (False, 5, 1, "float32")
    assert config.lengths == (16, 32, 64, 128, 256, 512, 1024, 2048, 4096) == default_lengths()
    assert default_lengths(4, 32) == (4, 8, 16, 32)
    assert default_lengths(3, 20) == (3, 6, 12, 20)
    assert LabConfig(lengths=[2, 5]).lengths == (2, 5)


@pytest.mark.parametrize("changes, field", [
    (dict(d_model=1), "d_model"), (dict(d_model=8193), "d_model"), (dict(hidden_size=0), "hidden_size"),
    (dict(d_model=16.0), "d_model"), (dict(head_size=0), "head_size"), (dict(repeats=0), "repeats"),
    (dict(repeats=101), "repeats"), (dict(warmup=-1), "warmup"), (dict(lengths=()), "lengths"),
    (dict(lengths=(8, 4)), "lengths"), (dict(lengths=(4, 4)), "lengths"), (dict(lengths=(0, 4)), "lengths"),
    (dict(lengths=(65537,)), "lengths"), (dict(lengths=5), "lengths"), (dict(device="tpu"), "device"),
    (dict(dtype="int8"), "dtype"), (dict(backward="yes"), "backward"),
])
def test_bad_values_name_their_field(changes, field):
    with pytest.raises(ConfigError) as caught:
        LabConfig(**changes)
    assert caught.value.field == field


def test_extreme_but_valid_values_pass():
    LabConfig(d_model=2, hidden_size=8192, lengths=(1, 65536), repeats=100, warmup=0, dtype="float64")


def test_cuda_without_a_gpu_is_refused_before_the_sweep(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    config = LabConfig(**TINY, device="cuda", lengths=(4,))  # a valid config, saved anywhere
    for refuse in (require_device, sweep):
        with pytest.raises(ConfigError) as caught:
            refuse(config)
        assert caught.value.field == "device"
        assert "no CUDA GPU is visible to torch" in str(caught.value)


def test_config_and_table_load_without_torch_or_asking_for_a_gpu():
    probe = ("import sys\nfrom engine.labs.cost.config import LabConfig, default_lengths\n"
             "from engine.labs.cost.sweep import TABLE1\n"
             "LabConfig(device='cuda', lengths=default_lengths(4, 64))\nprint('torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                            text=True, timeout=60, check=True)
    assert result.stdout.strip() == "False"


# ---- exact multiply-add counts -------------------------------------------------------------------

def _levels(n):
    return math.ceil(math.log2(n)) if n > 1 else 0


def _closed_form(name, n, D, H, hs, backward):
    projections = 2 * n * H * D  # minGRU's W_z x_t and W_h x_t
    if name == "mingru_loop":  # n steps of a_t h_{t-1} + b_t; backward: d a_t, d h_{t-1} but h_0
        return projections + n * H + (2 * projections + (2 * n - 1) * H if backward else 0)
    if name == "mingru_scan":  # 2 per channel and operator application; the last level's a·a unused
        levels = _levels(n)
        applications = sum(n - 2 ** j for j in range(levels))
        last = n - 2 ** (levels - 1) if levels else 0
        recurrence = 2 * H * applications
        return projections + recurrence + (2 * projections + 2 * recurrence - 2 * H * last
                                           if backward else 0)
    if name.startswith("rnn"):
        forward = n * H * (D + H)
        return forward + (2 * n * D * H + (2 * n - 1) * H * H if backward else 0)
    forward = 3 * n * D * hs + 2 * n * n * hs + n * hs * D
    recompute = n * n * hs if name == "attention_sdpa" else 0  # the CPU flash kernel's backward
    return forward + (2 * forward + recompute if backward else 0)


@pytest.mark.parametrize("backward", [False, True])
@pytest.mark.parametrize("n", [1, 5, 9])
def test_counts_equal_the_closed_forms(n, backward):
    D, H, hs = 24, 10, 6
    config = LabConfig(d_model=D, hidden_size=H, head_size=hs, lengths=(n,), backward=backward)
    for name in IMPLEMENTATIONS:
        assert count_macs(name, n, config) == _closed_form(name, n, D, H, hs, backward), name
    math_path = count_macs("attention_sdpa", n, config, sdpa_fused=False)
    assert math_path == count_macs("attention", n, config)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 1000, 1024, 1025, 4096, 65536])
def test_mingru_counted_columns_are_exact(n):
    """The loop waits n steps, the scan ceil(log2 n) levels (the one step a single word still
    takes at n = 1), and both paths are n - 1 hops long."""
    row = LabRow(n, {}, *counted_columns(n))
    levels = 1 if n == 1 else (n - 1).bit_length()
    assert levels == max(1, math.ceil(math.log2(n)))
    assert row.mingru_loop_sequential_operations == n == row.rnn_sequential_operations
    assert row.mingru_scan_sequential_operations == levels
    assert row.mingru_max_path_length == n - 1 == row.rnn_max_path_length


def _matvec_flops(mat_shape_or_self, *shapes, out_shape=None, **kwargs):
    """addmv(self, mat, vec) and mv(mat, vec): 2 flops per multiply-add of the (m, k) matrix."""
    mat = shapes[0] if len(shapes) == 2 else mat_shape_or_self
    return 2 * mat[0] * mat[1]


def _outer_product_flops(a, b, *args, out_shape=None, **kwargs):
    """torch.ger, which addmv's backward uses for the weight gradient, runs as (m, 1) * (k,)."""
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)) and len(a) == 2 \
            and a[1] == 1 and len(b) == 1:
        return 2 * a[0] * b[0]
    return 0


def _cpu_flash_flops(q, k, v, *args, out_shape=None, **kwargs):
    return sdpa_flop_count(q, k, v)


def _cpu_flash_backward_flops(grad_out, q, k, v, *args, out_shape=None, **kwargs):
    return sdpa_backward_flop_count(grad_out, q, k, v)


# FlopCounterMode does not count matrix-vector products, outer products or the CPU flash kernel.
EXTRA_FORMULAS = {
    torch.ops.aten.addmv: _matvec_flops, torch.ops.aten.mv: _matvec_flops,
    torch.ops.aten.mul: _outer_product_flops,
    torch.ops.aten._scaled_dot_product_flash_attention_for_cpu: _cpu_flash_flops,
    torch.ops.aten._scaled_dot_product_flash_attention_for_cpu_backward: _cpu_flash_backward_flops,
}


@pytest.mark.parametrize("backward", [False, True])
@pytest.mark.parametrize("name", IMPLEMENTATIONS)
def test_counts_match_torch_flop_counter(name, backward):
    n = 7
    config = LabConfig(d_model=20, hidden_size=12, head_size=6, lengths=(n,), backward=backward)
    models, x = build_models(config), lab_inputs(config, n)
    with FlopCounterMode(display=False, custom_mapping=EXTRA_FORMULAS) as counter:
        with torch.set_grad_enabled(backward):
            output = lab.RUNNERS[name](models, x)
            if backward:
                output.sum().backward()
    fused = backward and name == "attention_sdpa" and uses_fused_sdpa(output)
    elementwise = 0  # minGRU's recurrence: no matrix product, counted in the next test
    if name in lab.MINGRU:
        elementwise = mingru_recurrence_macs(name, n, config.hidden_size) + (
            mingru_recurrence_macs(name, n, config.hidden_size, backward=True) if backward else 0)
    assert counter.get_total_flops() == 2 * (count_macs(name, n, config, sdpa_fused=fused)
                                             - elementwise)


class _ElementwiseProducts(TorchDispatchMode):
    """Elements written by aten.mul and aten.addcmul: the elementwise products torch runs."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        output = func(*args, **(kwargs or {}))
        if func.overloadpacket in (torch.ops.aten.mul, torch.ops.aten.addcmul):
            self.count += output.numel()
        return output


@pytest.mark.parametrize("n", [1, 2, 7, 8, 13])
@pytest.mark.parametrize("name", lab.MINGRU)
def test_mingru_recurrence_counts_match_the_products_torch_runs(name, n):
    """Every elementwise product of a forward and a backward pass, less the gating b_t = z_t·h~_t
    (n·H forward, 2·n·H backward), is the counted recurrence. addcmul's backward scales each
    gradient by its `value` too: two products per operand in the loop's backward."""
    H = 3
    config = LabConfig(d_model=5, hidden_size=H, head_size=2, lengths=(n,), backward=True,
                       dtype="float64")
    models, x = build_models(config), lab_inputs(config, n)
    with _ElementwiseProducts() as forward:
        output = lab.RUNNERS[name](models, x)
    with _ElementwiseProducts() as backward:
        output.sum().backward()
    assert forward.count - n * H == mingru_recurrence_macs(name, n, H)
    per_gradient = 2 if name == "mingru_loop" else 1
    assert (backward.count - 2 * n * H) / per_gradient == mingru_recurrence_macs(
        name, n, H, backward=True)


def test_the_cpu_sdpa_reference_runs_the_fused_kernel():
    config = LabConfig(**TINY, lengths=(6,), backward=True)
    models, x = build_models(config), lab_inputs(config, 6)
    assert uses_fused_sdpa(lab_models.run_attention_sdpa(models, x))
    assert not uses_fused_sdpa(lab_models.run_attention(models, x))


def test_ours_and_references_share_weights_and_agree():
    config = LabConfig(**TINY, lengths=(9,), dtype="float64")
    models, x = build_models(config), lab_inputs(config, 9)
    with torch.no_grad():
        assert torch.allclose(lab_models.run_rnn_stepwise(models, x), lab_models.run_rnn_fused(models, x))
        assert torch.allclose(lab_models.run_attention(models, x), lab_models.run_attention_sdpa(models, x))
        assert torch.allclose(lab_models.run_mingru_loop(models, x),
                              lab_models.run_mingru_scan(models, x))


def test_the_lab_mingru_is_the_engine_one():
    """The lab times build_mingru's minGRU of a SimConfig with the lab's D and H (seed 0)."""
    from engine.core.config import SimConfig
    from engine.models.mingru import build_mingru

    config = LabConfig(**TINY, lengths=(3,), dtype="float64")
    engine = build_mingru(SimConfig(d_model=16, hidden_size=12, head_size=8))
    for ours, theirs in zip(lab_models._tensors(build_models(config).mingru.weights),
                            lab_models._tensors(engine.weights)):
        assert torch.equal(ours, theirs)


def test_widths_beyond_simconfig_draw_the_same_weights(monkeypatch):
    """D or H above SimConfig's 2048 skips SimConfig but makes build_cell's draw directly."""
    config = LabConfig(**TINY, lengths=(3,))
    usual = build_models(config)
    monkeypatch.setattr(lab_models, "_sim_config", lambda config: None)
    direct = build_models(config)
    for a, b in zip(lab_models._tensors(usual.cell.weights), lab_models._tensors(direct.cell.weights)):
        assert torch.equal(a, b)
    for a, b in zip(lab_models._tensors(usual.attention), lab_models._tensors(direct.attention)):
        assert torch.equal(a, b)
    for a, b in zip(lab_models._tensors(usual.mingru.weights),
                    lab_models._tensors(direct.mingru.weights)):
        assert torch.equal(a, b)


def test_wide_models_build():
    models = build_models(LabConfig(d_model=2050, hidden_size=4, head_size=2, lengths=(2,)))
    assert models.cell.weights.w_ih.shape == (4, 2050) and models.attention.w_o.shape == (2, 2050)
    assert models.mingru.weights.w_z.shape == (4, 2050)


def test_backward_reaches_our_inputs_through_the_stepper():
    """RNNStepper writes h_t into a preallocated tensor; autograd still sees every step."""
    config = LabConfig(**TINY, lengths=(6,), dtype="float64", backward=True)
    models, x = build_models(config), lab_inputs(config, 6)
    lab_models.run_rnn_stepwise(models, x).sum().backward()
    ours = (x.grad.clone(), models.cell.weights.w_hh.grad.clone())
    x.grad = None
    lab_models.run_rnn_fused(models, x).sum().backward()
    assert torch.allclose(ours[0], x.grad)
    assert torch.allclose(ours[1], models.fused_rnn.weight_hh_l0.grad)


def test_crossovers():
    assert crossover_n(512) == 512
    config = LabConfig()
    n = counted_crossover_n(config)
    attention, rnn = (lambda m: count_macs("attention", m, config)), (lambda m: count_macs("rnn_fused", m, config))
    assert attention(n) >= rnn(n) and attention(n - 1) < rnn(n - 1)


# ---- slope fits ----------------------------------------------------------------------------------

NS = default_lengths(16, 4096)


@pytest.mark.parametrize("power, scale", [(1, 3.0), (2, 0.5), (3, 1e-6)])
def test_exact_power_laws_give_their_exponent(power, scale):
    assert fit_slope(NS, [scale * n ** power for n in NS]) == pytest.approx(power, abs=1e-9)


def test_a_linear_plus_quadratic_mix_tends_to_two():
    """512 n + n²: the local exponent (512 + 2n) / (512 + n) climbs towards 2 as n grows."""
    slopes = [fit_slope(ns, [512 * n + n * n for n in ns])
              for ns in ([2 ** k for k in range(4, 11)], [2 ** k for k in range(4, 17)],
                         [2 ** k for k in range(4, 27)])]
    assert 1.0 < slopes[0] < slopes[1] < slopes[2] < 2.0
    assert slopes[2] > 1.99


def test_only_the_upper_half_counts():
    values = [1e6 if n < 256 else float(n * n) for n in NS]  # median n of NS is 256
    assert fit_slope(NS, values) == pytest.approx(2.0, abs=1e-9)


def test_too_few_points_give_nan():
    assert math.isnan(fit_slope([], []))
    assert math.isnan(fit_slope([8], [1.0]))
    assert math.isnan(fit_slope([4, 8], [1.0, 2.0]))  # only n = 8 is in the upper half
    assert math.isnan(fit_slope([4, 8, 16], [1.0, 0.0, 3.0]))  # zero cannot be logged


# ---- memory --------------------------------------------------------------------------------------

def test_memory_message_names_n_and_both_sizes(monkeypatch):
    monkeypatch.setattr(lab, "available_memory_bytes", lambda device: int(20.1e9))
    config = LabConfig(lengths=(1024, 65536))
    assert memory_refusal(config, 1024) is None
    message = memory_refusal(config, 65536)
    assert message.startswith("n = 65536 needs about ")
    assert "GB for the attention matrices; 20.1 GB is available" in message
    assert memory_needed_bytes(config, 65536) >= 2 * 65536 ** 2 * 4
    assert memory_needed_bytes(config.replace(backward=True), 64) > memory_needed_bytes(config, 64)


def test_available_memory_is_positive():
    assert lab.available_memory_bytes("cpu") > 0


def test_refused_length_stops_the_sweep_and_keeps_earlier_rows(monkeypatch):
    config = LabConfig(**TINY, lengths=(4, 8, 16, 32))
    monkeypatch.setattr(lab, "available_memory_bytes", lambda device: memory_needed_bytes(config, 8))
    seen = []
    result = sweep(config, on_result=seen.append)
    assert [row.n for row in result.rows] == [4, 8] == [row.n for row in seen]
    assert result.stopped_reason.startswith("n = 16 needs about ")
    assert "is available" in result.stopped_reason and not result.completed


def test_running_out_of_memory_anyway_keeps_earlier_rows(monkeypatch):
    measure_length = lab.measure_length

    def failing(models, n, config, ticker=None):
        if n == 8:
            raise RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 1 bytes")
        return measure_length(models, n, config, ticker)

    monkeypatch.setattr(lab, "measure_length", failing)
    result = sweep(LabConfig(**TINY, lengths=(4, 8, 16)))
    assert [row.n for row in result.rows] == [4]
    assert result.stopped_reason.startswith("n = 8 ran out of memory: DefaultCPUAllocator")


def test_other_runtime_errors_are_not_hidden(monkeypatch):
    def broken(models, n, config, ticker=None):
        raise RuntimeError("shape mismatch")

    monkeypatch.setattr(lab, "measure_length", broken)
    with pytest.raises(RuntimeError, match="shape mismatch"):
        sweep(LabConfig(**TINY, lengths=(4,)))


# ---- sweeping ------------------------------------------------------------------------------------

def test_cancel_from_on_result_keeps_the_partial_rows():
    token, fractions = CancelToken(), []
    config = LabConfig(**TINY, lengths=(4, 8, 16))
    result = sweep(config, on_result=lambda row: token.cancel(),
                   progress=lambda fraction, label: fractions.append(fraction), cancel=token)
    assert [row.n for row in result.rows] == [4]
    assert result.stopped_reason == "cancelled" and not result.completed
    assert fractions and max(fractions) < 1.0


@pytest.mark.parametrize("backward", [False, True])
def test_tiny_real_sweep(backward):
    config = LabConfig(**TINY, lengths=(4, 8), backward=backward)
    reports = []
    result = sweep(config, progress=lambda fraction, label: reports.append((fraction, label)))
    assert result.completed and result.device_name and result.torch_version == torch.__version__
    assert [row.n for row in result.rows] == [4, 8]
    for row in result.rows:
        assert (row.rnn_sequential_operations, row.attention_sequential_operations) == (row.n, 1)
        assert (row.rnn_max_path_length, row.attention_max_path_length) == (row.n - 1, 1)
        assert row.mingru_loop_sequential_operations == row.n
        assert row.mingru_scan_sequential_operations == _levels(row.n)  # 2 at n = 4, 3 at n = 8
        assert row.mingru_max_path_length == row.n - 1
        assert set(row.measurements) == set(IMPLEMENTATIONS) and row.has_mingru
        for name in IMPLEMENTATIONS:
            m = row[name]
            assert m.implementation == name and len(m.samples) == config.repeats
            assert 0 < m.min_seconds <= m.median_seconds <= m.max_seconds
            assert m.macs == count_macs(name, row.n, config)
    fractions = [fraction for fraction, _ in reports]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert "warm-up 1 of 1" in reports[0][1] and "n = 4" in reports[0][1]


# ---- reports -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_result():
    return sweep(LabConfig(**TINY, lengths=(4, 8, 16)))


def test_json_round_trip(tiny_result):
    data = json.loads(result_to_json(tiny_result))
    assert data["config"]["lengths"] == [4, 8, 16] and data["config"]["d_model"] == 16
    assert data["stopped_reason"] == "completed" and data["torch_version"] == torch.__version__
    assert data["device_name"] == tiny_result.device_name and data["crossover_n"] == 16
    assert data["table1"]["self_attention"]["complexity"] == "O(n²·d)"
    assert [row["n"] for row in data["rows"]] == [4, 8, 16]
    first = data["rows"][0]
    assert first["rnn_sequential_operations"] == 4 and first["attention_max_path_length"] == 1
    assert set(first["measurements"]) == set(IMPLEMENTATIONS)
    assert first["measurements"]["attention"]["macs"] == tiny_result.rows[0]["attention"].macs
    assert set(data["slopes"]) == set(IMPLEMENTATIONS)
    assert data["slopes"]["rnn_fused"]["macs"] == pytest.approx(1.0)
    assert (first["mingru_loop_sequential_operations"], first["mingru_scan_sequential_operations"],
            first["mingru_max_path_length"]) == (4, 2, 3)
    assert data["table1"]["linear_recurrence"]["sequential"] == "O(log n)"
    assert "mingru_scan_vs_mingru_loop" in data["crossovers"]
    assert result_from_json(result_to_json(tiny_result)) == tiny_result


def test_slopes_are_fitted_for_both_mingru_runs(tiny_result):
    slopes = fitted_slopes(tiny_result)
    for name in lab.MINGRU:
        assert math.isfinite(slopes[name]["seconds"])  # its value is the machine's, not checked
        assert slopes[name]["macs"] >= 1.0  # projections grow as n; the scan's work as n log n
    assert slopes["mingru_scan"]["macs"] > slopes["mingru_loop"]["macs"]


def test_json_writes_null_for_a_slope_it_cannot_fit():
    result = sweep(LabConfig(**TINY, lengths=(4,)))
    data = json.loads(result_to_json(result))
    assert data["slopes"]["attention"] == {"seconds": None, "macs": None}
    assert all(math.isnan(value) for pair in fitted_slopes(result).values() for value in pair.values())


def test_csv_round_trip(tiny_result):
    rows = list(csv.DictReader(io.StringIO(result_to_csv(tiny_result))))
    assert [int(row["n"]) for row in rows] == [4, 8, 16]
    assert list(rows[0]) == csv_columns()
    for name in IMPLEMENTATIONS:
        assert {f"{name}_median_s", f"{name}_min_s", f"{name}_max_s", f"{name}_macs"} <= set(rows[0])
    for line, row in zip(rows, tiny_result.rows):
        assert float(line["attention_median_s"]) == row["attention"].median_seconds
        assert int(line["rnn_stepwise_macs"]) == row["rnn_stepwise"].macs
        assert int(line["rnn_sequential_operations"]) == row.n
        assert int(line["attention_sequential_operations"]) == 1
        assert int(line["rnn_max_path_length"]) == row.n - 1
        assert int(line["mingru_scan_macs"]) == row["mingru_scan"].macs
        assert float(line["mingru_loop_median_s"]) == row["mingru_loop"].median_seconds
        assert int(line["mingru_loop_sequential_operations"]) == row.n
        assert int(line["mingru_scan_sequential_operations"]) == _levels(row.n)
        assert int(line["mingru_max_path_length"]) == row.n - 1


def test_format_table_sets_measurements_beside_table_1(tiny_result):
    text = format_table(tiny_result)
    assert "O(n²·d)" in text and "O(n·d²)" in text
    assert "n < d = 16" in text and "Stopped: completed." in text
    for name in IMPLEMENTATIONS:
        assert lab.LABELS[name] in text
    assert "16 vs 1" in text and "15 vs 1" in text  # sequential operations, path length at n = 16
    assert "linear recurrence" in text and "O(log n) scan, O(n) loop" in text
    assert "16 vs 4" in text  # minGRU's loop steps against the scan's levels at n = 16
    assert "loop/scan" in text and "minGRU scan: measured time slope" in text
