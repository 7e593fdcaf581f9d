"""What trained models hold, measured: the memory probe (can a linear read-out recover the word d
steps back from what the readout sees?), the trained word vectors (cosine similarities and a 2-D
projection), and inference token by token (time per new token and memory held: the RNN's fixed
state against attention's growing key-value cache). Plain numpy results a window can plot."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import numpy as np
import torch

from engine.labs.training.models import (Model, RecurrentModel, TransformerModel, elman_step,
                                         gru_step, layer_norm, lstm_step)
from engine.labs.training.tasks import CONTENT_WORDS, TASKS, WORD_CLASSES, WORD_ID

BYTES_PER_FLOAT = 4


# ---- the memory probe ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ProbeCurve:
    model: str
    distances: np.ndarray  # (n,) d = 1 .. n: the word d steps before the cue
    accuracy: np.ndarray  # (n,) share of held-out examples whose word the probe names
    chance: float


def features(model: Model, tokens: torch.Tensor, chunk: int = 256) -> np.ndarray:
    """What the readout sees for each example (the RNN's final state, the Transformer's stream
    at the last position, after attention), without gradients. (B, F)"""
    rows = []
    with torch.no_grad():
        for start in range(0, tokens.shape[0], chunk):
            rows.append(model.final_features(tokens[start:start + chunk]).double().cpu().numpy())
    return np.concatenate(rows)


def ridge_probe_accuracy(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray,
                         test_y: np.ndarray, classes: int, ridge: float = 1e-2) -> float:
    """Fit a linear map from features to one-hot words by ridge regression (closed form) and
    return the share of test rows whose largest output is the right word."""
    mean, scale = train_x.mean(axis=0), train_x.std(axis=0) + 1e-8
    a = np.hstack([(train_x - mean) / scale, np.ones((len(train_x), 1))])  # (N, F+1)
    b = np.hstack([(test_x - mean) / scale, np.ones((len(test_x), 1))])  # (M, F+1)
    targets = np.eye(classes)[train_y]  # (N, C)
    weights = np.linalg.solve(a.T @ a + ridge * len(a) * np.eye(a.shape[1]), a.T @ targets)
    return float(np.mean((b @ weights).argmax(axis=1) == test_y))


def memory_probe(model: Model, kind: str, n: int, seed: int, train_size: int = 2048,
                 test_size: int = 512, device: str = "cpu") -> ProbeCurve:
    """For each distance d, how well a linear probe decodes the word d steps before the cue
    from the model's final features. Inputs are first-word examples (n random content words, so
    every position holds a word worth decoding); the probe is fitted on train_size examples and
    scored on test_size others."""
    task = TASKS["first-word"]
    train_tokens, _ = task.batch(seed, "probe-train", n, train_size)
    test_tokens, _ = task.batch(seed, "probe-test", n, test_size)
    train_x = features(model, torch.from_numpy(train_tokens).to(device))
    test_x = features(model, torch.from_numpy(test_tokens).to(device))
    content_index = {WORD_ID[word]: i for i, word in enumerate(CONTENT_WORDS)}
    to_class = np.vectorize(content_index.__getitem__)
    distances = np.arange(1, n + 1)
    accuracy = np.array([
        ridge_probe_accuracy(train_x, to_class(train_tokens[:, n - d]), test_x,
                             to_class(test_tokens[:, n - d]), len(CONTENT_WORDS))
        for d in distances])
    return ProbeCurve(kind, distances, accuracy, 1 / len(CONTENT_WORDS))


# ---- word vectors --------------------------------------------------------------------------------

@dataclass(frozen=True)
class WordMap:
    words: tuple[str, ...]  # the content words, class by class
    classes: tuple[str, ...]  # each word's class
    cosine: np.ndarray  # (W, W) cosine similarity of the trained embeddings
    projection: np.ndarray  # (W, 2) the embeddings on their first two principal components
    explained: tuple[float, float]  # share of the variance each component explains

    def class_gap(self) -> float:
        """Mean cosine within a class minus mean cosine between classes (off the diagonal):
        above 0 when same-class words sit closer together."""
        same = np.equal.outer(np.array(self.classes), np.array(self.classes))
        off_diagonal = ~np.eye(len(self.words), dtype=bool)
        return float(self.cosine[same & off_diagonal].mean() - self.cosine[~same].mean())

    def nearest(self, word: str) -> str:
        """The other word whose vector is most similar."""
        row = self.cosine[self.words.index(word)].copy()
        row[self.words.index(word)] = -np.inf
        return self.words[int(row.argmax())]


def word_map(model: Model) -> WordMap:
    """Cosine similarities and a 2-D PCA (numpy only) of the content words' trained vectors."""
    words = tuple(CONTENT_WORDS)
    classes = tuple(name for name, members in WORD_CLASSES.items() for _ in members)
    vectors = model.embedding.detach().double().cpu().numpy()[[WORD_ID[w] for w in words]]  # (W, E)
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    centred = vectors - vectors.mean(axis=0)
    _, singular, components = np.linalg.svd(centred, full_matrices=False)
    variance = singular ** 2 / max(float(np.sum(singular ** 2)), 1e-300)
    projection = centred @ components[:2].T  # (W, 2)
    return WordMap(words, classes, unit @ unit.T, projection,
                   (float(variance[0]), float(variance[1]) if len(variance) > 1 else 0.0))


