"""TransformerInput: what a trained pre-LayerNorm Transformer feeds the one attention layer the
simulator shows.

The simulator runs a single attention layer. For it to show a trained Transformer's own attention
map, its input must be what that layer saw in training: the Transformer's word vectors plus its
learned positions, through every earlier block (x + attention(LN1 x), then x + MLP(LN2 x)), and
then the shown block's pre-attention LayerNorm. This record holds those parameters (float64,
read-only) and computes that input; the shown block's own w_q, w_k, w_v, w_o stay the WeightSet's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import torch

from engine.core.errors import WeightsError
from engine.core.word_vectors import WordVectors
from engine.models.attention import AttentionWeights, attend

BLOCK_NAMES = ("ln1_gain", "ln1_bias", "w_q", "w_k", "w_v", "w_o",
               "ln2_gain", "ln2_bias", "w_1", "b_1", "w_2", "b_2")
ATTENTION_NAMES = ("w_q", "w_k", "w_v", "w_o")
LAYER_NORM_EPS = 1e-5  # engine/labs/training/models.py's
MAX_LAYERS = 8


def layer_norm(x: torch.Tensor, gain: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """(x - mean) / sqrt(var + eps) * gain + bias over the last axis, written out. (T, D)"""
    mean = x.mean(dim=-1, keepdim=True)
    var = (x - mean).pow(2).mean(dim=-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + LAYER_NORM_EPS) * gain + bias


@dataclass(frozen=True, eq=False)
class TransformerInput:
    word_vectors: WordVectors  # the Transformer's own, width D
    positions: np.ndarray  # (L, D)  learned, one per position up to its longest sentence
    blocks: tuple[Mapping[str, np.ndarray], ...]  # every block's BLOCK_NAMES arrays
    layer: int  # the shown block, 1-based

    def __post_init__(self):
        object.__setattr__(self, "positions", _frozen(self.positions, "positions"))
        object.__setattr__(self, "blocks", tuple(
            {name: _frozen(block[name], f"block {index + 1} {name}") for name in BLOCK_NAMES}
            for index, block in enumerate(_checked_blocks(self.blocks))))
        _check_shapes(self)

    @property
    def layers(self) -> int:
        return len(self.blocks)

    @property
    def max_length(self) -> int:
        return self.positions.shape[0]

    def attention_arrays(self) -> dict[str, np.ndarray]:
        """The shown block's w_q, w_k, w_v, w_o."""
        return {name: self.blocks[self.layer - 1][name] for name in ATTENTION_NAMES}

    def with_layer(self, layer: int) -> TransformerInput:
        if not 1 <= layer <= self.layers:
            raise WeightsError(f"the Transformer has {self.layers} layer(s); there is no layer "
                               f"{layer}")
        return TransformerInput(self.word_vectors, self.positions, self.blocks, layer)

    def inputs(self, tokens: Sequence[str], seed: int) -> tuple[np.ndarray, np.ndarray]:
        """The shown layer's input for `tokens`, (T, D), and which tokens the Transformer's word
        table lacks (T,) (they get the seed's vectors). WeightsError for a sentence longer than
        the positions it learned."""
        T = len(tokens)
        if T > self.max_length:
            raise WeightsError(f"the trained Transformer learned positions for {self.max_length} "
                               f"words; the sentence has {T}")
        words, fallback = self.word_vectors.embed(tokens, seed)  # (T, D), (T,)
        x = torch.from_numpy(words + self.positions[:T])  # (T, D)
        for block in self.blocks[:self.layer - 1]:
            x = _block(x, {name: torch.tensor(value) for name, value in block.items()})
        shown = self.blocks[self.layer - 1]
        normed = layer_norm(x, torch.tensor(shown["ln1_gain"]),
                            torch.tensor(shown["ln1_bias"]))  # (T, D)
        return normed.numpy().copy(), fallback

    def digest(self) -> str:
        """SHA-256 of the word table's digest, the layer, and each array's name, shape, bytes."""
        hasher = hashlib.sha256()
        hasher.update(f"words:{self.word_vectors.digest()}\nlayer:{self.layer}\n".encode())
        for name, value in sorted(self.arrays().items()):
            hasher.update(f"{name}:{value.dtype.str}:{value.shape}\n".encode())
            hasher.update(np.ascontiguousarray(value).tobytes())
        return hasher.hexdigest()

    def arrays(self) -> dict[str, np.ndarray]:
        """The positions and every block's arrays by file name: "positions", "block1_w_q", ..."""
        out = {"positions": self.positions}
        for index, block in enumerate(self.blocks):
            out.update({f"block{index + 1}_{name}": value for name, value in block.items()})
        return out

    @classmethod
    def from_arrays(cls, word_vectors: WordVectors, arrays: Mapping[str, np.ndarray],
                    layer: int) -> TransformerInput:
        """The inverse of arrays(); WeightsError naming a missing or extra array."""
        blocks, index = [], 1
        while f"block{index}_w_q" in arrays:
            missing = [n for n in BLOCK_NAMES if f"block{index}_{n}" not in arrays]
            if missing:
                raise WeightsError(f"block {index} lacks its {missing[0]}")
            blocks.append({name: arrays[f"block{index}_{name}"] for name in BLOCK_NAMES})
            index += 1
        known = {"positions", *(f"block{i}_{n}" for i in range(1, index) for n in BLOCK_NAMES)}
        extra = sorted(name for name in arrays if name not in known)
        if extra or "positions" not in arrays:
            problem = f"hold {extra[0]}" if extra else "lack positions"
            raise WeightsError(f"the Transformer's input arrays {problem}")
        return cls(word_vectors, arrays["positions"], tuple(blocks), layer)


