"""WeightSet: the model weights one run uses, named, shape-checked and immutable.

simulate() draws random weights from the config's seed (WeightSet.random) unless it is given a
WeightSet, such as trained weights loaded from a .npz file. The readout vectors are not weights:
they always come from the seed. Word vectors come from the seed too, unless the WeightSet carries a
word-vector table (WordVectors) and, for attention, a TransformerInput (a trained Transformer's own
word vectors, learned positions, earlier blocks and pre-attention LayerNorm). The config's
recurrent_scale shapes only the random draw; given weights are used exactly as they are. A weight
file is one .npz holding the eight arrays below (float64, torch.nn.RNN/LSTM/GRU layout), a JSON
header entry and, in version 2 files only, the optional input pieces (WORDS_KEY, VECTORS_KEY and
TRANSFORMER_PREFIX entries); it is read with the same guards as a trace file and never unpickled.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Mapping

import numpy as np
import torch

from engine.core.config import CELLS, SimConfig
from engine.core.errors import ConfigError, WeightsError
from engine.core.npz_files import NpzLimits, read_npz_arrays, write_npz
from engine.core.seeding import generator
from engine.core.trace import combined_weights_digest, random_weights_description, weights_digest
from engine.core.untrusted import parse_json, printable
from engine.core.word_vectors import WordVectors
from engine.models.attention import AttentionWeights, init_attention_weights
from engine.models.cells import GATES, CellWeights, init_weights
from engine.models.transformer_input import BLOCK_NAMES, MAX_LAYERS, TransformerInput

RNN_NAMES = ("w_ih", "w_hh", "b_ih", "b_hh")
ATTENTION_NAMES = ("w_q", "w_k", "w_v", "w_o")
NAMES = RNN_NAMES + ATTENTION_NAMES
SHAPE_FIELDS = ("cell", "d_model", "hidden_size", "heads", "head_size")  # what the shapes depend on

FORMAT_NAME = "rnn-vs-transformer weights"
FORMAT_VERSION = 2  # 2 added the optional input pieces; a file without them is still written as 1
PLAIN_FORMAT_VERSION = 1
HEADER_KEY = "header"
# A version 2 file's optional input pieces: the word table (words and vectors) and the trained
# Transformer's input ("transformer_" + TransformerInput.arrays() names, its words and vectors).
WORDS_KEY, VECTORS_KEY = "words", "word_vectors"
TRANSFORMER_PREFIX = "transformer_"
MAX_HEADER_CHARS = 4096  # the header is about 150 characters
# The largest weights SimConfig allows (an LSTM with D = H = 2048, 16 heads of 512) are about
# 0.8 GB; a file that declares more is refused before anything is unpacked.
MAX_WEIGHTS_BYTES = 2**30
# A few entries more than the largest weight file has, so an extra one is named, not counted.
WEIGHT_FILE_LIMITS = NpzLimits(
    "a weight file", MAX_WEIGHTS_BYTES,
    1 + len(NAMES) + 5 + MAX_LAYERS * len(BLOCK_NAMES) + 8,  # header, weights, inputs, a few more
    max_directory_bytes=65536)
_CELL_OF_GATES = {gates: cell for cell, gates in GATES.items()}


def expected_weight_shapes(config: SimConfig) -> dict[str, tuple[int, ...]]:
    """The shape of every weight a run of `config` needs."""
    D, H, nh, hs = config.d_model, config.hidden_size, config.heads, config.head_size
    return _shapes(config.cell, D, H, nh, hs)


def _shapes(cell: str, D: int, H: int, nh: int, hs: int) -> dict[str, tuple[int, ...]]:
    GH = GATES[cell] * H
    return {"w_ih": (GH, D), "w_hh": (GH, H), "b_ih": (GH,), "b_hh": (GH,),
            "w_q": (nh, D, hs), "w_k": (nh, D, hs), "w_v": (nh, D, hs), "w_o": (nh * hs, D)}


def _describe_fields(fields: Mapping[str, object]) -> str:
    return ", ".join(f"{name}={fields[name]}" for name in SHAPE_FIELDS)


class WeightSet:
    """The RNN cell's w_ih, w_hh, b_ih, b_hh and attention's w_q, w_k, w_v, w_o, as read-only
    float64 arrays, and optionally the input pieces that make a run read what trained models
    read (word_vectors, transformer_input). Construction refuses a missing, extra, misshapen,
    non-float64 or non-finite weight with WeightsError naming it, and input pieces that do not fit
    the weights; check(config) refuses weights of another configuration."""

    def __init__(self, arrays: Mapping[str, np.ndarray], source: str, *,
                 word_vectors: WordVectors | None = None,
                 transformer_input: TransformerInput | None = None):
        self._arrays = _checked_arrays(arrays)
        self._source = source
        self._path: Path | None = None
        self.shape_fields = _shape_fields(self._arrays)
        self.word_vectors = word_vectors  # the run's word vectors (None: from the seed)
        # What attention reads (None: the word vectors plus the config's positions).
        self.transformer_input = transformer_input
        self._check_inputs()
        self._digest: str | None = None
        # Where trained weights came from: {"recurrent": path, "transformer": path} of the
        # checkpoint files that rebuild them (to_weight_set); None otherwise.
        self.checkpoints: dict[str, Path] | None = None

    @property
    def source(self) -> str:
        """For the user: "random, seed 0", "file NAME (sha256 ...)", or what the maker said."""
        return self._source

    @property
    def path(self) -> Path | None:
        """The file load() read the weights from (None for weights made in memory)."""
        return self._path

    # ---- making one ------------------------------------------------------------------------------

    @classmethod
    def random(cls, config: SimConfig) -> WeightSet:
        """Exactly the weights simulate() draws from the config's seed, bit for bit."""
        D, H = config.d_model, config.hidden_size
        cell = init_weights(GATES[config.cell], D, H, config.recurrent_scale,
                            generator(config.seed, "rnn-weights"))
        attention = init_attention_weights(config)
        tensors = {**_fields(cell), **_fields(attention)}
        return cls({name: tensor.numpy() for name, tensor in tensors.items()},
                   random_weights_description(config.seed))

    @classmethod
    def from_models(cls, cell: CellWeights, attention: AttentionWeights, source: str, *,
                    word_vectors: WordVectors | None = None,
                    transformer_input: TransformerInput | None = None) -> WeightSet:
        """Weights held by the models' own records (a trained cell and attention, say)."""
        tensors = {**_fields(cell), **_fields(attention)}
        return cls({name: tensor.detach().cpu().to(torch.float64).numpy()
                    for name, tensor in tensors.items()}, source, word_vectors=word_vectors,
                   transformer_input=transformer_input)

    # ---- reading it -------------------------------------------------------------------------

    def __getitem__(self, name: str) -> np.ndarray:
        return self._arrays[name]

    def arrays(self) -> dict[str, np.ndarray]:
        """Every weight by name (read-only arrays)."""
        return dict(self._arrays)

    @property
    def has_inputs(self) -> bool:
        """Whether the weights carry a word table or a Transformer input of their own."""
        return self.word_vectors is not None or self.transformer_input is not None

    @property
    def layers(self) -> int:
        """How many attention layers the weights hold (1 unless a trained Transformer's)."""
        return 1 if self.transformer_input is None else self.transformer_input.layers

    @property
    def layer(self) -> int:
        """The attention layer the weights' w_q, w_k, w_v, w_o are, 1-based."""
        return 1 if self.transformer_input is None else self.transformer_input.layer

    def with_layer(self, layer: int) -> WeightSet:
        """These weights with attention layer `layer` (1-based) shown; WeightsError if absent."""
        if layer == self.layer:
            return self
        if self.transformer_input is None:
            raise WeightsError(f"these weights have one attention layer; there is no layer {layer}")
        shown = self.transformer_input.with_layer(layer)
        other = WeightSet({**self._arrays, **shown.attention_arrays()},
                          _with_layer_in_source(self._source, layer),
                          word_vectors=self.word_vectors, transformer_input=shown)
        other.checkpoints = self.checkpoints
        return other

    def inputs_digest(self) -> str | None:
        """SHA-256 of the word table and the Transformer input, or None when there are none."""
        if not self.has_inputs:
            return None
        parts = [piece.digest() if piece is not None else "none"
                 for piece in (self.word_vectors, self.transformer_input)]
        return _text_digest("\n".join(parts))

    def digest(self) -> str:
        """SHA-256, in hexadecimal, of the names, shapes, dtypes and bytes of every weight (and,
        when the weights carry them, of their input pieces: inputs_digest())."""
        if self._digest is None:
            self._digest = combined_weights_digest(weights_digest(self._arrays),
                                                   self.inputs_digest())
        return self._digest

    def _check_inputs(self) -> None:
        D = self.shape_fields["d_model"]
        if self.word_vectors is not None and self.word_vectors.width != D:
            raise WeightsError(f"the word vectors have width {self.word_vectors.width}; the "
                               f"weights read words of width {D}", "word_vectors")
        if self.transformer_input is None:
            return
        if self.transformer_input.word_vectors.width != D:
            raise WeightsError(f"the Transformer's word vectors have width "
                               f"{self.transformer_input.word_vectors.width}; the weights read "
                               f"words of width {D}", "transformer_input")
        for name, value in self.transformer_input.attention_arrays().items():
            if not np.array_equal(value, self._arrays[name]):
                raise WeightsError(f"weight {name} is not layer {self.transformer_input.layer}'s "
                                   f"of the Transformer input given with it", name)

    @property
    def config_fields(self) -> dict[str, object]:
        """The configuration values these weights fix: the shape fields; for a trained
        Transformer's layer also its causal mask and scaled scores, as it was trained; and for
        weights with their own word vectors, no GloVe (run() refuses both at once)."""
        fixed = {"causal": True, "scaling": True} if self.transformer_input is not None else {}
        own_words = {"word_vectors": "random"} if self.word_vectors is not None else {}
        return {**self.shape_fields, **fixed, **own_words}

    def check(self, config: SimConfig) -> None:
        """WeightsError naming the first weight whose shape does not fit `config` (or, for a
        trained Transformer's layer, the mask or scaling it was not trained with)."""
        if self.transformer_input is not None:
            for field, what in (("causal", "the causal mask"), ("scaling", "scaled scores")):
                if not getattr(config, field):
                    raise WeightsError(f"the trained Transformer was trained with {what}; its "
                                       f"attention map needs {field} on", field)
        for name, shape in expected_weight_shapes(config).items():
            found = self._arrays[name].shape
            if found != shape:
                wanted = {field: getattr(config, field) for field in SHAPE_FIELDS}
                raise WeightsError(
                    f"weight {name} has shape {found}, but the configuration "
                    f"({_describe_fields(wanted)}) needs {shape}; the weights are for "
                    f"{_describe_fields(self.shape_fields)}", name)

    def cell_weights(self, dtype=torch.float64) -> CellWeights:
        return CellWeights(*(self._tensor(name, dtype) for name in RNN_NAMES))

    def attention_weights(self, dtype=torch.float64) -> AttentionWeights:
        return AttentionWeights(*(self._tensor(name, dtype) for name in ATTENTION_NAMES))

    def _tensor(self, name: str, dtype) -> torch.Tensor:
        # A copy: the models must not write into (or warn about) the read-only arrays.
        return torch.tensor(self._arrays[name], dtype=dtype)

    def __eq__(self, other) -> bool:
        return isinstance(other, WeightSet) and self.digest() == other.digest()

    def __hash__(self) -> int:
        return hash(self.digest())

    def __repr__(self) -> str:
        return f"WeightSet({_describe_fields(self.shape_fields)}; {self.source})"

    def input_arrays(self) -> dict[str, np.ndarray]:
        """The input pieces as a version 2 weight file's arrays (empty when there are none)."""
        out = {}
        if self.word_vectors is not None:
            out[WORDS_KEY] = np.array(self.word_vectors.words, dtype=str)
            out[VECTORS_KEY] = self.word_vectors.vectors
        if self.transformer_input is not None:
            words = self.transformer_input.word_vectors
            out[TRANSFORMER_PREFIX + WORDS_KEY] = np.array(words.words, dtype=str)
            out[TRANSFORMER_PREFIX + VECTORS_KEY] = words.vectors
            out.update({TRANSFORMER_PREFIX + name: value
                        for name, value in self.transformer_input.arrays().items()})
        return out

    # ---- files -----------------------------------------------------------------------------------

    def save(self, path: str | os.PathLike) -> Path:
        """Write one .npz atomically (its mode follows the umask); return the path."""
        inputs = self.input_arrays()
        extra = {"layer": self.layer} if self.transformer_input is not None else {}
        header = json.dumps({"format": FORMAT_NAME,
                             "version": FORMAT_VERSION if inputs else PLAIN_FORMAT_VERSION,
                             **self.shape_fields, **extra}, sort_keys=True)
        return write_npz(path, {HEADER_KEY: np.array(header), **self._arrays, **inputs},
                         WeightsError)

    @classmethod
    def load(cls, path: str | os.PathLike) -> WeightSet:
        """Read a weight file written by save(); WeightsError, naming the file, if it is not one."""
        shown = printable(path)
        data = read_npz_arrays(Path(path), WEIGHT_FILE_LIMITS, WeightsError)
        if HEADER_KEY not in data:
            raise WeightsError(f"{shown} is a .npz file but not a weight file saved by this app")
        header = _read_header(data.pop(HEADER_KEY), shown)
        inputs = {name: data.pop(name) for name in list(data) if name not in NAMES}
        try:
            word_vectors, transformer_input = _read_inputs(inputs, header)
            weights = cls(data, "", word_vectors=word_vectors,
                          transformer_input=transformer_input)
        except WeightsError as error:
            raise WeightsError(f"{shown}: {error}", error.weight) from None
        if {field: header[field] for field in SHAPE_FIELDS} != weights.shape_fields:
            raise WeightsError(f"{shown}: its header says {_describe_fields(header)}, but its "
                               f"weights are for {_describe_fields(weights.shape_fields)}")
        try:  # shapes no configuration of this app has (a width of 1, say) cannot be run
            SimConfig(**weights.shape_fields)
        except ConfigError as error:
            raise WeightsError(f"{shown}: its weights have {error.field} = "
                               f"{weights.shape_fields[error.field]}, which this app cannot run "
                               f"({error.field} {error.problem})", error.field) from None
        weights._source = f"file {printable(Path(path).name, 80)} " \
                          f"(sha256 {weights.digest()[:12]}…)"
        weights._path = Path(path).absolute()  # a session finds it again from anywhere
        return weights