# ---- inference, token by token -------------------------------------------------------------------

@dataclass(frozen=True)
class GenerationProfile:
    model: str
    positions: np.ndarray  # (L,) 1 .. L: the position of the new token
    seconds: np.ndarray  # (L,) median time to take in one new token and predict the next
    memory_bytes: np.ndarray  # (L,) what the model holds between tokens: state, or K/V cache
    tokens: tuple[int, ...]  # the tokens fed: the prompt, then the model's own predictions


def _recurrent_generator(model: RecurrentModel):
    """Step function and memory size of one RNN, fed one token at a time (batch of 1)."""
    if model.kind == "mingru":
        return _mingru_generator(model)
    w = model.cell_weights()
    bias = w.b_ih if model.kind == "gru" else w.b_ih + w.b_hh
    H = model.hidden_size
    state = {"h": w.w_hh.new_zeros(1, H), "c": w.w_hh.new_zeros(1, H)}

    def feed(token: int) -> torch.Tensor:
        projected = torch.addmm(bias, model.embedding[token:token + 1], w.w_ih.T)  # (1, G*H)
        if model.kind == "rnn":
            state["h"] = elman_step(projected, state["h"], w)
        elif model.kind == "lstm":
            state["h"], state["c"] = lstm_step(projected, (state["h"], state["c"]), w)
        else:
            state["h"] = gru_step(projected, state["h"], w)
        return model.readout(state["h"])  # (1, V)

    held = (2 if model.kind == "lstm" else 1) * H * BYTES_PER_FLOAT
    return feed, lambda: held


def _mingru_generator(model):
    """minGRU fed one token at a time: a step's update needs only the state, like any RNN."""
    state = {"h": model.w_z.new_zeros(1, model.hidden_size)}

    def feed(token: int) -> torch.Tensor:
        state["h"] = model.step(model.embedding[token:token + 1], state["h"])  # (1, H)
        return model.readout(state["h"])  # (1, V)

    held = model.hidden_size * BYTES_PER_FLOAT
    return feed, lambda: held


def _transformer_generator(model: TransformerModel):
    """Step function and memory size of the Transformer with a key-value cache: each new token
    computes its own query, key and value per block and attends over every cached key."""
    cache = [([], []) for _ in model.blocks]  # per block: keys, values, each (1, nh, 1, hs)

    def feed(token: int) -> torch.Tensor:
        position = len(cache[0][0])
        x = model.embedding[token:token + 1] + model.positions[position]  # (1, D)
        for block, (keys, values) in zip(model.blocks, cache):
            normed = layer_norm(x, block.ln1_gain, block.ln1_bias)  # (1, D)
            q = torch.einsum("d,hde->he", normed[0], block.w_q)  # (nh, hs)
            keys.append(torch.einsum("d,hde->he", normed[0], block.w_k))
            values.append(torch.einsum("d,hde->he", normed[0], block.w_v))
            k, v = torch.stack(keys, dim=1), torch.stack(values, dim=1)  # (nh, t, hs)
            scores = torch.einsum("he,hte->ht", q, k) / (q.shape[1] ** 0.5)  # (nh, t)
            attn = torch.softmax(scores, dim=1)  # (nh, t)  a new token sees every cached one
            x = x + torch.einsum("ht,hte->he", attn, v).reshape(1, -1) @ block.w_o
            x = x + block.mlp(x)
        return model.readout(x)  # (1, V)

    def held() -> int:
        return sum(2 * len(keys) * model.width for keys, _ in cache) * BYTES_PER_FLOAT

    return feed, held


def generation_profile(model: Model, kind: str, prompt: list[int], length: int,
                       repeats: int = 3) -> GenerationProfile:
    """Feed the prompt, then the model's own most likely next word, one token at a time, up to
    `length` tokens; time each token (median of `repeats` passes) and record the memory held.
    A Transformer cannot go past the positions it learned (length is capped there)."""
    if isinstance(model, TransformerModel):
        length = min(length, model.max_length)
    passes, tokens, held = [], [], []
    with torch.no_grad():
        for _ in range(repeats):
            feed, memory = (_transformer_generator(model) if isinstance(model, TransformerModel)
                            else _recurrent_generator(model))
            tokens, held, seconds = [], [], []
            token = prompt[0]
            for position in range(length):
                start = time.perf_counter()
                logits = feed(token)
                seconds.append(time.perf_counter() - start)
                tokens.append(token)
                held.append(memory())
                token = prompt[position + 1] if position + 1 < len(prompt) else int(logits.argmax())
            passes.append(seconds)
    median = [statistics.median(times) for times in zip(*passes)]
    return GenerationProfile(kind, np.arange(1, length + 1), np.array(median),
                             np.array(held, dtype=np.int64), tuple(tokens))
