"""simulate(): one sentence through both models (and minGRU by the parallel scan when the config's
scan lane is on), with gradients and costs, into a Trace."""

from __future__ import annotations

import dataclasses
import functools
import math
import time
from dataclasses import dataclass

import numpy as np
import torch

from engine.analysis.gradients import attention_connectivity, pascanu_bounds, rnn_gradients
from engine.analysis.mingru_run import run_mingru
from engine.core.config import SimConfig
from engine.core.errors import ConfigError
from engine.core.cost import attention_cost, rnn_cost
from engine.core.glove import sentence_vectors
from engine.core.progress import CancelToken, PhaseProgress, ProgressCallback
from engine.core.seeding import unit_vector
from engine.core.timing import intraop_threads
from engine.core.tokens import check_tokens, sinusoidal_positions, tokenize
from engine.core.trace import AttentionTrace, RNNTrace, Trace, WeightSource
from engine.models.attention import attend, attention_inputs, init_attention_weights
from engine.models.cells import GATES
from engine.models.rnn import RNNStepper, build_cell, derivative_bound, largest_singular_value
from engine.models.weights import WeightSet

# Timed repeats of each forward pass (after one untimed warm-up pair): the fewest, so the spread
# is known, and the most. Beyond the fewest, repeats stop once they have taken TIMING_BUDGET_SECONDS.
# A forward pass grows with T, the gradient maps the run also computes with T^2, so even the
# fewest repeats stay a small share of a long run.
TIMING_REPEATS = (3, 9)
TIMING_BUDGET_SECONDS = 0.25


def simulate(sentence: str, config: SimConfig | None = None, *, weights: WeightSet | None = None,
             progress: ProgressCallback | None = None,
             cancel: CancelToken | None = None) -> Trace:
    """Run the RNN step by step and attention at once on `sentence`; return the immutable Trace.

    `weights` are the models' weights (None: random from the config's seed; readouts always are,
    and word vectors are unless the weights carry a word table: see engine/models/weights.py). progress(fraction, label) is called as the run advances; setting
    `cancel` stops the run between timesteps with RunCancelled. Bad input raises EngineInputError
    (WeightsError for weights that do not fit the config) with a message for the user.
    """
    config = config or SimConfig()
    tokens = tokenize(sentence)
    return simulate_tokens(tokens, config, sentence=sentence, weights=weights, progress=progress,
                           cancel=cancel)


def simulate_tokens(tokens: list[str], config: SimConfig, *, sentence: str | None = None,
                    weights: WeightSet | None = None, progress: ProgressCallback | None = None,
                    cancel: CancelToken | None = None) -> Trace:
    """simulate() on an already tokenized sentence (tests permute tokens through this)."""
    check_tokens(tokens)
    if weights is None:
        weights = WeightSet.random(config)
    weights.check(config)
    _warm_up()
    T, D, H = len(tokens), config.d_model, config.hidden_size
    # Expected cost of each phase, so the progress bar moves evenly (the RNN's backward sweep
    # over all positions dominates: about T^2/2 batched rows).
    gates = GATES[config.cell]
    phases = PhaseProgress({  # in the order they run
        "rnn": T * gates * H * (H + D) + 1,
        "rnn-gradients": T * (T + 1) / 2 * gates * H * (H + D) + 1,
        "attention": T * D * config.heads * config.head_size + 1,
        "attention-gradients": T * T * config.heads * (1 + 4 * config.heads) + 1,
        "timing": (TIMING_REPEATS[1] + 1) * (T * gates * H * (H + D) + T * D * config.heads
                                              * config.head_size) + 1,
        # minGRU: two projections, its gradient sweep (T^2/2 rows) and hidden attention (H T^2)
        "scan": (2 * T * H * D + T * (T + 1) / 2 * 2 * H * D + H * T * T + 1) if config.scan else 0,
    }, progress, cancel)

    embeddings, fallback, known_words = _word_vectors(tokens, config, weights)  # (T, D), ...
    attention_in, attention_fallback = _attention_input(tokens, embeddings, config, weights)
    if attention_fallback is not None:
        fallback = attention_fallback if fallback is None else fallback | attention_fallback
    rnn = _run_rnn(embeddings, config, weights, phases)
    attention = _run_attention(attention_in, config, weights, phases)
    timings = time_forward_passes(embeddings, config, phases, weights, attention_in=attention_in)
    rnn = dataclasses.replace(rnn, step_seconds=timings.step_seconds,
                              projection_seconds=timings.projection_seconds,
                              forward_repeat_seconds=timings.rnn_seconds)
    attention = dataclasses.replace(attention, seconds=float(np.median(timings.attention_seconds)),
                                    repeat_seconds=timings.attention_seconds)
    scan = (run_mingru(embeddings, config,
                       progress=lambda fraction, label: phases.update("scan", fraction, label))
            if config.scan else None)
    return Trace(sentence=sentence if sentence is not None else " ".join(tokens),
                 tokens=tuple(tokens), config=config, embeddings=embeddings,
                 rnn=rnn, attention=attention,
                 weight_source=WeightSource(weights.source, weights.digest()), scan=scan,
                 known_words=known_words,
                 word_fallback=fallback if weights.has_inputs else None,
                 inputs_digest=weights.inputs_digest())


