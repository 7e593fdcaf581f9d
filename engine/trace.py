"""The immutable record of one run, and its single-file .npz form (keys listed in docs/trace-format.md)."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.atomic import OutputPathError, atomic_write
from engine.config import SimConfig
from engine.cost import ModelCost
from engine.errors import ConfigError, EngineInputError

FORMAT_VERSION = 1


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
    step_seconds: np.ndarray  # (T,)  wall time of each step() call
    projection_seconds: float  # the all-words input projection W_ih X
    gradient_seconds: float  # computing the connectivity map

    def __post_init__(self):
        _freeze(self)

    @property
    def forward_seconds(self) -> float:
        return self.projection_seconds + float(self.step_seconds.sum())

    @property
    def input_gradient(self) -> np.ndarray:
        """||dL/dx_k|| for the loss at the last position: the last row of the map. (T,)"""
        return self.connectivity[-1]


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
    seconds: float  # the one call
    gradient_seconds: float

    def __post_init__(self):
        _freeze(self)

    @property
    def input_gradient(self) -> np.ndarray:
        return self.connectivity[-1]


@dataclass(frozen=True)
class Trace:
    sentence: str
    tokens: tuple[str, ...]
    config: SimConfig
    embeddings: np.ndarray  # (T, D)
    rnn: RNNTrace
    attention: AttentionTrace

    def __post_init__(self):
        _freeze(self)

    @property
    def length(self) -> int:
        return len(self.tokens)

    def arrays(self, include_timings: bool = True) -> dict[str, np.ndarray]:
        """Every value as a named array: the .npz's contents. Timings end in "_seconds"."""
        out = {
            "format_version": np.array(FORMAT_VERSION),
            "sentence": np.array(self.sentence),
            "tokens": np.array(self.tokens, dtype=str),
            "config": np.array(self.config.to_json()),
            "embeddings": self.embeddings,
        }
        out.update(_record_arrays("rnn_", self.rnn))
        out.update(_record_arrays("attn_", self.attention))
        if not include_timings:
            out = {key: value for key, value in out.items() if not key.endswith("_seconds")}
        return out

    @functools.cached_property  # a frozen dataclass still has a __dict__ to cache in
    def _digest(self) -> str:
        hasher = hashlib.sha256()
        for key, value in sorted(self.arrays(include_timings=False).items()):
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
        path = Path(path)
        if path.suffix != ".npz":
            path = path.with_name(path.name + ".npz")
        try:
            with atomic_write(path) as file:
                np.savez_compressed(file, **self.arrays())
        except OutputPathError as error:
            raise TraceFileError(str(error)) from None
        return path


def _record_arrays(prefix: str, record) -> dict[str, np.ndarray]:
    out = {}
    for field in dataclasses.fields(record):
        value = getattr(record, field.name)
        if value is None:
            continue
        if isinstance(value, ModelCost):
            for cost_field in dataclasses.fields(value):
                out[f"{prefix}cost_{cost_field.name}"] = np.array(getattr(value, cost_field.name))
        else:
            out[prefix + field.name] = np.asarray(value)
    return out


def _record_from_arrays(cls, prefix: str, data: dict[str, np.ndarray]):
    values = {}
    for field in dataclasses.fields(cls):
        key = prefix + field.name
        if field.name == "cost":
            values["cost"] = ModelCost(**{
                f.name: int(data[f"{prefix}cost_{f.name}"]) for f in dataclasses.fields(ModelCost)
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
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as archive:
            data = {key: archive[key] for key in archive.files}
    except FileNotFoundError:
        raise TraceFileError(f"{path}: no such file") from None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise TraceFileError(f"{path} is not a readable .npz file ({error})") from None
    if "format_version" not in data or "config" not in data:
        raise TraceFileError(f"{path} is a .npz file but not a trace saved by this app")
    version = int(data["format_version"])
    if version > FORMAT_VERSION:
        raise TraceFileError(
            f"{path} was saved in trace format {version}; this version reads up to {FORMAT_VERSION}"
        )
    try:
        return Trace(
            sentence=str(data["sentence"]),
            tokens=tuple(str(token) for token in data["tokens"]),
            config=SimConfig.from_json(str(data["config"])),
            embeddings=data["embeddings"],
            rnn=_record_from_arrays(RNNTrace, "rnn_", data),
            attention=_record_from_arrays(AttentionTrace, "attn_", data),
        )
    except KeyError as missing:
        raise TraceFileError(f"{path} is missing the array {missing} of a trace") from None
    except ConfigError as error:
        raise TraceFileError(f"{path} holds an invalid configuration: {error}") from None
