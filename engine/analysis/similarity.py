"""How alike words' vectors are: the cosine similarity of a few words under a run's word vectors
(random from the seed, GloVe's, or a trained model's word table), for the lessons on what one
word means."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.core.config import SimConfig
from engine.core.glove import sentence_vectors
from engine.core.word_vectors import WordVectors


@dataclass(frozen=True)
class SimilarityTable:
    words: tuple[str, ...]
    cosine: np.ndarray  # (W, W)  cos(v_i, v_j), 1 on the diagonal
    source: str  # "GloVe 6B, 50-d", "random, seed N" or the word table's name
    stand_ins: tuple[str, ...]  # words the vectors lacked (seeded stand-ins), in the words' order


def cosine_table(words: list[str], config: SimConfig,
                 table: WordVectors | None = None) -> SimilarityTable:
    """The cosine similarity of `words` under `table` (a trained model's words) when given, else
    under the config's word vectors. ConfigError (on word_vectors) when GloVe is chosen but not
    installed."""
    if not words:
        raise ValueError("name at least one word")
    if table is not None:
        vectors, missing = table.embed(list(words), config.seed)  # (W, D), (W,)
        stand_ins = tuple(word for word, lacks in zip(words, missing) if lacks)
        return SimilarityTable(tuple(words), _cosine(vectors), table.name, stand_ins)
    vectors, known = sentence_vectors(list(words), config)  # (W, D), (W,) or None
    if known is None:
        return SimilarityTable(tuple(words), _cosine(vectors), f"random, seed {config.seed}", ())
    stand_ins = tuple(word for word, has in zip(words, known) if not has)
    return SimilarityTable(tuple(words), _cosine(vectors), "GloVe 6B, 50-d", stand_ins)


def _cosine(vectors: np.ndarray) -> np.ndarray:
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)  # (W, D)
    return np.clip(unit @ unit.T, -1.0, 1.0)  # (W, W)


def format_table(table: SimilarityTable) -> str:
    """A plain-text table, two decimals, words as row and column names."""
    width = max(6, *(len(word) for word in table.words)) + 1
    lines = [" " * width + "".join(f"{word:>{width}}" for word in table.words)]
    for word, row in zip(table.words, table.cosine):
        lines.append(f"{word:<{width}}" + "".join(f"{value:>{width}.2f}" for value in row))
    return "\n".join(lines)
