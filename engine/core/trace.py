"""The immutable record of one run, and its single-file .npz form (keys listed in docs/trace-format.md)."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np

from engine.core.clock import RevealSchedule
from engine.core.config import SimConfig
from engine.core.cost import ModelCost
from engine.core.errors import ConfigError, EngineInputError
from engine.core.npz_files import NpzLimits, read_npz_arrays, write_npz
from engine.core.records import ModelRecord, attention_label, cell_label
from engine.core.scan_trace import ScanTrace, expected_scan_shapes
from engine.core.timing import TimingSummary, summarize
from engine.core.tokens import check_encodable, check_tokens
from engine.core.untrusted import printable

FORMAT_VERSION = 2  # the newest this version reads and writes
# A trace is written as format 1 unless it holds a part added since (the scan lane, GloVe's marks,
# trained word tables): then 2, so that an older app says "a newer format" rather than failing on
# a key it does not know. Format 1 files keep their exact bytes and digests.
FIRST_FORMAT = 1
# The largest trace SimConfig allows (1024 tokens, D = H = 2048, an LSTM, 16 heads of 512) holds
# about 1.4 GB of arrays; a file that declares more is refused before anything is unpacked.
MAX_TRACE_BYTES = 2 * 2**30
MAX_ARRAYS = 256  # a trace has about 45
TRACE_LIMITS = NpzLimits("a trace", MAX_TRACE_BYTES, MAX_ARRAYS)
MAX_REPEATS = 1000  # timed repeats a trace may hold (engine.run makes at most a handful)
REPEAT_KEYS = ("rnn_forward_repeat_seconds", "attn_repeat_seconds")  # absent in older files
SCAN_REPEAT_KEYS = ("scan_repeat_seconds", "scan_loop_repeat_seconds")
SCAN_COST_PREFIXES = ("scan_cost_", "scan_loop_cost_")
# minGRU arrays whose values have bounds: gates and hidden attention are shares, times are >= 0
SCAN_BOUNDED = {"gates": 1.0 + 1e-9, "hidden_attention": 1.0 + 1e-9, "level_seconds": np.inf,
                "loop_step_seconds": np.inf}
GATES = {"rnn": 1, "lstm": 4, "gru": 3}  # weight blocks per cell (engine.models.cells, which needs torch)
# The model weights of a run, by their WeightSet name (engine.models.weights), and the trace keys
# that hold them. The word vectors and readout vectors are not weights: they stay seeded.
WEIGHT_KEYS = {"w_ih": "rnn_w_ih", "w_hh": "rnn_w_hh", "b_ih": "rnn_b_ih", "b_hh": "rnn_b_hh",
               "w_q": "attn_w_q", "w_k": "attn_w_k", "w_v": "attn_w_v", "w_o": "attn_w_o"}
SOURCE_KEYS = ("weights_source", "weights_sha256")  # absent in files saved before weight files
# Present only in runs whose weights carried word tables or a Transformer input of their own.
INPUTS_DIGEST_KEY, FALLBACK_KEY = "weights_inputs_sha256", "word_fallback"


class TraceFileError(EngineInputError):
    """A file that cannot be read as a trace, or a path a trace cannot be written to."""


def _freeze(record) -> None:
    for field in dataclasses.fields(record):
        value = getattr(record, field.name)
        if isinstance(value, np.ndarray):
            value.flags.writeable = False


@dataclass(frozen=True)
class RNNTrace:
    w_ih: np.ndarray  # (G*H, D)
    w_hh: np.ndarray  # (G*H, H)
    b_ih: np.ndarray  # (G*H,)
    b_hh: np.ndarray  # (G*H,)
    hidden: np.ndarray  # (T, H)  h_t after each step
    cell_state: np.ndarray | None  # (T, H)  c_t, LSTM only
    readout: np.ndarray  # (H,)  r, unit length
    connectivity: np.ndarray  # (T, T)  ||d(r . h_t)/d x_k||, zero for k > t
    state_norm: np.ndarray  # (T,)  ||dL/dh_j||, L = r . h_{T-1}: what BPTT carries back
    state_bound: np.ndarray  # (T,)  Pascanu bound on state_norm (NaN for gated cells)
    input_bound: np.ndarray  # (T,)  Pascanu bound on connectivity[T-1] (NaN for gated cells)
    lambda1: float  # largest singular value of W_hh
    gamma: float  # bound on |act'|
    cost: ModelCost
    step_seconds: np.ndarray  # (T,)  wall time of each step() call, median over the repeats
    projection_seconds: float  # the all-words input projection W_ih X, median over the repeats
    gradient_seconds: float  # computing the connectivity map
    forward_repeat_seconds: np.ndarray | None = None  # (R,)  whole forward pass per timed repeat
                                                      # (None in files saved before repeats)

    def __post_init__(self):
        _freeze(self)

    @property
    def forward_timing(self) -> TimingSummary:
        """Median and spread of the forward pass over the timed repeats (one, in older files)."""
        if self.forward_repeat_seconds is None:
            return summarize([self.projection_seconds + float(self.step_seconds.sum())])
        return summarize(self.forward_repeat_seconds)

    @property
    def forward_seconds(self) -> float:
        return self.forward_timing.median

    @property
    def input_gradient(self) -> np.ndarray:
        """||dL/dx_k|| for the loss at the last position: the last row of the map. (T,)"""
        return self.connectivity[-1]

    def elapsed_seconds(self) -> np.ndarray:
        """Measured time when each step is done: the input projection, then every step (medians
        per step over the repeats), scaled to end at the median of the whole passes. (T,)"""
        elapsed = self.projection_seconds + self.step_seconds.cumsum()  # (T,)
        return elapsed * (self.forward_seconds / elapsed[-1] if elapsed[-1] > 0 else 1.0)  # (T,)

    def record(self, config: SimConfig) -> ModelRecord:
        """This model's model-agnostic face: a loop of one cell call per word."""
        name = cell_label(config)
        return ModelRecord(key="rnn", name=name, name_in_text=name, cost=self.cost,
                           schedule=RevealSchedule.loop(len(self.hidden)),
                           forward_timing=self.forward_timing, forward_seconds=self.forward_seconds,
                           elapsed_seconds=self.elapsed_seconds(),
                           input_gradient=self.input_gradient, connectivity=self.connectivity,
                           causal=True)