def _text_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _with_layer_in_source(source: str, layer: int) -> str:
    """The source's description with its "layer N" replaced (or added)."""
    stripped = re.sub(r",? ?layer \d+\)?$", "", source)
    return f"{stripped}, layer {layer}"


def _read_inputs(arrays: dict[str, np.ndarray], header: dict):
    """(WordVectors or None, TransformerInput or None) from a weight file's optional arrays."""
    if not arrays:
        return None, None
    if header["version"] < 2:
        extra = sorted(printable(name, 40) for name in arrays)
        raise WeightsError(f"{extra[0]} is not a weight of these models (they have "
                           f"{', '.join(NAMES)})", extra[0])
    word_vectors = _read_table(arrays, "", "word table")
    transformer = {name[len(TRANSFORMER_PREFIX):]: value for name, value in arrays.items()
                   if name.startswith(TRANSFORMER_PREFIX)}
    extra = sorted(printable(name, 40) for name in arrays
                   if not name.startswith(TRANSFORMER_PREFIX)
                   and name not in (WORDS_KEY, VECTORS_KEY))
    if extra:
        raise WeightsError(f"{extra[0]} is not a weight of these models (they have "
                           f"{', '.join(NAMES)}, word tables and a Transformer input)", extra[0])
    if not transformer:
        return word_vectors, None
    table = _read_table(transformer, "", "Transformer's word table")
    if table is None:
        raise WeightsError("its Transformer input has no word table")
    layer = header.get("layer")
    if not isinstance(layer, int) or isinstance(layer, bool):
        raise WeightsError("its header does not say which Transformer layer the weights show")
    return word_vectors, TransformerInput.from_arrays(table, transformer, layer)