def _block(x: torch.Tensor, block: Mapping[str, torch.Tensor]) -> torch.Tensor:
    """One pre-LayerNorm block, as the training lab's Block computes it. (T, D) -> (T, D)"""
    attention = AttentionWeights(*(block[name] for name in ATTENTION_NAMES))
    attended = attend(layer_norm(x, block["ln1_gain"], block["ln1_bias"]), attention,
                      causal=True, scaling=True).output  # (T, D)
    x = x + attended
    hidden = torch.relu(layer_norm(x, block["ln2_gain"], block["ln2_bias"]) @ block["w_1"]
                        + block["b_1"])  # (T, 4D)
    return x + hidden @ block["w_2"] + block["b_2"]  # (T, D)


def _checked_blocks(blocks) -> tuple:
    if not isinstance(blocks, (tuple, list)) or not 1 <= len(blocks) <= MAX_LAYERS:
        raise WeightsError(f"a Transformer's input needs 1 to {MAX_LAYERS} blocks")
    for index, block in enumerate(blocks):
        missing = [name for name in BLOCK_NAMES if name not in block]
        if missing:
            raise WeightsError(f"block {index + 1} lacks its {missing[0]}")
    return tuple(blocks)


def _frozen(value, what: str) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().to(torch.float64).numpy()
    value = np.asarray(value)
    if value.dtype.kind != "f":
        raise WeightsError(f"the Transformer's {what} are {value.dtype}, not floats")
    if not np.all(np.isfinite(value)):
        raise WeightsError(f"the Transformer's {what} hold NaN or infinite values")
    value = np.array(value, dtype="<f8", order="C")
    value.flags.writeable = False
    return value


def _check_shapes(record: TransformerInput) -> None:
    D = record.word_vectors.width
    positions = record.positions
    if positions.ndim != 2 or positions.shape[1] != D or not positions.shape[0]:
        raise WeightsError(f"the Transformer's positions have shape {record.positions.shape}; "
                           f"its words of width {D} need (L, {D})")
    heads, _, head_size = record.blocks[0]["w_q"].shape if record.blocks[0]["w_q"].ndim == 3 \
        else (0, 0, 0)
    if heads < 1:
        raise WeightsError("the Transformer's block 1 w_q is not (heads, D, head size)")
    w_1 = record.blocks[0]["w_1"]
    M = w_1.shape[1] if w_1.ndim == 2 else 0  # the MLP's width; 0 fails the check below
    shapes = {"ln1_gain": (D,), "ln1_bias": (D,), "w_q": (heads, D, head_size),
              "w_k": (heads, D, head_size), "w_v": (heads, D, head_size),
              "w_o": (heads * head_size, D), "ln2_gain": (D,), "ln2_bias": (D,),
              "w_1": (D, M), "b_1": (M,), "w_2": (M, D), "b_2": (D,)}
    for index, block in enumerate(record.blocks):
        for name, shape in shapes.items():
            if block[name].shape != shape:
                raise WeightsError(f"the Transformer's block {index + 1} {name} has shape "
                                   f"{block[name].shape}; its width {D} needs {shape}")
    if not isinstance(record.layer, int) or not 1 <= record.layer <= len(record.blocks):
        raise WeightsError(f"the Transformer has {len(record.blocks)} layer(s); there is no "
                           f"layer {record.layer}")