@dataclass(frozen=True)
class AttentionTrace:
    inputs: np.ndarray  # (T, D)  word vectors (+ positions)
    w_q: np.ndarray  # (nh, D, hs)
    w_k: np.ndarray  # (nh, D, hs)
    w_v: np.ndarray  # (nh, D, hs)
    w_o: np.ndarray  # (nh*hs, D)
    q: np.ndarray  # (nh, T, hs)
    k: np.ndarray  # (nh, T, hs)
    v: np.ndarray  # (nh, T, hs)
    scores: np.ndarray  # (nh, T, T)  before the mask
    weights: np.ndarray  # (nh, T, T)
    head_output: np.ndarray  # (nh, T, hs)
    output: np.ndarray  # (T, D)
    readout: np.ndarray  # (D,)
    connectivity: np.ndarray  # (T, T)
    cost: ModelCost
    seconds: float  # the one call, median over the timed repeats
    gradient_seconds: float
    repeat_seconds: np.ndarray | None = None  # (R,)  the one call per timed repeat
                                              # (None in files saved before repeats)

    def __post_init__(self):
        _freeze(self)

    @property
    def timing(self) -> TimingSummary:
        """Median and spread of the attention call over the timed repeats (one, in older files)."""
        return summarize([self.seconds] if self.repeat_seconds is None else self.repeat_seconds)

    @property
    def input_gradient(self) -> np.ndarray:
        return self.connectivity[-1]

    def record(self, config: SimConfig) -> ModelRecord:
        """This model's model-agnostic face: one call over every word, one backward pass."""
        return ModelRecord(key="attention", name=attention_label(config),
                           name_in_text=attention_label(config, in_text=True), cost=self.cost,
                           schedule=RevealSchedule.one_shot(len(self.inputs)),
                           forward_timing=self.timing, forward_seconds=self.seconds,
                           elapsed_seconds=np.array([self.seconds]),  # (1,)
                           input_gradient=self.input_gradient, connectivity=self.connectivity,
                           causal=config.causal)


