"""WordVectors: a named table of word vectors (word -> (D,) vector) with a digest.

A run normally draws one vector per distinct word from its seed (tokens.embed_tokens). Given a
table, it looks each token up instead (case-folded, as the seeded vectors are keyed); a token the
table lacks falls back to the seed's vector, deterministically, and the run records which tokens
did. Trained embeddings are one such table; pretrained vectors would be another.
"""

from __future__ import annotations

import hashlib
from typing import Sequence

import numpy as np

from engine.core.errors import WeightsError
from engine.core.tokens import embed_tokens, token_key
from engine.core.untrusted import printable

MAX_WORDS = 1_000_000
MAX_WORD_CHARS = 200


class WordVectors:
    """Words and their vectors, (V,) and (V, D) float64, read-only; looked up case-folded.
    Construction refuses empty, repeated (after case-folding), overlong or non-text words and
    non-finite or misshapen vectors with WeightsError."""

    def __init__(self, words: Sequence[str], vectors: np.ndarray, name: str):
        self.words = _checked_words(words)
        self.vectors = _checked_vectors(vectors, len(self.words))  # (V, D)
        self.name = name
        self._rows = {token_key(word): row for row, word in enumerate(self.words)}
        self._digest: str | None = None

    @property
    def width(self) -> int:
        return self.vectors.shape[1]

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, token: str) -> bool:
        return token_key(token) in self._rows

    def digest(self) -> str:
        """SHA-256, in hexadecimal, of the words (in order) and the vectors' shape and bytes."""
        if self._digest is None:
            hasher = hashlib.sha256()
            for word in self.words:
                hasher.update(word.encode("utf-8") + b"\n")
            hasher.update(f"{self.vectors.dtype.str}:{self.vectors.shape}\n".encode())
            hasher.update(self.vectors.tobytes())
            self._digest = hasher.hexdigest()
        return self._digest

    def embed(self, tokens: Sequence[str], seed: int) -> tuple[np.ndarray, np.ndarray]:
        """Each token's vector, (T, D), and which tokens the table lacks, (T,) bool: those get
        the seed's vector (tokens.embed_tokens), so a run stays a function of its inputs."""
        fallback = np.array([token not in self for token in tokens], dtype=bool)  # (T,)
        seeded = embed_tokens([token for token, missing in zip(tokens, fallback) if missing],
                              self.width, seed) if fallback.any() else None  # (F, D)
        rows, next_seeded = [], 0
        for token, missing in zip(tokens, fallback):
            if missing:
                rows.append(seeded[next_seeded])
                next_seeded += 1
            else:
                rows.append(self.vectors[self._rows[token_key(token)]])
        return np.stack(rows), fallback  # (T, D), (T,)

    def __eq__(self, other) -> bool:
        return isinstance(other, WordVectors) and self.digest() == other.digest()

    def __hash__(self) -> int:
        return hash(self.digest())

    def __repr__(self) -> str:
        return f"WordVectors({self.name}: {len(self)} words of width {self.width})"


def _checked_words(words: Sequence[str]) -> tuple[str, ...]:
    words = tuple(str(word) if isinstance(word, np.str_) else word for word in words)
    if not words:
        raise WeightsError("a word-vector table needs at least one word")
    if len(words) > MAX_WORDS:
        raise WeightsError(f"a word-vector table holds at most {MAX_WORDS:,} words")
    seen = set()
    for word in words:
        if not isinstance(word, str) or not word or word != word.strip() \
                or len(word) > MAX_WORD_CHARS:
            raise WeightsError(f"the word {printable(word, 40)} is not a usable word (non-empty "
                               f"text without spaces, at most {MAX_WORD_CHARS} characters)")
        key = token_key(word)
        if key in seen:
            raise WeightsError(f"the word {printable(word, 40)} appears twice in the table")
        seen.add(key)
    return words


def _checked_vectors(vectors, count: int) -> np.ndarray:
    value = np.asarray(vectors)
    if value.dtype.kind != "f":
        raise WeightsError(f"word vectors are {printable(value.dtype, 30)}, not floats")
    if value.ndim != 2 or value.shape[0] != count or value.shape[1] < 1:
        raise WeightsError(f"word vectors have shape {value.shape}; {count} words need "
                           f"({count}, D)")
    if not np.all(np.isfinite(value)):
        raise WeightsError("word vectors hold NaN or infinite values")
    value = np.array(value, dtype="<f8", order="C")  # a copy no caller can write into
    value.flags.writeable = False
    return value