def _read_table(arrays: dict[str, np.ndarray], prefix: str, what: str) -> WordVectors | None:
    """The words and vectors under `prefix` (popped from `arrays`), or None when absent."""
    words, vectors = arrays.pop(prefix + WORDS_KEY, None), arrays.pop(prefix + VECTORS_KEY, None)
    if words is None and vectors is None:
        return None
    if words is None or vectors is None or words.dtype.kind != "U" or words.ndim != 1:
        raise WeightsError(f"its {what} needs both its words (text) and its vectors")
    return WordVectors([str(word) for word in words], vectors, what)


def _fields(record) -> dict[str, torch.Tensor]:
    return {name: getattr(record, name) for name in record.__dataclass_fields__}


def _checked_arrays(arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Read-only little-endian float64 copies, once every name, type and value has been checked."""
    if not isinstance(arrays, Mapping):
        raise WeightsError("the weights must be given as arrays by name")
    missing = [name for name in NAMES if name not in arrays]
    if missing:
        raise WeightsError(f"weight {missing[0]} is missing (a weight set has "
                           f"{', '.join(NAMES)})", missing[0])
    extra = sorted(printable(name, 40) for name in arrays if name not in NAMES)
    if extra:
        raise WeightsError(f"{extra[0]} is not a weight of these models (they have "
                           f"{', '.join(NAMES)})", extra[0])
    checked = {}
    for name in NAMES:
        value = arrays[name]
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().numpy()
        value = np.asarray(value)
        if value.dtype.kind != "f" or value.dtype.itemsize != 8:
            raise WeightsError(f"weight {name} is {printable(value.dtype, 40)}; weights are "
                               f"float64", name)
        if value.ndim != (1 if name.startswith("b_") else 3 if name in ("w_q", "w_k", "w_v")
                          else 2):
            raise WeightsError(f"weight {name} has shape {value.shape}, which has the wrong "
                               f"number of dimensions", name)
        if not np.all(np.isfinite(value)):
            raise WeightsError(f"weight {name} holds {int(np.sum(~np.isfinite(value)))} NaN or "
                               f"infinite values", name)
        value = np.array(value, dtype="<f8", order="C")  # a copy no caller can write into
        value.flags.writeable = False
        checked[name] = value
    return checked


def _shape_fields(arrays: dict[str, np.ndarray]) -> dict[str, object]:
    """cell, d_model, hidden_size, heads and head_size as the shapes say, once every weight's
    shape has been checked against the others."""
    # Where weights disagree, the size most of them share is taken as meant, so that the odd
    # one out is the weight named.
    gate_rows = _most_common([arrays[name].shape[0] for name in RNN_NAMES])
    hidden = arrays["w_hh"].shape[1]
    if hidden < 1 or gate_rows % hidden or gate_rows // hidden not in _CELL_OF_GATES:
        raise WeightsError(f"weight w_hh has shape {arrays['w_hh'].shape}; the RNN weights need "
                           f"1, 3 or 4 (Elman, GRU or LSTM) gate blocks of its {hidden} columns, "
                           f"and the others have {gate_rows} rows", "w_hh")
    heads, _, head_size = _most_common([arrays[name].shape for name in ("w_q", "w_k", "w_v")])
    d_model = _most_common([arrays["w_ih"].shape[1], arrays["w_o"].shape[1],
                            *(arrays[name].shape[1] for name in ("w_q", "w_k", "w_v"))])
    fields = {"cell": _CELL_OF_GATES[gate_rows // hidden], "d_model": d_model,
              "hidden_size": hidden, "heads": heads, "head_size": head_size}
    for name, shape in _shapes(fields["cell"], d_model, hidden, heads, head_size).items():
        if arrays[name].shape != shape:
            raise WeightsError(f"weight {name} has shape {arrays[name].shape}, but the other "
                               f"weights ({_describe_fields(fields)}) need {shape}", name)
    return fields


def _most_common(values: list):
    return Counter(values).most_common(1)[0][0]  # the first seen among equally common ones


def _read_header(value: np.ndarray, shown: str) -> dict:
    """The header entry's JSON: this format, a version this app reads, and the shape fields."""
    if value.dtype.kind != "U" or value.shape != () or len(str(value)) > MAX_HEADER_CHARS:
        raise WeightsError(f"{shown}: its header is not a short line of text")
    header = parse_json(str(value), lambda problem: WeightsError(f"{shown}: its header {problem}"))
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise WeightsError(f"{shown} is a .npz file but not a weight file saved by this app")
    version = header.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise WeightsError(f"{shown} has no valid weight format version")
    if version > FORMAT_VERSION:
        raise WeightsError(f"{shown} was saved in weight format {printable(version, 30)}; "
                           f"this version reads up to {FORMAT_VERSION}")
    for field in SHAPE_FIELDS:
        value = header.get(field)
        valid = value in CELLS if field == "cell" else \
            isinstance(value, int) and not isinstance(value, bool)
        if not valid:
            raise WeightsError(f"{shown}: its header lacks a valid {field}")
    return header