def weights_digest(weights: dict[str, np.ndarray]) -> str:
    """SHA-256, in hexadecimal, of named weights: each name, dtype, shape and the bytes, in name
    order, as little-endian float64 (WeightSet.digest() and a trace's weights agree)."""
    hasher = hashlib.sha256()
    for name in sorted(weights):
        value = np.ascontiguousarray(weights[name], dtype="<f8")
        hasher.update(f"{name}:{value.dtype.str}:{value.shape}\n".encode())
        hasher.update(value.tobytes())
    return hasher.hexdigest()


def combined_weights_digest(weights: str, inputs: str | None) -> str:
    """The digest of weights that carry input pieces (word tables, a Transformer input): their
    own digest and the pieces' together; just the weights' digest when they carry none."""
    if inputs is None:
        return weights
    return hashlib.sha256(f"{weights}\n{inputs}".encode()).hexdigest()


def random_weights_description(seed: int) -> str:
    return f"random, seed {seed}"


@dataclass(frozen=True)
class WeightSource:
    """Where a run's weights came from, for the user: "random, seed 0" or a file and its digest."""
    description: str
    digest: str  # weights_digest() of the weights the run used


@dataclass(frozen=True)
class Trace:
    sentence: str
    tokens: tuple[str, ...]
    config: SimConfig
    embeddings: np.ndarray  # (T, D)
    rnn: RNNTrace
    attention: AttentionTrace
    weight_source: WeightSource | None = None  # None: random from the config's seed (older files)
    scan: ScanTrace | None = None  # minGRU by the parallel scan: present when config.scan is on
    known_words: np.ndarray | None = None  # (T,) bool: GloVe had the word (GloVe runs only)
    # Runs whose weights carried their own word tables (None in all others): which tokens the
    # tables lacked, so they got the seed's vectors, (T,) bool; and the tables' digest.
    word_fallback: np.ndarray | None = None  # (T,)
    inputs_digest: str | None = None

    def __post_init__(self):
        _freeze(self)
        if (self.scan is not None) != self.config.scan:
            raise ValueError("a trace holds minGRU's scan exactly when its config's scan is on")
        if (self.known_words is not None) != (self.config.word_vectors == "glove"):
            raise ValueError("a trace marks the words GloVe knew exactly when it uses GloVe")
        if self.weight_source is None:
            source = WeightSource(random_weights_description(self.config.seed),
                                  weights_digest(self.weights()))
            object.__setattr__(self, "weight_source", source)

    @property
    def has_random_weights(self) -> bool:
        """Whether the run drew its weights from its seed (rather than reading a weight file)."""
        return self.weight_source.description == random_weights_description(self.config.seed)

    def weights(self) -> dict[str, np.ndarray]:
        """The model weights the run used, by WeightSet name (read-only views of the trace's)."""
        rnn, attention = self.rnn, self.attention
        return {"w_ih": rnn.w_ih, "w_hh": rnn.w_hh, "b_ih": rnn.b_ih, "b_hh": rnn.b_hh,
                "w_q": attention.w_q, "w_k": attention.w_k, "w_v": attention.w_v,
                "w_o": attention.w_o}

    @property
    def length(self) -> int:
        return len(self.tokens)

    @functools.cached_property
    def models(self) -> Mapping[str, ModelRecord]:
        """Each model's record, by key, in the order views list them (MODEL_KEYS: the RNN, then
        attention; then the scan when the run has one)."""
        records = [self.rnn.record(self.config), self.attention.record(self.config)]
        if self.scan is not None:
            records.append(self.scan.record())
        return MappingProxyType({record.key: record for record in records})

    @property
    def format_version(self) -> int:
        extended = (self.scan is not None or self.known_words is not None
                    or self.word_fallback is not None)
        return FORMAT_VERSION if extended else FIRST_FORMAT

    def arrays(self, include_timings: bool = True) -> dict[str, np.ndarray]:
        """Every value as a named array: the .npz's contents. Timings end in "_seconds"."""
        out = {
            "format_version": np.array(self.format_version),
            "sentence": np.array(self.sentence),
            "tokens": np.array(self.tokens, dtype=str),
            "config": np.array(self.config.to_json()),
            "embeddings": self.embeddings,
        }
        if self.known_words is not None:
            out["known_words"] = self.known_words
        out.update(_record_arrays("rnn_", self.rnn))
        out.update(_record_arrays("attn_", self.attention))
        if self.scan is not None:
            out.update(_record_arrays("scan_", self.scan))
        out["weights_source"] = np.array(self.weight_source.description)
        out["weights_sha256"] = np.array(self.weight_source.digest)
        if self.inputs_digest is not None:
            out[INPUTS_DIGEST_KEY] = np.array(self.inputs_digest)
            out[FALLBACK_KEY] = np.asarray(self.word_fallback, dtype=bool)
        if not include_timings:
            out = {key: value for key, value in out.items() if not key.endswith("_seconds")}
        return out

    @functools.cached_property  # a frozen dataclass still has a __dict__ to cache in
    def _digest(self) -> str:
        hasher = hashlib.sha256()
        for key, value in sorted(self.arrays(include_timings=False).items()):
            # The weights (and the arrays their inputs gave) are hashed; descriptions and
            # digests are not, so digests saved before weight sources still match.
            if key in SOURCE_KEYS or key == INPUTS_DIGEST_KEY:
                continue
            value = np.ascontiguousarray(value)
            hasher.update(f"{key}:{value.dtype.str}:{value.shape}".encode())
            hasher.update(value.tobytes())
        return hasher.hexdigest()

    def digest(self) -> str:
        """SHA-256 over every array but the timings: equal digests mean bit-identical runs.
        Computed once per trace (the worker does it, off the GUI thread)."""
        return self._digest

    def save(self, path: str | os.PathLike) -> Path:
        """Write one .npz atomically (a temporary name, then a rename); return the path."""
        return write_npz(path, self.arrays(), TraceFileError)


