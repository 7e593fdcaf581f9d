"""The training lab's models, trainable with autograd: an embedding, then the engine's Elman (tanh),
LSTM or GRU cell run over a batch with a readout from the last state; or a Transformer of 1-2
pre-LayerNorm blocks built on the engine's attention maths, with a readout at the last position.
(minGRU, computed by the parallel scan, is mingru_model.py's; it counts as a recurrent model.)

The cells keep engine/models/cells.py's weights, layout, gate order and initialisation; only the
state is a batch of rows here, (B, H) instead of (H,), and a whole sequence runs through
sequences.py, whose backward pass through time is written out (elman_step, lstm_step and gru_step
remain the one-step reference, for token-by-token inference). Attention keeps attention.py's
AttentionWeights, scale, causal mask and written-out softmax. Nothing here uses nn.RNN,
nn.Transformer or nn.MultiheadAttention (they are the tests' references).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from engine.core.seeding import generator
from engine.labs.training.sequences import ElmanSequence, GRUSequence, LSTMSequence
from engine.models.attention import AttentionWeights, causal_mask, score_scale
from engine.models.cells import GATES, CellWeights, init_weights

CELL_KINDS = ("rnn", "lstm", "gru")  # RecurrentModel's cells
RECURRENT_KINDS = (*CELL_KINDS, "mingru")  # minGRU: mingru_model.py, by the parallel scan
MODEL_KINDS = (*RECURRENT_KINDS, "transformer")
LABELS = {"rnn": "Elman RNN (tanh)", "lstm": "LSTM", "gru": "GRU",
          "mingru": "minGRU (parallel scan)", "transformer": "Transformer"}
MLP_RATIO = 4
LAYER_NORM_EPS = 1e-5
# Word vectors (and positions) start small, so what training moves them by, shared by words of
# one class, soon outweighs where they started: trained classes show as clusters. (Parity wants
# them far apart: see config.TASK_DEFAULTS.)
EMBEDDING_SCALE = 0.02


def _tensor(rng, shape, scale: float, dtype) -> torch.Tensor:
    return torch.from_numpy(rng.standard_normal(shape) * scale).to(dtype)


# ---- recurrent models ----------------------------------------------------------------------------

def elman_step(projected: torch.Tensor, h: torch.Tensor, w: CellWeights) -> torch.Tensor:
    """ElmanCell.step for a batch: h_t = tanh(W_ih x_t + b + W_hh h_{t-1}). (B, H)"""
    return torch.tanh(torch.addmm(projected, h, w.w_hh.T))  # (B, H)


def lstm_step(projected: torch.Tensor, state: tuple, w: CellWeights) -> tuple:
    """LSTMCell.step for a batch; gates i, f, g, o in torch's order. ((B, H), (B, H))"""
    h, c_prev = state
    H = h.shape[1]
    a = torch.addmm(projected, h, w.w_hh.T)  # (B, 4H)
    # Two calls over all four blocks cost less than four over one each (per-call overhead).
    sig, tanh = torch.sigmoid(a), torch.tanh(a[:, 2 * H:3 * H])  # (B, 4H), (B, H)
    c = torch.addcmul(sig[:, H:2 * H] * c_prev, sig[:, :H], tanh)  # f c + i g  (B, H)
    return sig[:, 3 * H:] * torch.tanh(c), c


def gru_step(projected: torch.Tensor, h_prev: torch.Tensor, w: CellWeights) -> torch.Tensor:
    """GRUCell.step for a batch; gates r, z, n in torch's order. (B, H)"""
    hidden_part = torch.addmm(w.b_hh, h_prev, w.w_hh.T)  # (B, 3H)
    r, z, hidden_n = hidden_part.chunk(3, dim=1)
    p_r, p_z, p_n = projected.chunk(3, dim=1)
    r = torch.sigmoid(p_r + r)  # (B, H)
    z = torch.sigmoid(p_z + z)
    n = torch.tanh(p_n + r * hidden_n)  # (B, H)
    return n + z * (h_prev - n)  # (B, H)


