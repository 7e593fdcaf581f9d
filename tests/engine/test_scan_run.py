"""run_mingru bundles what the scan lane shows for one sentence (the trace's ScanTrace), in the
shapes the clock and the other models' records use (timings are checked for shape and order only,
never for speed)."""

import numpy as np
import pytest
import torch

from engine import SimConfig, simulate
from engine.core.clock import RevealSchedule
from engine.core.cost import mingru_loop_cost, mingru_scan_cost
from engine.analysis.hidden_attention import hidden_attention, hidden_attention_map
from engine.analysis.mingru_run import run_mingru
from engine.models.mingru import build_mingru

CONFIG = SimConfig(d_model=8, hidden_size=6, head_size=4, seed=9)


@pytest.mark.parametrize("sentence", ["Hello", "The cat sat on the mat , and then it slept ."])
def test_run_bundles_states_levels_gradients_and_times(sentence):
    trace = simulate(sentence, CONFIG)
    T = len(trace.tokens)
    run = run_mingru(trace.embeddings, CONFIG, repeats=2)
    assert run.hidden.shape == (T, 6) and run.connectivity.shape == (T, T)
    assert run.state_norm.shape == (T,) and run.hidden_attention.shape == (T, T)
    assert run.scan_difference <= 1e-12 and run.log_space_difference <= 1e-11
    assert run.levels == len(run.level_states) == max(0, (T - 1).bit_length())
    if run.levels:
        np.testing.assert_allclose(run.level_states[-1], run.hidden, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(run.state_after(run.levels), run.level_states[-1])
    np.testing.assert_array_equal(run.state_after(0), run.drive)
    assert run.cost == mingru_scan_cost(T, 8, 6) and run.loop_cost == mingru_loop_cost(T, 8, 6)
    # one elapsed time per forward step of each schedule, as ModelRecord wants them
    assert len(run.loop_step_seconds) == RevealSchedule.loop(T).forward_steps
    assert len(run.level_seconds) == RevealSchedule.log_scan(T).forward_steps
    for elapsed in (run.loop_step_seconds, run.level_seconds):
        assert np.all(np.diff(elapsed) >= 0) and elapsed[0] > 0
    assert run.loop_timing.count == run.timing.count == 2
    for array in (run.hidden, run.connectivity, run.state_norm, run.readout, run.level_seconds,
                  run.level_states, run.hidden_attention):
        assert not array.flags.writeable


def test_the_token_map_built_in_blocks_of_channels_is_the_mean_of_m():
    model = build_mingru(CONFIG)
    x = simulate("the cat sat on the mat", CONFIG).embeddings
    inputs = torch.from_numpy(np.array(x))  # a writable copy
    exact = hidden_attention(model, inputs)
    np.testing.assert_allclose(exact.apply(), run_mingru(x, CONFIG, repeats=1).hidden,
                               rtol=1e-12, atol=1e-14)
    for chunk in (8 * 36, 8 * 36 * 4, 2**26):  # one channel, four, all at once
        np.testing.assert_allclose(hidden_attention_map(model, inputs, chunk_bytes=chunk),
                                   exact.token_map, rtol=1e-14, atol=1e-16)


def test_run_is_deterministic_for_a_seed():
    trace = simulate("one two three four five", CONFIG)
    first, again = (run_mingru(trace.embeddings, CONFIG, repeats=1) for _ in range(2))
    np.testing.assert_array_equal(first.hidden, again.hidden)
    np.testing.assert_array_equal(first.connectivity, again.connectivity)
    np.testing.assert_allclose(np.linalg.norm(first.readout), 1.0, rtol=1e-14)


def test_bad_word_vectors_are_refused_clearly():
    with pytest.raises(ValueError, match="width 8"):
        run_mingru(np.zeros((3, 5)), CONFIG)
    with pytest.raises(ValueError, match="at least one word"):
        run_mingru(np.zeros((0, 8)), CONFIG)


def test_progress_comes_every_gradient_step_and_channel_block_so_cancel_stays_quick():
    x = simulate("one two three four five six seven", CONFIG).embeddings
    calls = []
    run_mingru(x, CONFIG, repeats=1, progress=lambda fraction, label: calls.append((fraction, label)))
    fractions = [fraction for fraction, _ in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert sum("gradients" in label for _, label in calls) == 7  # one per step back

    class Stop(Exception):
        pass

    def cancel_in_gradients(_fraction, label):
        if "gradients: 3" in label:
            raise Stop
    with pytest.raises(Stop):
        run_mingru(x, CONFIG, repeats=1, progress=cancel_in_gradients)