def _record_arrays(prefix: str, record) -> dict[str, np.ndarray]:
    out = {}
    for field in dataclasses.fields(record):
        value = getattr(record, field.name)
        if value is None:
            continue
        if isinstance(value, ModelCost):  # "rnn_cost_multiply_adds", "scan_loop_cost_..."
            for cost_field in dataclasses.fields(value):
                out[f"{prefix}{field.name}_{cost_field.name}"] = np.array(
                    getattr(value, cost_field.name))
        else:
            out[prefix + field.name] = np.asarray(value)
    return out


def _record_from_arrays(cls, prefix: str, data: dict[str, np.ndarray]):
    values = {}
    for field in dataclasses.fields(cls):
        key = prefix + field.name
        if field.type == "ModelCost":
            values[field.name] = ModelCost(**{
                f.name: int(data[f"{key}_{f.name}"]) for f in dataclasses.fields(ModelCost)
            })
        elif key not in data:
            if "None" not in str(field.type):
                raise KeyError(key)
            values[field.name] = None
        elif field.type == "float":
            values[field.name] = float(data[key])
        else:
            values[field.name] = data[key]
    return cls(**values)


def load_trace(path: str | os.PathLike) -> Trace:
    """Read a trace written by Trace.save, exactly; TraceFileError if it is not one."""
    shown = printable(path)
    data = read_npz_arrays(Path(path), TRACE_LIMITS, TraceFileError)
    if "format_version" not in data or "config" not in data:
        raise TraceFileError(f"{shown} is a .npz file but not a trace saved by this app")
    version = data["format_version"]
    if version.shape != () or version.dtype.kind not in "iu":
        raise TraceFileError(f"{shown} has no valid trace format version")
    if int(version) > FORMAT_VERSION:
        raise TraceFileError(f"{shown} was saved in trace format {int(version)}; "
                             f"this version reads up to {FORMAT_VERSION}")
    try:
        config, tokens, sentence = _text_entries(data)
        _check_arrays(data, config, len(tokens))
        return Trace(
            sentence=sentence,
            tokens=tokens,
            config=config,
            embeddings=data["embeddings"],
            rnn=_record_from_arrays(RNNTrace, "rnn_", data),
            attention=_record_from_arrays(AttentionTrace, "attn_", data),
            weight_source=_weight_source(data),
            scan=_record_from_arrays(ScanTrace, "scan_", data) if config.scan else None,
            known_words=data["known_words"] if config.word_vectors == "glove" else None,
            **_inputs_entries(data, len(tokens)),
        )
    except KeyError as missing:
        raise TraceFileError(f"{shown} is missing the array {printable(missing)} of a trace") from None
    except ConfigError as error:
        raise TraceFileError(f"{shown} holds an invalid configuration: {error}") from None
    except EngineInputError as error:
        raise TraceFileError(f"{shown} is damaged: {error}") from None