class RecurrentModel(nn.Module):
    """Embedding (V, E) -> Elman/LSTM/GRU cell of width H, one step per word -> readout (V, H)."""

    def __init__(self, kind: str, vocabulary: int, embed_width: int, hidden_size: int,
                 seed: int, dtype=torch.float32, embedding_scale: float = EMBEDDING_SCALE):
        super().__init__()
        if kind not in CELL_KINDS:
            raise ValueError(f"kind must be one of {', '.join(CELL_KINDS)}, got {kind!r}")
        self.kind = kind
        rng = generator(seed, f"training:{kind}")
        self.embedding = nn.Parameter(
            _tensor(rng, (vocabulary, embed_width), embedding_scale, dtype))  # (V, E)
        cell = init_weights(GATES[kind], embed_width, hidden_size, 1.0, rng, dtype)
        self.w_ih, self.w_hh = nn.Parameter(cell.w_ih), nn.Parameter(cell.w_hh)
        self.b_ih, self.b_hh = nn.Parameter(cell.b_ih), nn.Parameter(cell.b_hh)
        bound = 1.0 / math.sqrt(hidden_size)
        self.w_out = nn.Parameter(
            torch.from_numpy(rng.uniform(-bound, bound, (vocabulary, hidden_size))).to(dtype))
        self.b_out = nn.Parameter(torch.zeros(vocabulary, dtype=dtype))  # (V,)

    @property
    def hidden_size(self) -> int:
        return self.w_hh.shape[1]

    @property
    def embed_width(self) -> int:
        return self.embedding.shape[1]

    def cell_weights(self) -> CellWeights:
        return CellWeights(self.w_ih, self.w_hh, self.b_ih, self.b_hh)

    def embed(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.embedding[tokens]  # (B, T, E)

    def states(self, inputs: torch.Tensor, every: bool = True) -> torch.Tensor:
        """Every hidden state h_1 .. h_T for a batch of embedded words, (B, T, E) -> (B, T, H);
        or only the last one, (B, H), when not `every` (training needs no other)."""
        w = self.cell_weights()
        # The input half of every step at once; GRU keeps b_hh inside (the reset gate scales it).
        bias = w.b_ih if self.kind == "gru" else w.b_ih + w.b_hh
        projected = torch.matmul(inputs, w.w_ih.T) + bias  # (B, T, G*H)
        if self.kind == "gru":
            return GRUSequence.apply(projected, w.w_hh, w.b_hh, not every)
        sequence = LSTMSequence if self.kind == "lstm" else ElmanSequence
        return sequence.apply(projected, w.w_hh, not every)

    def readout(self, features: torch.Tensor) -> torch.Tensor:
        return torch.addmm(self.b_out, features, self.w_out.T)  # (B, V)

    def forward_from_inputs(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.readout(self.states(inputs, every=False))  # (B, V)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.forward_from_inputs(self.embed(tokens))  # (B, V)

    def final_features(self, tokens: torch.Tensor) -> torch.Tensor:
        """What the readout sees: the last hidden state. (B, H)"""
        return self.states(self.embed(tokens), every=False)


# ---- the Transformer -----------------------------------------------------------------------------

def layer_norm(x: torch.Tensor, gain: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """(x - mean) / sqrt(var + eps) * gain + bias over the last axis (the biased variance), as
    torch's fused layer_norm: one autograd node instead of nine written-out ones. (..., D)"""
    return F.layer_norm(x, (x.shape[-1],), gain, bias, LAYER_NORM_EPS)


def _project(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """x W for every head, as one matrix product. (B, T, D), (nh, D, hs) -> (B, nh, T, hs)"""
    nh, D, hs = weight.shape
    flat = weight.permute(1, 0, 2).reshape(D, nh * hs)  # (D, nh*hs)
    return (x @ flat).view(x.shape[0], x.shape[1], nh, hs).transpose(1, 2)


def attend_batch(x: torch.Tensor, weights: AttentionWeights, *, last_only: bool = False,
                 keep_weights: bool = False):
    """attention.attend's pipeline for a batch, causal: softmax(Q K^T / sqrt(hs) + mask) V, then
    W_o. With last_only, only the last word asks (the readout needs nothing else), so its row
    needs no mask. Returns the output (B, T or 1, D), and the softmax weights (B, nh, T or 1, T)
    when keep_weights."""
    B, T, _ = x.shape
    q = _project(x[:, -1:] if last_only else x, weights.w_q)  # (B, nh, Tq, hs)
    k = _project(x, weights.w_k)  # (B, nh, T, hs)
    v = _project(x, weights.w_v)  # (B, nh, T, hs)
    scores = (q @ k.transpose(-1, -2)) * score_scale(weights.head_size, True)  # (B, nh, Tq, T)
    if not last_only:
        scores = scores.masked_fill(causal_mask(T).to(x.device), -math.inf)
    exp = (scores - scores.amax(dim=-1, keepdim=True)).exp()  # (B, nh, Tq, T)
    attn = exp / exp.sum(dim=-1, keepdim=True)  # rows sum to 1
    head_output = attn @ v  # (B, nh, Tq, hs)
    output = head_output.transpose(1, 2).reshape(B, q.shape[2], -1) @ weights.w_o  # (B, Tq, D)
    return (output, attn) if keep_weights else output


class Block(nn.Module):
    """x + attention(LN(x)), then x + MLP(LN(x)): one pre-LayerNorm Transformer block."""

    def __init__(self, width: int, heads: int, rng, dtype):
        super().__init__()
        D, hs = width, width // heads
        self.ln1_gain, self.ln1_bias = (nn.Parameter(torch.ones(D, dtype=dtype)),
                                        nn.Parameter(torch.zeros(D, dtype=dtype)))
        self.w_q = nn.Parameter(_tensor(rng, (heads, D, hs), D ** -0.5, dtype))  # (nh, D, hs)
        self.w_k = nn.Parameter(_tensor(rng, (heads, D, hs), D ** -0.5, dtype))
        self.w_v = nn.Parameter(_tensor(rng, (heads, D, hs), D ** -0.5, dtype))
        self.w_o = nn.Parameter(_tensor(rng, (heads * hs, D), D ** -0.5, dtype))  # (nh*hs, D)
        self.ln2_gain, self.ln2_bias = (nn.Parameter(torch.ones(D, dtype=dtype)),
                                        nn.Parameter(torch.zeros(D, dtype=dtype)))
        self.w_1 = nn.Parameter(_tensor(rng, (D, MLP_RATIO * D), D ** -0.5, dtype))  # (D, 4D)
        self.b_1 = nn.Parameter(torch.zeros(MLP_RATIO * D, dtype=dtype))
        self.w_2 = nn.Parameter(_tensor(rng, (MLP_RATIO * D, D), (MLP_RATIO * D) ** -0.5, dtype))
        self.b_2 = nn.Parameter(torch.zeros(D, dtype=dtype))

    def attention_weights(self) -> AttentionWeights:
        return AttentionWeights(self.w_q, self.w_k, self.w_v, self.w_o)

    def attention(self, x: torch.Tensor, *, last_only: bool = False, keep_weights: bool = False):
        return attend_batch(layer_norm(x, self.ln1_gain, self.ln1_bias), self.attention_weights(),
                            last_only=last_only, keep_weights=keep_weights)

    def mlp(self, x: torch.Tensor) -> torch.Tensor:
        hidden = torch.relu(layer_norm(x, self.ln2_gain, self.ln2_bias) @ self.w_1 + self.b_1)
        return hidden @ self.w_2 + self.b_2  # (B, T, D)

    def forward(self, x: torch.Tensor, last_only: bool = False) -> torch.Tensor:
        """(B, T, D) -> (B, T, D), or (B, 1, D) for the last word alone when last_only."""
        x = (x[:, -1:] if last_only else x) + self.attention(x, last_only=last_only)
        return x + self.mlp(x)


class TransformerModel(nn.Module):
    """Embedding (V, D) plus learned positions (T, D) -> 1 or 2 blocks -> LN -> readout at the
    last position (V, D). Attention is causal, so a word sees only itself and earlier words."""

    kind = "transformer"

    def __init__(self, vocabulary: int, width: int, heads: int, layers: int, max_length: int,
                 seed: int, dtype=torch.float32, embedding_scale: float = EMBEDDING_SCALE):
        super().__init__()
        if width % heads:
            raise ValueError(f"width {width} must be a multiple of heads {heads}")
        rng = generator(seed, "training:transformer")
        self.embedding = nn.Parameter(
            _tensor(rng, (vocabulary, width), embedding_scale, dtype))  # (V, D)
        self.positions = nn.Parameter(
            _tensor(rng, (max_length, width), embedding_scale, dtype))  # (T, D)
        self.blocks = nn.ModuleList(Block(width, heads, rng, dtype) for _ in range(layers))
        self.ln_gain = nn.Parameter(torch.ones(width, dtype=dtype))
        self.ln_bias = nn.Parameter(torch.zeros(width, dtype=dtype))
        self.w_out = nn.Parameter(_tensor(rng, (vocabulary, width), width ** -0.5, dtype))
        self.b_out = nn.Parameter(torch.zeros(vocabulary, dtype=dtype))

    @property
    def width(self) -> int:
        return self.embedding.shape[1]

    @property
    def heads(self) -> int:
        return self.blocks[0].w_q.shape[0]

    @property
    def layers(self) -> int:
        return len(self.blocks)

    @property
    def max_length(self) -> int:
        return self.positions.shape[0]

    def embed(self, tokens: torch.Tensor) -> torch.Tensor:
        """Word vectors plus positions: what position 0's gradient is measured at. (B, T, D)"""
        return self.embedding[tokens] + self.positions[: tokens.shape[1]]

    def hidden(self, inputs: torch.Tensor, keep_weights: bool = False):
        """The residual stream after every block, and each block's softmax weights if asked."""
        x, maps = inputs, []
        for block in self.blocks:
            if keep_weights:
                attended, attn = block.attention(x, keep_weights=True)
                maps.append(attn)
                x = x + attended
                x = x + block.mlp(x)
            else:
                x = block(x)
        return (x, maps) if keep_weights else x  # (B, T, D)

    def readout(self, features: torch.Tensor) -> torch.Tensor:
        normed = layer_norm(features, self.ln_gain, self.ln_bias)  # (B, D)
        return torch.addmm(self.b_out, normed, self.w_out.T)  # (B, V)

    def last_features(self, inputs: torch.Tensor) -> torch.Tensor:
        """The residual stream at the last position; the last block computes that row alone.
        (B, T, D) -> (B, D)"""
        x = inputs
        for block in self.blocks[:-1]:
            x = block(x)
        return self.blocks[-1](x, last_only=True)[:, 0]  # (B, D)

    def forward_from_inputs(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.readout(self.last_features(inputs))  # (B, V)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.forward_from_inputs(self.embed(tokens))

    def final_features(self, tokens: torch.Tensor) -> torch.Tensor:
        """What the readout sees: the residual stream at the last position. (B, D)"""
        return self.last_features(self.embed(tokens))


Model = RecurrentModel | TransformerModel


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


# ---- parameter counts without building, and widths that match them -------------------------------

def recurrent_parameters(kind: str, vocabulary: int, embed_width: int, hidden: int) -> int:
    if kind == "mingru":  # two projections of the word (H x E and a bias each), no H x H
        return vocabulary * embed_width + 2 * hidden * (embed_width + 1) + vocabulary * (hidden + 1)
    gh = GATES[kind] * hidden
    return vocabulary * embed_width + gh * (embed_width + hidden + 2) + vocabulary * (hidden + 1)


def transformer_parameters(vocabulary: int, width: int, layers: int, max_length: int) -> int:
    D = width
    block = 4 * D + 4 * D * D + 2 * MLP_RATIO * D * D + MLP_RATIO * D + D  # LNs, attention, MLP
    return vocabulary * D + max_length * D + layers * block + 2 * D + vocabulary * (D + 1)


MAX_HIDDEN = 4096


def matched_hidden_size(kind: str, target: int, vocabulary: int, embed_width: int) -> int:
    """The hidden size H whose recurrent model's parameter count is closest to `target`."""
    def gap(hidden: int) -> int:
        return abs(recurrent_parameters(kind, vocabulary, embed_width, hidden) - target)

    low, high = 1, MAX_HIDDEN  # the count grows with H: bisect for the first H at or above target
    while low < high:
        middle = (low + high) // 2
        if recurrent_parameters(kind, vocabulary, embed_width, middle) < target:
            low = middle + 1
        else:
            high = middle
    return min((h for h in (low - 1, low) if h >= 1), key=gap)