def _word_vectors(tokens: list[str], config: SimConfig, weights: WeightSet
                  ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """The words' vectors, (T, D), and which words their source lacked: the weights' word table
    where they carry one (the tokens it lacked, (T,)); else GloVe's or the seed's, by the config
    (for GloVe, the tokens it knew, (T,)). Returns (vectors, table's fallback, GloVe's known)."""
    if weights.word_vectors is not None:
        if config.word_vectors == "glove":
            raise ConfigError("word_vectors", "the trained models bring their own word vectors: "
                                              "set word vectors to random")
        vectors, fallback = weights.word_vectors.embed(tokens, config.seed)
        return vectors, fallback, None
    vectors, known = sentence_vectors(tokens, config)  # seeded, or GloVe's
    return vectors, None, known


def _attention_input(tokens: list[str], embeddings: np.ndarray, config: SimConfig,
                     weights: WeightSet) -> tuple[np.ndarray, np.ndarray | None]:
    """What the attention layer reads, (T, D): a trained Transformer's own input to the shown
    layer where the weights carry one (with the tokens its word table lacked), else the word
    vectors plus the configured positions."""
    if weights.transformer_input is not None:
        return weights.transformer_input.inputs(tokens, config.seed)
    positions = (sinusoidal_positions(len(tokens), config.d_model)
                 if config.positional == "sinusoidal" else None)
    return embeddings if positions is None else embeddings + positions, None  # (T, D)


@functools.cache
def _warm_up() -> None:
    """Run each kind of operation once, untimed, so first-call set-up does not land in the timings."""
    tiny = SimConfig(d_model=2, hidden_size=2, head_size=2)
    for cell in ("rnn", "lstm", "gru"):
        RNNStepper(build_cell(tiny.replace(cell=cell)), torch.zeros(2, 2, dtype=torch.float64)).run()
    attend(torch.zeros(2, 2, dtype=torch.float64), init_attention_weights(tiny),
           causal=True, scaling=True)


def _run_rnn(embeddings: np.ndarray, config: SimConfig, weights: WeightSet,
             phases: PhaseProgress) -> RNNTrace:
    T = embeddings.shape[0]
    cell = build_cell(config, weights=weights)
    stepper = RNNStepper(cell, torch.from_numpy(embeddings))
    stepper.run(lambda t: phases.update("rnn", t / T, f"RNN: word {t} of {T}"))

    readout = unit_vector(config.seed, "rnn-readout", config.hidden_size)  # (H,)
    start = time.perf_counter()
    grads = rnn_gradients(stepper, torch.from_numpy(readout), lambda done: phases.update(
        "rnn-gradients", done * (2 * T - done + 1) / (T * (T + 1)),
        f"RNN gradients: {done} of {T} steps back"))
    gradient_seconds = time.perf_counter() - start

    lambda1 = largest_singular_value(cell)
    gamma = derivative_bound(cell)
    if cell.gates == 1:
        input_norm = float(torch.linalg.matrix_norm(cell.weights.w_ih, ord=2))
        state_bound, input_bound = pascanu_bounds(T, lambda1, gamma, input_norm)
    else:  # the bound is stated for h_t = act(W h_{t-1} + U x_t + b), not for gated cells
        state_bound = input_bound = np.full(T, math.nan)
    w = cell.weights
    return RNNTrace(
        w_ih=w.w_ih.numpy(), w_hh=w.w_hh.numpy(), b_ih=w.b_ih.numpy(), b_hh=w.b_hh.numpy(),
        hidden=stepper.hidden.numpy(),
        cell_state=None if stepper.cell_state is None else stepper.cell_state.numpy(),
        readout=readout, connectivity=grads.connectivity, state_norm=grads.state_norm,
        state_bound=state_bound, input_bound=input_bound, lambda1=lambda1, gamma=gamma,
        cost=rnn_cost(T, config.d_model, config.hidden_size, cell.gates),
        step_seconds=stepper.step_seconds, projection_seconds=stepper.projection_seconds,
        gradient_seconds=gradient_seconds,
    )


def _run_attention(attention_in: np.ndarray, config: SimConfig, weight_set: WeightSet,
                   phases: PhaseProgress) -> AttentionTrace:
    T = attention_in.shape[0]
    phases.update("attention", 0.0, "attention: all words at once")
    weights = init_attention_weights(config, weights=weight_set)
    result = attend(attention_inputs(attention_in, None), weights,
                    causal=config.causal, scaling=config.scaling)
    phases.update("attention", 1.0, "attention: done")

    readout = unit_vector(config.seed, "attention-readout", config.d_model)  # (D,)
    start = time.perf_counter()
    connectivity = attention_connectivity(
        result, weights, torch.from_numpy(readout), config.scaling,
        lambda rows: phases.update("attention-gradients", rows / T,
                                   f"attention gradients: {rows} of {T} rows"))
    gradient_seconds = time.perf_counter() - start
    return AttentionTrace(
        inputs=result.inputs.numpy(), w_q=weights.w_q.numpy(), w_k=weights.w_k.numpy(),
        w_v=weights.w_v.numpy(), w_o=weights.w_o.numpy(), q=result.q.numpy(),
        k=result.k.numpy(), v=result.v.numpy(), scores=result.scores.numpy(),
        weights=result.weights.numpy(), head_output=result.head_output.numpy(),
        output=result.output.numpy(), readout=readout, connectivity=connectivity,
        cost=attention_cost(T, config.d_model, config.heads, config.head_size),
        seconds=result.seconds, gradient_seconds=gradient_seconds,
    )


@dataclass(frozen=True)
class ForwardTimings:
    rnn_seconds: np.ndarray  # (R,)  input projection + every step, per timed repeat
    step_seconds: np.ndarray  # (T,)  median over the repeats of each step() call
    projection_seconds: float  # median over the repeats of the input projection
    attention_seconds: np.ndarray  # (R,)  the one attention call, per timed repeat


def time_forward_passes(embeddings: np.ndarray, config: SimConfig,
                        phases: PhaseProgress | None = None,
                        weights: WeightSet | None = None, *,
                        attention_in: np.ndarray | None = None) -> ForwardTimings:
    """Warm up, then time both forward passes again and again, alternating, so a busy moment
    slows both alike; the medians and spreads of these repeats are what the views show."""
    fewest, most = TIMING_REPEATS
    steppers, attention_seconds = [], []

    def report(_step=None) -> None:  # between steps too (outside their timing): cancel stays quick
        if phases is not None:
            phases.update("timing", len(steppers) / most,
                          f"timing: repeat {len(steppers) + 1} of up to {most}")

    timed_pair = _forward_pair(embeddings, config, weights, report, attention_in)
    with intraop_threads(1):  # see intraop_threads: many threads made busy-machine timings noise
        timed_pair()  # warm-up at this size: allocations and kernel choice stay out of the numbers
        start = time.perf_counter()
        while len(steppers) < most and (len(steppers) < fewest
                                        or time.perf_counter() - start < TIMING_BUDGET_SECONDS):
            report()
            stepper, seconds = timed_pair()
            steppers.append(stepper)
            attention_seconds.append(seconds)
    if phases is not None:
        phases.update("timing", 1.0, "timing: done")
    steps = np.stack([s.step_seconds for s in steppers])  # (R, T)
    projections = np.array([s.projection_seconds for s in steppers])  # (R,)
    return ForwardTimings(rnn_seconds=projections + steps.sum(axis=1),
                          step_seconds=np.median(steps, axis=0),
                          projection_seconds=float(np.median(projections)),
                          attention_seconds=np.array(attention_seconds))


def _forward_pair(embeddings: np.ndarray, config: SimConfig, weight_set: WeightSet | None,
                  on_step, attention_input: np.ndarray | None = None):
    """A function that runs the RNN (calling on_step after each step) and then attention on the
    sentence (on `attention_input`, else the word vectors plus the configured positions), and
    returns the stepper with its timings and the attention call's seconds."""
    cell = build_cell(config, weights=weight_set)
    inputs = torch.from_numpy(embeddings)  # (T, D)
    weights = init_attention_weights(config, weights=weight_set)
    if attention_input is None:
        positions = (sinusoidal_positions(len(embeddings), config.d_model)
                     if config.positional == "sinusoidal" else None)
        attention_in = attention_inputs(embeddings, positions)  # (T, D)
    else:
        attention_in = attention_inputs(attention_input, None)  # (T, D)

    def timed_pair() -> tuple[RNNStepper, float]:
        stepper = RNNStepper(cell, inputs)
        stepper.run(on_step)
        return stepper, attend(attention_in, weights, causal=config.causal,
                               scaling=config.scaling).seconds

    return timed_pair