# ---- checking what was read ----------------------------------------------------------------------

def _text_entries(data: dict[str, np.ndarray]) -> tuple[SimConfig, tuple[str, ...], str]:
    for key, shape in (("config", ()), ("sentence", ()), ("tokens", None)):
        value = data[key]
        if value.dtype.kind != "U" or (shape is not None and value.shape != shape) \
                or (shape is None and value.ndim != 1):
            raise EngineInputError(f"its {key} entry is not text of the expected shape")
    config = SimConfig.from_json(str(data["config"]))
    tokens = tuple(str(token) for token in data["tokens"])
    try:
        check_tokens(list(tokens))
    except EngineInputError as error:
        raise EngineInputError(f"its tokens are unusable ({error})") from None
    sentence = str(data["sentence"])
    check_encodable(sentence)
    return config, tokens, sentence


def _weight_source(data: dict[str, np.ndarray]) -> WeightSource | None:
    """The recorded weight source, checked against the weights the file holds; None in files
    saved before weight sources (their weights are random from the config's seed)."""
    present = [key for key in SOURCE_KEYS if key in data]
    if not present:
        return None
    if len(present) != len(SOURCE_KEYS):
        absent = next(key for key in SOURCE_KEYS if key not in data)
        raise EngineInputError(f"it holds {present[0]} without {absent}")
    for key in SOURCE_KEYS:
        if data[key].dtype.kind != "U" or data[key].shape != () or len(str(data[key])) > 1000:
            raise EngineInputError(f"its {key} entry is not a line of text")
    description, digest = str(data["weights_source"]), str(data["weights_sha256"])
    check_encodable(description, "the weights' description")
    inputs = str(data[INPUTS_DIGEST_KEY]) if INPUTS_DIGEST_KEY in data else None
    actual = combined_weights_digest(
        weights_digest({name: data[key] for name, key in WEIGHT_KEYS.items()}), inputs)
    if digest != actual:
        raise EngineInputError(f"its weights_sha256 ({printable(digest, 70)}) is not the "
                               f"digest of its weights ({actual})")
    return WeightSource(description, digest)


def _inputs_entries(data: dict[str, np.ndarray], length: int) -> dict:
    """word_fallback and inputs_digest, checked, when the file has them (else nothing)."""
    present = [key for key in (INPUTS_DIGEST_KEY, FALLBACK_KEY) if key in data]
    if not present:
        return {}
    if len(present) != 2 or "weights_sha256" not in data:
        raise EngineInputError(f"it holds {present[0]} without the other weight entries")
    digest, fallback = data[INPUTS_DIGEST_KEY], data[FALLBACK_KEY]
    if digest.dtype.kind != "U" or digest.shape != () or len(str(digest)) > 100:
        raise EngineInputError(f"its {INPUTS_DIGEST_KEY} entry is not a line of text")
    if fallback.dtype != np.bool_ or fallback.shape != (length,):
        raise EngineInputError(f"its {FALLBACK_KEY} entry is not one true or false per token")
    return {"word_fallback": fallback, "inputs_digest": str(digest)}


def expected_shapes(config: SimConfig, length: int) -> dict[str, tuple[int, ...]]:
    """The shape of every float64 array of a trace of `length` tokens (docs/trace-format.md)."""
    T, D, H, nh, hs = length, config.d_model, config.hidden_size, config.heads, config.head_size
    GH = GATES[config.cell] * H
    shapes = {
        "embeddings": (T, D), "rnn_w_ih": (GH, D), "rnn_w_hh": (GH, H), "rnn_b_ih": (GH,),
        "rnn_b_hh": (GH,), "rnn_hidden": (T, H), "rnn_readout": (H,), "rnn_connectivity": (T, T),
        "rnn_state_norm": (T,), "rnn_state_bound": (T,), "rnn_input_bound": (T,),
        "rnn_lambda1": (), "rnn_gamma": (), "rnn_step_seconds": (T,), "rnn_projection_seconds": (),
        "rnn_gradient_seconds": (), "attn_inputs": (T, D), "attn_w_q": (nh, D, hs),
        "attn_w_k": (nh, D, hs), "attn_w_v": (nh, D, hs), "attn_w_o": (nh * hs, D),
        "attn_q": (nh, T, hs), "attn_k": (nh, T, hs), "attn_v": (nh, T, hs),
        "attn_scores": (nh, T, T), "attn_weights": (nh, T, T), "attn_head_output": (nh, T, hs),
        "attn_output": (T, D), "attn_readout": (D,), "attn_connectivity": (T, T),
        "attn_seconds": (), "attn_gradient_seconds": (),
    }
    if config.cell == "lstm":
        shapes["rnn_cell_state"] = (T, H)
    return shapes


def _check_arrays(data: dict[str, np.ndarray], config: SimConfig, length: int) -> None:
    """Every array a trace's views index must have the shape its config and tokens imply."""
    if "rnn_cell_state" in data and config.cell != "lstm":
        raise EngineInputError("it holds a cell state, which only an LSTM trace has")
    for key, shape in expected_shapes(config, length).items():
        value = data[key]
        if value.dtype.kind != "f" or value.dtype.itemsize != 8 or value.shape != shape:
            raise EngineInputError(f"its array {key} is {value.dtype} {value.shape}; "
                                   f"a trace of its configuration has float64 {shape}")
    _check_repeats(data, REPEAT_KEYS)
    _check_scan_arrays(data, config, length)
    _check_known_words(data, config, length)
    for prefix in ("rnn_cost_", "attn_cost_") + (SCAN_COST_PREFIXES if config.scan else ()):
        for field in dataclasses.fields(ModelCost):
            value = data[prefix + field.name]
            if value.dtype.kind not in "iu" or value.shape != () or int(value) < 0:
                raise EngineInputError(f"its array {prefix}{field.name} is not a whole number "
                                       f"from 0")


def _check_known_words(data: dict[str, np.ndarray], config: SimConfig, length: int) -> None:
    """GloVe runs mark which words GloVe knew; other runs have no such mark."""
    if config.word_vectors != "glove":
        if "known_words" in data:
            raise EngineInputError("it marks the words GloVe knew, but its configuration uses "
                                   "random word vectors")
        return
    value = data["known_words"]
    if value.dtype != np.bool_ or value.shape != (length,):
        raise EngineInputError(f"its array known_words is {value.dtype} {value.shape}; a trace "
                               f"of {length} words has bool ({length},)")


def _check_repeats(data: dict[str, np.ndarray], keys) -> None:
    for key in keys:
        value = data.get(key)
        if value is not None and (value.dtype.kind != "f" or value.dtype.itemsize != 8
                                  or value.ndim != 1 or not 1 <= len(value) <= MAX_REPEATS
                                  or not np.all(np.isfinite(value) & (value >= 0))):
            raise EngineInputError(f"its array {key} is not a list of 1 to {MAX_REPEATS} "
                                   f"times in seconds")


def _check_scan_arrays(data: dict[str, np.ndarray], config: SimConfig, length: int) -> None:
    """minGRU's arrays are there exactly when the config's scan lane is on, in their shapes."""
    if not config.scan:
        extra = sorted(key for key in data if key.startswith("scan_"))
        if extra:
            raise EngineInputError(f"it holds minGRU's {extra[0]} while its configuration has "
                                   f"the scan lane off")
        return
    shapes = expected_scan_shapes(length, config.d_model, config.hidden_size)
    for name, shape in shapes.items():
        value = data["scan_" + name]
        if value.dtype.kind != "f" or value.dtype.itemsize != 8 or value.shape != shape:
            raise EngineInputError(f"its array scan_{name} is {value.dtype} {value.shape}; "
                                   f"a trace of its configuration has float64 {shape}")
        if not np.all(np.isfinite(value)) or (name in SCAN_BOUNDED and not np.all(
                (value >= 0) & (value <= SCAN_BOUNDED[name]))):
            bound = ((" from 0" if SCAN_BOUNDED[name] == np.inf else " between 0 and 1")
                     if name in SCAN_BOUNDED else "")
            raise EngineInputError(f"its array scan_{name} holds values that are not finite"
                                   f"{bound and ' or not' + bound}")
    missing = [key for key in SCAN_REPEAT_KEYS if key not in data]
    if missing:
        raise KeyError(missing[0])
    _check_repeats(data, SCAN_REPEAT_KEYS)
